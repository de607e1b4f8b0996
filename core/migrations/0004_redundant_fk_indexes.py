"""Foreign keys whose own index duplicated the first column of a composite index or unique
constraint lose it (``db_index=False``): the composite serves every lookup by that key, cascades
included. ``tests/ops/test_indexes.py`` keeps it that way.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partnercenter", "0003_api_token_no_default_ordering"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="user",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
