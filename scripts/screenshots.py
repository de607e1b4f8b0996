"""Screenshots of the main pages, as each demo persona sees them (``make screenshots``).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only NAME ...] [--language pt-br]

Loads ``scenarios/demo.yaml`` into a fresh SQLite database (eager Celery, no Redis), serves the
portal with ``runserver`` on a free port, signs in through the real form as each persona and
writes ``<name>-desktop.png`` (1366 px wide) and ``<name>-phone.png`` (390 px) for every shot of
``SHOTS``. Chromium comes from ``CHROMIUM_PATH`` (default ``/usr/bin/chromium``).

It also rewrites the gallery between ``<!-- screenshots -->`` and ``<!-- /screenshots -->`` in
``docs/browser.md`` (every shot, desktop and phone, with its caption); README shows four of them.

``--language`` (``pt-br``, ``pt-pt``) takes the shots in that language (the persona signs in, then
the language cookie is set) into ``docs/screenshots/<language>/``; the gallery is left alone.

Exit status 0 when every shot was written; 1 when some failed (each failure is printed with the
shot's name and the reason, the others are still written).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
#: The language the shots are taken in (``--language``); English by default.
LANGUAGE = {"code": "en"}


def T(text: str) -> str:
    """``text`` as the pages write it in the shots' language (Django's catalogues)."""
    from django.utils import translation

    with translation.override(LANGUAGE["code"]):
        return translation.gettext(text)


@dataclass(frozen=True)
class Shot:
    """One page: who signs in, how to get there (``go(page, ids)``), and what it shows."""

    name: str
    persona: str
    caption: str
    go: Callable


def _url(path: str) -> Callable:
    return lambda page, ids: page.goto(path.format(**ids))


def _new_request(customer_key: str, workload: str) -> Callable:
    def go(page, ids):
        page.goto(f"/customers/{ids[customer_key]}/service-requests/new/")
        page.get_by_label(workload, exact=True).check()
        page.get_by_role("button", name=T("Show service health and details")).click()
        page.wait_for_load_state("networkidle")

    return go


def _filed(
    customer_key: str, workload: str, issue_type: str | None = None, *, subscription: str | None = None
) -> Callable:
    """The new-request form submitted: a refusal page or the workload portal's form."""

    def go(page, ids):
        _new_request(customer_key, workload)(page, ids)
        if workload == "Azure":
            select = page.get_by_label(T("Azure subscription"))
            if subscription:
                option = select.locator("option", has_text=subscription).first
                select.select_option(option.get_attribute("value"))
            else:
                select.select_option(index=1)
        if issue_type:
            page.get_by_label(T("Issue type")).select_option(issue_type)
        page.get_by_role("button", name=T("Check eligibility and continue")).click()
        page.wait_for_load_state("networkidle")

    return go


