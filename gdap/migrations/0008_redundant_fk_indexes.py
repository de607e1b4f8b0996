"""Foreign keys led by a composite index or unique constraint lose their own index: the field
change in Django's state, only the index dropped in the database (``core.indexes`` says why).
On PostgreSQL the ``LIKE`` twins of the relationship keys go too.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.indexes import foreign_key_indexes_dropped, like_indexes_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("gdap", "0007_relationship_partner_consent_duration_iso"),
        ("partners", "0003_redundant_fk_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
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
            ],
            database_operations=[
                foreign_key_indexes_dropped(
                    (
                        "gdap_accessassignment_relationship_id_70221ffa",
                        "gdap_accessassignment",
                        "relationship_id",
                    ),
                    (
                        "gdap_accessassignment_security_group_id_c0da5252",
                        "gdap_accessassignment",
                        "security_group_id",
                    ),
                    ("gdap_expirynotice_relationship_id_1f2c1b8e", "gdap_expirynotice", "relationship_id"),
                    ("gdap_relationship_partner_id_28dc2d00", "gdap_relationship", "partner_id"),
                    ("gdap_roletemplate_partner_id_d8a95907", "gdap_roletemplate", "partner_id"),
                ),
            ],
        ),
        like_indexes_dropped(
            ("gdap_operation_relationship_id_1fc13083_like", "gdap_operation", "relationship_id"),
            (
                "gdap_relationshiprequest_relationship_id_4158ecbf_like",
                "gdap_relationshiprequest",
                "relationship_id",
            ),
            (
                "gdap_accessassignment_relationship_id_70221ffa_like",
                "gdap_accessassignment",
                "relationship_id",
            ),
            ("gdap_expirynotice_relationship_id_1f2c1b8e_like", "gdap_expirynotice", "relationship_id"),
        ),
    ]
