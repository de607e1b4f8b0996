from django.apps import AppConfig


class GdapConfig(AppConfig):
    name = "gdap"
    verbose_name = "GDAP"
