from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Registers the task names the services enqueue (``core.queueing.enqueue``) in every process.
        from . import tasks  # noqa: F401
