"""Background jobs in this process (mentoring/jobs/runner.py)."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from mentoring.exceptions import Conflict, InvalidInput
from mentoring.jobs import runner
from mentoring.jobs.registry import JobContext, job
from mentoring.models import BackgroundJob, District, JobStatus, MatchingRun, Role, utcnow
from tests.factories import ready_family, refresh, vetted_mentor


@job("test_fails_half_way", label="A job that fails half-way")
def _fails_half_way(context: JobContext) -> dict:
    context.session.add(District(code="ZZZ", name="Half-saved"))
    context.session.flush()
    context.progress(1, 2, "Half-way")
    raise RuntimeError("a message that might quote data: Jo Bloggs, DAR-0001")


@job("test_refuses", label="A job that refuses")
def _refuses(context: JobContext) -> dict:
    raise InvalidInput("The file has no rows to import")


def _start(app, db, kind, **kw):
    with app.test_request_context():
        return runner.start(db, kind, params=kw.pop("params", {}), actor_id=None, **kw)


def _row(app, job_id):
    with Session(app.extensions["db_engine"]) as session:
        return session.get(BackgroundJob, job_id)


def test_a_matching_run_job_stores_the_run_and_links_to_it(app, db, world, coordinator):
    vetted_mentor(db, world.dartford)
    ready_family(db, world.dartford)
    with app.test_request_context():
        row = runner.start(
            db,
            "matching_run",
            params={"district_ids": [world.dartford.id]},
            actor_id=coordinator.id,
            lock_key=f"matching:{world.dartford.id}",
        )
    done = _row(app, row.id)
    assert done.status == JobStatus.DONE.value and done.progress_label == "Done"
    run = db.get(MatchingRun, done.result["run_id"])
    assert run is not None and done.result["url"] == f"/matching/runs/{run.id}"


def test_a_failed_job_saves_nothing_and_says_so_without_the_error_text(app, db, caplog):
    row = _start(app, db, "test_fails_half_way")
    failed = _row(app, row.id)
    assert failed.status == JobStatus.FAILED.value
    assert "Nothing was saved" in failed.message and "Jo Bloggs" not in failed.message
    assert db.exec(select(District).where(District.code == "ZZZ")).first() is None
    assert "Jo Bloggs" not in caplog.text


def test_a_job_refused_by_a_rule_shows_the_rule(app, db):
    row = _start(app, db, "test_refuses")
    assert _row(app, row.id).message == "The file has no rows to import"


def test_a_second_job_for_the_same_work_is_refused_while_one_is_live(app, db):
    db.add(BackgroundJob(kind="matching_run", lock_key="matching:1", status="running"))
    db.commit()
    with pytest.raises(Conflict, match="already"):
        _start(app, db, "matching_run", params={"district_ids": [1]}, lock_key="matching:1")
    # Once it has finished, the same work can be started again.
    live = db.exec(select(BackgroundJob)).one()
    live.status = JobStatus.DONE.value
    db.add(live)
    db.commit()
    _start(app, db, "test_refuses", lock_key="matching:1")


def test_a_job_whose_worker_died_is_marked_failed(app, db):
    db.add(
        BackgroundJob(
            kind="matching_run",
            status="running",
            heartbeat_at=utcnow() - timedelta(hours=1),
        )
    )
    db.commit()
    with app.app_context():
        assert runner.fail_stale(db) == 1
    refresh(db)
    row = db.exec(select(BackgroundJob)).one()
    assert row.status == JobStatus.FAILED.value and "start it again" in row.message


def test_an_email_that_cannot_be_sent_is_retried_then_shown_as_failed(app, db, monkeypatch):
    from mentoring.exceptions import MailError
    from mentoring.jobs import tasks

    calls = []

    def broken(**kwargs):
        calls.append(kwargs["to"])
        raise MailError("the mail server said no")

    delays = []
    monkeypatch.setattr(tasks, "send_email", broken)
    monkeypatch.setattr(
        app.extensions["jobs"], "dispatch", lambda job_id, **kw: delays.append(kw.get("delay"))
    )
    row = _start(app, db, "email", params={"to": "a@example.org", "subject": "S", "body": "B"})
    for _ in range(len(tasks.EMAIL_RETRIES) + 1):
        with app.app_context():
            runner.run(row.id)
    failed = _row(app, row.id)
    assert calls == ["a@example.org"] * (len(tasks.EMAIL_RETRIES) + 1)
    assert delays[1:] == list(tasks.EMAIL_RETRIES)  # the first dispatch is the start
    assert failed.status == JobStatus.FAILED.value
    assert failed.params["to"] == "a@example.org"  # kept so it can be retried
    monkeypatch.setattr(tasks, "send_email", lambda **kwargs: None)
    with app.test_request_context():
        runner.retry(db, row.id)
        runner.run(row.id)
    sent = _row(app, row.id)
    assert sent.status == JobStatus.DONE.value and sent.params == {}


def test_only_the_person_who_started_a_job_sees_its_page(client, sign_in, make_user, db, app):
    owner, other = make_user(Role.PROVIDER), make_user(Role.PROVIDER)
    row = BackgroundJob(kind="matching_run", created_by_id=owner.id, progress_label="Solving")
    db.add(row)
    db.commit()
    sign_in(other)
    assert client.get(f"/jobs/{row.id}").status_code == 404
    sign_in(owner)
    page = client.get(f"/jobs/{row.id}").get_data(as_text=True)
    assert "Waiting to start" in page and 'http-equiv="refresh"' in page


def test_administrators_see_failed_jobs_and_can_run_them_again(
    client, sign_in, make_user, db, app, monkeypatch
):
    from mentoring.jobs import tasks

    row = BackgroundJob(
        kind="email",
        status=JobStatus.FAILED.value,
        params={"to": "a@example.org", "subject": "S", "body": "B"},
        message="GOV.UK Notify did not accept the email",
        attempts=6,
    )
    db.add(row)
    db.commit()
    sign_in(make_user(Role.PROVIDER))
    assert client.get("/jobs/").status_code == 403
    sign_in(make_user(Role.ADMIN))
    page = client.get("/jobs/").get_data(as_text=True)
    failed = page[page.index('data-testid="failed-jobs"') :]
    assert "GOV.UK Notify did not accept the email" in failed
    assert "a@example.org" not in page  # what a job holds is not shown
    sent = []
    monkeypatch.setattr(tasks, "send_email", lambda **kwargs: sent.append(kwargs["to"]))
    response = client.post(f"/jobs/{row.id}/retry")
    assert response.status_code == 302
    assert sent == ["a@example.org"]
    assert _row(app, row.id).status == JobStatus.DONE.value
    page = client.get("/jobs/").get_data(as_text=True)
    assert 'data-testid="no-failed-jobs"' in page
    assert client.post(f"/jobs/{row.id}/retry").status_code == 409  # only a failed job
