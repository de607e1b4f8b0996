"""Foreign keys whose own index duplicated the first column of a composite index or unique
constraint lose it (``db_index=False``): the composite serves every lookup by that key, cascades
included. ``tests/ops/test_indexes.py`` keeps it that way.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_user_language"),
    ]

    operations = [
        migrations.AlterField(
            model_name="groupmembership",
            name="group",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, to="partners.securitygroup"
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
    ]
