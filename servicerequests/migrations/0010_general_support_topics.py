"""Load the general ("Other …") support topic of each workload: the defaults of requests filed over
``POST /v1/customers/{id}/servicerequests`` without a topic."""

from django.db import migrations

GENERAL_TOPIC_IDS = (32444600, 32444610, 32444620, 32444630)


def load_topics(apps, schema_editor):
    from servicerequests.support_topics import SUPPORT_TOPICS

    SupportTopic = apps.get_model("servicerequests", "SupportTopic")
    for topic_id, workload, name, description in SUPPORT_TOPICS:
        if topic_id in GENERAL_TOPIC_IDS:
            SupportTopic.objects.update_or_create(
                id=topic_id, defaults={"workload": workload, "name": name, "description": description}
            )


class Migration(migrations.Migration):
    dependencies = [("servicerequests", "0009_notification_attempt_first")]
    operations = [migrations.RunPython(load_topics, migrations.RunPython.noop)]
