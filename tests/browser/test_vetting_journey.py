"""A volunteer from the public application to "ready", as provider staff take them through."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from mentoring.models import District, Mentor, PipelineStage
from mentoring.services.vetting import matchable_mentor_ids
from tests.browser.conftest import screenshot, sign_in_as
from tests.factories import vetted_mentor
from tests.services.vetting.helpers import ITEMS, _break

pytestmark = pytest.mark.browser

PROVIDER = "provider@example.org"


def _fill_date(page: Page, name: str, value: date) -> None:
    page.locator(f"#{name}-day").fill(str(value.day))
    page.locator(f"#{name}-month").fill(str(value.month))
    page.locator(f"#{name}-year").fill(str(value.year))


def _apply(page: Page, url: str) -> str:
    page.goto(f"{url}/volunteer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Volunteer as a mentor")
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Hartwell")
    page.get_by_label("Email address").fill("robin.hartwell@example.org")
    page.get_by_label("Telephone number (optional)").fill("07700 900982")
    page.get_by_label("Postcode").fill("da1 2ab")
    page.get_by_label("District you live in").select_option(label="Dartford")
    page.get_by_label("Gravesham").check()
    page.get_by_label("Weekday evenings").check()
    page.get_by_label("Weekends").check()
    page.get_by_label("2 families").check()
    page.get_by_label("No", exact=True).check()
    page.get_by_label("English").check()
    page.get_by_label("Parenting").check()
    page.get_by_label("School attendance").check()
    page.get_by_label("Tell us about your experience (optional)").fill(
        "School governor for six years; raised three children."
    )
    page.get_by_label("I am 18 or over").check()
    screenshot(page, "vetting-01-public-application")
    page.get_by_role("button", name="Send application").click()
    # Consent is required: the error shows beside the box and what was typed stays.
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "You must agree to the checks to apply"
    )
    expect(page.get_by_label("First name")).to_have_value("Robin")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application sent")
    reference = page.get_by_test_id("reference").inner_text()
    screenshot(page, "vetting-02-application-sent")
    return reference


def _next_step(page: Page, step: str, reason: str) -> None:
    """The page offers the checklist's next step, never "Mark as ready" while one is left."""
    expect(page.get_by_test_id("next-step")).to_have_text(f"Next step: {step}")
    expect(page.get_by_test_id("still-to-do")).to_contain_text(reason)
    expect(page.get_by_role("button", name="Mark as ready")).to_have_count(0)


def test_provider_takes_a_volunteer_from_application_to_ready(page, live_server):
    url = live_server.url
    today = date.today()
    reference = _apply(page, url)

    sign_in_as(page, url, PROVIDER)
    page.get_by_role("navigation").get_by_role("link", name="Mentors", exact=True).click()
    expect(page.get_by_test_id("pipeline")).to_be_visible()
    screenshot(page, "vetting-03-board")
    page.get_by_label("Name, reference or email").fill("hartwell")
    page.get_by_label("Stage").select_option(label="Applied")
    page.get_by_test_id("filter").click()
    expect(page.get_by_test_id("mentors")).to_contain_text(reference)
    screenshot(page, "vetting-04-board-search")
    page.get_by_role("link", name="Robin Hartwell").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Robin Hartwell")
    expect(page.get_by_test_id("mentor-tags")).to_contain_text("Stage: Applied")
    expect(page.get_by_test_id("checklist")).to_contain_text("No referees recorded yet")
    _next_step(page, "Add a referee", "No satisfactory references (needs 2)")
    screenshot(page, "vetting-05-mentor-applied")

    # References: two referees asked, then received and satisfactory.
    for name in ("Ann Oduya", "Tom Reeve"):
        page.get_by_role("button", name="Add a referee", exact=True).click()
        page.get_by_label("Referee's name").fill(name)
        page.get_by_label("How they know the volunteer (optional)").fill("Employer for 4 years")
        page.get_by_role("button", name="Save reference").click()
        expect(page.get_by_text("Reference saved.")).to_be_visible()
    expect(page.get_by_test_id("mentor-tags")).to_contain_text("Stage: References")
    for name in ("Ann Oduya", "Tom Reeve"):
        page.get_by_role("link", name=f"Update reference from {name}").click()
        _fill_date(page, "received_on", today)
        page.get_by_label("Yes, satisfactory").check()
        page.get_by_role("button", name="Save reference").click()
    expect(page.get_by_test_id("mentor-tags")).to_contain_text("Stage: DBS check")
    _next_step(page, "Record the DBS check", "No DBS check recorded")

    # DBS: a mistyped certificate number is caught beside the field.
    page.get_by_role("button", name="Record the DBS check", exact=True).click()
    page.get_by_label("Enhanced with children's barred list", exact=True).check()
    page.get_by_label("Certificate number").fill("0012 3456")
    _fill_date(page, "issue_date", today)
    page.get_by_label("Clear", exact=True).check()
    page.get_by_role("button", name="Save DBS check").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The certificate number must be 12 digits"
    )
    expect(page.get_by_label("Certificate number")).to_have_value("0012 3456")
    screenshot(page, "vetting-07-dbs-error")
    page.get_by_label("Certificate number").fill("0012 3456 7890")
    page.get_by_role("button", name="Save DBS check").click()
    expect(page.get_by_test_id("dbs-current")).to_contain_text("001234567890")
    expect(page.get_by_test_id("mentor-tags")).to_contain_text("Stage: Interview")
    _next_step(page, "Record an interview", "No passed suitability interview")

    # Interview.
    page.get_by_role("button", name="Record an interview", exact=True).click()
    _fill_date(page, "held_on", today)
    page.get_by_label("Passed").check()
    page.get_by_role("button", name="Save interview").click()
    expect(page.get_by_test_id("mentor-tags")).to_contain_text("Stage: Training")
    _next_step(page, "Record Boundaries and confidentiality training", "Mandatory training missing")
    screenshot(page, "vetting-06-next-step")

    # Training: every mandatory module, one after another.
    for module in (
        "Safeguarding children and adults",
        "Boundaries and confidentiality",
        "Information sharing and data protection",
        "Mentoring skills",
    ):
        page.get_by_test_id("training").get_by_role("link", name=f"Record {module}").click()
        expect(page.get_by_label(f"{module} (mandatory)")).to_be_checked()
        page.get_by_role("button", name="Save training").click()
        expect(page.get_by_text(f"Training saved: {module}.")).to_be_visible()
    # The last module done, the stage moves on to ready by itself: nothing left to mark.
    expect(page.get_by_test_id("mentor-tags")).to_contain_text("Stage: Ready")
    expect(page.get_by_test_id("mentor-tags")).to_contain_text("Can be matched")
    expect(page.get_by_role("button", name="Mark as ready")).to_have_count(0)
    expect(page.get_by_test_id("history")).to_contain_text("Training → Ready, automatically")
    screenshot(page, "vetting-08-all-checks-done-ready")

    with Session(live_server.app.extensions["db_engine"]) as session:
        mentor = session.exec(select(Mentor).where(Mentor.reference == reference)).one()
        assert mentor.stage == PipelineStage.READY.value
        with live_server.app.app_context():
            assert mentor.id in matchable_mentor_ids(session=session, on=today)

    page.get_by_role("link", name="Keeping in date").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Keeping in date")
    screenshot(page, "vetting-11-keeping-in-date")


