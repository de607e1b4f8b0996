from django.apps import AppConfig


class ScenarioConfig(AppConfig):
    """Scenario files: validation and loading (``manage.py load_scenario``). The top layer: it
    imports every domain app, and no app imports it."""

    name = "scenario"
    verbose_name = "Scenarios"
