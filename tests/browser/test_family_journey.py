"""A coordinator adds a family through its task list (details, criteria, consent, engagement)
and finds it waiting."""

import re

import pytest
from playwright.sync_api import expect

from mentoring.models import utcnow
from tests.browser.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser


def _fill_date(page, name, day):
    page.locator(f"#{name}-day").fill(str(day.day))
    page.locator(f"#{name}-month").fill(str(day.month))
    page.locator(f"#{name}-year").fill(str(day.year))


def test_coordinator_adds_a_family_step_by_step_and_sees_it_on_the_waiting_list(page, live_server):
    today = utcnow().date()
    sign_in_as(page, live_server.url, "coordinator@example.org")
    page.get_by_role("navigation").get_by_role("link", name="Families", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Families")
    screenshot(page, "families-list")

    # Add the family: a mistake first, shown beside the field with what was typed kept.
    page.get_by_role("button", name="Add a family").click()
    page.get_by_label("District", exact=True).select_option(label="Dartford")
    page.get_by_label("3: chaotic lifestyle or lack of direction").check()
    page.get_by_label("Name", exact=True).fill("Kim Keyworker")
    page.get_by_label("Agency", exact=True).fill("Early Help")
    page.get_by_label("First names the family agreed to share with their mentor").fill("Sam")
    page.get_by_label("Adults").fill("")
    page.get_by_label("Children aged 5 to 10").fill("2")
    page.get_by_label("School attendance").check()
    page.get_by_label("Parenting").check()
    page.get_by_role("button", name="Save family").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the number of adults")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Kim Keyworker")
    screenshot(page, "family-add-error")
    page.get_by_label("Adults").fill("1")
    page.get_by_role("button", name="Save family").click()

    # Adding the family goes on as a task list: details done, three steps to go.
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a family")
    expect(page.get_by_test_id("steps-done")).to_have_text("You have done 1 of 4 steps.")
    steps = page.get_by_test_id("steps")
    expect(steps).to_contain_text("1. Details, needs and risks")
    screenshot(page, "family-add-steps")
    reference = page.locator(".govuk-caption-l").inner_text().split(" · ")[1]

    # 2. Criteria with their evidence.
    steps.get_by_role("link", name="2. Criteria and evidence").click()
    page.get_by_label("Phase 1: crime, education and worklessness").check()
    for code in ("crime_asb", "education", "worklessness"):
        block = page.get_by_test_id(f"criterion-{code}")
        block.get_by_role("checkbox").check()
        _fill_date(page, f"{code}_date", today)
        block.get_by_role("textbox", name="Source of the evidence").fill("Troubled Families data")
    screenshot(page, "family-criteria")
    page.get_by_role("button", name="Save criteria").click()
    expect(page.get_by_test_id("steps-done")).to_have_text("You have done 2 of 4 steps.")
    expect(steps).to_contain_text("Eligible")

    # 3. Consent to mentoring and to information sharing.
    steps.get_by_role("link", name="3. Consent").click()
    page.get_by_role("group", name="Has the family consented to mentoring?").get_by_label(
        "Yes, consent given"
    ).check()
    _fill_date(page, "consent_mentoring_on", today)
    page.get_by_role("group", name="Has the family consented to information sharing?").get_by_label(
        "Yes, consent given"
    ).check()
    _fill_date(page, "consent_sharing_on", today)
    page.get_by_role("button", name="Save consent").click()
    expect(page.get_by_test_id("steps-done")).to_have_text("You have done 3 of 4 steps.")

    # The family's page says where adding it stands, and leads back to the task list.
    page.get_by_role("link", name="Go to the family's page").click()
    expect(page.get_by_test_id("family-reference")).to_have_text(re.compile(r"^DAR-\d{4}$"))
    expect(page.get_by_test_id("family-details")).to_contain_text("School attendance, Parenting")
    expect(page.get_by_test_id("readiness-problems")).to_contain_text("not engaged")
    expect(page.get_by_test_id("steps-link")).to_contain_text("3 of 4 steps done")
    page.get_by_role("link", name=f"Continue adding {reference}").click()

    # 4. Engaged: every step done, and the family waits for a mentor.
    steps.get_by_role("link", name="4. Contact and engagement").click()
    page.get_by_label("Engaged").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("steps-done")).to_have_text("You have done 4 of 4 steps.")
    expect(page.get_by_test_id("steps-ready")).to_contain_text("ready for matching")
    screenshot(page, "family-add-steps-done")
    page.get_by_role("link", name="Go to the family's page").click()
    expect(page.get_by_test_id("waiting")).to_contain_text("waiting for a mentor")
    expect(page.get_by_test_id("consent")).to_contain_text("recorded by Chris Taylor")
    expect(page.get_by_test_id("steps-link")).to_have_count(0)
    screenshot(page, "family-page")

    # The district's waiting list shows it, by reference only.
    page.get_by_role("navigation").get_by_role("link", name="Families", exact=True).click()
    page.get_by_role("link", name="Waiting for a mentor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting list")
    page.get_by_label("District", exact=True).select_option(label="Dartford")
    page.get_by_role("button", name="Apply filters").click()
    listing = page.get_by_test_id("family-list")
    expect(listing.get_by_role("link", name=reference)).to_be_visible()
    expect(listing).not_to_contain_text("Sam")
    expect(listing).not_to_contain_text("Kim Keyworker")
    screenshot(page, "families-waiting-list")


def test_admin_changes_a_districts_neighbours_and_target(page, live_server):
    sign_in_as(page, live_server.url, "admin@example.org")
    page.get_by_role("navigation").get_by_role("link", name="Districts", exact=True).click()
    screenshot(page, "districts-list")
    page.get_by_role("link", name="DAR", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dartford")
    page.get_by_label("Target (families)").fill("44")
    page.get_by_role("button", name="Save target").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Target for")
    expect(page.get_by_test_id("targets")).to_contain_text("44")
    page.get_by_role("link", name="Change district").click()
    page.get_by_role("checkbox", name="Maidstone", exact=True).check()
    page.get_by_role("button", name="Save district").click()
    expect(page.get_by_test_id("district-summary")).to_contain_text("Maidstone")
    screenshot(page, "district-page")
    page.get_by_role("link", name="Back to districts").click()
    row = (
        page.get_by_test_id("districts")
        .get_by_role("row")
        .filter(has=page.get_by_role("link", name="MAI", exact=True))
    )
    expect(row).to_contain_text("Dartford")
