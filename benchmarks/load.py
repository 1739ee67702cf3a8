"""Load benchmark: 50 users for 2 minutes against gunicorn (4 workers) on PostgreSQL.

    make bench-load
    .venv/bin/python benchmarks/load.py [--users 50 --seconds 120 --skip-dev-server]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_volume make bench-load

1. The data set of `make bench-reports` (50,000 families, 10,000 mentors; `demo/volume`) in
   the PostgreSQL database of BENCH_DATABASE_URL (built when missing, reused after), plus
   benchmark accounts: an administrator, provider staff, a coordinator per district and 40
   mentors with an active match (all with one throwaway password).
2. gunicorn with 4 workers and, when Redis answers at REDIS_URL (default the local one),
   one `flask worker`; otherwise the run's job runs in a thread of a web worker.
3. locust, headless (benchmarks/locustfile.py): coordinators on dashboards, family lists
   and family pages; mentors on the portal recording contacts; provider staff on the mentor
   board; one county-wide matching run started after 30 s, followed to done.
4. The same mix against Flask's development server, for a ratio.

It prints requests per second, p50, p95 and p99 per page, and the errors, against the
target: p95 under 300 ms on every page and 0 errors. The sign-in throttle per address is
raised for the run (every locust user comes from 127.0.0.1).
"""
# ruff: noqa: T201, S603, S607, E501

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session, col, select  # noqa: E402

from benchmarks.reports import build  # noqa: E402
from mentoring.models import (  # noqa: E402
    CoordinatorDistrict,
    District,
    Family,
    Match,
    MatchStatus,
    Role,
    User,
)
from mentoring.security import hash_password  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench_volume"
PASSWORD = "bench-load-password-2026"  # noqa: S105 - throwaway benchmark accounts
P95_BUDGET_MS = 300
BIN = ROOT / ".venv" / "bin"


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def accounts(url: str, folder: Path) -> Path:
    """Add (or refresh) the benchmark's accounts; write them to a JSON file for locust."""
    engine = _engine(url)
    digest = hash_password(PASSWORD)
    rng = random.Random(2026)
    out: dict[str, object] = {"password": PASSWORD}
    with Session(engine) as session:

        def add(email: str, name: str, role: Role, mentor_id: int | None = None) -> int:
            user = session.exec(select(User).where(User.email == email)).first()
            if user is None:
                user = User(email=email, name=name, role=role.value, password_hash=digest)
            user.password_hash, user.mentor_id = digest, mentor_id
            user.failed_sign_ins, user.locked_until, user.is_enabled = 0, None, True
            session.add(user)
            session.flush()
            return int(user.id or 0)

        out["admin"] = {"email": "admin@load.invalid"}
        add("admin@load.invalid", "Load Admin", Role.ADMIN)
        out["provider"] = {"email": "provider@load.invalid"}
        add("provider@load.invalid", "Load Provider", Role.PROVIDER)
        coordinators = []
        for district in session.exec(select(District).order_by(col(District.id))).all():
            email = f"coordinator.{district.code.lower()}@load.invalid"
            user_id = add(email, f"Load Coordinator {district.code}", Role.COORDINATOR)
            if session.get(CoordinatorDistrict, (user_id, district.id)) is None:
                session.add(CoordinatorDistrict(user_id=user_id, district_id=district.id))
            family_ids = list(
                session.exec(
                    select(Family.id).where(Family.district_id == district.id).limit(2000)
                ).all()
            )
            sample = rng.sample(family_ids, min(200, len(family_ids)))
            coordinators.append({"email": email, "district_id": district.id, "family_ids": sample})
        out["coordinators"] = coordinators
        mentors = []
        rows = session.exec(
            select(Match.mentor_id, sa.func.min(Match.id))
            .where(Match.status == MatchStatus.ACTIVE.value)
            .group_by(col(Match.mentor_id))
            .order_by(col(Match.mentor_id))
            .limit(40)
        ).all()
        for mentor_id, match_id in rows:
            email = f"mentor.{mentor_id}@load.invalid"
            add(email, f"Load Mentor {mentor_id}", Role.MENTOR, mentor_id)
            mentors.append({"email": email, "match_id": match_id})
        out["mentors"] = mentors
        session.commit()
    engine.dispose()
    path = folder / "accounts.json"
    path.write_text(json.dumps(out))
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, seconds: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server at {url} did not start")


def _redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means "no Redis"
        return False


