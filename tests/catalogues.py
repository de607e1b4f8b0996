"""The Entra role catalogue rows that the data migrations load, for tests that start without them
(``--nomigrations``, or after a transactional test's flush)."""

from __future__ import annotations


def ensure_entra_roles() -> None:
    """Create the missing ``gdap.EntraRole`` rows of ``gdap.roles.CATALOGUE``; one COUNT query when
    none is missing."""
    from gdap.models import EntraRole
    from gdap.roles import CATALOGUE

    if EntraRole.objects.count() >= len(CATALOGUE):
        return
    EntraRole.objects.bulk_create(
        [EntraRole(**row.model_fields()) for row in CATALOGUE], ignore_conflicts=True
    )
