"""A mentor's consent to text-message reminders, and the texts the daily job sends."""

import json
import uuid
from datetime import date, timedelta

import responses
from sqlmodel import select

from mentoring.jobs.daily import run_daily
from mentoring.models import AuditEvent, DbsCheck, Mentor, Role
from tests.factories import refresh, vetted_mentor

BASE = "https://notify.example.test"


def test_a_mentor_turns_text_reminders_on_and_the_consent_is_recorded(
    client, sign_in, make_user, db, world
):
    mentor = vetted_mentor(db, world.dartford)
    mentor.phone = "07700 900123"
    db.add(mentor)
    db.commit()
    sign_in(make_user(Role.MENTOR, mentor_id=mentor.id))
    assert "Text-message reminders" in client.get("/account").get_data(as_text=True)
    assert client.post("/account/texts", data={"texts": "yes"}).status_code == 302
    refresh(db)
    saved = db.get(Mentor, mentor.id)
    assert saved.text_reminders and saved.text_reminders_consent_at is not None
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "mentor.text_reminders")).one()
    client.post("/account/texts", data={"texts": "no"})
    refresh(db)
    assert not db.get(Mentor, mentor.id).text_reminders


def test_without_a_mobile_number_texts_are_refused_beside_the_choice(
    client, sign_in, make_user, db, world
):
    mentor = vetted_mentor(db, world.dartford)
    mentor.phone = ""
    db.add(mentor)
    db.commit()
    sign_in(make_user(Role.MENTOR, mentor_id=mentor.id))
    page = client.post("/account/texts", data={"texts": "yes"}).get_data(as_text=True)
    assert "We have no mobile number for you" in page and "govuk-error-summary" in page
    assert client.post("/account/texts", data={"texts": "maybe"}).status_code == 200


def test_staff_have_no_text_reminders(client, sign_in, make_user):
    sign_in(make_user(Role.PROVIDER))
    assert "Text-message reminders" not in client.get("/account").get_data(as_text=True)
    assert client.post("/account/texts", data={"texts": "yes"}).status_code == 403


@responses.activate
def test_the_daily_job_texts_a_consenting_mentor_about_a_dbs_check_due(app, db, world):
    app.config.update(
        NOTIFY_API_KEY=f"test-{uuid.uuid4()}-{uuid.uuid4()}",
        NOTIFY_BASE_URL=BASE,
        NOTIFY_EMAIL_TEMPLATE_ID=str(uuid.uuid4()),
        NOTIFY_SMS_TEMPLATE_ID=str(uuid.uuid4()),
    )
    responses.post(f"{BASE}/v2/notifications/email", json={"id": "e"}, status=201)
    responses.post(f"{BASE}/v2/notifications/sms", json={"id": "s"}, status=201)
    texting, quiet = vetted_mentor(db, world.dartford), vetted_mentor(db, world.dartford)
    for mentor in (texting, quiet):
        mentor.phone = "07700900123"
        check = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).one()
        check.issue_date = date.today() - timedelta(days=36 * 30 + 20)
        db.add_all([mentor, check])
    texting.text_reminders = True
    db.add(texting)
    db.commit()
    with app.app_context():
        run_daily(session=db, on=date.today())
    texts = [json.loads(c.request.body) for c in responses.calls if c.request.url.endswith("sms")]
    assert len(texts) == 1
    assert texts[0]["phone_number"] == "07700900123"
    assert "DBS check" in texts[0]["personalisation"]["body"]