def _environment(url: str, folder: Path, redis_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "MENTORING_ENV": "development",
        "SECRET_KEY": "load-benchmark-" + "k" * 48,
        "DATABASE_URL": url,
        "MAIL_OUTBOX": str(folder / "outbox"),
        "MFA_REQUIRED_ROLES": "",
        "SIGNIN_MAX_PER_ADDRESS": "100000",
        "LOG_LEVEL": "WARNING",
        "DAILY_JOB_IN_PROCESS": "0",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _locust(
    base: str, accounts_file: Path, users: int, seconds: int, folder: Path, tag: str
) -> list[dict[str, str]]:  # noqa: E501
    prefix = folder / tag
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--host",
            base,
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{seconds}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "ERROR",
        ],
        check=False,
        env={
            **os.environ,
            "LOAD_ACCOUNTS": str(accounts_file),
            "LOAD_RUN_AFTER": str(min(30, seconds // 4)),
        },  # noqa: E501
        stdout=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:  # noqa: PTH123
        return list(csv.DictReader(handle))


def _table(rows: list[dict[str, str]], seconds: int) -> dict[str, float]:
    print(
        f"  {'page':<32} {'requests':>8} {'per s':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}"
    )  # noqa: E501
    worst = 0.0
    for row in rows:
        name = row["Name"]
        if name == "Aggregated":
            continue
        n, errors = int(row["Request Count"]), int(row["Failure Count"])
        p50, p95, p99 = (float(row[k] or 0) for k in ("50%", "95%", "99%"))
        flag = ""
        if row["Type"] != "RUN":
            worst = max(worst, p95)
            flag = "  OVER" if p95 >= P95_BUDGET_MS else ""
        print(
            f"  {name:<32} {n:>8} {n / seconds:>6.1f} {p50:>6.0f} {p95:>6.0f} {p99:>6.0f} {errors:>6}{flag}"
        )  # noqa: E501
    total = next(r for r in rows if r["Name"] == "Aggregated")
    rps = float(total["Requests/s"])
    errors = int(total["Failure Count"])
    print(
        f"  all: {int(total['Request Count'])} requests, {rps:.1f} per second, p95 {float(total['95%']):.0f} ms, {errors} errors"
    )  # noqa: E501
    return {"rps": rps, "p95_worst": worst, "errors": errors, "p95_all": float(total["95%"])}


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    )  # noqa: E501
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--families", type=int, default=50_000)
    parser.add_argument("--mentors", type=int, default=10_000)
    parser.add_argument("--skip-dev-server", action="store_true")
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgresql"):
        raise SystemExit("The load benchmark runs on PostgreSQL: set BENCH_DATABASE_URL")
    print(f"Data set: {args.families:,} families, {args.mentors:,} mentors")
    counts = build(args.database_url, families=args.families, mentors=args.mentors, rebuild=False)
    print(f"  rows: {counts}")
    redis_url = args.redis_url if _redis_answers(args.redis_url) else None
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        accounts_file = accounts(args.database_url, folder)
        env = _environment(args.database_url, folder, redis_url)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        servers = [
            (
                "gunicorn, 4 workers",
                [
                    str(BIN / "gunicorn"),
                    "-c",
                    str(ROOT / "gunicorn.conf.py"),
                    "--workers",
                    "4",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "mentoring:create_app()",
                ],
            ),  # noqa: E501
        ]
        if not args.skip_dev_server:
            servers.append(
                (
                    "development server",
                    [
                        str(BIN / "flask"),
                        "--app",
                        "mentoring",
                        "run",
                        "--port",
                        str(port),
                        "--with-threads",
                    ],
                )
            )  # noqa: E501
        for label, command in servers:
            print(
                f"\n{label}: {args.users} users for {args.seconds} s on PostgreSQL; jobs on "
                f"{'RQ (Redis) with one worker' if redis_url else 'a thread of the web process'}"
            )  # noqa: E501
            web = subprocess.Popen(
                command,
                env=env,
                cwd=ROOT,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # noqa: E501
            worker = None
            if redis_url:
                worker = subprocess.Popen(
                    [str(BIN / "flask"), "--app", "mentoring", "worker"],
                    env=env,
                    cwd=ROOT,
                    start_new_session=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )  # noqa: E501
            try:
                _wait_for(f"{base}/healthz")
                rows = _locust(
                    base,
                    accounts_file,
                    args.users,
                    args.seconds,
                    folder,
                    label.split(",")[0].replace(" ", "-"),
                )  # noqa: E501
                results[label] = _table(rows, args.seconds)
            finally:
                _stop(web)
                if worker is not None:
                    _stop(worker)
    main_result = results["gunicorn, 4 workers"]
    ok = main_result["p95_worst"] < P95_BUDGET_MS and main_result["errors"] == 0
    print(
        f"\ngunicorn: worst page p95 {main_result['p95_worst']:.0f} ms, {main_result['errors']} errors: {'within' if ok else 'OUTSIDE'} the target (p95 < {P95_BUDGET_MS} ms, 0 errors)"
    )  # noqa: E501
    dev = results.get("development server")
    if dev:
        print(
            f"development server: {dev['rps']:.1f} requests per second, p95 {dev['p95_all']:.0f} ms; gunicorn serves {main_result['rps'] / max(dev['rps'], 0.01):.2f}x the requests per second at {dev['p95_all'] / max(main_result['p95_all'], 1):.1f}x lower p95"
        )  # noqa: E501
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
