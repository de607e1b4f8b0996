"""Foreign keys whose own index duplicated the first column of a composite index or unique
constraint lose it (``db_index=False``): the composite serves every lookup by that key, cascades
included. ``tests/ops/test_indexes.py`` keeps it that way.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("apiaccess", "0001_initial"),
        ("partners", "0003_redundant_fk_indexes"),
    ]

    operations = [
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
    ]
