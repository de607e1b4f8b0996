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
        ("partnercenter", "0003_api_token_no_default_ordering"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
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
            ],
            database_operations=[
                foreign_key_indexes_dropped(
                    (
                        "partnercenter_idempotencyrecord_user_id_bd8dabb9",
                        "partnercenter_idempotencyrecord",
                        "user_id",
                    ),
                ),
            ],
        ),
    ]
