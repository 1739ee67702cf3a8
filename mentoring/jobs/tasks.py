"""The kinds of job. Each takes identifiers, does its work in one unit of work, and returns
a small result for the status page."""

from __future__ import annotations

from datetime import date
from typing import Any

from mentoring.jobs.daily import run_daily
from mentoring.jobs.registry import JobContext, job
from mentoring.models import service_today
from mentoring.services.common.mail import send_email, send_sms
from mentoring.services.common.notify import link
from mentoring.services.matching import plan_recruitment, run_matching

# Emails wait 10 s, 1 min, 5 min, 15 min and 1 h before each retry; then an administrator
# sees the failure and can retry it.
EMAIL_RETRIES = (10, 60, 300, 900, 3600)


@job("matching_run", label="Matching run", timeout_seconds=1800)
def matching_run(context: JobContext) -> dict[str, Any]:
    """Run the optimiser over districts and store the proposals."""
    run = run_matching(
        session=context.session,
        district_ids={int(d) for d in context.params["district_ids"]},
        actor_id=int(context.actor_id or 0),
        progress=context.progress,
    )
    return {"run_id": run.id, "url": link("coordination.run", run_id=run.id)}


@job("recruitment_plan", label="Recruitment plan", timeout_seconds=1800)
def recruitment_plan(context: JobContext) -> dict[str, Any]:
    """Plan whom to recruit and train for districts; the plan (counts only) is the result."""
    plan = plan_recruitment(
        session=context.session,
        district_ids={int(d) for d in context.params["district_ids"]},
        on=service_today(),
        progress=context.progress,
    )
    return {"plan": plan, "url": link("reports.recruitment_plan", job_id=context.job_id)}


@job("email", label="Email", retries=EMAIL_RETRIES, timeout_seconds=120)
def email(context: JobContext) -> dict[str, Any]:
    """Send one email; a failure is retried with backoff (`EMAIL_RETRIES`)."""
    params = context.params
    send_email(to=params["to"], subject=params["subject"], body=params["body"], strict=True)
    return {}


@job("text", label="Text message", retries=EMAIL_RETRIES, timeout_seconds=60)
def text(context: JobContext) -> dict[str, Any]:
    """Send one text message through GOV.UK Notify, retried like emails."""
    send_sms(to=context.params["to"], body=context.params["body"], strict=True)
    return {}


@job("daily", label="Daily job", timeout_seconds=3600)
def daily(context: JobContext) -> dict[str, Any]:
    """The daily job: keeping vetting in date, reminders, purges (see the README)."""
    on = date.fromisoformat(context.params["on"]) if context.params.get("on") else service_today()
    context.progress(0, 1, f"Checking {on:%-d %B %Y}")
    report = run_daily(session=context.session, on=on)
    return {name: result.counts for name, result in report.results}
