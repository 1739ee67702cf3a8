"""Safeguarding journeys: a mentor on a phone raises a concern and the designated
safeguarding lead handles it to an outcome; an untriaged concern escalates in the daily
job; an allegation suspends a mentor until it proves unfounded; nobody else sees any of it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, col, select

from mentoring.models import Family, Match, MatchStatus, User, service_today
from mentoring.services.safeguarding import Raised, raise_concern
from tests.browser.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MENTOR = "M-0001"  # Jo Baker, mentor@example.org


def _sign_out(page):  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")


def _fill_date(page, prefix: str) -> None:  # type: ignore[no-untyped-def]
    today = service_today()
    page.locator(f"[id='{prefix}-day']").fill(str(today.day))
    page.locator(f"[id='{prefix}-month']").fill(str(today.month))
    page.locator(f"[id='{prefix}-year']").fill(str(today.year))


def _jo_match(live_server) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """The demo mentor's first active match: (match id, family reference)."""
    with Session(live_server.app.extensions["db_engine"]) as db:
        jo = db.exec(select(User).where(User.email == "mentor@example.org")).one()
        match, family = db.exec(
            select(Match, Family)
            .join(Family, col(Family.id) == Match.family_id)
            .where(Match.mentor_id == jo.mentor_id, Match.status == MatchStatus.ACTIVE.value)
            .order_by(col(Family.reference))
        ).first()
        return int(match.id), family.reference


def _raised_by_jo(live_server):  # type: ignore[no-untyped-def]
    """A concern the demo mentor raised on their first active match: (match id, concern)."""
    match_id, _family = _jo_match(live_server)
    app = live_server.app
    with Session(app.extensions["db_engine"], expire_on_commit=False) as db:
        jo = db.exec(select(User).where(User.email == "mentor@example.org")).one()
        with app.test_request_context():
            concern = raise_concern(
                session=db,
                match=db.get(Match, match_id),
                actor_id=jo.id,
                raised=Raised("self_harm", "Said they want to hurt themselves", "Today", "Teen"),
            )
    return match_id, concern


def test_a_mentor_on_a_phone_raises_a_concern_and_the_lead_handles_it_to_an_outcome(
    page, live_server
):
    page.set_viewport_size(PHONE)
    sign_in_as(page, live_server.url, "mentor@example.org")
    families = page.get_by_test_id("my-families")
    reference = families.get_by_role("link").first.inner_text()
    families.get_by_role("link", name=reference).click()
    page.get_by_role("button", name="Raise a safeguarding concern").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("immediate danger")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_test_id("call-999")).to_contain_text("Call 999 now")
    expect(page.get_by_test_id("mash-phone")).to_contain_text("01632 960")
    screenshot(page, "safeguarding-mentor-phone-call-999")
    page.get_by_role("button", name="Raise the concern now").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose what kind of concern")
    page.get_by_label("Neglect", exact=True).check()
    page.get_by_label("What did you see or hear?").fill("The youngest said there is no food")
    page.get_by_label("When did it happen, or when were you told?").fill("Today at 4pm")
    page.get_by_label("Who is involved?").fill("The youngest child")
    page.get_by_role("button", name="Raise the concern now").click()
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("its reference is SG-")
    sg = banner.inner_text().split("its reference is ")[1].split(".")[0]
    expect(page.get_by_test_id("my-concerns")).to_contain_text("Open: awaiting triage")
    screenshot(page, "safeguarding-mentor-phone-raised")
    page.get_by_role("button", name="Menu").click()
    _sign_out(page)

    # The lead sees it at once, with the clock running, and triages it.
    page.set_viewport_size(DESKTOP)
    sign_in_as(page, live_server.url, "safeguarding@example.org")
    row = page.get_by_test_id("cases").get_by_role("row").filter(has_text=sg)
    expect(row).to_contain_text("Triage by")
    row.get_by_role("link", name=sg).click()
    expect(page.get_by_test_id("clock")).to_contain_text("Awaiting triage")
    expect(page.get_by_test_id("concern-details")).to_have_text(
        "The youngest said there is no food"
    )
    page.locator("#triage-decision").fill("Refer to the MASH today")
    page.get_by_role("button", name="Record triage").click()
    expect(page.get_by_test_id("case-summary")).to_contain_text("Triaged")

    # A referral with its reference and date, then the outcome.
    page.get_by_label("MASH (children's services front door)").check()
    page.locator("#referral-reference").fill("MASH-2026-0042")
    _fill_date(page, "referral-referred_on")
    page.get_by_role("button", name="Record referral").click()
    expect(page.get_by_test_id("chronology")).to_contain_text("MASH-2026-0042")
    page.get_by_label("Early help offered").check()
    page.locator("#close-reason").fill("The family accepted early help")
    page.get_by_role("button", name="Close the case").click()
    expect(page.get_by_test_id("case-summary")).to_contain_text("Closed")
    expect(page.get_by_test_id("case-summary")).to_contain_text("Early help offered")
    screenshot(page, "safeguarding-case-closed")


