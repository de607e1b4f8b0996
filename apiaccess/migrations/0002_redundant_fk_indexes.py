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
        ("apiaccess", "0001_initial"),
        ("partners", "0003_redundant_fk_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="appregistration",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="app_registrations",
                        to="partners.partner",
                    ),
                ),
            ],
            database_operations=[
                foreign_key_indexes_dropped(
                    (
                        "apiaccess_appregistration_partner_id_c447ec8c",
                        "apiaccess_appregistration",
                        "partner_id",
                    ),
                ),
            ],
        ),
    ]
