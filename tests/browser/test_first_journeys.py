"""The journeys where a new user used to stumble (issue 20, point 7)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser

COORDINATOR = "coordinator@example.org"
PROVIDER = "provider@example.org"

# Each heading, legend and label in page order; the repeats are a heading, legend or label
# whose text is the same as the one just before it.
REPEATS_JS = """() => {
  const seen = [...document.querySelectorAll('main h1, main h2, main h3, main legend, main label')]
    .map(e => e.innerText.replace(/\\s+/g, ' ').trim()).filter(t => t);
  return seen.filter((t, i) => i > 0 && t === seen[i - 1]);
}"""


def _repeats(page: Page) -> list[str]:
    return page.evaluate(REPEATS_JS)


def _add_family(page: Page, url: str, *, tranche: str) -> None:
    page.goto(f"{url}/families/new")
    page.get_by_label("District", exact=True).select_option(label="Dartford")
    page.get_by_label(tranche).check()
    page.get_by_label("Adults").fill("2")
    page.get_by_role("button", name="Save family").click()


def test_a_tranche_2_family_is_told_it_is_not_offered_mentoring_until_offered(page, live_server):
    sign_in_as(page, live_server.url, COORDINATOR)
    page.goto(f"{live_server.url}/families/new")
    tranche = page.get_by_role("group", name="Tranche")
    hint = "Not offered volunteer mentoring unless you offer it below"
    expect(tranche.get_by_text(hint)).to_have_count(2)
    screenshot(page, "first-tranche-hint")
    _add_family(page, live_server.url, tranche="2: more manageable problems")
    expect(page.get_by_test_id("steps-not-offered")).to_contain_text("will not be matched")
    page.get_by_role("link", name="Go to the family's page").click()
    details = page.get_by_test_id("family-details")
    expect(details).to_contain_text(
        "Not offered: a tranche 2 family is offered volunteer mentoring only if you choose"
    )
    screenshot(page, "first-tranche-2-family-page")
    details.get_by_role("link", name="Offer volunteer mentoring").click()
    page.get_by_label("Offer volunteer mentoring to this family").check()
    page.get_by_role("button", name="Save family").click()
    expect(page.get_by_test_id("family-details")).to_contain_text(
        "Offered (decided by the coordinator)"
    )


def test_no_form_repeats_a_heading_legend_or_label(page, live_server):
    url = live_server.url
    page.goto(f"{url}/volunteer")
    assert _repeats(page) == []
    sign_in_as(page, url, COORDINATOR)
    page.goto(f"{url}/families/new")
    expect(page.get_by_role("group", name="Needs")).to_be_visible()
    expect(page.get_by_role("group", name="Lead professional or key worker")).to_be_visible()
    assert _repeats(page) == []
    screenshot(page, "first-family-form")
    page.goto(f"{url}/families/")
    page.get_by_test_id("family-list").get_by_role("link").first.click()
    page.get_by_role("link", name="Change details, needs and risks").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change ")
    assert _repeats(page) == []
    page.get_by_role("button", name="Sign out").click()
    sign_in_as(page, url, PROVIDER)
    page.goto(f"{url}/mentors/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an application")
    assert _repeats(page) == []


def test_staff_record_an_application_about_them_and_volunteers_apply_as_you(page, live_server):
    url = live_server.url
    page.goto(f"{url}/volunteer")
    expect(page.get_by_label("District you live in")).to_be_visible()
    expect(page.get_by_label("Tell us about your experience (optional)")).to_be_visible()
    expect(page.get_by_text("they live in")).to_have_count(0)

    sign_in_as(page, url, PROVIDER)
    page.goto(f"{url}/mentors/new")
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Whitlock")
    page.get_by_label("Email address").fill("dana.whitlock@example.org")
    page.get_by_label("Postcode").fill("DA1 2AB")
    page.get_by_label("English").check()
    page.get_by_role("button", name="Save application").click()
    errors = page.locator(".govuk-error-summary")
    expect(errors).to_contain_text("Select the district they live in")
    expect(errors).to_contain_text("Select when they are available")
    screenshot(page, "first-staff-application-errors")
    page.get_by_label("District they live in").select_option(label="Dartford")
    page.get_by_role("group", name="When are they available?").get_by_label("Weekends").check()
    page.get_by_label("About their experience (optional)").fill("Youth worker for ten years.")
    page.get_by_label("By phone").check()
    page.get_by_label("They are 18 or over, heard the privacy notice").check()
    page.get_by_role("button", name="Save application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dana Whitlock")
    expect(page.get_by_text("you live in")).to_have_count(0)


def test_the_demo_shows_a_working_service_with_a_year_of_runs_and_short_waits(page, live_server):
    sign_in_as(page, live_server.url, COORDINATOR)
    page.get_by_role("navigation").get_by_role("link", name="Find mentors", exact=True).click()
    runs = page.get_by_test_id("runs")
    expect(runs.get_by_role("link").first).to_be_visible()
    assert runs.get_by_role("link").count() >= 3
    screenshot(page, "first-demo-runs")
    runs.get_by_role("link").last.click()  # the oldest run shown: its proposals were decided
    expect(page.get_by_role("heading", level=1)).to_contain_text("Matching run")
    expect(page.locator("main .govuk-tag").first).to_have_text(re.compile("Active|Ended"))

    # The families waiting now became ready after their district's last run.
    page.goto(f"{live_server.url}/families/?mentor=waiting&sort=waiting")
    longest = page.get_by_test_id("family-list").locator("tbody tr").first.locator("td").last
    assert int(longest.inner_text()) <= 31
    screenshot(page, "first-demo-waiting")
