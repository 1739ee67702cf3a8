"""Audit the installed Python packages against known vulnerabilities: `make audit`.

Two sources, and the report says which answered:

1. **The shipped snapshot** of the PyPA advisory database (`scripts/advisories.json.gz`,
   refreshed with `scripts/refresh_advisories.py`): offline, so CI always runs it
   (tests/test_dependencies.py). Its date is printed: it knows nothing newer.
2. **PyPI, live**, when it answers: the advisories PyPI lists for each package's latest
   release. They apply to us only where we run the latest release; an older one is named.
   (pip-audit asks PyPI for each installed version, which these machines cannot reach.)

Exit status 1 if either source finds an installed version affected.
"""
# ruff: noqa: T201, E501

from __future__ import annotations

import argparse
import gzip
import json
import sys
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.version import InvalidVersion, Version

SNAPSHOT = Path(__file__).resolve().parent / "advisories.json.gz"
# Advisories judged not to apply, each with its reason (none today).
IGNORED: dict[str, str] = {}


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: str
    summary: str


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


OWN = "mentor-match"  # this project (installed editable); another project has the name on PyPI


def installed() -> dict[str, str]:
    """Every installed distribution (normalised name) and its version, but this project."""
    return {
        _normal(d.metadata["Name"]): d.version
        for d in metadata.distributions()
        if d.metadata["Name"] and _normal(d.metadata["Name"]) != OWN
    }


def _in_range(version: Version, events: list[dict[str, str]]) -> bool:
    """OSV ECOSYSTEM events: introduced/fixed/last_affected, in order."""
    affected = False
    for event in events:
        try:
            if "introduced" in event:
                if event["introduced"] == "0" or version >= Version(event["introduced"]):
                    affected = True
            elif "fixed" in event and version >= Version(event["fixed"]):
                affected = False
            elif "last_affected" in event and version > Version(event["last_affected"]):
                affected = False
        except InvalidVersion:
            continue
    return affected


def affected_by(version_text: str, advisory: dict[str, object]) -> bool:
    """Whether an installed version is affected by a snapshot advisory."""
    if version_text in advisory["versions"]:  # type: ignore[operator]
        return True
    try:
        version = Version(version_text)
    except InvalidVersion:
        return False
    return any(_in_range(version, events) for events in advisory["ranges"])  # type: ignore[attr-defined]


def snapshot() -> dict[str, object]:
    data: dict[str, object] = json.loads(gzip.decompress(SNAPSHOT.read_bytes()))
    return data


def check_snapshot(packages: dict[str, str]) -> list[Finding]:
    known = snapshot()["packages"]
    out = []
    for name, version in sorted(packages.items()):
        for advisory in known.get(name, []):  # type: ignore[attr-defined]
            if advisory["id"] in IGNORED or not affected_by(version, advisory):
                continue
            out.append(Finding(name, version, advisory["id"], advisory["summary"]))
    return out


def check_pypi(packages: dict[str, str], timeout: float) -> tuple[list[Finding], list[str], bool]:
    """Findings from PyPI's latest-release advisories, packages older than latest, reached."""
    findings, older = [], []
    for name, version in sorted(packages.items()):
        url = f"https://pypi.org/pypi/{name}/json"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - https
                data = json.load(response)
        except OSError:
            if not findings and not older:
                return [], [], False
            continue
        latest = data["info"]["version"]
        if latest != version:
            older.append(f"{name} {version} (latest {latest})")
            continue
        for vuln in data.get("vulnerabilities") or []:
            if vuln.get("id") not in IGNORED and not vuln.get("withdrawn"):
                findings.append(
                    Finding(
                        name,
                        version,
                        vuln["id"],
                        (vuln.get("summary") or vuln.get("details") or "")[:120],
                    )
                )
    return findings, older, True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offline", action="store_true", help="only the shipped snapshot")
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args(argv)
    packages = installed()
    as_of = snapshot()["as_of"]
    found = check_snapshot(packages)
    print(
        f"{len(packages)} installed packages checked against the PyPA advisory database of {as_of} (shipped):"
    )
    print(
        f"  {len(found)} affected"
        + "".join(f"\n  - {f.package} {f.version}: {f.advisory} {f.summary}" for f in found)
    )
    if not args.offline:
        live, older, reached = check_pypi(packages, args.timeout)
        if not reached:
            print("PyPI did not answer: only the shipped snapshot was checked.")
        else:
            print(
                f"PyPI today, for the {len(packages) - len(older)} packages at their latest release:"
            )
            print(
                f"  {len(live)} affected"
                + "".join(f"\n  - {f.package} {f.version}: {f.advisory} {f.summary}" for f in live)
            )
            print(
                f"  {len(older)} packages are older than their latest release (PyPI's list does not cover them; the snapshot does):"
            )
            print("  " + ", ".join(older))
            found += live
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
