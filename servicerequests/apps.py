from django.apps import AppConfig


class ServiceRequestsConfig(AppConfig):
    name = "servicerequests"
    verbose_name = "Service requests"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        # Register this app's Celery tasks by name in every process (web, worker, beat), so
        # ``core.queueing.enqueue("<name>", ...)`` finds them without importing the module.
        from . import tasks  # noqa: F401
        from .models import SupportTopic
        from .selectors import support_topics_forget

        # A topic saved or deleted in this process is seen by its next filing (selectors' copy).
        for signal in (post_save, post_delete):
            signal.connect(support_topics_forget, sender=SupportTopic, dispatch_uid="support_topics_forget")
