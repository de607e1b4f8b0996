"""Load the Entra role catalogue of RULES.md (real template ids and capabilities)."""

from django.db import migrations


def load_roles(apps, schema_editor):
    from gdap.roles import ENTRA_ROLES

    EntraRole = apps.get_model("gdap", "EntraRole")
    for template_id, name, support_tickets, service_health in ENTRA_ROLES:
        EntraRole.objects.update_or_create(
            template_id=template_id,
            defaults={"name": name, "support_tickets": support_tickets, "service_health": service_health},
        )


class Migration(migrations.Migration):
    dependencies = [("gdap", "0002_initial")]
    operations = [migrations.RunPython(load_roles, migrations.RunPython.noop)]
