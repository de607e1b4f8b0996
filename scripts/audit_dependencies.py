"""Dependency audit: pip-audit over the lock files; fails on a known vulnerability not accepted.

    .venv/bin/python scripts/audit_dependencies.py [LOCK ...]   (default: requirements.lock and
                                                                requirements-dev.lock)

Each lock file is audited as it stands (``--disable-pip --require-hashes``: exactly the pinned
releases, nothing is installed). Vulnerability data comes from ``PIP_AUDIT_SERVICE`` (``pypi``,
the default: PyPI's JSON API; or ``osv``). Accepted vulnerabilities are listed in
``pip-audit-ignore.txt``, one id and its reason per line; an id without a reason is an error.

Exit status: 0 when no unaccepted vulnerability is known; 1 when one is (or when some packages
could not be audited); 2 on a bad ignore file or a pip-audit failure. When *no* package could be
looked up (the vulnerability service is unreachable from this machine) the audit says so loudly
and exits 3, or 0 with ``AUDIT_ALLOW_NO_DATA=1`` (how ``.ci/run`` calls it: see docs/security.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / "pip-audit-ignore.txt"
DEFAULT_LOCKS = ("requirements.lock", "requirements-dev.lock")


def accepted_vulnerabilities(path: Path | None = None) -> dict[str, str]:
    """The accepted ids and their reasons (``pip-audit-ignore.txt``); ``ValueError`` for an id
    without a reason."""
    path = path or IGNORE_FILE
    accepted: dict[str, str] = {}
    if not path.exists():
        return accepted
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vuln_id, _, reason = line.partition(" ")
        if not reason.strip():
            raise ValueError(f"{path.name}:{number}: {vuln_id} has no reason")
        accepted[vuln_id] = reason.strip()
    return accepted


def audit(lock: Path, accepted: dict[str, str], service: str) -> dict:
    """pip-audit's JSON report for one lock file (accepted ids left out)."""
    pip_audit = Path(sys.executable).with_name("pip-audit")
    command = [str(pip_audit), "--requirement", str(lock), "--require-hashes", "--disable-pip"]
    command += ["--vulnerability-service", service, "--format", "json", "--progress-spinner", "off"]
    for vuln_id in accepted:
        command += ["--ignore-vuln", vuln_id]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"audit: pip-audit failed on {lock.name} (exit {result.returncode})") from None


def main(argv: list[str]) -> int:
    try:
        accepted = accepted_vulnerabilities()
    except ValueError as exc:
        print(f"audit: {exc}", file=sys.stderr)
        return 2
    service = os.environ.get("PIP_AUDIT_SERVICE", "pypi")
    locks = [Path(arg) for arg in argv] or [ROOT / name for name in DEFAULT_LOCKS]
    found, skipped, audited = [], [], 0
    for lock in locks:
        for dependency in audit(lock, accepted, service)["dependencies"]:
            if "skip_reason" in dependency:
                skipped.append(f"{lock.name}: {dependency['skip_reason']}")
                continue
            audited += 1
            for vuln in dependency.get("vulns", []):
                fixes = ", ".join(vuln.get("fix_versions", [])) or "none yet"
                release = f"{dependency['name']} {dependency['version']}"
                found.append(f"{lock.name}: {release}: {vuln['id']} (fixed in {fixes})")
    for vuln_id, reason in accepted.items():
        print(f"audit: accepted {vuln_id}: {reason}")
    if audited == 0 and skipped:
        print(
            f"audit: NOT RUN: no package could be looked up in the {service!r} vulnerability service "
            f"({len(skipped)} skipped; first: {skipped[0]}). This machine can't reach its data.",
            file=sys.stderr,
        )
        return 0 if os.environ.get("AUDIT_ALLOW_NO_DATA") == "1" else 3
    for line in found:
        print(f"audit: VULNERABLE {line}", file=sys.stderr)
    for line in skipped:
        print(f"audit: NOT AUDITED {line}", file=sys.stderr)
    if found or skipped:
        return 1
    print(f"audit: {audited} locked releases, no known vulnerability ({service})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
