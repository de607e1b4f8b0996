"""Translation catalogues: extract, check, compile (docs/i18n.md).

    python scripts/messages.py extract   # makemessages for pt_BR and pt_PT (needs GNU gettext)
    python scripts/messages.py check     # every entry translated, none fuzzy, .mo matching .po
    python scripts/messages.py compile   # .po → .mo with polib (no GNU gettext needed)

``check`` exits 1 naming each catalogue and entry that is untranslated, fuzzy, or whose compiled
``.mo`` is missing or differs from its ``.po``, and whatever GNU ``msgfmt --check-format`` (what
``compilemessages`` runs) refuses, when msgfmt is installed; run ``extract`` first so that strings marked in
the code but missing from a catalogue count as untranslated.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("pt_BR", "pt_PT")
# Brazilian Portuguese counts 0 as singular ("0 solicitação"); European Portuguese does not.
PLURAL_FORMS = {"pt_BR": "nplurals=2; plural=(n > 1);", "pt_PT": "nplurals=2; plural=(n != 1);"}
IGNORED = {".venv", "staticfiles", "node_modules", ".git"}


def catalogues() -> list[Path]:
    """Every ``django.po`` of ours: ``<app>/locale/<ll_CC>/LC_MESSAGES`` and ``locale/…``."""
    found = []
    for po in sorted(ROOT.glob("**/locale/*/LC_MESSAGES/django.po")):
        if not IGNORED.intersection(po.relative_to(ROOT).parts):
            found.append(po)
    return found


def extract() -> None:
    """makemessages for both locales over the project (tests, docs and scripts excluded)."""
    args = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--add-location=file"]
    args += [f"--locale={code}" for code in LOCALES]
    for pattern in ("tests/*", "docs/*", "scripts/*", "bench/*", "staticfiles/*", "examples/*"):
        args += ["--ignore", pattern]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "partnercenter.settings.test"}
    subprocess.run(args, cwd=ROOT, env=env, check=True)
    for po_path in catalogues():
        set_header(po_path)


def set_header(po_path: Path) -> None:
    """The catalogue's header: its language, the product, and not fuzzy (makemessages' template)."""
    po = polib.pofile(str(po_path))
    code = po_path.parent.parent.name
    po.metadata_is_fuzzy = False
    po.metadata.update(
        {
            "Project-Id-Version": "Partner Center support portal",
            "Language": code,
            "Language-Team": {"pt_BR": "Português (Brasil)", "pt_PT": "Português (Portugal)"}[code],
            "Plural-Forms": PLURAL_FORMS[code],
        }
    )
    for key in ("Last-Translator", "PO-Revision-Date", "Report-Msgid-Bugs-To"):
        po.metadata.pop(key, None)
    po.header = "Partner Center support portal: translations (docs/i18n.md)."
    po.save()


def compile_all() -> None:
    for po_path in catalogues():
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


def problems(po_path: Path) -> list[str]:
    """What is wrong with one catalogue, one line each."""
    name = po_path.relative_to(ROOT)
    po = polib.pofile(str(po_path))
    found = [f"{name}: the header is fuzzy (scripts/messages.py extract)"] if po.metadata_is_fuzzy else []
    found += [f"{name}: untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    found += [f"{name}: fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return [*found, f"{name}: no compiled .mo beside it (scripts/messages.py compile)"]
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(mo_path))}
    for entry in po.translated_entries():
        plural = {int(k): v for k, v in entry.msgstr_plural.items()}
        got = compiled.get((entry.msgctxt, entry.msgid))
        if got is None or got[0] != entry.msgstr or {int(k): v for k, v in got[1].items()} != plural:
            found.append(f"{name}: .mo out of date for {entry.msgid!r} (scripts/messages.py compile)")
            break
    return found


def gnu_check(po_path: Path) -> list[str]:
    """GNU gettext's own check of a catalogue (``msgfmt --check-format``, what ``compilemessages``
    runs): every translation uses its English string's placeholders. Skipped without msgfmt."""
    if shutil.which("msgfmt") is None:
        return []
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", os.devnull, str(po_path)], capture_output=True, text=True
    )
    return [line for line in result.stderr.splitlines() if line.strip()] if result.returncode else []


def check() -> int:
    found = [line for po_path in catalogues() for line in [*problems(po_path), *gnu_check(po_path)]]
    if not catalogues():
        found.append("no catalogue found")
    for line in found:
        print(line)
    print(f"{len(catalogues())} catalogues, {len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "extract":
        extract()
    elif command == "compile":
        compile_all()
    elif command == "check":
        sys.exit(check())
    else:
        sys.exit(f"unknown command {command!r}: extract, check or compile")
