"""Foreign keys whose own index duplicated the first column of a composite index or unique constraint
lose it (``db_index=False``): the composite serves every lookup by that key, cascades included. The
field change is Django's state only; the database drops the index and nothing else
(``core.indexes``: Django's own ``AlterField`` would drop, re-add and re-check each foreign key
constraint, locking the table against writes while it reads every row).
``tests/ops/test_indexes.py`` keeps it that way.
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
