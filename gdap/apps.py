from django.apps import AppConfig


class GdapConfig(AppConfig):
    name = "gdap"
    verbose_name = "GDAP"

    def ready(self):
        # Register the gdap.* task names in every process: services enqueue them by name
        # (core.queueing.enqueue) and never import the tasks module.
        from . import tasks  # noqa: F401