SHOTS: tuple[Shot, ...] = (
    Shot("home-admin-agent", "alice", "Home of a partner's admin agent", _url("/")),
    Shot("customers", "alice", "Customers", _url("/customers/")),
    Shot(
        "new-request-pick",
        "alice",
        "Service requests › New request: pick the customer (type-ahead), then the workload",
        _url("/service-requests/new/?q=fa&search=1"),
    ),
    Shot(
        "new-request-health",
        "alice",
        "New request for Fabrikam, with the customer's service health first",
        _new_request("fabrikam", "Microsoft 365"),
    ),
    Shot(
        "refusal",
        "alice",
        "A refused request for Woodgrove Bank: which rule failed and how to fix it",
        _filed("woodgrove", "Microsoft 365"),
    ),
    Shot(
        "portal-form",
        "alice",
        "The simulated Azure portal's support request form, in Fabrikam's tenant",
        _filed("fabrikam", "Azure", "technical", subscription="Azure plan"),
    ),
    Shot("service-requests", "alice", "Service requests", _url("/service-requests/")),
    Shot("service-request", "alice", "One service request", _url("/service-requests/{request}/")),
    Shot("relationships", "alice", "GDAP admin relationships", _url("/gdap/relationships/")),
    Shot("gdap-help", "alice", "What the GDAP terms mean (linked from every GDAP page)", _url("/gdap/help/")),
    Shot("queues", "maria", "A support manager's queues with SLA clocks", _url("/queues/")),
    Shot("reports", "maria", "Queue reports", _url("/queues/reports/")),
    Shot("helpdesk-home", "hank", "Home of a helpdesk agent", _url("/")),
    Shot(
        "reseller-refusal",
        "tom",
        "An indirect reseller refused for an Azure billing request (only the provider may file it)",
        _filed("lamna", "Azure", "billing"),
    ),
    Shot(
        "handoffs",
        "nora",
        "An indirect provider's hand-offs from its resellers",
        _url("/service-requests/handoffs/"),
    ),
    Shot(
        "customer-relationships",
        "cora",
        "A customer's partner relationships, with a pending invitation",
        _url("/gdap/partner-relationships/"),
    ),
    Shot("customer-home", "fiona", "Home of a customer's global admin", _url("/")),
    Shot(
        "filed-for-us",
        "fiona",
        "Service requests partners filed on the customer's behalf (read-only)",
        _url("/service-requests/filed-for-us/"),
    ),
    Shot(
        "applications",
        "alice",
        "Settings › Applications: app registrations for integrations",
        _url("/settings/applications/"),
    ),
    Shot("government", "adam", "A US Government partner's customer", _url("/customers/{city_power}/")),
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_ids() -> dict[str, str]:
    """The ids the shots' URLs need, read from the loaded demo (Django must be set up)."""
    from customers.models import Customer
    from servicerequests.models import ServiceRequest

    def customer(name: str) -> str:
        return str(Customer.objects.get(name=name).pk)

    request = ServiceRequest.objects.filter(partner__name="Contoso Partners").order_by("-created_at").first()
    return {
        "fabrikam": customer("Fabrikam"),
        "woodgrove": customer("Woodgrove Bank"),
        "lamna": customer("Lamna Healthcare"),
        "city_power": customer("City Power & Light"),
        "request": str(request.pk),
    }


def _prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate, load the demo, and return the ids the shots' URLs need."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_scenario", "scenarios/demo.yaml"], env=env, check=True, cwd=ROOT)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return demo_ids()


def _serve(env: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("screenshots: the server did not start")


def sign_in(page, username: str) -> None:
    """Sign in through the form with the demo password (``<username>-demo-pass``)."""
    page.goto("/signin/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(f"{username}-demo-pass")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def take(shots, *, base_url: str, ids: dict[str, str], out: Path) -> list[str]:
    """Write every shot at every width; returns the failures ("name: reason")."""
    from playwright.sync_api import sync_playwright

    failures = []
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=["--no-sandbox"])
        for width_name, (width, height) in WIDTHS.items():
            contexts = {}
            for shot in shots:
                if shot.persona not in contexts:
                    context = browser.new_context(
                        base_url=base_url, viewport={"width": width, "height": height}
                    )
                    context.set_default_timeout(15_000)
                    sign_in(context.new_page(), shot.persona)
                    if LANGUAGE["code"] != "en":
                        context.add_cookies(
                            [{"name": "django_language", "value": LANGUAGE["code"], "url": base_url}]
                        )
                    contexts[shot.persona] = context
                page = contexts[shot.persona].new_page()
                try:
                    shot.go(page, ids)
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=str(out / f"{shot.name}-{width_name}.png"), full_page=True)
                except Exception as error:  # noqa: BLE001  (a failed shot is reported, the rest go on)
                    failures.append(f"{shot.name} ({width_name}): {str(error).splitlines()[0]}")
                finally:
                    page.close()
            for context in contexts.values():
                context.close()
        browser.close()
    return failures


README_SHOTS = ("new-request-health", "refusal", "portal-form", "queues")
GALLERY = ROOT / "docs" / "browser.md"


def gallery_markdown(shots, *, folder: str = "screenshots") -> str:
    """The gallery section of docs/browser.md: a heading per shot, desktop and phone side by side."""
    lines = ["<!-- screenshots -->", "", "Written by `make screenshots` from the demo world.", ""]
    for shot in shots:
        lines += [
            f"### {shot.caption}",
            "",
            f"Signed in as `{shot.persona}` · `{shot.name}`",
            "",
            f'<img src="{folder}/{shot.name}-desktop.png" alt="{shot.caption} (1366 px)" width="640"> '
            f'<img src="{folder}/{shot.name}-phone.png" alt="{shot.caption} (390 px)" width="180">',
            "",
        ]
    lines.append("<!-- /screenshots -->")
    return "\n".join(lines)


def write_gallery(shots, path: Path = GALLERY) -> None:
    text = path.read_text()
    head, start, rest = text.partition("<!-- screenshots -->")
    _old, end, tail = rest.partition("<!-- /screenshots -->")
    if not start or not end:
        raise SystemExit(f"screenshots: {path} has no <!-- screenshots --> ... <!-- /screenshots --> section")
    path.write_text(head + gallery_markdown(shots) + tail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", nargs="*", help="names of the shots to take (default: all)")
    parser.add_argument("--language", default="en", choices=["en", "pt-br", "pt-pt"])
    args = parser.parse_args(argv)
    LANGUAGE["code"] = args.language
    if args.language != "en" and args.out == str(ROOT / "docs" / "screenshots"):
        args.out = str(ROOT / "docs" / "screenshots" / args.language)
    shots = [shot for shot in SHOTS if not args.only or shot.name in args.only]
    with tempfile.TemporaryDirectory() as workdir:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "partnercenter.settings.local",
            "DATABASE_URL": f"sqlite:///{workdir}/screenshots.sqlite3",
            "REDIS_URL": "",
        }
        ids = _prepare(env)
        port = _free_port()
        server = _serve(env, port)
        try:
            failures = take(shots, base_url=f"http://127.0.0.1:{port}", ids=ids, out=Path(args.out))
        finally:
            server.terminate()
            server.wait(timeout=10)
    if (
        not args.only
        and args.language == "en"
        and Path(args.out).resolve() == (ROOT / "docs" / "screenshots").resolve()
    ):
        write_gallery(shots)
    for failure in failures:
        print(f"screenshots: {failure}", file=sys.stderr)
    print(f"screenshots: {2 * len(shots) - len(failures)} written to {args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
