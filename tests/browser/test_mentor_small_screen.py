"""Mentor journeys at 390 px (issue 22, point 4): the mentor's and role model's home and
family list fit the screen (WCAG 1.4.10, reflow), and recording a contact lands on the
banner."""

import pytest
from playwright.sync_api import expect

from mentoring.models import service_today
from tests.browser.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("email", ["mentor@example.org", "rolemodel@example.org"])
def test_the_home_and_family_list_fit_a_small_screen(browser, live_server, email):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in_as(page, live_server.url, email)
        expect(page.get_by_role("heading", level=1)).to_have_text("Your families")
        assert _width(page) <= 390
        screenshot(page, f"small-home-{email.split('@')[0]}")
        page.goto(f"{live_server.url}/my/families")
        expect(page.get_by_role("heading", level=1)).to_have_text("Your families")
        assert _width(page) <= 390
    finally:
        context.close()


def test_a_recorded_contact_lands_on_its_banner_and_is_not_recorded_twice(page, live_server):
    sign_in_as(page, live_server.url, "mentor@example.org")
    page.get_by_test_id("my-families").get_by_role("link").first.click()
    today = service_today()
    page.locator("#contact_on-day").fill(str(today.day))
    page.locator("#contact_on-month").fill(str(today.month))
    page.locator("#contact_on-year").fill(str(today.year))
    page.get_by_label("Visit", exact=True).check()
    page.get_by_label("How long, in minutes").fill("40")
    page.get_by_label("Short note (optional)").fill("Homework club")
    page.get_by_role("button", name="Record contact").click()
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Contact recorded: Visit on")
    assert "#" not in page.url
    assert page.evaluate("window.scrollY") == 0  # the banner is on screen
    expect(page.get_by_test_id("contacts")).to_contain_text("Homework club")
    # The same contact again is refused beside the field.
    page.locator("#contact_on-day").fill(str(today.day))
    page.locator("#contact_on-month").fill(str(today.month))
    page.locator("#contact_on-year").fill(str(today.year))
    page.get_by_label("Visit", exact=True).check()
    page.get_by_label("How long, in minutes").fill("40")
    page.get_by_label("Short note (optional)").fill("Homework club")
    page.get_by_role("button", name="Record contact").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("already recorded")
    expect(page.get_by_test_id("contacts").get_by_text("Homework club")).to_have_count(1)
