"""Rebuild scripts/advisories.json.gz from a checkout of the PyPA advisory database.

    git clone https://github.com/pypa/advisory-database /tmp/advisory-database
    .venv/bin/python scripts/refresh_advisories.py /tmp/advisory-database

Keeps, for every advisory about a PyPI package, its id, aliases, a one-line summary, the
affected version ranges (OSV "ECOSYSTEM" events) and the listed affected versions, and
stamps the snapshot with the checkout's last commit date. `scripts/audit_dependencies.py`
and tests/test_dependencies.py read it.
"""
# ruff: noqa: T201, S603, S607

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import yaml

OUT = Path(__file__).resolve().parent / "advisories.json.gz"


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    root = Path(argv[0])
    stamp = subprocess.run(
        ["git", "-C", str(root), "log", "-1", "--format=%cs"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    advisories: dict[str, list[dict[str, object]]] = {}
    for path in sorted((root / "vulns").glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text())
        if data.get("withdrawn"):
            continue
        for affected in data.get("affected", []):
            package = affected.get("package", {})
            if package.get("ecosystem") != "PyPI":
                continue
            ranges = [
                r["events"] for r in affected.get("ranges", []) if r.get("type") == "ECOSYSTEM"
            ]
            summary = (data.get("summary") or data.get("details") or "").strip().split("\n")[0]
            advisories.setdefault(_normal(package["name"]), []).append(
                {
                    "id": data["id"],
                    "aliases": data.get("aliases", []),
                    "summary": summary[:200],
                    "ranges": ranges,
                    "versions": affected.get("versions", []),
                }
            )
    payload = {
        "source": "https://github.com/pypa/advisory-database",
        "as_of": stamp,
        "packages": advisories,
    }
    OUT.write_bytes(gzip.compress(json.dumps(payload, sort_keys=True).encode(), mtime=0))
    count = sum(len(v) for v in advisories.values())
    print(f"{count} advisories for {len(advisories)} packages, as of {stamp}: {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
