"""``manage.py dispatch_relay``: run the dispatch relay (``portals.relay``) until SIGTERM or Ctrl-C."""

from __future__ import annotations

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from portals.relay import DispatchRelay


class Command(BaseCommand):
    help = "Deliver filed service requests to their portals in batches, woken by PostgreSQL NOTIFY."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=settings.DISPATCH_RELAY_BATCH)
        parser.add_argument("--idle", type=float, default=settings.DISPATCH_RELAY_IDLE)

    def handle(self, *args, batch: int, idle: float, **options):
        relay = DispatchRelay(idle=idle, batch=batch)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: relay.stop.set())
        self.stdout.write(f"dispatch relay: batches of {batch}, idle wake-up every {idle}s")
        relay.run()
        self.stdout.write(f"dispatch relay stopped: {relay.delivered} delivered, {relay.emails_sent} e-mails")
