"""Load the support topic catalogue."""

from django.db import migrations


def load_topics(apps, schema_editor):
    from servicerequests.support_topics import SUPPORT_TOPICS

    SupportTopic = apps.get_model("servicerequests", "SupportTopic")
    for topic_id, workload, name, description in SUPPORT_TOPICS:
        SupportTopic.objects.update_or_create(
            id=topic_id, defaults={"workload": workload, "name": name, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [("servicerequests", "0001_initial")]
    operations = [migrations.RunPython(load_topics, migrations.RunPython.noop)]
