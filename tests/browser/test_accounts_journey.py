"""Accounts in the browser: invite, choose a password, set up an authenticator, sign in
with a code, forget the password, reset it, and the sessions from before are gone."""

from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mentoring.services.accounts import two_factor
from tests.browser.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser

PASSWORD = "plum-kettle-orbit-74-lantern"
NEW_PASSWORD = "harbour-violet-cactus-19-drum"


def _last_link(live_server, marker: str) -> str:
    folder = Path(live_server.app.config["MAIL_OUTBOX"])
    bodies = [
        BytesParser(policy=policy.default).parsebytes(p.read_bytes()).get_content()
        for p in sorted(folder.glob("*.eml"))
    ]
    url = next(w for body in reversed(bodies) for w in body.split() if marker in w)
    return live_server.url + url.split("127.0.0.1:5000", 1)[1]


def test_invite_set_up_two_factor_sign_in_with_a_code_and_reset_the_password(
    page, browser, live_server
):
    live_server.app.config["MFA_REQUIRED_ROLES"] = frozenset({"provider", "coordinator"})
    # An administrator invites a coordinator.
    sign_in_as(page, live_server.url, "admin@example.org")
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("button", name="Invite a member of staff").click()
    page.get_by_label("Full name").fill("Nia Newcomer")
    page.get_by_label("Email address").fill("nia@council.example.org")
    page.get_by_label("District coordinator").check()
    page.get_by_label("Dartford").check()
    screenshot(page, "accounts-invite")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("An invitation has gone to nia@council.example.org")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The invitee opens the link, chooses a password and sets up an authenticator.
    page.goto(_last_link(live_server, "/invitation/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill(PASSWORD)
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    screenshot(page, "accounts-two-factor-set-up")
    page.get_by_label("Enter the 6-digit code your app shows").fill(two_factor.code_for(secret))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_test_id("continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your districts")
    page.get_by_role("button", name="Sign out").click()

    # Signing in again takes the password and a fresh code.
    sign_in_as(page, live_server.url, "nia@council.example.org", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enter the code from your authenticator app"
    )
    # A code already used never works again: this is the next 30-second step's code, which
    # the service accepts a step early (clocks drift).
    next_step = datetime.now(UTC) + timedelta(seconds=30)
    page.get_by_label("Code from your authenticator app").fill(
        two_factor.code_for(secret, at=next_step)
    )
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your districts")

    # Meanwhile, in another browser, the same person is signed in too.
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    elsewhere = other.new_page()
    elsewhere.context.add_cookies(page.context.cookies())
    elsewhere.goto(f"{live_server.url}/account")
    expect(elsewhere.get_by_role("heading", level=1)).to_have_text("Your account")

    # They forget the password and reset it from the email.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="I have forgotten my password").click()
    page.get_by_label("Email address").fill("nia@council.example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    page.goto(_last_link(live_server, "/reset-password/"))
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm your password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_text("Your password has been changed")).to_be_visible()
    screenshot(page, "accounts-reset-done")

    # The session from before the reset is gone.
    elsewhere.goto(f"{live_server.url}/account")
    expect(elsewhere.get_by_role("heading", level=1)).to_have_text("Sign in to Mentor Match")
    other.close()
