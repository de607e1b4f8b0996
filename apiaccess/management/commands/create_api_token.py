"""``manage.py create_api_token <username> [--expires-in 30d] [--name NAME]``: print a new API token."""

from django.core.management.base import BaseCommand, CommandError

from apiaccess.services import DEFAULT_EXPIRY, api_token_create, parse_expires_in
from partners.models import User


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--expires-in", default=DEFAULT_EXPIRY, help="Lifetime: 30d, 12h, 90m or never (default 30d)."
        )
        parser.add_argument("--name", default="command line", help="A name to recognise the token by.")

    def handle(self, *args, username, expires_in, name, **options):
        try:
            lifetime = parse_expires_in(expires_in)
        except ValueError as exc:
            raise CommandError(f"--expires-in: {exc}") from None
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        _, token = api_token_create(actor=user, name=name, expires_in=lifetime)
        self.stdout.write(token)
