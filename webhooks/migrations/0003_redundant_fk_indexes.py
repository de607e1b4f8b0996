"""Foreign keys led by a composite index or unique constraint lose their own index: the field
change in Django's state, only the index dropped in the database (``core.indexes`` says why).
"""

import django.db.models.deletion
from django.db import migrations, models

from core.indexes import foreign_key_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0003_redundant_fk_indexes"),
        ("webhooks", "0002_handoff_events"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="webhookdelivery",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="partners.partner",
                    ),
                ),
                migrations.AlterField(
                    model_name="webhookevent",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="partners.partner",
                    ),
                ),
                migrations.AlterField(
                    model_name="webhookregistration",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="webhook_registrations",
                        to="partners.partner",
                    ),
                ),
                migrations.AlterField(
                    model_name="webhooksequence",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="partners.partner",
                    ),
                ),
            ],
            database_operations=[
                foreign_key_indexes_dropped(
                    (
                        "webhooks_webhookdelivery_partner_id_1fbc1f37",
                        "webhooks_webhookdelivery",
                        "partner_id",
                    ),
                    ("webhooks_webhookevent_partner_id_9ffc8389", "webhooks_webhookevent", "partner_id"),
                    (
                        "webhooks_webhookregistration_partner_id_05e518d0",
                        "webhooks_webhookregistration",
                        "partner_id",
                    ),
                    (
                        "webhooks_webhooksequence_partner_id_5acf3763",
                        "webhooks_webhooksequence",
                        "partner_id",
                    ),
                ),
            ],
        ),
    ]
