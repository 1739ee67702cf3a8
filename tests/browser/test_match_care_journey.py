"""Looking after matches: a hand assignment refused with the rule beside the field, and a
planned ending. (Safeguarding concerns: test_safeguarding_journey.py.)"""

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


def test_a_match_ends_with_its_checklist(page, live_server):
    sign_in_as(page, live_server.url, "mentor@example.org")
    families = page.get_by_test_id("my-families")
    reference = families.get_by_role("link").first.inner_text()
    _sign_out(page)

    sign_in_as(page, live_server.url, "coordinator@example.org")
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
