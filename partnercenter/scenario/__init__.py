"""Scenario files: a YAML description of a whole world (partners, users, customers, GDAP, service
health, service request history), validated as a whole and loaded all-or-nothing.

Format and semantics: ``docs/scenarios.md`` and ``SCENARIO.md``.
"""

from .loader import ScenarioResult, scenario_load, scenario_read, scenario_reset
from .schema import ScenarioError, ScenarioPlan, scenario_validate

__all__ = [
    "ScenarioError",
    "ScenarioPlan",
    "ScenarioResult",
    "scenario_load",
    "scenario_read",
    "scenario_reset",
    "scenario_validate",
]
