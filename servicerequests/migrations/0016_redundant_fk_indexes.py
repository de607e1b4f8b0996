"""Foreign keys whose own index duplicated the first column of a composite index or unique
constraint lose it (``db_index=False``): the composite serves every lookup by that key, cascades
included, and each insert maintains one index fewer (a filed request: its partner's; a delivery's
notification: its request's). ``tests/ops/test_indexes.py`` keeps it that way.

On PostgreSQL, the ``LIKE`` twins (``core.indexes``) of the keys that keep their index go too:
the dispatch's, the routing context use's and the handoff's request (those of the keys above go
with their index).
"""

import django.db.models.deletion
from django.db import migrations, models

from core.indexes import like_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0003_redundant_fk_indexes"),
        ("servicerequests", "0015_reportsnapshot_median_first_response"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="request",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attachments",
                to="servicerequests.servicerequest",
            ),
        ),
        migrations.AlterField(
            model_name="note",
            name="request",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notes",
                to="servicerequests.servicerequest",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="request",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notifications",
                to="servicerequests.servicerequest",
            ),
        ),
        migrations.AlterField(
            model_name="queuecount",
            name="partner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="partners.partner",
            ),
        ),
        migrations.AlterField(
            model_name="reportrollup",
            name="partner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="partners.partner",
            ),
        ),
        migrations.AlterField(
            model_name="savedqueue",
            name="partner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="saved_queues",
                to="partners.partner",
            ),
        ),
        migrations.AlterField(
            model_name="servicerequest",
            name="partner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="service_requests",
                to="partners.partner",
            ),
        ),
        migrations.AlterField(
            model_name="servicerequesthandoff",
            name="provider",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="handoffs_received",
                to="partners.partner",
            ),
        ),
        migrations.AlterField(
            model_name="servicerequesthandoff",
            name="reseller",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="handoffs_sent",
                to="partners.partner",
            ),
        ),
        like_indexes_dropped(
            ("servicerequests_dispatch_request_id_0688ca1e_like", "servicerequests_dispatch", "request_id"),
            (
                "servicerequests_routingc_service_request_id_b8f8f98b_like",
                "servicerequests_routingcontextuse",
                "service_request_id",
            ),
            (
                "servicerequests_servicer_service_request_id_d52bd360_like",
                "servicerequests_servicerequesthandoff",
                "service_request_id",
            ),
        ),
    ]
