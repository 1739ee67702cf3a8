"""Looking after matches: a hand assignment refused with the rule beside the field, a
mentor's safeguarding concern reaching the coordinator at once, and a planned ending."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_hand_assignment_breaking_a_rule_says_which_beside_the_field(page, live_server):
    sign_in_as(page, live_server.url, "coordinator@example.org")
    page.get_by_role("navigation").get_by_role("link", name="Find mentors").click()
    page.get_by_role("link", name="Assign a mentor by hand").click()
    expect(page.get_by_test_id("available-mentors")).to_contain_text("M-0001")
    family = page.get_by_label("Family", exact=True)
    family.select_option(index=1)
    chosen = family.input_value()
    page.get_by_label("Mentor (volunteer)").check()
    page.get_by_label("Mentor reference").fill("M-0002")  # a former-participant role model
    page.get_by_role("button", name="Assign and offer to the mentor").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "role model cannot fill the mentor slot"
    )
    expect(page.locator("#mentor-error")).to_contain_text("role model")
    expect(page.get_by_label("Mentor reference")).to_have_value("M-0002")
    expect(page.get_by_label("Family", exact=True)).to_have_value(chosen)
    screenshot(page, "matching-assign-refused")


def test_concern_reaches_the_coordinator_and_a_match_ends_with_its_checklist(page, live_server):
    # The mentor raises a concern about one of their families.
    sign_in_as(page, live_server.url, "mentor@example.org")
    families = page.get_by_test_id("my-families")
    reference = families.get_by_role("link").first.inner_text()
    families.get_by_role("link", name=reference).click()
    page.get_by_role("button", name="Raise a safeguarding concern").click()
    page.get_by_role("button", name="Raise the concern now").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Describe the concern")
    page.get_by_label("What happened, and what are you worried about?").fill(
        "A child said there is no food at home"
    )
    page.get_by_role("button", name="Raise the concern now").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("coordinator")
    _sign_out(page)

    # The coordinator sees it at once, marked urgent, and acknowledges it.
    sign_in_as(page, live_server.url, "coordinator@example.org")
    notices = page.get_by_test_id("notifications")
    urgent = notices.get_by_role("listitem").filter(has_text=reference).filter(has_text="Urgent")
    expect(urgent.first).to_be_visible()
    screenshot(page, "coordinator-home-urgent-concern")
    urgent.first.get_by_role("link").click()
    expect(page.get_by_test_id("concern-details")).to_have_text(
        "A child said there is no food at home"
    )
    page.get_by_role("button", name="Acknowledge: I am dealing with this").click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()

    # The coordinator ends the match: a reason is required, the checklist is kept.
    page.get_by_role("navigation").get_by_role("link", name="Matches").click()
    page.get_by_test_id("current-matches").get_by_role("link", name=reference).click()
    page.get_by_role("button", name="End this match").click()
    page.get_by_role("button", name="End the match").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose why the match is ending")
    page.get_by_label("Goals met").check()
    page.get_by_label("The family was told in advance that mentoring is ending").check()
    page.get_by_role("button", name="End the match").click()
    expect(page.get_by_test_id("match-status")).to_contain_text("Ended")
    expect(page.get_by_text("Done: The family was told in advance")).to_be_visible()
    screenshot(page, "coordinator-match-ended")
