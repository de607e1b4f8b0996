"""On PostgreSQL, the ``LIKE`` twin (``core.indexes``) of the portal ticket's unique request key is
dropped: every delivery wrote it, nothing reads it. ``tests/ops/test_indexes.py``."""

from django.db import migrations

from core.indexes import like_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [("portals", "0002_ticket_status_index")]

    operations = [
        like_indexes_dropped(
            (
                "portals_portalticket_service_request_id_c530f9f7_like",
                "portals_portalticket",
                "service_request_id",
            ),
        ),
    ]
