"""Foreign keys whose own index duplicated the first column of a composite index or unique
constraint lose it (``db_index=False``): the composite serves every lookup by that key, cascades
included. ``tests/ops/test_indexes.py`` keeps it that way.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0003_redundant_fk_indexes"),
        ("webhooks", "0002_handoff_events"),
    ]

    operations = [
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
    ]
