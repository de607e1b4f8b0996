"""Foreign keys led by a composite index or unique constraint lose their own index: the field
change in Django's state, only the index dropped in the database (``core.indexes`` says why).
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
