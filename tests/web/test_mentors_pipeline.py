"""Applications, the board, a mentor's records and marking ready, through the views."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from mentoring.models import (
    AuditEvent,
    DbsCheck,
    Match,
    MatchStatus,
    Mentor,
    MentorSkill,
    MentorTravelDistrict,
    Notification,
    PipelineStage,
    Reference,
    Role,
    TrainingModule,
)
from mentoring.services.common.dates import add_months
from tests.factories import ready_family, refresh, vetted_mentor


def _day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


def _application(world, **changes):
    data = {
        "first_name": "Robin",
        "last_name": "Hart",
        "email": "Robin.Hart@Example.org",
        "phone": "07700 900982",
        "postcode": "da1 1aa",
        "home_district": str(world.dartford.id),
        "travel_districts": [str(world.gravesham.id), str(world.dartford.id)],
        "availability": ["weekday_evening", "weekend"],
        "languages": ["English"],
        "other_languages": "Tamil",
        "skills": ["parenting", "school_attendance"],
        "experience": "School governor; raised three children.",
        "gender": "female",
        "capacity": "2",
        "kind": "volunteer",
        "adult": "y",
        "consent": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _outbox(app) -> list[str]:
    folder = Path(app.config["MAIL_OUTBOX"])
    return [p.read_text() for p in folder.glob("*.eml")] if folder.exists() else []


# ---------------------------------------------------------------------------
# The public application
# ---------------------------------------------------------------------------


def test_a_volunteer_applies_without_signing_in(app, client, db, world, make_user):
    provider = make_user(Role.PROVIDER)
    form = client.get("/volunteer").get_data(as_text=True)
    assert "Privacy notice" in form and 'type="file"' not in form
    response = client.post("/volunteer", data=_application(world))
    assert response.status_code == 302
    assert response.headers["Location"] == "/volunteer/done"
    done = client.get("/volunteer/done").get_data(as_text=True)
    mentor = db.exec(select(Mentor)).one()
    assert mentor.reference in done
    assert (mentor.first_name, mentor.email, mentor.postcode) == (
        "Robin",
        "Robin.Hart@example.org",
        "DA1 1AA",
    )
    assert (mentor.source, mentor.stage, mentor.status, mentor.capacity) == (
        "web",
        "applied",
        "active",
        2,
    )
    assert mentor.consent_to_checks_at is not None
    assert mentor.languages == ["English", "Tamil"]
    travel = db.exec(select(MentorTravelDistrict.district_id)).all()
    assert travel == [world.gravesham.id]  # home district is not a travel district
    assert len(db.exec(select(MentorSkill)).all()) == 2
    assert any("Thank you for applying" in e and mentor.reference in e for e in _outbox(app))
    note = db.exec(select(Notification).where(Notification.user_id == provider.id)).one()
    assert mentor.reference in note.message
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "mentor.create")).one()
    assert event.details == {"source": "web", "consent_to_checks": True}


def test_bad_application_shows_errors_and_keeps_what_was_typed(client, db, world):
    response = client.post(
        "/volunteer",
        data=_application(world, postcode="NOT A CODE", consent=None, capacity="9"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "Enter a real postcode, like ME14 1XQ" in page
    assert "You must agree to the checks to apply" in page
    assert 'value="Robin"' in page
    assert db.exec(select(Mentor)).first() is None


def test_public_applications_are_throttled_per_address(app, client, world):
    app.config["APPLY_MAX_PER_ADDRESS"] = 2
    for n in range(2):
        data = _application(world, email=f"robin{n}@example.org")
        assert client.post("/volunteer", data=data).status_code == 302
    blocked = client.post("/volunteer", data=_application(world, email="robin9@example.org"))
    assert blocked.status_code == 429
    assert blocked.headers["Cache-Control"] == "no-store"


def test_a_bot_filling_the_hidden_field_saves_nothing(client, db, world):
    response = client.post("/volunteer", data=_application(world, website="http://spam"))
    assert response.status_code == 302
    assert db.exec(select(Mentor)).first() is None


# ---------------------------------------------------------------------------
# Staff: applications by phone, details
# ---------------------------------------------------------------------------


@pytest.fixture
def staff(client, make_user, sign_in):
    user = make_user(Role.PROVIDER)
    sign_in(user)
    return user


def test_staff_record_a_phone_application_and_duplicates_are_caught(client, db, world, staff):
    data = _application(world, source="phone")
    data.pop("adult")
    response = client.post("/mentors/new", data=data)
    assert response.status_code == 302
    mentor = db.exec(select(Mentor)).one()
    assert mentor.source == "phone"
    again = client.post("/mentors/new", data=data).get_data(as_text=True)
    assert f"A volunteer with this email address already exists ({mentor.reference})" in again


def test_changing_details_is_audited_with_field_names(client, db, world, staff):
    mentor = vetted_mentor(db, world.dartford)
    page = client.get(f"/mentors/{mentor.id}/edit").get_data(as_text=True)
    assert f'value="{mentor.email}"' in page
    data = _application(world, email=mentor.email, capacity="3", postcode="ME14 1XQ")
    response = client.post(f"/mentors/{mentor.id}/edit", data=data)
    assert response.status_code == 302
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "mentor.update")).one()
    assert {"capacity", "postcode", "first_name"} <= set(event.details["fields"])
    assert "ME14 1XQ" not in str(event.details)


# ---------------------------------------------------------------------------
# Vetting records, stages, marking ready
# ---------------------------------------------------------------------------


def _applicant(db, world) -> Mentor:
    mentor = Mentor(
        reference="M-0500",
        first_name="Robin",
        last_name="Hart",
        email="robin@example.org",
        postcode="DA1 1AA",
        home_district_id=world.dartford.id,
        languages=["English"],
        availability=["weekend"],
    )
    db.add(mentor)
    db.commit()
    return mentor


def _stage(db, mentor_id: int) -> str:
    refresh(db)
    return db.get(Mentor, mentor_id).stage


def test_staff_take_an_applicant_through_every_check_to_ready(client, db, world, staff):
    mentor = _applicant(db, world)
    today = date.today()
    base = f"/mentors/{mentor.id}"
    refused = client.post(f"{base}/ready", data={})
    assert refused.status_code == 422
    assert "No satisfactory references (needs 2)" in refused.get_data(as_text=True)

    for name in ("Ann Referee", "Bob Referee"):
        assert (
            client.post(
                f"{base}/references/new",
                data={
                    "referee_name": name,
                    "requested_on": _day(today - timedelta(days=10)),
                },
            ).status_code
            == 302
        )
    assert _stage(db, mentor.id) == "references"
    for ref in db.exec(select(Reference).where(Reference.mentor_id == mentor.id)).all():
        assert (
            client.post(
                f"{base}/references/{ref.id}",
                data={
                    "referee_name": ref.referee_name,
                    "requested_on": _day(today - timedelta(days=10)),
                    "received_on": _day(today),
                    "satisfactory": "yes",
                },
            ).status_code
            == 302
        )
    assert _stage(db, mentor.id) == "dbs"

    dbs_form = {
        "level": "enhanced_children",
        "certificate_number": "1234",
        "issue_date": _day(today),
        "result": "clear",
        "update_service_subscribed": "no",
    }
    bad = client.post(f"{base}/dbs/new", data=dbs_form).get_data(as_text=True)
    assert "The certificate number must be 12 digits, like 001234567890" in bad
    assert 'value="1234"' in bad
    dbs_form["certificate_number"] = "001234567890"
    assert client.post(f"{base}/dbs/new", data=dbs_form).status_code == 302
    assert _stage(db, mentor.id) == "interview"

    assert (
        client.post(
            f"{base}/interviews/new",
            data={
                "held_on": _day(today),
                "interviewers": "Priya Shah",
                "outcome": "passed",
            },
        ).status_code
        == 302
    )
    assert _stage(db, mentor.id) == "training"

    mandatory = db.exec(select(TrainingModule).where(col(TrainingModule.mandatory).is_(True))).all()
    for module in mandatory:
        assert (
            client.post(
                f"{base}/training/new",
                data={
                    "module": str(module.id),
                    "completed_on": _day(today),
                },
            ).status_code
            == 302
        )
    assert _stage(db, mentor.id) == "training"  # ready only when staff mark it

    page = client.get(base).get_data(as_text=True)
    assert "Every check is done and in date" in page
    assert client.post(f"{base}/ready", data={}).status_code == 302
    refresh(db)
    saved = db.get(Mentor, mentor.id)
    assert (saved.stage, saved.matchable_since) == ("ready", today)
    actions = db.exec(
        select(AuditEvent.action).where(AuditEvent.object_id == mentor.id).order_by(AuditEvent.id)
    ).all()
    assert {
        "reference.add",
        "reference.update",
        "dbs.record",
        "interview.record",
        "training.record",
        "mentor.stage",
        "mentor.ready",
    } <= set(actions)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("issue_date", ["1", "1", "2999"], "The issue date must be today or in the past"),
        ("issue_date", ["31", "2", "2025"], "The issue date must be a real date"),
        ("issue_date", ["", "2", "2025"], "The issue date must include a day"),
        ("issue_date", ["", "", ""], "Enter the issue date"),
        ("certificate_number", "", "Enter the certificate number"),
        ("level", None, "Select the level of the DBS check"),
        (
            "last_status_check_on",
            ["1", "1", "2025"],
            "Only record a status check for someone who subscribes to the Update Service",
        ),
    ],
)
def test_dbs_form_shows_each_problem_beside_its_field(
    client, db, world, staff, field, value, message
):
    mentor = _applicant(db, world)
    data = {
        "level": "enhanced_children",
        "certificate_number": "001234567890",
        "issue_date": ["1", "1", "2025"],
        "result": "clear",
        "update_service_subscribed": "no",
    }
    if value is None:
        data.pop(field)
    else:
        data[field] = value
    response = client.post(f"/mentors/{mentor.id}/dbs/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert f'href="#{field}' in page  # the error summary links to the field
    assert db.exec(select(DbsCheck)).first() is None


def test_the_dbs_form_has_no_field_for_content_or_scans(client, db, world, staff):
    mentor = _applicant(db, world)
    page = client.get(f"/mentors/{mentor.id}/dbs/new").get_data(as_text=True)
    assert 'type="file"' not in page
    assert "enctype" not in page
    client.post(
        f"/mentors/{mentor.id}/dbs/new",
        data={
            "level": "enhanced_children",
            "certificate_number": "001234567890",
            "issue_date": ["1", "1", "2025"],
            "result": "clear",
            "update_service_subscribed": "no",
            "certificate_content": "Caution for theft, 2009",
        },
    )
    check = db.exec(select(DbsCheck)).one()
    assert "theft" not in str(check.model_dump())


def test_a_disclosed_check_needs_a_decision_by_a_named_person(client, db, world, staff):
    mentor = vetted_mentor(db, world.dartford)
    dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).one()
    dbs.result = "disclosed"
    db.add(dbs)
    db.commit()
    url = f"/mentors/{mentor.id}/dbs/{dbs.id}/decision"
    assert "Enter a short rationale" in client.post(url, data={"decision": "proceed"}).get_data(
        as_text=True
    )
    assert (
        client.post(url, data={"decision": "proceed", "rationale": "Spent, unrelated"}).status_code
        == 302
    )
    refresh(db)
    saved = db.get(DbsCheck, dbs.id)
    assert (saved.decision, saved.decision_by_id) == ("proceed", staff.id)
    page = client.get(f"/mentors/{mentor.id}").get_data(as_text=True)
    assert f"Proceed, by {staff.name}" in page


def test_pausing_a_mentor_with_families_tells_their_coordinator(
    client, db, world, staff, make_user
):
    coordinator = make_user(Role.COORDINATOR, districts=[world.dartford])
    mentor = vetted_mentor(db, world.dartford)
    mentor.matchable_since = date.today() - timedelta(days=10)
    family = ready_family(db, world.dartford)
    db.add(
        Match(
            family_id=family.id,
            mentor_id=mentor.id,
            slot="mentor",
            status=MatchStatus.ACTIVE.value,
            started_on=date.today(),
        )
    )
    db.commit()
    missing_reason = client.post(f"/mentors/{mentor.id}/status", data={"status": "rejected"})
    assert "Enter the reason for rejecting the volunteer" in missing_reason.get_data(as_text=True)
    response = client.post(
        f"/mentors/{mentor.id}/status",
        data={
            "status": "paused",
            "reason": "Illness",
        },
    )
    assert response.status_code == 302
    note = db.exec(select(Notification).where(Notification.user_id == coordinator.id)).one()
    assert note.urgent and "Paused" not in note.message and family.reference in note.message
    refresh(db)
    assert db.get(Mentor, mentor.id).matchable_since is None


def test_moving_a_stage_by_hand_never_reaches_ready(client, db, world, staff):
    mentor = _applicant(db, world)
    assert (
        client.post(f"/mentors/{mentor.id}/stage", data={"stage": "interview"}).status_code == 302
    )
    assert _stage(db, mentor.id) == "interview"
    page = client.post(f"/mentors/{mentor.id}/stage", data={"stage": "ready"}).get_data(
        as_text=True
    )
    assert "govuk-error-summary" in page
    assert _stage(db, mentor.id) == "interview"


# ---------------------------------------------------------------------------
# The board and keeping in date
# ---------------------------------------------------------------------------


def test_board_counts_filters_searches_and_pages(client, db, world, staff):
    for n in range(30):
        db.add(
            Mentor(
                reference=f"M-{n + 1:04d}",
                first_name="Person",
                last_name=f"Number{n}",
                email=f"p{n}@example.org",
                home_district_id=(world.dartford if n % 2 else world.maidstone).id,
                stage=PipelineStage.REFERENCES.value if n < 5 else PipelineStage.APPLIED.value,
                kind="role_model" if n == 7 else "volunteer",
            )
        )
    db.add(
        Mentor(
            reference="M-0099",
            first_name="Zara",
            last_name="Quinn",
            email="z@example.org",
            home_district_id=world.gravesham.id,
            status="withdrawn",
        )
    )
    db.commit()
    page = client.get("/mentors/").get_data(as_text=True)
    assert "30 mentors" in page  # withdrawn is off the board by default
    assert 'aria-label="Page 2"' in page or "govuk-pagination" in page
    second = client.get("/mentors/?page=2").get_data(as_text=True)
    assert second.count('href="/mentors/') > 5
    refs = client.get("/mentors/?stage=references").get_data(as_text=True)
    assert "5 mentors" in refs
    dartford = client.get(f"/mentors/?district={world.dartford.id}").get_data(as_text=True)
    assert "15 mentors" in dartford
    kind = client.get("/mentors/?kind=role_model").get_data(as_text=True)
    assert "1 mentor" in kind and "Number7" in kind
    search = client.get("/mentors/?q=number1").get_data(as_text=True)
    assert "11 mentors" in search  # Number1, Number10..19
    withdrawn = client.get("/mentors/?stage=withdrawn").get_data(as_text=True)
    assert "Zara Quinn" in withdrawn
    nothing = client.get("/mentors/?q=%25").get_data(as_text=True)
    assert "No mentors match these filters" in nothing


def test_board_flags_ready_mentors_who_are_not_matchable(client, db, world, staff):
    fine = vetted_mentor(db, world.dartford)
    lapsed = vetted_mentor(db, world.dartford)
    dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == lapsed.id)).one()
    dbs.issue_date = add_months(date.today(), -37)
    db.add(dbs)
    db.commit()
    page = client.get("/mentors/?stage=not_matchable").get_data(as_text=True)
    assert lapsed.last_name in page and fine.last_name not in page
    assert "Not matchable" in page


def test_keeping_in_date_lists_expiring_and_expired_items(client, db, world, staff):
    mentor = vetted_mentor(db, world.dartford)
    dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == mentor.id)).one()
    dbs.issue_date = add_months(date.today(), -36) + timedelta(days=12)
    db.add(dbs)
    db.commit()
    page = client.get("/mentors/keeping-in-date").get_data(as_text=True)
    assert mentor.last_name in page and "Due in 12 days" in page
    assert "DBS check" in page


def test_a_role_model_is_linked_to_their_familys_record(client, db, world, staff):
    mentor = vetted_mentor(db, world.dartford)
    family = ready_family(db, world.dartford)
    data = _application(world, email=mentor.email, kind="role_model")
    wrong = client.post(
        f"/mentors/{mentor.id}/edit", data={**data, "former_family_reference": "DAR-9999"}
    )
    assert "There is no family with this reference" in wrong.get_data(as_text=True)
    volunteer = client.post(
        f"/mentors/{mentor.id}/edit",
        data={**data, "kind": "volunteer", "former_family_reference": family.reference},
    )
    assert "Only a former-participant role model has a family reference" in volunteer.get_data(
        as_text=True
    )
    ok = client.post(
        f"/mentors/{mentor.id}/edit",
        data={**data, "former_family_reference": family.reference.lower()},
    )
    assert ok.status_code == 302
    refresh(db)
    saved = db.get(Mentor, mentor.id)
    assert (saved.kind, saved.former_family_id) == ("role_model", family.id)
    assert family.reference in client.get(f"/mentors/{mentor.id}").get_data(as_text=True)


def test_provider_home_links_to_the_mentor_pages(client, staff):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/mentors/"' in page and 'href="/mentors/new"' in page
