"""Small rules of the product's English, shared by messages and templates."""


def possessive(name: str) -> str:
    """``name``'s, or ``name``' after an s ("Tailwind Traders'", not "Tailwind Traders's")."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"
