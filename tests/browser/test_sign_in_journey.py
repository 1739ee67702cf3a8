"""Each demo role signs in through the browser and sees its home page."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("email", "heading", "nav"),
    [
        ("admin@example.org", "Overview", ["Home", "Districts", "Users"]),
        ("provider@example.org", "Mentor recruitment", ["Home"]),
        ("coordinator@example.org", "Your districts", ["Home", "Districts"]),
        ("mentor@example.org", "Your families", ["Home"]),
    ],
)
def test_demo_user_signs_in_and_sees_home(page, live_server, email, heading, nav):
    sign_in_as(page, live_server.url, email)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    navigation = page.get_by_role("navigation")
    for item in nav:
        expect(navigation.get_by_role("link", name=item, exact=True)).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Signed in as")
    screenshot(page, f"home-{email.split('@')[0]}")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Mentor Match")
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def test_wrong_password_shows_error_summary_and_keeps_email(page, live_server):
    sign_in_as(page, live_server.url, "coordinator@example.org", "not-the-right-password")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct email address and password"
    )
    expect(page.get_by_label("Email address")).to_have_value("coordinator@example.org")
    screenshot(page, "sign-in-error")


def test_signed_out_visitor_is_sent_to_sign_in_and_back(page, live_server):
    page.goto(f"{live_server.url}/admin/users")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Mentor Match")
    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill("demo-mentor-match-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")


def test_admin_invites_a_coordinator(page, live_server):
    sign_in_as(page, live_server.url, "admin@example.org")
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("button", name="Invite a member of staff").click()
    page.get_by_label("Full name").fill("Robin Hart")
    page.get_by_label("Email address").fill("robin.hart@")
    page.get_by_label("District coordinator").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("correct format")
    expect(page.get_by_label("Full name")).to_have_value("Robin Hart")
    screenshot(page, "invite-user-error")
    page.get_by_label("Email address").fill("robin.hart@example.org")
    page.get_by_label("Dartford").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("An invitation has gone to robin.hart@example.org.")).to_be_visible()
