"""Template context: the signed-in user's partner and roles, for the layout header."""


def partner_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_partner": user.partner,
        "current_customer": user.customer,
        "current_roles": sorted(r.get_role_display() for r in user.roles.all()),
    }
