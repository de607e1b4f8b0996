from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The signed-in home page: who you are and counts from the domain apps below."""

    name = "home"
    verbose_name = "Home"
