"""Family pages: adding, criteria, consent, engagement, results, lists, export and audit."""

import csv
import io
from datetime import timedelta

import pytest
from sqlmodel import select

from mentoring.models import (
    AuditEvent,
    Engagement,
    Family,
    FamilyCriterion,
    FamilyEvent,
    FamilyNeed,
    FamilyOutcome,
    Match,
    MatchStatus,
    Need,
    Role,
    Slot,
    utcnow,
)
from tests.factories import ready_family, vetted_mentor

TODAY = utcnow().date()


def _date(name, day):
    return {name: [str(day.day), str(day.month), str(day.year)]}


def _family_form(world, **overrides):
    form = {
        "district": str(world.dartford.id),
        "tranche": "3",
        "key_worker_name": "Kim Keyworker",
        "key_worker_agency": "Early Help",
        "key_worker_contact": "kim@kent.example.gov.uk",
        "shared_first_names": "Sam and Alex",
        "adults": "1",
        "children_5_10": "2",
        "languages": ["English"],
        "availability": ["weekday_evening"],
        "needs": ["school_attendance", "debt_money"],
        "wants_role_model": "no",
        "safety_notes": "Dog in the house",
        "agreed_goals": "Children at school on time",
    }
    form.update(_date("referred_on", TODAY - timedelta(days=10)))
    form.update(overrides)
    return form


@pytest.fixture
def coordinator(make_user, world):
    return make_user(Role.COORDINATOR, districts=[world.dartford, world.gravesham])


@pytest.fixture
def client(app, coordinator, sign_in):
    client = app.test_client()
    sign_in(coordinator, test_client=client)
    return client


def _criteria_form(codes, discretion=""):
    form = {"programme_phase": "1", "discretion_reason": discretion}
    for code in codes:
        form[code] = "y"
        form[f"{code}_source"] = "Police data"
        form.update(_date(f"{code}_date", TODAY - timedelta(days=20)))
    return form


def _consent_form(mentoring="given", sharing="given", on=TODAY):
    form = {"consent_mentoring": mentoring, "consent_sharing": sharing}
    form.update(_date("consent_mentoring_on", on))
    form.update(_date("consent_sharing_on", on))
    return form


# ---------------------------------------------------------------------------
# Adding a family
# ---------------------------------------------------------------------------


def test_coordinator_adds_a_family_with_a_district_reference(client, db, world, coordinator):
    response = client.post("/families/new", data=_family_form(world))
    assert response.status_code == 302
    family = db.exec(select(Family)).one()
    assert (
        response.headers["Location"] == f"/families/{family.id}/steps"
    )  # the task list of adding it
    assert family.reference == "DAR-0001"
    assert family.children_5_10 == 2
    assert family.engagement == Engagement.IDENTIFIED.value
    needs = db.exec(select(Need.code).join(FamilyNeed, FamilyNeed.need_id == Need.id)).all()
    assert sorted(needs) == ["debt_money", "school_attendance"]
    created = db.exec(select(AuditEvent).where(AuditEvent.action == "family.create")).one()
    assert (created.actor_id, created.object_id) == (coordinator.id, family.id)
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "Sam and Alex" in page
    assert "Family DAR-0001 added" in page


def test_family_list_never_shows_names(client, db, world):
    client.post("/families/new", data=_family_form(world))
    page = client.get("/families/").get_data(as_text=True)
    assert "DAR-0001" in page
    assert "Sam and Alex" not in page
    assert "Kim Keyworker" not in page


BAD_DETAILS = [
    ({"referred_on": ["", "", ""]}, "Enter the date of referral"),
    ({"referred_on": ["31", "2", "2026"]}, "Date of referral must be a real date"),
    ({"referred_on": ["", "3", "2026"]}, "Date of referral must include a day"),
    ({"adults": ""}, "Enter the number of adults"),
    ({"adults": "two"}, "Enter adults as a whole number, like 2"),
    ({"adults": "0", "children_5_10": "0"}, "A family has at least one person"),
    ({"children_0_4": "40"}, "Enter a number from 0 to 20"),
    ({"gender_required": "y"}, "gender to make it a requirement"),
    ({"language_required": "y"}, "language to make it a requirement"),
    ({"previous_reference": "DAR-9999"}, "There is no family with reference DAR-9999"),
]


