from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom layer: the API's conventions, middleware, health, logging and queueing helpers.

    It imports no domain app. Its models (API tokens, idempotency records) keep the app label
    ``partnercenter`` they were created under, so their tables, migrations and content types are
    unchanged.
    """

    name = "core"
    label = "partnercenter"
    verbose_name = "Core"