def test_a_mentor_missing_any_one_item_cannot_be_marked_ready(page, live_server):
    today = date.today()
    broken: dict[str, tuple[int, str]] = {}
    with Session(live_server.app.extensions["db_engine"], expire_on_commit=False) as session:
        dartford = session.exec(select(District).where(District.code == "DAR")).one()
        for item in ITEMS:
            mentor = vetted_mentor(session, dartford)
            mentor.stage = PipelineStage.TRAINING.value
            session.add(mentor)
            session.commit()
            broken[item] = (mentor.id, _break(session, mentor, item))
    sign_in_as(page, live_server.url, PROVIDER)
    for item, (mentor_id, reason) in broken.items():
        page.goto(f"{live_server.url}/mentors/{mentor_id}/ready")
        # Not offered while an item is missing: the page says what is left instead.
        expect(page.get_by_test_id("still-to-do")).to_contain_text(reason)
        expect(page.get_by_role("button", name="Mark as ready")).to_have_count(0)
        if item == "dbs":
            screenshot(page, "vetting-12-missing-dbs-not-ready")
    with Session(live_server.app.extensions["db_engine"]) as session:
        with live_server.app.app_context():
            matchable = matchable_mentor_ids(session=session, on=today)
        for mentor_id, _reason in broken.values():
            assert session.get(Mentor, mentor_id).stage == PipelineStage.TRAINING.value
            assert mentor_id not in matchable


def test_import_report_shows_problems_by_row_and_column(page, live_server, tmp_path):
    csv_file = tmp_path / "mentors.csv"
    csv_file.write_text(
        "first_name,last_name,email,postcode,home_district,capacity,consent_to_checks\n"
        "Ann,Able,ann.able@example.org,DA1 1AA,DAR,2,yes\n"
        "Ben,Bad,not-an-email,ZZ,XXX,9,no\n"
    )
    sign_in_as(page, live_server.url, PROVIDER)
    page.goto(f"{live_server.url}/mentors/import")
    page.get_by_label("CSV file of mentors").set_input_files(str(csv_file))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text(
        "2 rows checked: 1 valid, 1 with problems"
    )
    expect(page.get_by_test_id("import-problems")).to_contain_text("Unknown district code: XXX")
    expect(page.get_by_test_id("import-sample")).to_contain_text("Ann Able")
    screenshot(page, "vetting-13-import-report")
    page.get_by_role("button", name="Import 1 mentor and leave out the rows with problems").click()
    expect(page.get_by_test_id("import-done")).to_contain_text("1 mentor imported")
    screenshot(page, "vetting-14-import-done")
