from django.apps import AppConfig


class QueuesConfig(AppConfig):
    """The support managers' queues: queue definitions, keyset pages, bulk actions, CSV exports and
    reports over the service requests (whose models, with their migrations, stay in
    ``servicerequests``)."""

    name = "queues"
    verbose_name = "Queues"

    def ready(self) -> None:
        # Register the queue tasks' names in every process (``core.queueing.enqueue`` by name).
        from . import tasks  # noqa: F401
