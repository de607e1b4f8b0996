"""Load every Microsoft Entra built-in role of ``reference/entra-roles.md`` (``gdap.roles.CATALOGUE``).

An upsert by template id: existing rows keep their primary key (and so every relationship,
assignment and role template that uses them) and get the catalogue's name and capabilities;
rows the catalogue doesn't list stay as they are.
"""

from django.db import migrations

FIELDS = ("name", "support_tickets", "service_health", "azure_support_tickets", "privileged")


def load_catalogue(apps, schema_editor):
    from gdap.roles import CATALOGUE

    EntraRole = apps.get_model("gdap", "EntraRole")
    for row in CATALOGUE:
        EntraRole.objects.update_or_create(
            template_id=row.template_id, defaults={field: getattr(row, field) for field in FIELDS}
        )


class Migration(migrations.Migration):
    dependencies = [("gdap", "0005_entrarole_azure_support_tickets_privileged")]
    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
