"""Safeguarding pages: raising a concern, who sees what, the lead's case page."""

from datetime import date

from sqlmodel import select

from mentoring.models import (
    AuditEvent,
    District,
    Notification,
    Role,
    SafeguardingConcern,
    SafeguardingEntry,
)
from tests.factories import active_match, refresh
from tests.safeguarding.helpers import RAISED, dsl, raise_as_mentor


def _today() -> list[str]:
    today = date.today()
    return [str(today.day), str(today.month), str(today.year)]


def test_a_mentor_in_immediate_danger_is_told_to_call_999_and_the_mash_number_first(
    client, sign_in, db, world, make_user, app, coordinator
):
    district = db.get(District, world.dartford.id)
    district.mash_phone = "03000 41 11 11"
    db.add(district)
    db.commit()
    mentor, _family, match = active_match(app, db, world, coordinator)
    sign_in(make_user(Role.MENTOR, mentor_id=mentor.id))
    first = client.get(f"/my/families/{match.id}/concern").get_data(as_text=True)
    assert "immediate danger" in first and "Call 999 now" not in first
    refused = client.post(f"/my/families/{match.id}/concern", data={})
    assert "Say whether someone is in immediate danger now" in refused.get_data(as_text=True)
    answered = client.post(f"/my/families/{match.id}/concern", data={"immediate_danger": "yes"})
    assert answered.headers["Location"].endswith("?danger=yes")
    page = client.get(answered.headers["Location"]).get_data(as_text=True)
    assert "Call 999 now" in page and "03000 41 11 11" in page


def test_a_raised_concern_alerts_the_lead_and_coordinators_and_gives_a_reference(
    client, sign_in, db, world, make_user, app, coordinator
):
    lead = dsl(make_user)
    mentor, family, match = active_match(app, db, world, coordinator)
    raiser = make_user(Role.MENTOR, mentor_id=mentor.id)
    sign_in(raiser)
    response = raise_as_mentor(client, match.id, danger="yes")
    assert response.status_code == 302
    concern = db.exec(select(SafeguardingConcern)).one()
    assert concern.reference == f"SG-{concern.id:04d}"
    assert concern.immediate_danger and concern.category == "neglect"
    assert concern.district_id == world.dartford.id
    for user in (lead, coordinator):
        note = db.exec(select(Notification).where(Notification.user_id == user.id)).one()
        assert note.urgent and concern.reference in note.message
        assert "no food" not in note.message
    mine = client.get("/my/concerns").get_data(as_text=True)
    assert concern.reference in mine and "Open: awaiting triage" in mine
    assert "no food" not in mine  # the mentor sees the status only
    assert client.get(f"/safeguarding/{concern.id}").status_code == 404


def test_a_concern_form_keeps_what_was_typed_and_says_what_is_missing(
    client, sign_in, db, world, make_user, app, coordinator
):
    mentor, _family, match = active_match(app, db, world, coordinator)
    sign_in(make_user(Role.MENTOR, mentor_id=mentor.id))
    page = raise_as_mentor(client, match.id, category="", people_involved="").get_data(as_text=True)
    assert "Choose what kind of concern it is" in page
    assert "Say who is involved" in page
    assert "no food in the house" in page  # kept
    assert db.exec(select(SafeguardingConcern)).first() is None


def test_a_concern_on_a_match_the_user_does_not_hold_is_404(
    client, sign_in, db, world, make_user, app, coordinator
):
    mentor, _family, match = active_match(app, db, world, coordinator)
    other, _f, other_match = active_match(app, db, world, coordinator)
    sign_in(make_user(Role.MENTOR, mentor_id=mentor.id))
    assert raise_as_mentor(client, other_match.id).status_code == 404
    maidstone = make_user(Role.COORDINATOR, districts=[world.maidstone])
    sign_in(maidstone)
    assert client.get(f"/safeguarding/matches/{match.id}/raise?danger=no").status_code == 404
    assert db.exec(select(SafeguardingConcern)).first() is None


def _raised(client, sign_in, db, world, make_user, app, coordinator):  # type: ignore[no-untyped-def]
    mentor, _family, match = active_match(app, db, world, coordinator)
    sign_in(make_user(Role.MENTOR, mentor_id=mentor.id))
    raise_as_mentor(client, match.id)
    concern = db.exec(select(SafeguardingConcern)).one()
    refresh(db)
    return concern


def test_the_lead_triages_refers_and_closes_a_case_and_every_view_is_audited(
    client, sign_in, db, world, make_user, app, coordinator
):
    concern = _raised(client, sign_in, db, world, make_user, app, coordinator)
    sign_in(dsl(make_user))
    page = client.get(f"/safeguarding/{concern.id}").get_data(as_text=True)
    assert "no food in the house" in page and "Awaiting triage" in page
    assert concern.reference in client.get("/safeguarding/").get_data(as_text=True)
    url = f"/safeguarding/{concern.id}"
    early = client.post(f"{url}/close", data={"close-outcome": "early_help", "close-reason": "x"})
    assert "Triage the case and record a referral" in early.get_data(as_text=True)
    triaged = client.post(f"{url}/triage", data={"triage-decision": "Refer to MASH"})
    assert triaged.status_code == 302
    missing = client.post(f"{url}/referral", data={"referral-agency": "mash"})
    text = missing.get_data(as_text=True)
    assert "Enter the reference they gave" in text and "Enter the date of the referral" in text
    referred = client.post(
        f"{url}/referral",
        data={
            "referral-agency": "mash",
            "referral-reference": "MASH-12345",
            "referral-referred_on": _today(),
        },
    )
    assert referred.status_code == 302
    assert (
        client.post(
            f"{url}/entry", data={"entry-kind": "feedback", "entry-text": "Told the mentor"}
        ).status_code
        == 302
    )
    closed = client.post(
        f"{url}/close", data={"close-outcome": "early_help", "close-reason": "Family accepted"}
    )
    assert closed.status_code == 302
    refresh(db)
    concern = db.get(SafeguardingConcern, concern.id)
    assert concern.status == "closed" and concern.outcome == "early_help"
    assert concern.triaged_at is not None
    kinds = db.exec(
        select(SafeguardingEntry.kind).where(SafeguardingEntry.concern_id == concern.id)
    ).all()
    assert kinds == ["triage", "referral", "feedback", "outcome"]
    views = db.exec(select(AuditEvent).where(AuditEvent.action == "concern.view")).all()
    assert len(views) >= 2 and all(v.object_id == concern.id for v in views)
    assert all("no food" not in str(e.details) for e in db.exec(select(AuditEvent)).all())


