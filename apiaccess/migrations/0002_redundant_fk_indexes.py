"""Foreign keys led by a composite index or unique constraint lose their own index: the field
change in Django's state, only the index dropped in the database (``core.indexes`` says why).
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
