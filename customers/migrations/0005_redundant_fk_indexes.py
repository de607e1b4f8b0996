"""Foreign keys led by a composite index or unique constraint lose their own index: the field
change in Django's state, only the index dropped in the database (``core.indexes`` says why).
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
