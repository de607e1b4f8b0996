"""Small rules of text shared across the product: its English possessive, what counts as a number."""


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


def ascii_digits(text: str) -> bool:
    """True when ``text`` is one or more of 0-9 and nothing else: what ``int()`` may parse as an id
    or an enum's number. ``str.isdigit()`` alone also accepts "¹" or "³", which ``int()`` refuses."""
    return text.isascii() and text.isdigit()
