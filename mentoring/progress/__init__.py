"""A job's status page: queued, running with its progress, done or failed.

It refreshes itself every 2 seconds with a meta refresh (no JavaScript needed) until the
job has finished; done, it links to (and moves on to) what the job made.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from mentoring.db import get_session
from mentoring.exceptions import NotFound
from mentoring.forms import AppForm
from mentoring.jobs.registry import KINDS
from mentoring.jobs.runner import fail_stale, for_administrators, retry
from mentoring.models import BackgroundJob, JobStatus, Role
from mentoring.security import roles_allowed

bp = Blueprint("progress", __name__)


@bp.route("/<int:job_id>")
@roles_allowed(*Role)
def job(job_id: int) -> ResponseReturnValue:
    """Show how a job you started is going (administrators see every job)."""
    db = get_session()
    fail_stale(db)
    row = db.get(BackgroundJob, job_id)
    if row is None or (row.created_by_id != current_user.id and current_user.role != "admin"):
        raise NotFound("no such job")
    db.refresh(row)
    finished = row.status in (JobStatus.DONE.value, JobStatus.FAILED.value)
    spec = KINDS.get(row.kind)
    percent = round(100 * row.progress_done / row.progress_total) if row.progress_total else 0
    return render_template(
        "progress/job.html",
        job=row,
        label=spec.label if spec else row.kind,
        finished=finished,
        percent=100 if row.status == JobStatus.DONE.value else percent,
        result_url=row.result.get("url") if row.status == JobStatus.DONE.value else None,
    )


@bp.route("/")
@roles_allowed(Role.ADMIN)
def index() -> ResponseReturnValue:
    """Jobs for administrators: the failed ones, with a retry, and the latest of every kind."""
    db = get_session()
    fail_stale(db)
    failed, latest = for_administrators(db)
    labels = {name: spec.label for name, spec in KINDS.items()}
    return render_template(
        "progress/index.html", failed=failed, latest=latest, labels=labels, form=AppForm()
    )


@bp.route("/<int:job_id>/retry", methods=["POST"])
@roles_allowed(Role.ADMIN)
def retry_job(job_id: int) -> ResponseReturnValue:
    """Run a failed job again."""
    if not AppForm().validate_on_submit():
        return redirect(url_for("progress.index"))
    db = get_session()
    if db.get(BackgroundJob, job_id) is None:
        raise NotFound("no such job")
    row = retry(db, job_id)
    flash(f"Job {row.id} is running again.", "success")
    return redirect(url_for("progress.job", job_id=job_id))
