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
        ("customers", "0004_health_issue_cloud_of_its_customer"),
        ("partners", "0003_redundant_fk_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
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
            ],
            database_operations=[
                foreign_key_indexes_dropped(
                    (
                        "customers_customerpartnerrelationship_partner_id_29a8dc0b",
                        "customers_customerpartnerrelationship",
                        "partner_id",
                    ),
                    (
                        "customers_servicehealthissue_customer_id_70383ad7",
                        "customers_servicehealthissue",
                        "customer_id",
                    ),
                    ("customers_subscription_customer_id_f27cd752", "customers_subscription", "customer_id"),
                ),
            ],
        ),
    ]
