"""The board, a mentor's page, details, stage and status (`mentoring/mentors/views.py`)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from mentoring.models import (
    AuditEvent,
    DbsCheck,
    Match,
    MatchStatus,
    Mentor,
    Notification,
    PipelineStage,
    Role,
)
from mentoring.services.common.dates import add_months
from tests.factories import ready_family, refresh, vetted_mentor
from tests.mentors.helpers import _applicant, _application, _stage


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


def test_the_staff_form_speaks_of_the_volunteer_and_the_public_page_to_them(
    client, app, world, staff
):
    page = client.get("/mentors/new").get_data(as_text=True)
    for label in ("District they live in", "When are they available?", "Languages they speak"):
        assert label in page
    assert "you live in" not in page and "Tell us about your experience" not in page
    data = _application(world, source="phone")
    del data["home_district"], data["availability"]
    page = client.post("/mentors/new", data=data).get_data(as_text=True)
    assert "Select the district they live in" in page
    assert "Select when they are available" in page
    public = app.test_client().get("/volunteer").get_data(as_text=True)
    assert "District you live in" in public and "Tell us about your experience" in public
    assert "they live in" not in public
