"""Recruitment: provider staff plan whom to recruit for the demo data and read the plan."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in_as


def test_provider_staff_see_a_recruitment_plan_for_the_demo_data(page, live_server):
    sign_in_as(page, live_server.url, "provider@example.org")
    page.get_by_role("link", name="Recruitment").click()
    page.get_by_label("Districts to plan for").select_option(index=0)  # all districts
    page.get_by_role("button", name="Plan recruitment").click()
    expect(page).to_have_url(re.compile(r"/reports/recruitment/\d+$"), timeout=60_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Recruitment plan")
    steps = page.get_by_test_id("plan-steps")
    expect(steps).to_be_visible()
    expect(steps.locator("tbody tr").first).to_contain_text("Lives in")
    expect(page.get_by_test_id("coverage-chart")).to_be_visible()
    expect(page.get_by_test_id("served-by-district")).to_be_visible()
    expect(page.get_by_test_id("volunteer-link")).to_have_attribute("href", "/volunteer")
    screenshot(page, "recruitment-plan")
