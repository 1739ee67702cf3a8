"""A matching run as a background job: its status page shows progress and moves on to the run."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in_as


@pytest.fixture
def live_config():
    # Jobs in a thread of the server, as `make run` has them: the page must wait for it.
    return {"JOBS_INLINE": False}


def test_a_county_run_shows_its_progress_then_its_proposals(page, live_server):
    sign_in_as(page, live_server.url, "admin@example.org")
    page.goto(f"{live_server.url}/matching/")
    page.get_by_label("Districts to match").select_option(index=0)  # all districts
    page.get_by_role("button", name="Find mentors").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.get_by_test_id("job-status")).to_be_visible()
    screenshot(page, "job-progress")
    # The page refreshes itself (no JavaScript needed) and goes on to the run when done.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Matching run", timeout=30_000)
    expect(page).to_have_url(re.compile(r"/matching/runs/\d+$"))
    screenshot(page, "job-done-run")
