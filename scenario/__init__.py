"""Scenario files: a YAML description of a whole world (partners, users, customers, GDAP, service
health, service request history), validated as a whole and loaded all-or-nothing.

Validation: ``scenario.schema`` (``scenario_validate``, ``ScenarioError``); loading:
``scenario.loader`` (``scenario_load``). Format and semantics: ``docs/scenarios.md`` and ``SCENARIO.md``.
"""
