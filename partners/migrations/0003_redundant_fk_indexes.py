"""Foreign keys whose own index duplicated the first column of a composite index or unique constraint
lose it (``db_index=False``): the composite serves every lookup by that key, cascades included. The
field change is Django's state only; the database drops the index and nothing else
(``core.indexes``: Django's own ``AlterField`` would drop, re-add and re-check each foreign key
constraint, locking the table against writes while it reads every row).
``tests/ops/test_indexes.py`` keeps it that way.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.indexes import foreign_key_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_user_language"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="groupmembership",
                    name="group",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="partners.securitygroup",
                    ),
                ),
                migrations.AlterField(
                    model_name="securitygroup",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="security_groups",
                        to="partners.partner",
                    ),
                ),
                migrations.AlterField(
                    model_name="supportentitlement",
                    name="partner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="support_entitlements",
                        to="partners.partner",
                    ),
                ),
                migrations.AlterField(
                    model_name="userrole",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="roles",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                foreign_key_indexes_dropped(
                    ("partners_groupmembership_group_id_17b46529", "partners_groupmembership", "group_id"),
                    ("partners_securitygroup_partner_id_9319bfc6", "partners_securitygroup", "partner_id"),
                    (
                        "partners_supportentitlement_partner_id_90eb9281",
                        "partners_supportentitlement",
                        "partner_id",
                    ),
                    ("partners_userrole_user_id_997be402", "partners_userrole", "user_id"),
                ),
            ],
        ),
    ]