def test_bad_family_details_are_shown_beside_the_field_and_kept(client, db, world):
    for overrides, message in BAD_DETAILS:
        response = client.post("/families/new", data=_family_form(world, **overrides))
        page = response.get_data(as_text=True)
        assert response.status_code == 200, overrides
        assert "govuk-error-summary" in page, overrides
        assert message in page, overrides
        assert 'value="Kim Keyworker"' in page, overrides
    assert db.exec(select(Family)).all() == []


def test_referral_date_in_the_future_is_refused(client, db, world):
    form = _family_form(world, **_date("referred_on", TODAY + timedelta(days=1)))
    page = client.post("/families/new", data=form).get_data(as_text=True)
    assert "The referral date must be today or in the past" in page
    assert db.exec(select(Family)).all() == []


def test_coordinator_changes_a_familys_needs_and_preferences(client, db, world):
    family = ready_family(db, world.dartford)
    form = _family_form(
        world,
        needs=["housing"],
        gender_preference="female",
        gender_required="y",
        risk_domestic_abuse="y",
    )
    del form["district"]
    response = client.post(f"/families/{family.id}/edit", data=form)
    assert response.status_code == 302
    db.refresh(family)
    assert (family.gender_preference, family.gender_required) == ("female", True)
    assert family.risk_domestic_abuse
    needs = db.exec(
        select(Need.code)
        .join(FamilyNeed, FamilyNeed.need_id == Need.id)
        .where(FamilyNeed.family_id == family.id)
    ).all()
    assert needs == ["housing"]
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "family.update")).one()
    assert "needs" in event.details["fields"]
    assert "Dog" not in str(event.details)


def test_edit_form_shows_the_current_details(client, db, world):
    family = ready_family(db, world.dartford)
    page = client.get(f"/families/{family.id}/edit").get_data(as_text=True)
    assert 'value="Kim Keyworker"' in page
    assert "Dog in the house" in page


# ---------------------------------------------------------------------------
# Criteria, consent and the waiting list
# ---------------------------------------------------------------------------


def _waiting_list(client):
    page = client.get("/families/?mentor=waiting&sort=waiting").get_data(as_text=True)
    return page[page.index("<h1") :]  # after any flash message


def test_recorded_criteria_and_consent_put_a_family_on_the_waiting_list(client, db, world):
    client.post("/families/new", data=_family_form(world))
    family = db.exec(select(Family)).one()
    client.post(
        f"/families/{family.id}/engagement",
        data={"engagement": "engaged", **_date("on", TODAY)},
    )
    assert "DAR-0001" not in _waiting_list(client)

    response = client.post(
        f"/families/{family.id}/eligibility",
        data=_criteria_form(["crime_asb", "education", "worklessness"]),
    )
    assert response.status_code == 302
    assert "DAR-0001" not in _waiting_list(client)

    response = client.post(f"/families/{family.id}/consent", data=_consent_form())
    assert response.status_code == 302
    assert "DAR-0001" in _waiting_list(client)

    client.post(
        f"/families/{family.id}/consent",
        data=_consent_form(mentoring="not_given", sharing="given"),
    )
    assert "DAR-0001" not in _waiting_list(client)
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "Withdrawn on" in page
    assert "Consent to mentoring withdrawn" in page
    assert "No consent to mentoring" in page


def test_two_criteria_need_a_discretion_reason(client, db, world):
    family = ready_family(db, world.dartford)
    client.post(
        f"/families/{family.id}/eligibility", data=_criteria_form(["crime_asb", "education"])
    )
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "Not eligible" in page
    assert "record why it is also a concern" in page
    client.post(
        f"/families/{family.id}/eligibility",
        data=_criteria_form(["crime_asb", "education"], discretion="Rent arrears, eviction risk"),
    )
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "included at local discretion" in page
    assert family.reference in _waiting_list(client)


def test_criterion_without_evidence_is_refused_and_nothing_changes(client, db, world):
    family = ready_family(db, world.dartford)
    form = _criteria_form(["crime_asb", "education", "worklessness"])
    form["worklessness_source"] = ""
    page = client.post(f"/families/{family.id}/eligibility", data=form).get_data(as_text=True)
    assert "Enter where the evidence for worklessness came from" in page
    assert len(db.exec(select(FamilyCriterion)).all()) == 3
    form = _criteria_form(["crime_asb"])
    form.update({"crime_asb_date": ["", "", ""]})
    page = client.post(f"/families/{family.id}/eligibility", data=form).get_data(as_text=True)
    assert "Enter the date of the evidence for crime or anti-social behaviour" in page


