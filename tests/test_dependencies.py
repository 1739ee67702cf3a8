"""The dependency audit (scripts/audit_dependencies.py) against the shipped advisory snapshot."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "audit_dependencies", ROOT / "scripts" / "audit_dependencies.py"
)
audit = importlib.util.module_from_spec(_spec)
sys.modules["audit_dependencies"] = audit  # dataclasses look their module up
_spec.loader.exec_module(audit)

ADVISORY = {
    "id": "PYSEC-TEST-1",
    "summary": "an example",
    "ranges": [
        [{"introduced": "0"}, {"fixed": "2.7.2"}],
        [{"introduced": "3.0"}, {"last_affected": "3.1"}],
    ],
    "versions": ["2.0rc1"],
}


def test_versions_in_an_advisorys_ranges_are_affected_and_fixed_ones_are_not():
    assert audit.affected_by("2.7.1", ADVISORY)
    assert audit.affected_by("2.0rc1", ADVISORY)  # listed
    assert not audit.affected_by("2.7.2", ADVISORY)
    assert audit.affected_by("3.1", ADVISORY)
    assert not audit.affected_by("3.1.1", ADVISORY)
    assert not audit.affected_by("not-a-version", {**ADVISORY, "versions": []})


def test_the_snapshot_is_dated_and_knows_an_old_flaw():
    snapshot = audit.snapshot()
    assert snapshot["as_of"] >= "2024-10-10"
    jinja = snapshot["packages"]["jinja2"]
    assert any(audit.affected_by("2.7.1", a) for a in jinja)


def test_no_installed_package_has_a_known_vulnerability():
    findings = audit.check_snapshot(audit.installed())
    assert findings == [], "\n".join(f"{f.package} {f.version}: {f.advisory}" for f in findings)
