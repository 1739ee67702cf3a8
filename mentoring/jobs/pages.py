"""Where the browser goes after starting a job."""

from __future__ import annotations

from flask import redirect, url_for
from flask.typing import ResponseReturnValue
from sqlmodel import Session

from mentoring.db import get_engine, saved_id
from mentoring.models import BackgroundJob, JobStatus


def redirect_to_job(job: BackgroundJob) -> ResponseReturnValue:
    """To the job's status page; straight to its result if it has finished already."""
    with Session(get_engine()) as session:
        row = session.get(BackgroundJob, saved_id(job))
        if row is not None and row.status == JobStatus.DONE.value and row.result.get("url"):
            return redirect(str(row.result["url"]))
    return redirect(url_for("progress.job", job_id=saved_id(job)))