def test_consent_without_a_date_is_refused(client, db, world):
    family = ready_family(db, world.dartford, consent=False)
    form = _consent_form()
    form["consent_mentoring_on"] = ["", "", ""]
    page = client.post(f"/families/{family.id}/consent", data=form).get_data(as_text=True)
    assert "Enter the date consent to mentoring was given" in page
    db.refresh(family)
    assert not family.consent_mentoring
    assert not family.consent_sharing


def test_consent_form_saves_neither_consent_when_one_is_wrong(client, db, world):
    family = ready_family(db, world.dartford, consent=False)
    form = _consent_form()
    form["consent_sharing_on"] = ["", "", ""]  # mentoring is fine, sharing has no date
    page = client.post(f"/families/{family.id}/consent", data=form).get_data(as_text=True)
    assert "Enter the date consent to information sharing was given" in page
    db.refresh(family)
    assert not family.consent_mentoring
    assert not family.consent_sharing


def test_consent_records_who_and_when(client, db, world, coordinator):
    family = ready_family(db, world.dartford, consent=False)
    client.post(f"/families/{family.id}/consent", data=_consent_form(on=TODAY - timedelta(3)))
    db.refresh(family)
    assert family.consent_mentoring_on == TODAY - timedelta(3)
    assert family.consent_sharing_by_id == coordinator.id
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    assert f"recorded by {coordinator.name}" in page


# ---------------------------------------------------------------------------
# Engagement and referrals
# ---------------------------------------------------------------------------


def test_declined_family_is_kept_and_re_engages(client, db, world):
    family = ready_family(db, world.dartford)
    response = client.post(
        f"/families/{family.id}/engagement",
        data={"engagement": "declined", "reason": "Not now", **_date("on", TODAY - timedelta(5))},
    )
    assert response.status_code == 302
    assert family.reference not in _waiting_list(client)
    declined = client.get("/families/?engagement=declined").get_data(as_text=True)
    assert family.reference in declined
    client.post(
        f"/families/{family.id}/engagement",
        data={"engagement": "engaged", **_date("on", TODAY)},
    )
    assert family.reference in _waiting_list(client)
    history = db.exec(select(FamilyEvent.value).where(FamilyEvent.family_id == family.id)).all()
    assert history == ["declined", "engaged"]
    event = db.exec(
        select(AuditEvent).where(AuditEvent.action == "family.engagement").order_by(AuditEvent.id)
    ).all()[-1]
    assert event.details["re_engaged"] is True


def test_engagement_date_before_referral_is_refused(client, db, world):
    family = ready_family(db, world.dartford)
    page = client.post(
        f"/families/{family.id}/engagement",
        data={"engagement": "declined", **_date("on", family.referred_on - timedelta(1))},
    ).get_data(as_text=True)
    assert "The date must be on or after the referral" in page
    db.refresh(family)
    assert family.engagement == Engagement.ENGAGED.value


def test_family_with_a_mentor_cannot_be_exited_until_the_match_ends(client, db, world):
    family = ready_family(db, world.dartford)
    mentor = vetted_mentor(db, world.dartford)
    db.add(
        Match(
            family_id=family.id,
            mentor_id=mentor.id,
            slot=Slot.MENTOR.value,
            status=MatchStatus.ACTIVE.value,
        )
    )
    db.commit()
    page = client.post(
        f"/families/{family.id}/engagement", data={"engagement": "exited", **_date("on", TODAY)}
    ).get_data(as_text=True)
    assert f"End the family&#39;s match with {mentor.reference} first" in page
    db.refresh(family)
    assert family.exited_on is None


