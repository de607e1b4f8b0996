"""Template context: the signed-in user's partner and roles, for the layout header.

``CurrentUserMiddleware`` loads the request user's roles once per request, so
the layout, the views and the selectors (``user.role_codes``) share one query
instead of repeating it.
"""

from django.contrib.auth import get_user
from django.db.models import prefetch_related_objects
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext


def _user_with_roles(request):
    user = get_user(request)
    if user.is_authenticated:
        prefetch_related_objects([user], "roles")
    return user


class CurrentUserMiddleware:
    """Replace ``request.user`` with a lazy user whose roles are prefetched (one query, on first use).

    Sits right after ``AuthenticationMiddleware``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if hasattr(request, "session"):
            request.user = SimpleLazyObject(lambda: _user_with_roles(request))
        return self.get_response(request)


def partner_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role_codes = user.role_codes
    return {
        "current_partner": user.partner,
        "current_customer": user.customer,
        "current_roles": sorted(gettext(r.get_role_display()) for r in user.roles.all()),
        "current_role_codes": role_codes,
    }
