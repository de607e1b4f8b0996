from django.apps import AppConfig


class ServiceRequestsConfig(AppConfig):
    name = "servicerequests"
    verbose_name = "Service requests"

    def ready(self):
        # Register this app's Celery tasks by name in every process (web, worker, beat), so
        # ``core.queueing.enqueue("<name>", ...)`` finds them without importing the module.
        from . import tasks  # noqa: F401