def test_exited_family_is_tracked_and_a_new_referral_shows_it_was_supported(client, db, world):
    family = ready_family(db, world.dartford)
    exit_day = TODAY - timedelta(days=10)
    client.post(
        f"/families/{family.id}/engagement", data={"engagement": "exited", **_date("on", exit_day)}
    )
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    tracked = exit_day.replace(year=exit_day.year + 1)
    assert f"Tracked until {tracked.day} {tracked:%B %Y}" in page
    assert "Add a new referral of this family" in page
    assert "add a new referral" in client.get(f"/families/{family.id}/engagement").get_data(
        as_text=True
    )

    form = client.get(f"/families/new?previous={family.id}").get_data(as_text=True)
    assert f'value="{family.reference}"' in form
    client.post("/families/new", data=_family_form(world, previous_reference=family.reference))
    again = db.exec(select(Family).where(Family.previous_family_id == family.id)).one()
    page = client.get(f"/families/{again.id}").get_data(as_text=True)
    assert "Supported before" in page
    assert family.reference in page
    assert f"Referred again as {again.reference}" in client.get(f"/families/{family.id}").get_data(
        as_text=True
    )


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


def test_family_is_turned_around_when_its_results_are_recorded(client, db, world):
    family = ready_family(db, world.dartford)
    for outcome in ("school_attendance", "offending_stopped"):
        response = client.post(
            f"/families/{family.id}/outcomes",
            data={
                "outcome": outcome,
                "evidence": "Records",
                **_date("achieved_on", TODAY - timedelta(1)),
            },
        )
        assert response.status_code == 302
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "Not turned around yet. Still to address: worklessness" in page
    client.post(
        f"/families/{family.id}/outcomes",
        data={"outcome": "work_pathway", "evidence": "Course", **_date("achieved_on", TODAY)},
    )
    page = client.get(f"/families/{family.id}").get_data(as_text=True)
    assert "Every problem the family had is addressed" in page
    client.post(f"/families/{family.id}/outcomes/work_pathway/remove")
    assert len(db.exec(select(FamilyOutcome)).all()) == 2
    assert "Still to address" in client.get(f"/families/{family.id}").get_data(as_text=True)


def test_result_without_evidence_or_in_the_future_is_refused(client, db, world):
    family = ready_family(db, world.dartford)
    page = client.post(
        f"/families/{family.id}/outcomes",
        data={"outcome": "into_work", "evidence": "", **_date("achieved_on", TODAY)},
    ).get_data(as_text=True)
    assert "Enter the evidence for the result" in page
    page = client.post(
        f"/families/{family.id}/outcomes",
        data={
            "outcome": "into_work",
            "evidence": "Payslip",
            **_date("achieved_on", TODAY + timedelta(2)),
        },
    ).get_data(as_text=True)
    assert "The date must be today or in the past" in page
    assert db.exec(select(FamilyOutcome)).all() == []


# ---------------------------------------------------------------------------
# Audit
# ---------------------------------------------------------------------------


def test_every_view_of_a_family_page_is_audited(client, db, world, coordinator):
    family = ready_family(db, world.dartford)
    client.get(f"/families/{family.id}")
    client.get(f"/families/{family.id}")
    views = db.exec(select(AuditEvent).where(AuditEvent.action == "family.view")).all()
    assert len(views) == 2
    assert {(v.actor_id, v.object_id, v.district_id) for v in views} == {
        (coordinator.id, family.id, world.dartford.id)
    }
    assert all(v.at is not None for v in views)


def test_audit_details_hold_field_names_not_values(client, db, world):
    family = ready_family(db, world.dartford)
    client.post(
        f"/families/{family.id}/engagement",
        data={"engagement": "declined", "reason": "Father in prison", **_date("on", TODAY)},
    )
    client.post(
        f"/families/{family.id}/eligibility",
        data=_criteria_form(["crime_asb", "education"], discretion="Known to police"),
    )
    events = db.exec(select(AuditEvent).where(AuditEvent.object_id == family.id)).all()
    text = str([e.details for e in events])
    assert "prison" not in text
    assert "police" not in text.lower()


# ---------------------------------------------------------------------------
# Lists and export
# ---------------------------------------------------------------------------


