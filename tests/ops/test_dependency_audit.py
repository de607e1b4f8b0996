"""The dependency audit (scripts/audit_dependencies.py): the lock files are complete and hashed,
their pins match requirements*.txt, and the audit's verdict on pip-audit's report."""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;]+)")


def load_script():
    spec = importlib.util.spec_from_file_location(
        "audit_dependencies", ROOT / "scripts" / "audit_dependencies.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


@pytest.mark.parametrize(
    ("inputs", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_every_top_level_pin_is_locked_at_its_version(inputs, lock):
    wanted = pins(ROOT / inputs)
    if inputs == "requirements-dev.txt":
        wanted |= pins(ROOT / "requirements.txt")
    locked = pins(ROOT / lock)
    assert {name: locked.get(name) for name in wanted} == wanted, f"run `make lock` after changing {inputs}"


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_has_hashes(lock):
    entries = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text().split("\n", 2)[2])
    assert entries
    for entry in entries:
        assert "==" in entry.splitlines()[0]
        assert "--hash=sha256:" in entry, entry.splitlines()[0]


def test_runtime_and_dev_locks_agree():
    runtime, dev = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime


def report(*dependencies):
    return {"dependencies": list(dependencies), "fixes": []}


@pytest.fixture
def script(monkeypatch, tmp_path):
    module = load_script()
    ignore = tmp_path / "pip-audit-ignore.txt"
    ignore.write_text("# accepted\n")
    monkeypatch.setattr(module, "IGNORE_FILE", ignore)
    monkeypatch.delenv("AUDIT_ALLOW_NO_DATA", raising=False)
    return module


def run(script, monkeypatch, result, *, ignore_file_text=None):
    calls = []

    def fake_audit(lock, accepted, service):
        calls.append((lock.name, dict(accepted), service))
        return result

    monkeypatch.setattr(script, "audit", fake_audit)
    if ignore_file_text is not None:
        script.IGNORE_FILE.write_text(ignore_file_text)
    return script.main([]), calls


def test_no_known_vulnerability_passes(script, monkeypatch, capsys):
    status, calls = run(script, monkeypatch, report({"name": "django", "version": "5.2.19", "vulns": []}))
    assert status == 0
    assert [(lock, service) for lock, _, service in calls] == [
        ("requirements.lock", "pypi"),
        ("requirements-dev.lock", "pypi"),
    ]
    assert "no known vulnerability" in capsys.readouterr().out


def test_a_known_vulnerability_fails(script, monkeypatch, capsys):
    vulnerable = {
        "name": "django",
        "version": "5.2.19",
        "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.20"]}],
    }
    status, _ = run(script, monkeypatch, report(vulnerable))
    assert status == 1
    assert "VULNERABLE requirements.lock: django 5.2.19: PYSEC-1 (fixed in 5.2.20)" in capsys.readouterr().err


def test_accepted_ids_are_passed_on_and_printed_with_their_reason(script, monkeypatch, capsys):
    status, calls = run(
        script,
        monkeypatch,
        report({"name": "django", "version": "5.2.19", "vulns": []}),
        ignore_file_text="# why\nGHSA-aaaa-bbbb-cccc  not reachable from the portal; revisit 2027-01\n",
    )
    assert status == 0
    assert calls[0][1] == {"GHSA-aaaa-bbbb-cccc": "not reachable from the portal; revisit 2027-01"}
    assert "accepted GHSA-aaaa-bbbb-cccc: not reachable" in capsys.readouterr().out


def test_an_accepted_id_without_a_reason_fails(script, monkeypatch):
    status, calls = run(script, monkeypatch, report(), ignore_file_text="GHSA-aaaa-bbbb-cccc\n")
    assert status == 2
    assert calls == []


def test_a_package_that_could_not_be_audited_fails(script, monkeypatch):
    status, _ = run(
        script,
        monkeypatch,
        report(
            {"name": "django", "version": "5.2.19", "vulns": []}, {"name": "x", "skip_reason": "not found"}
        ),
    )
    assert status == 1


@pytest.mark.parametrize(("allow", "expected"), [(None, 3), ("1", 0)])
def test_no_vulnerability_data_at_all_is_said_loudly(script, monkeypatch, capsys, allow, expected):
    if allow:
        monkeypatch.setenv("AUDIT_ALLOW_NO_DATA", allow)
    status, _ = run(
        script, monkeypatch, report({"name": "django", "skip_reason": "Dependency not found on PyPI"})
    )
    assert status == expected
    assert "audit: NOT RUN" in capsys.readouterr().err
