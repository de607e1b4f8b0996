import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("gdap", "0003_entra_roles"),
        ("partners", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ExpiryNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("days_before", models.PositiveSmallIntegerField()),
                ("end_at", models.DateTimeField()),
                ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "relationship",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="expiry_notices",
                        to="gdap.relationship",
                    ),
                ),
            ],
            options={
                "ordering": ["sent_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("relationship", "days_before", "end_at"), name="gdap_expirynotice_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RoleTemplate",
            fields=[
                (
                    "id",
                    models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False),
                ),
                ("name", models.CharField(max_length=80)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="gdap_role_templates",
                        to="partners.partner",
                    ),
                ),
                ("roles", models.ManyToManyField(related_name="templates", to="gdap.entrarole")),
            ],
            options={
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(fields=("partner", "name"), name="gdap_roletemplate_unique_name")
                ],
            },
        ),
    ]