def test_lists_filter_by_tranche_need_engagement_mentor_and_days_waiting(client, db, world):
    old = ready_family(db, world.dartford, needs=("housing",), referred_days_ago=200)
    old.consent_mentoring_on = TODAY - timedelta(days=150)
    db.add(old)
    recent = ready_family(db, world.dartford, needs=("parenting",), referred_days_ago=10)
    recent.consent_mentoring_on = TODAY - timedelta(days=5)
    db.add(recent)
    tranche2 = ready_family(db, world.gravesham, tranche=2)
    matched = ready_family(db, world.dartford)
    mentor = vetted_mentor(db, world.dartford)
    db.add(
        Match(
            family_id=matched.id,
            mentor_id=mentor.id,
            slot=Slot.MENTOR.value,
            status=MatchStatus.ACCEPTED.value,
        )
    )
    db.commit()

    def refs(query):
        page = client.get(f"/families/?{query}").get_data(as_text=True)
        return {f.reference for f in (old, recent, tranche2, matched) if f.reference in page}

    assert refs("") == {old.reference, recent.reference, tranche2.reference, matched.reference}
    assert refs("tranche=2") == {tranche2.reference}
    assert refs("need=housing") == {old.reference}
    assert refs("mentor=matched") == {matched.reference}
    assert refs("mentor=waiting") == {old.reference, recent.reference}
    assert refs("mentor=not_ready") == {tranche2.reference}
    assert refs("mentor=waiting&waiting=100") == {old.reference}
    assert refs("engagement=declined") == set()
    assert refs(f"district={world.gravesham.id}") == {tranche2.reference}
    assert refs(f"reference={recent.reference.lower()}") == {recent.reference}
    waiting = client.get("/families/?mentor=waiting&sort=waiting").get_data(as_text=True)
    assert waiting.index(old.reference) < waiting.index(recent.reference)
    assert "150" in waiting


def test_bad_filter_values_show_an_error_not_a_500(client, world):
    response = client.get("/families/?waiting=soon&tranche=9")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter the days waiting as a whole number" in page


def test_lists_paginate(client, db, world):
    for _ in range(55):
        ready_family(db, world.dartford)
    first = client.get("/families/").get_data(as_text=True)
    assert "55 families – page 1 of 2" in first
    assert "DAR-0050" in first and "DAR-0051" not in first
    second = client.get("/families/?page=2").get_data(as_text=True)
    assert "DAR-0051" in second and "DAR-0050" not in second
    assert "page 2 of 2" in client.get("/families/?page=99").get_data(as_text=True)


def test_export_is_anonymised_and_safe_for_spreadsheets(client, db, world, coordinator):
    family = ready_family(db, world.dartford)
    family.languages = ['=HYPERLINK("http://evil")']
    family.discretion_reason = "Known to the police"
    db.add(family)
    db.commit()
    response = client.get("/families/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    for secret in (
        "Sam and Alex",
        "Kim Keyworker",
        "kim@kent.example.gov.uk",
        "Dog in the house",
        "Children at school on time",
        "Known to the police",
        "Police data",
    ):
        assert secret not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    row = rows[0]
    assert row["reference"] == family.reference
    assert row["criteria"] == "crime_asb;education;worklessness"
    assert row["eligible"] == "yes"
    assert row["ready_for_matching"] == "yes"
    assert row["languages"].startswith("'=")
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "family.export")).one()
    assert (event.actor_id, event.details["rows"]) == (coordinator.id, 1)


def test_export_follows_the_lists_filters(client, db, world):
    waiting = ready_family(db, world.dartford)
    declined = ready_family(db, world.dartford)
    declined.engagement = Engagement.DECLINED.value
    db.add(declined)
    db.commit()
    text = client.get("/families/export.csv?mentor=waiting").get_data(as_text=True)
    assert waiting.reference in text
    assert declined.reference not in text


def test_families_appear_in_the_navigation_for_coordinators(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/families/"' in page


def test_the_steps_of_adding_a_family_show_what_is_done_and_return_there(
    client, db, world, coordinator
):
    client.post("/families/new", data=_family_form(world))
    family = db.exec(select(Family)).one()
    page = client.get(f"/families/{family.id}/steps").get_data(as_text=True)
    assert "You have done 1 of 4 steps." in page
    assert f"/families/{family.id}/eligibility?from=steps" in page
    response = client.post(
        f"/families/{family.id}/engagement?from=steps",
        data={"engagement": "contacted", "on": ["1", "12", "2026"], "reason": ""},
    )
    assert response.headers["Location"] == f"/families/{family.id}/steps"
    page = client.get(f"/families/{family.id}/steps").get_data(as_text=True)
    assert "You have done 2 of 4 steps." in page
    assert "Continue adding" in client.get(f"/families/{family.id}").get_data(as_text=True)
