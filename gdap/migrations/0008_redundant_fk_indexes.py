"""Foreign keys whose own index duplicated the first column of a composite index or unique
constraint lose it (``db_index=False``); on PostgreSQL, the ``LIKE`` twins (``core.indexes``) of
the relationship keys that keep their index go too. ``tests/ops/test_indexes.py``.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.indexes import like_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("gdap", "0007_relationship_partner_consent_duration_iso"),
        ("partners", "0003_redundant_fk_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accessassignment",
            name="relationship",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="access_assignments",
                to="gdap.relationship",
            ),
        ),
        migrations.AlterField(
            model_name="accessassignment",
            name="security_group",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="access_assignments",
                to="partners.securitygroup",
            ),
        ),
        migrations.AlterField(
            model_name="expirynotice",
            name="relationship",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="expiry_notices",
                to="gdap.relationship",
            ),
        ),
        migrations.AlterField(
            model_name="relationship",
            name="partner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="gdap_relationships",
                to="partners.partner",
            ),
        ),
        migrations.AlterField(
            model_name="roletemplate",
            name="partner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="gdap_role_templates",
                to="partners.partner",
            ),
        ),
        like_indexes_dropped(
            ("gdap_operation_relationship_id_1fc13083_like", "gdap_operation", "relationship_id"),
            (
                "gdap_relationshiprequest_relationship_id_4158ecbf_like",
                "gdap_relationshiprequest",
                "relationship_id",
            ),
        ),
    ]
