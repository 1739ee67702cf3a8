"""Sessions (issue 22, point 5): the GOV.UK timeout warning shows before the idle limit,
"Stay signed in" keeps the session, and a contact being typed when the session times out
is back on the page after signing in again."""

import shutil

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from demo.data import DEMO_PASSWORD, load_demo_data
from mentoring import create_app
from tests.browser.conftest import LiveServer, screenshot, sign_in_as

pytestmark = pytest.mark.browser

IDLE_SECONDS = 16
WARN_SECONDS = 10


@pytest.fixture
def short_server(sqlite_template, tmp_path):
    db_path = tmp_path / "live.sqlite"
    shutil.copyfile(sqlite_template, db_path)
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SECRET_KEY": "browser-test-secret-" + "y" * 32,
            "DATABASE_URL": f"sqlite:///{db_path}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
            "SESSION_IDLE_MINUTES": IDLE_SECONDS / 60,
            "SESSION_WARNING_SECONDS": WARN_SECONDS,
        }
    )
    with Session(app.extensions["db_engine"]) as session:
        load_demo_data(session, seed=7, families=80, mentors=40)
    server = LiveServer(app, tmp_path)
    server.start()
    yield server
    server.stop()


def test_the_timeout_warning_keeps_the_session_and_the_typed_contact(page, short_server):
    sign_in_as(page, short_server.url, "mentor@example.org")
    page.get_by_test_id("my-families").get_by_role("link").first.click()
    family_url = page.url
    warning = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(warning).to_be_hidden()

    # The warning comes before the limit; "Stay signed in" starts the idle time again.
    expect(warning).to_be_visible(timeout=(IDLE_SECONDS - WARN_SECONDS + 4) * 1000)
    screenshot(page, "timeout-warning")
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    page.get_by_label("Short note (optional)").fill("Talked about the school trip")
    page.get_by_label("Visit", exact=True).check()

    # Ignored, the warning ends in signing out; signing in again brings the note back.
    expect(warning).to_be_visible(timeout=(IDLE_SECONDS + 4) * 1000)
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Sign in", timeout=(WARN_SECONDS + 6) * 1000
    )
    expect(page.locator(".govuk-notification-banner")).to_contain_text("timed out")
    page.get_by_label("Email address").fill("mentor@example.org")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(family_url)
    expect(page.get_by_test_id("kept-form")).to_be_visible()
    expect(page.get_by_label("Short note (optional)")).to_have_value("Talked about the school trip")
    expect(page.get_by_label("Visit", exact=True)).to_be_checked()
