"""Benchmark: the county overview and a district dashboard over a large data set.

    .venv/bin/python benchmarks/reports.py                      # SQLite
    .venv/bin/python benchmarks/reports.py --postgresql postgresql://postgres@127.0.0.1/reports_bench
    REPORTS_BENCH_POSTGRES_URL=postgresql://... make bench-reports

For each database it builds, or reuses when it already holds the data set, a migrated
database loaded by `flask --app mentoring load-volume` (`demo/volume`: 50,000 families and
10,000 mentors by default; SQLite in instance/bench/), signs in as an administrator through
the Flask test client and times GET /reports/county and GET /reports/districts/<id> (the
district with the most families) after a warm-up, printing the median, 95th percentile and
slowest answer against the 300 ms budget, with the row counts. A PostgreSQL database named
in the URL is created when missing; one holding other data is refused unless --rebuild is
given (then it is dropped and made again).
"""
# ruff: noqa: T201, S603

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mentoring import create_app  # noqa: E402
from mentoring.migrate import upgrade  # noqa: E402
from mentoring.models import District, Family, Role, User  # noqa: E402
from mentoring.security import hash_password  # noqa: E402

BUDGET_MS = 300
PASSWORD = "bench-reports-password-2026"  # noqa: S105 - a throwaway benchmark account
COUNTED = [
    "family",
    "family_criterion",
    "family_outcome",
    "mentor",
    "training_record",
    "dbs_check",
    "match",
    "contact_log",
    "audit_event",
]


def _engine_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(_engine_url(url))
    try:
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            return {
                t: int(conn.execute(sa.text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one())  # noqa: S608
                for t in COUNTED
                if t in names
            }
    finally:
        engine.dispose()


def _prepare_postgres(url: str, rebuild: bool) -> None:
    """Create the database when missing; drop it first when asked to rebuild."""
    target = sa.make_url(_engine_url(url))
    server = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).first()
        if exists and rebuild:
            conn.execute(sa.text(f'DROP DATABASE "{target.database}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()


def build(url: str, *, families: int, mentors: int, rebuild: bool) -> dict[str, int]:
    """Make sure the database holds the data set; return its row counts."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        if rebuild:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        _prepare_postgres(url, rebuild)
    counts = _counts(url)
    if counts.get("family") == families and counts.get("mentor") == mentors:
        print(f"  reusing the data set in {_safe(url)} (migrated to head)")
        upgrade(_engine_url(url))
        return counts
    if counts.get("family") or counts.get("mentor"):
        raise SystemExit(
            f"{_safe(url)} holds other data ({counts.get('family', 0):,} families): "
            "run again with --rebuild to replace it"
        )
    print(f"  migrating and loading {families:,} families and {mentors:,} mentors")
    upgrade(_engine_url(url))
    env = {**os.environ, "DATABASE_URL": url, "MENTORING_ENV": "development"}
    started = time.perf_counter()
    subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "flask"),
            "--app",
            "mentoring",
            "load-volume",
            "--families",
            str(families),
            "--mentors",
            str(mentors),
        ],
        check=True,
        env=env,
        cwd=ROOT,
    )
    print(f"  loaded in {time.perf_counter() - started:.1f} s")
    engine = sa.create_engine(_engine_url(url), isolation_level="AUTOCOMMIT")
    statistics_sql = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect() as conn:
        conn.execute(sa.text(statistics_sql))
    engine.dispose()
    return _counts(url)


def _safe(url: str) -> str:
    return sa.make_url(_engine_url(url)).render_as_string(hide_password=True)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(url: str, *, repeat: int) -> dict[str, list[float]]:
    """Time the two pages through the test client, signed in as an administrator."""
    app = create_app(
        {
            "DATABASE_URL": _engine_url(url),
            "WTF_CSRF_ENABLED": False,
            "SIGNIN_MAX_PER_ADDRESS": 1000,
            "LOG_LEVEL": "WARNING",
        }
    )
    engine = app.extensions["db_engine"]
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == "bench-admin@example.org")).first()
        if user is None:
            session.add(
                User(
                    email="bench-admin@example.org",
                    name="Benchmark administrator",
                    password_hash=hash_password(PASSWORD),
                    role=Role.ADMIN.value,
                )
            )
            session.commit()
        district_id, families = session.exec(
            select(District.id, sa.func.count(Family.id))
            .join(Family, Family.district_id == District.id)
            .group_by(District.id)
            .order_by(sa.func.count(Family.id).desc())
        ).first()
    client = app.test_client()
    response = client.post(
        "/sign-in", data={"email": "bench-admin@example.org", "password": PASSWORD}
    )
    if response.status_code != 302:
        raise SystemExit("could not sign in to the benchmark app")
    pages = {
        "county overview (/reports/county)": "/reports/county",
        f"district dashboard (/reports/districts/{district_id}, {families:,} families)": (
            f"/reports/districts/{district_id}"
        ),
    }
    timings: dict[str, list[float]] = {}
    for name, path in pages.items():
        for _ in range(3):  # warm up: connections, templates, database caches
            assert client.get(path).status_code == 200  # noqa: S101
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
        timings[name] = times
    engine.dispose()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--postgresql",
        default=os.environ.get("REPORTS_BENCH_POSTGRES_URL"),
        help="a PostgreSQL database URL to benchmark too (or REPORTS_BENCH_POSTGRES_URL)",
    )
    parser.add_argument(
        "--sqlite",
        default=f"sqlite:///{ROOT / 'instance' / 'bench' / 'reports.sqlite'}",
        help="the SQLite database URL",
    )
    parser.add_argument("--families", type=int, default=50_000)
    parser.add_argument("--mentors", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests a page")
    parser.add_argument("--rebuild", action="store_true", help="load the data set again")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a median is over the 300 ms budget"
    )
    args = parser.parse_args()
    databases = [("SQLite", args.sqlite)]
    if args.postgresql:
        databases.append(("PostgreSQL", args.postgresql))
    over = False
    for label, url in databases:
        print(f"{label}:")
        counts = build(url, families=args.families, mentors=args.mentors, rebuild=args.rebuild)
        print("  rows: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
        for page, times in measure(url, repeat=args.repeat).items():
            median = statistics.median(times)
            p95 = _percentile(times, 0.95)
            verdict = "within" if median <= BUDGET_MS else "OVER"
            over = over or median > BUDGET_MS
            print(
                f"  {page}: median {median:.0f} ms, p95 {p95:.0f} ms, slowest {max(times):.0f} ms "
                f"over {len(times)} requests ({verdict} the {BUDGET_MS} ms budget)"
            )
    return 1 if args.check and over else 0


if __name__ == "__main__":
    sys.exit(main())
