from django.apps import AppConfig


class ApiAccessConfig(AppConfig):
    """Personal API tokens: the settings page that creates, lists and revokes them, and
    ``manage.py create_api_token``. The ``ApiToken`` model itself is ``core``'s."""

    name = "apiaccess"
    verbose_name = "API access"
