"""Foreign keys whose own index duplicated the first column of a composite index or unique
constraint lose it (``db_index=False``): the composite serves every lookup by that key, cascades
included. ``tests/ops/test_indexes.py`` keeps it that way.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_health_issue_cloud_of_its_customer"),
        ("partners", "0003_redundant_fk_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="customerpartnerrelationship",
            name="partner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="customer_links",
                to="partners.partner",
            ),
        ),
        migrations.AlterField(
            model_name="servicehealthissue",
            name="customer",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="health_issues",
                to="customers.customer",
            ),
        ),
        migrations.AlterField(
            model_name="subscription",
            name="customer",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="subscriptions",
                to="customers.customer",
            ),
        ),
    ]