def test_only_the_lead_acts_and_others_out_of_scope_get_404(
    client, sign_in, db, world, make_user, app, coordinator
):
    concern = _raised(client, sign_in, db, world, make_user, app, coordinator)
    url = f"/safeguarding/{concern.id}"
    sign_in(coordinator)
    page = client.get(url).get_data(as_text=True)
    assert "no food" in page and "Record triage" not in page
    assert client.post(f"{url}/triage", data={"triage-decision": "x"}).status_code == 403
    for role, kwargs in (
        (Role.COORDINATOR, {"districts": [world.maidstone]}),
        (Role.PROVIDER, {}),
        (Role.ADMIN, {}),
    ):
        refresh(db)
        sign_in(make_user(role, **kwargs))
        assert client.get(url).status_code == 404
        assert concern.reference not in client.get("/safeguarding/").get_data(as_text=True)
    refresh(db)
    other_mentor, _f, _m = active_match(app, db, world, coordinator)
    sign_in(make_user(Role.MENTOR, mentor_id=other_mentor.id))
    assert concern.reference not in client.get("/my/concerns").get_data(as_text=True)
    assert client.get(url).status_code == 404


def test_an_allegation_is_seen_only_by_the_lead_and_provider_staff_never_the_mentor(
    client, sign_in, db, world, make_user, app, coordinator
):
    mentor, _family, match = active_match(app, db, world, coordinator)
    provider = make_user(Role.PROVIDER)
    sign_in(provider)
    found = client.post("/safeguarding/allegation", data={"reference": mentor.reference.lower()})
    assert found.headers["Location"].endswith(f"/safeguarding/mentors/{mentor.id}/allegation")
    missing = client.post("/safeguarding/allegation", data={"reference": "M-0000"})
    assert "There is no mentor with that reference" in missing.get_data(as_text=True)
    response = client.post(
        f"/safeguarding/mentors/{mentor.id}/allegation?danger=no",
        data={**RAISED, "category": "physical_abuse"},
    )
    assert response.status_code == 302
    allegation = db.exec(select(SafeguardingConcern)).one()
    refresh(db)
    assert allegation.is_allegation and allegation.mentor_id == mentor.id
    url = f"/safeguarding/{allegation.id}"
    assert "no food in the house" in client.get(url).get_data(as_text=True)
    refresh(db)
    sign_in(dsl(make_user))
    assert "Not yet recorded: due within one working day" in client.get(url).get_data(as_text=True)
    sign_in(coordinator)
    assert client.get(url).status_code == 404
    assert allegation.reference not in client.get("/safeguarding/").get_data(as_text=True)
    paused = client.get(f"/matching/matches/{match.id}").get_data(as_text=True)
    assert 'data-testid="match-paused"' in paused and "allegation" not in paused.lower()
    refresh(db)
    sign_in(make_user(Role.MENTOR, mentor_id=mentor.id))
    assert client.get(url).status_code == 404
    assert allegation.reference not in client.get("/my/concerns").get_data(as_text=True)


def test_a_mentor_adds_a_later_fact_to_their_concern_and_the_first_words_stay(
    client, sign_in, db, world, make_user, app, coordinator
):
    lead = dsl(make_user)
    mentor, _family, match = active_match(app, db, world, coordinator)
    raiser = make_user(Role.MENTOR, mentor_id=mentor.id)
    sign_in(raiser)
    raise_as_mentor(client, match.id)
    concern = db.exec(select(SafeguardingConcern)).one()
    url = f"/my/concerns/{concern.id}/add"
    refresh(db)
    assert "Write what you have learned since" in client.post(url, data={}).get_data(as_text=True)
    assert client.post(url, data={"text": "Now the fridge is empty too"}).status_code == 302
    entry = db.exec(select(SafeguardingEntry)).one()
    assert entry.kind == "further_information" and entry.recorded_by_id == raiser.id
    assert db.get(SafeguardingConcern, concern.id).details == RAISED["details"]
    told = db.exec(
        select(Notification).where(Notification.user_id == lead.id).order_by(Notification.id)
    ).all()
    assert "New information" in told[-1].message
    refresh(db)
    other_mentor, _f, _m = active_match(app, db, world, coordinator)
    sign_in(make_user(Role.MENTOR, mentor_id=other_mentor.id))
    assert client.get(url).status_code == 404
    assert client.post(url, data={"text": "x"}).status_code == 404
