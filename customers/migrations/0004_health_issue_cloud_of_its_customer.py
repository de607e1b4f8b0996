"""A customer's own service health issue lives in the customer's cloud (global ones stay commercial)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def issue_cloud_from_customer(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    ServiceHealthIssue = apps.get_model("customers", "ServiceHealthIssue")
    ServiceHealthIssue.objects.filter(customer__isnull=False).update(
        cloud=Subquery(Customer.objects.filter(pk=OuterRef("customer_id")).values("cloud")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_customer_cloud_gcc_health_issue_cloud")]
    operations = [migrations.RunPython(issue_cloud_from_customer, migrations.RunPython.noop)]
