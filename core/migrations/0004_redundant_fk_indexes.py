"""Foreign keys led by a composite index or unique constraint lose their own index: the field
change in Django's state, only the index dropped in the database (``core.indexes`` says why).
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
