"""``manage.py load_scenario [--reset] [--check] [--if-empty] FILE``: load a scenario file.

The format is described in ``docs/scenarios.md``.
"""

from django.core.management.base import BaseCommand, CommandError

from partners.models import Partner
from scenario.loader import scenario_load
from scenario.schema import ScenarioError


class Command(BaseCommand):
    help = (
        "Load a scenario file (partners, users, customers, GDAP, service health, service requests) "
        "in one transaction. A bad file is refused with one 'path: reason' line per problem on stderr "
        "and exit code 1; nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the scenario YAML file, for example scenarios/demo.yaml")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="wipe the domain data first (not the role and topic catalogues, not the audit log)",
        )
        parser.add_argument("--check", action="store_true", help="validate only; write nothing")
        parser.add_argument(
            "--if-empty", action="store_true", help="load only when no partner exists yet (first run)"
        )

    def handle(self, *args, file, reset, check, if_empty, **options):
        if if_empty and reset:
            raise CommandError("--if-empty and --reset contradict each other: choose one.")
        if if_empty and not check and Partner.objects.exists():
            self.stdout.write(f"Partners exist already: {file} not loaded (--if-empty).")
            return
        try:
            result = scenario_load(file, reset=reset, check=check)
        except ScenarioError as exc:
            for line in exc.errors:
                self.stderr.write(line)
            problems = len(exc.errors)
            raise CommandError(
                f"{problems} problem{'s' if problems != 1 else ''} in {file}; nothing was written.",
                returncode=1,
            ) from None
        summary = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in result.counts.items() if n)
        if check:
            self.stdout.write(f"{file} is valid: {summary or 'nothing to load'}.")
            return
        if result.deleted:
            self.stdout.write(f"Reset: deleted {sum(result.deleted.values())} rows.")
        created = sum(result.created.values())
        self.stdout.write(self.style.SUCCESS(f"Loaded {file}: {summary or 'nothing'} ({created} new rows)."))
