"""The three roles meet: a coordinator runs matching and approves, the mentor accepts,
sees the family and records a contact, and the coordinator sees it."""

import pytest
from playwright.sync_api import expect

from mentoring.models import service_today
from tests.browser.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser

MENTOR = "M-0001"  # Jo Baker, the demo mentor account (mentor@example.org)


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")


def test_coordinator_approves_a_proposal_and_the_mentor_accepts_and_records_a_contact(
    page, live_server
):
    # The coordinator runs matching for Dartford.
    sign_in_as(page, live_server.url, "coordinator@example.org")
    page.get_by_role("navigation").get_by_role("link", name="Find mentors").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find mentors")
    page.get_by_label("Districts to match").select_option(label="Dartford")
    page.get_by_role("button", name="Find mentors").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Matching run")
    screenshot(page, "matching-run")

    # Among the proposals is one for the demo mentor: approve it.
    card = page.locator("[data-testid^='proposal-']").filter(has_text=MENTOR).first
    expect(card).to_be_visible()
    expect(card.get_by_test_id("explanation")).not_to_be_empty()
    family = card.get_attribute("data-testid").split("-", 1)[1].rsplit("-", 1)[0]
    card.get_by_role("button", name="Approve").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("offered")
    expect(page.get_by_test_id(f"proposal-{family}-mentor")).to_contain_text("Approved")
    _sign_out(page)

    # The mentor sees the offer on their home page and accepts it.
    sign_in_as(page, live_server.url, "mentor@example.org")
    offer = page.get_by_test_id(f"offer-{family}")
    expect(offer).to_be_visible()
    screenshot(page, "mentor-home-offer")
    offer.get_by_role("link", name="See the offer").click()
    page.get_by_label("Yes, I accept").check()
    page.get_by_role("button", name="Send my answer").click()

    # Accepting opens the family's page: only what they need to know.
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You are now")
    expect(page.get_by_role("heading", level=1)).to_contain_text(family)
    expect(page.get_by_test_id("family-details")).to_contain_text("Key worker contact")

    # A contact in the future is refused beside the field, keeping the note.
    future = service_today().replace(year=service_today().year + 1)
    page.locator("#contact_on-day").fill(str(future.day))
    page.locator("#contact_on-month").fill(str(future.month))
    page.locator("#contact_on-year").fill(str(future.year))
    page.get_by_label("Visit", exact=True).check()
    page.get_by_label("How long, in minutes").fill("45")
    page.get_by_label("Short note (optional)").fill("Walked to school together")
    page.get_by_role("button", name="Record contact").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("today or in the past")
    expect(page.get_by_label("Short note (optional)")).to_have_value("Walked to school together")
    today = service_today()
    page.locator("#contact_on-day").fill(str(today.day))
    page.locator("#contact_on-month").fill(str(today.month))
    page.locator("#contact_on-year").fill(str(today.year))
    page.get_by_role("button", name="Record contact").click()
    expect(page.get_by_test_id("contacts")).to_contain_text("Walked to school together")
    screenshot(page, "mentor-family")
    page.get_by_role("link", name="Back to your families").click()
    expect(page.get_by_test_id("my-families")).to_contain_text(family)
    _sign_out(page)

    # The coordinator sees the active match and the contact.
    sign_in_as(page, live_server.url, "coordinator@example.org")
    page.get_by_role("navigation").get_by_role("link", name="Matches").click()
    expect(page.get_by_test_id("no-contact")).to_be_visible()
    screenshot(page, "coordinator-matches")
    page.get_by_role("link", name=family).first.click()
    expect(page.get_by_test_id("match-status")).to_contain_text("Active")
    expect(page.get_by_test_id("contacts")).to_contain_text("Walked to school together")
    screenshot(page, "coordinator-match")
