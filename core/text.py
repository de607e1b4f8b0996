"""Small rules of the product's English, shared by messages and templates."""


def possessive(name: str) -> str:
    """``name``'s, or ``name``' after an s ("Tailwind Traders'", not "Tailwind Traders's")."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def possessive_here(name: str) -> str:
    """``name``'s in English; in any other active language the name alone, which a translated
    sentence places itself ("o Global Administrator de Fabrikam"). For sentences shown at once
    (a message of this request); a sentence rendered later passes the plain name beside."""
    from django.utils import translation

    if (translation.get_language() or "en").startswith("en"):
        return possessive(name)
    return name
