"""An administrator and a coordinator open the reports; the SVG charts render in chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser


def _chart_has_bars(page, test_id: str) -> None:
    chart = page.get_by_test_id(test_id)
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    # Drawn bars have a real size in the browser's layout (the SVG rendered).
    widths = chart.locator("rect[height='16']").evaluate_all(
        "rects => rects.map(r => r.getBBox().width)"
    )
    assert widths and max(widths) > 50


def test_admin_sorts_the_county_overview_and_opens_a_district_dashboard(page, live_server):
    sign_in_as(page, live_server.url, "admin@example.org")
    page.get_by_role("navigation").get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    page.get_by_role("link", name="County overview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("County overview")

    table = page.get_by_test_id("county-overview")
    expect(table.locator("tbody tr")).to_have_count(12)
    _chart_has_bars(page, "chart-county")
    chart_image = page.get_by_role("img", name=re.compile("Target against families engaged"))
    expect(chart_image).to_be_visible()
    screenshot(page, "reports-county-overview")

    # Sort by families identified, largest first: the heading says so to screen readers.
    table.get_by_role("link", name=re.compile("^Identified")).click()
    header = page.get_by_test_id("county-overview").locator("th[aria-sort='descending']")
    expect(header).to_contain_text("Identified")
    values = [
        int(v.replace(",", ""))
        for v in page.get_by_test_id("county-overview")
        .locator("tbody tr td:nth-child(3)")
        .all_inner_texts()
    ]
    assert values == sorted(values, reverse=True)

    page.get_by_test_id("county-overview").get_by_role("link", name="Dartford").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dartford")
    _chart_has_bars(page, "chart-families")
    _chart_has_bars(page, "chart-mentors")
    expect(page.get_by_test_id("dashboard-families")).to_contain_text(
        "Target for the programme year"
    )
    screenshot(page, "reports-district-dashboard")

    page.goto(f"{live_server.url}/reports/outcomes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes and payment by results")
    expect(page.get_by_test_id("outcomes-payments")).to_contain_text("All districts")
    screenshot(page, "reports-outcomes")


def test_coordinator_sees_a_date_range_and_a_clear_message_for_a_wrong_date(page, live_server):
    sign_in_as(page, live_server.url, "coordinator@example.org")
    page.goto(f"{live_server.url}/reports/")
    page.get_by_test_id("dashboard-links").get_by_role("link", name="Gravesham").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gravesham")

    page.locator("#start-day").fill("31")
    page.locator("#start-month").fill("2")
    page.locator("#start-year").fill("2026")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("From must be a real date")
    expect(page.locator("#start-error")).to_contain_text("From must be a real date")
    screenshot(page, "reports-period-error")

    page.locator("#start-day").fill("1")
    page.locator("#start-month").fill("1")
    page.locator("#end-day").fill("31")
    page.locator("#end-month").fill("12")
    page.locator("#end-year").fill("2026")
    page.get_by_role("button", name="Show figures").click()
    expect(page.get_by_test_id("period-label")).to_contain_text(
        "1 January 2026 to 31 December 2026"
    )
    _chart_has_bars(page, "chart-families")

    page.goto(f"{live_server.url}/reports/county")
    expect(page.get_by_test_id("anonymised-note")).to_be_visible()
    screenshot(page, "reports-county-coordinator")


def test_provider_opens_the_mentor_programme_report(page, live_server):
    sign_in_as(page, live_server.url, "provider@example.org")
    page.get_by_role("navigation").get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("link", name="Mentor programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentor programme")
    _chart_has_bars(page, "chart-funnel")
    expect(page.get_by_test_id("mentor-funnel")).to_contain_text("Ready")
    screenshot(page, "reports-mentor-programme")
