"""Benchmark: a county-scale stored matching run over the volume data set, on PostgreSQL.

    .venv/bin/python benchmarks/county_run.py [--database-url postgresql://.../bench_volume]

The data set of `make bench-reports` (50,000 families, 10,000 mentors; built in
BENCH_DATABASE_URL when missing, reused after). One run over all 12 districts, as the
job does it: load the engine's input from the database, solve, store the run with its
replay input and proposals in one transaction. Each run is a fresh process, so the peak
memory printed is the run's own. Target (issue 14): under 30 s end to end and under 2 GiB.
"""
# ruff: noqa: T201, S603, E501

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench_volume"
TARGET_SECONDS = 30.0
TARGET_BYTES = 2 * 1024**3


def one_run(url: str) -> dict[str, float | int]:
    """Run once in this process (called in a child process by `main`)."""
    import tempfile

    from sqlmodel import Session, func, select

    from mentoring import create_app
    from mentoring.models import District, Match, Role, User
    from mentoring.services import matching as matching_service

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "ENV_NAME": "testing",
                "TESTING": True,
                "SECRET_KEY": "benchmark-" + "x" * 40,
                "DATABASE_URL": url.replace("postgresql://", "postgresql+psycopg://", 1),
                "INSTANCE_PATH": tmp,
                "MAIL_OUTBOX": str(Path(tmp) / "outbox"),
                "LOG_LEVEL": "WARNING",
            }
        )
        engine = app.extensions["db_engine"]
        with app.app_context(), Session(engine, expire_on_commit=False) as session:
            admin = session.exec(select(User).where(User.role == Role.ADMIN.value)).first()
            if admin is None:
                admin = User(
                    email="admin@bench.invalid",
                    name="Bench",
                    role="admin",
                    password_hash="-",  # noqa: S106
                )
                session.add(admin)
                session.commit()
            district_ids = set(session.exec(select(District.id)).all())
            steps: list[str] = []
            started = time.perf_counter()
            run = matching_service.run_matching(
                session=session,
                district_ids={d for d in district_ids if d is not None},
                actor_id=admin.id or 0,
                progress=lambda done, total, label: steps.append(label),
            )
            wall = time.perf_counter() - started
            proposals = session.exec(
                select(func.count()).select_from(Match).where(Match.run_id == run.id)
            ).one()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "wall": wall,
        "build": run.build_seconds,
        "solve": run.solve_seconds,
        "proposals": int(proposals),
        "waiting": len(run.unmatched),
        "peak_bytes": peak,
        "steps": len(steps),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--families", type=int, default=50_000)
    parser.add_argument("--mentors", type=int, default=10_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(one_run(args.database_url)))
        return 0
    from benchmarks.reports import build

    print(
        f"County-scale stored run: {args.families:,} families, {args.mentors:,} mentors, PostgreSQL"
    )
    counts = build(args.database_url, families=args.families, mentors=args.mentors, rebuild=False)
    print(
        f"  rows: families {counts.get('family', 0):,}, mentors {counts.get('mentor', 0):,}, matches {counts.get('match', 0):,}"
    )
    worst_wall, worst_peak = 0.0, 0
    for i in range(args.runs):
        out = (
            subprocess.run(
                [sys.executable, __file__, "--child", "--database-url", args.database_url],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        r = json.loads(out)
        worst_wall, worst_peak = max(worst_wall, r["wall"]), max(worst_peak, r["peak_bytes"])
        print(
            f"  run {i + 1}: {r['wall']:.1f} s end to end (load {r['build']:.1f} s, solve "
            f"{r['solve']:.1f} s, store the rest); {r['proposals']:,} proposals, "
            f"{r['waiting']:,} slots left waiting; peak memory {r['peak_bytes'] / 1024**2:,.0f} MiB"
        )
    ok = worst_wall < TARGET_SECONDS and worst_peak < TARGET_BYTES
    print(
        f"  worst {worst_wall:.1f} s and {worst_peak / 1024**3:.2f} GiB: "
        f"{'within' if ok else 'OUTSIDE'} the target ({TARGET_SECONDS:.0f} s, 2 GiB)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