def test_an_untriaged_concern_escalates_in_the_daily_job(page, live_server):
    _match_id, concern = _raised_by_jo(live_server)
    app = live_server.app
    day = (service_today() + timedelta(days=2)).isoformat()
    result = app.test_cli_runner().invoke(args=["send-reminders", "--date", day])
    # The demo's own untriaged concern escalates too; each escalation happens once.
    assert re.search(r"safeguarding: [1-9]\d* untriaged concern\(s\) escalated", result.output)
    again = app.test_cli_runner().invoke(args=["send-reminders", "--date", day])
    assert "safeguarding: 0 untriaged concern(s) escalated" in again.output, again.output

    sign_in_as(page, live_server.url, "safeguarding@example.org")
    expect(page.get_by_test_id("notifications")).to_contain_text(
        f"{concern.reference} has not been triaged within 24 hours"
    )
    row = page.get_by_test_id("cases").get_by_role("row").filter(has_text=concern.reference)
    expect(row).to_contain_text("Escalated")
    row.get_by_role("link", name=concern.reference).click()
    expect(page.get_by_test_id("chronology")).to_contain_text("Escalated: not triaged")


def test_an_allegation_suspends_a_mentor_until_it_is_found_unfounded(page, live_server):
    match_id, family = _jo_match(live_server)
    sign_in_as(page, live_server.url, "safeguarding@example.org")
    page.get_by_role("link", name="Record an allegation against a mentor").click()
    page.get_by_label("Mentor reference").fill(MENTOR)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Emotional abuse", exact=True).check()
    page.get_by_label("What did you see or hear?").fill("A parent says the mentor shouted")
    page.get_by_label("When did it happen, or when were you told?").fill("Yesterday")
    page.get_by_label("Who is involved?").fill("The mentor and the eldest child")
    page.get_by_role("button", name="Raise the concern now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Safeguarding case SG-")
    case_url = page.url
    expect(page.get_by_test_id("case-summary")).to_contain_text(family)  # matches paused
    _sign_out(page)

    # A matching run does not propose them, and their match shows as paused.
    sign_in_as(page, live_server.url, "coordinator@example.org")
    page.get_by_role("navigation").get_by_role("link", name="Find mentors").click()
    page.get_by_label("Districts to match").select_option(label="Dartford")
    page.get_by_role("button", name="Find mentors").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Matching run")
    expect(page.locator("[data-testid^='proposal-']").filter(has_text=MENTOR)).to_have_count(0)
    page.goto(f"{live_server.url}/matching/matches/{match_id}")
    expect(page.get_by_test_id("match-paused")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("allegation")
    screenshot(page, "safeguarding-match-paused")
    _sign_out(page)

    # The LADO referral, then the outcome: unfounded. They are reinstated.
    sign_in_as(page, live_server.url, "safeguarding@example.org")
    page.goto(case_url)
    page.locator("#triage-decision").fill("Refer to the LADO")
    page.get_by_role("button", name="Record triage").click()
    page.get_by_label("LADO (local authority designated officer)").check()
    page.locator("#referral-reference").fill("LADO-31")
    _fill_date(page, "referral-referred_on")
    page.get_by_role("button", name="Record referral").click()
    page.get_by_label("Unfounded", exact=True).check()
    page.locator("#close-reason").fill("The LADO found no evidence")
    page.get_by_role("button", name="Close the case").click()
    expect(page.get_by_test_id("chronology")).to_contain_text(f"Mentor {MENTOR} reinstated")
    _sign_out(page)

    sign_in_as(page, live_server.url, "coordinator@example.org")
    page.goto(f"{live_server.url}/matching/matches/{match_id}")
    expect(page.get_by_test_id("match-status")).to_contain_text("Active")
    expect(page.get_by_test_id("match-paused")).to_have_count(0)


def test_another_districts_coordinator_and_other_mentors_get_404(page, live_server):
    match_id, concern = _raised_by_jo(live_server)
    urls = [
        f"/safeguarding/{concern.id}",
        f"/safeguarding/matches/{match_id}/raise",
        f"/my/families/{match_id}/concern",
    ]
    for email in ("coordinator.maidstone@example.org", "rolemodel@example.org"):
        sign_in_as(page, live_server.url, email)
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status in (403, 404), (email, url)
            if url.startswith("/safeguarding/") and "raise" not in url:
                assert response.status == 404
        page.goto(f"{live_server.url}/safeguarding/")
        expect(page.locator("main")).not_to_contain_text(concern.reference)
        _sign_out(page)
