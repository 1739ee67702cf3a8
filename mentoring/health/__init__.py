"""Health checks for a load balancer: /healthz (alive) and /readyz (able to serve).

Both answer JSON without sign-in and say nothing that helps an attacker: no versions, no
hosts, no error text. /readyz is 503 when the database is unreachable or its migrations
are not at head; Redis down, or no worker heard from for ``WORKER_STALE_MINUTES``, is
"degraded" (pages still work: sign-in falls back to this process's throttle).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlmodel import Session, col, select

from mentoring.db import get_engine
from mentoring.jobs.backends import RQBackend
from mentoring.migrate import alembic_config
from mentoring.models import WorkerHeartbeat, utcnow
from mentoring.security import public

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
def healthz() -> ResponseReturnValue:
    """The process is alive (no database needed)."""
    return jsonify(status="ok")


def _head() -> str | None:
    head: str | None = current_app.extensions.get("migration_head")
    if head is None:
        script = ScriptDirectory.from_config(alembic_config(current_app.config["DATABASE_URL"]))
        head = script.get_current_head()
        current_app.extensions["migration_head"] = head
    return head


def _database() -> tuple[str, str]:
    try:
        with get_engine().connect() as conn:
            current = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.SQLAlchemyError:
        return "unavailable", "unavailable"
    return "ok", "ok" if current == _head() else "behind"


def _redis() -> str:
    jobs = current_app.extensions.get("jobs")
    if not isinstance(jobs, RQBackend):
        return "not configured"
    try:
        jobs.connection.ping()
    except Exception:  # noqa: BLE001 - any failure to reach Redis
        return "degraded"
    return "ok"


def _worker() -> str:
    if not isinstance(current_app.extensions.get("jobs"), RQBackend):
        return "in process"
    cutoff = utcnow() - timedelta(minutes=int(current_app.config["WORKER_STALE_MINUTES"]))
    try:
        with Session(get_engine()) as session:
            seen = session.exec(
                select(WorkerHeartbeat.name).where(col(WorkerHeartbeat.seen_at) >= cutoff)
            ).first()
    except sa.exc.SQLAlchemyError:
        return "unknown"
    return "ok" if seen else "degraded"


@bp.route("/readyz")
@public
def readyz() -> ResponseReturnValue:
    """Ready to serve: database reachable and migrated; Redis and a worker if configured."""
    database, migrations = _database()
    checks: dict[str, Any] = {
        "database": database,
        "migrations": migrations,
        "redis": _redis(),
        "worker": _worker() if database == "ok" else "unknown",
    }
    if database != "ok" or migrations != "ok":
        status, code = "unavailable", 503
    elif "degraded" in checks.values():
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    response = jsonify(status=status, checks=checks)
    response.headers["Cache-Control"] = "no-store"
    return response, code


from mentoring.health import metrics  # noqa: E402,F401 - registers /metrics
