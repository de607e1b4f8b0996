"""Foreign keys led by a composite index or unique constraint lose their own index: the field
change in Django's state, only the index dropped in the database (``core.indexes`` says why).
On PostgreSQL the ``LIKE`` twins of the request keys go too.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.indexes import foreign_key_indexes_dropped, like_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0003_redundant_fk_indexes"),
        ("servicerequests", "0015_reportsnapshot_median_first_response"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
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
            ],
            database_operations=[
                foreign_key_indexes_dropped(
                    (
                        "servicerequests_attachment_request_id_52c1884b",
                        "servicerequests_attachment",
                        "request_id",
                    ),
                    ("servicerequests_note_request_id_f4a37faf", "servicerequests_note", "request_id"),
                    (
                        "servicerequests_notification_request_id_e39a236e",
                        "servicerequests_notification",
                        "request_id",
                    ),
                    (
                        "servicerequests_queuecount_partner_id_b37b7789",
                        "servicerequests_queuecount",
                        "partner_id",
                    ),
                    (
                        "servicerequests_reportrollup_partner_id_f167010f",
                        "servicerequests_reportrollup",
                        "partner_id",
                    ),
                    (
                        "servicerequests_savedqueue_partner_id_e675a798",
                        "servicerequests_savedqueue",
                        "partner_id",
                    ),
                    (
                        "servicerequests_servicerequest_partner_id_b0b2ce29",
                        "servicerequests_servicerequest",
                        "partner_id",
                    ),
                    (
                        "servicerequests_servicerequesthandoff_provider_id_bbf96a4f",
                        "servicerequests_servicerequesthandoff",
                        "provider_id",
                    ),
                    (
                        "servicerequests_servicerequesthandoff_reseller_id_3c0ec134",
                        "servicerequests_servicerequesthandoff",
                        "reseller_id",
                    ),
                ),
            ],
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
            (
                "servicerequests_attachment_request_id_52c1884b_like",
                "servicerequests_attachment",
                "request_id",
            ),
            ("servicerequests_note_request_id_f4a37faf_like", "servicerequests_note", "request_id"),
            (
                "servicerequests_notification_request_id_e39a236e_like",
                "servicerequests_notification",
                "request_id",
            ),
        ),
    ]
