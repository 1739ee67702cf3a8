"""Across roles (issue 22): runs that don't strand coordinators, loads that agree.

Each test starts as one role and checks as another.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in_as

pytestmark = pytest.mark.browser

MENTOR = "M-0001"  # Jo Baker, the demo mentor account


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign in")


def _run(page, scope_value):
    page.get_by_role("navigation").get_by_role("link", name="Find mentors").click()
    page.get_by_label("Districts to match").select_option(value=scope_value)
    page.get_by_role("button", name="Find mentors").click()
    # The run is a background job: its status page moves on to the run when it is done.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Matching run", timeout=30_000)
    return page.url


def _district_value(page, name):
    page.get_by_role("navigation").get_by_role("link", name="Find mentors").click()
    return (
        page.get_by_label("Districts to match")
        .locator("option", has_text=name)
        .get_attribute("value")
    )


def test_an_admins_county_run_leaves_the_coordinators_proposals_for_them_to_decide(
    page, live_server
):
    # The Dartford coordinator runs matching and leaves the proposals undecided.
    sign_in_as(page, live_server.url, "coordinator@example.org")
    first_run = _run(page, _district_value(page, "Dartford"))
    card = page.locator("[data-testid^='proposal-']").first
    family = card.get_attribute("data-testid").split("-", 1)[1].rsplit("-", 1)[0]
    match_id = card.get_attribute("id").split("-")[1]
    _sign_out(page)

    # An administrator runs the whole county: the coordinator's slot is left alone, and
    # the run says so.
    sign_in_as(page, live_server.url, "admin@example.org")
    county_run = _run(page, "all")
    waiting = page.get_by_test_id("unmatched").get_by_role("row").filter(has_text=family)
    expect(waiting).to_contain_text("Left alone")
    expect(page.locator(f"[data-testid^='proposal-{family}-']")).to_have_count(0)
    screenshot(page, "county-run-leaves-proposals")
    _sign_out(page)

    # The coordinator's proposals are still theirs to decide, on the run and the match.
    sign_in_as(page, live_server.url, "coordinator@example.org")
    page.goto(first_run)
    mine = page.locator(f"#proposal-{match_id}")
    expect(mine.get_by_role("button", name="Approve")).to_be_visible()
    page.goto(f"{live_server.url}/matching/matches/{match_id}")
    decision = page.get_by_test_id("proposal-decision")
    decision.get_by_role("button", name="Approve").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("offered")
    expect(page.get_by_test_id("match-status")).to_contain_text("Offered")

    # The administrator's county run is open to them too, for their districts only.
    page.goto(f"{live_server.url}/matching/")
    expect(page.get_by_test_id("runs")).to_contain_text("Run " + county_run.rsplit("/", 1)[1])
    page.goto(county_run)
    expect(page.get_by_test_id("run-partial")).to_be_visible()
    proposals = page.locator("[data-testid^='proposal-']")
    expect(proposals.first).to_be_visible()
    for ref in proposals.evaluate_all("els => els.map(e => e.dataset.testid)"):
        assert ref.split("-")[1] in {"DAR", "GRA"}, ref
    open_card = proposals.filter(has=page.get_by_role("button", name="Approve")).first
    open_card.get_by_role("button", name="Approve").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("offered")
    screenshot(page, "coordinator-decides-county-run")


def test_a_proposals_load_is_the_load_the_next_role_sees(page, live_server):
    # The coordinator runs Dartford and approves each of the demo mentor's proposals.
    sign_in_as(page, live_server.url, "coordinator@example.org")
    _run(page, _district_value(page, "Dartford"))
    cards = page.locator("[data-testid^='proposal-']").filter(has_text=MENTOR)
    expect(cards.first).to_be_visible()
    lines = {
        re.search(r"after this run: (\d+) of (\d+)", text).groups()
        for text in cards.evaluate_all("els => els.map(e => e.innerText)")
    }
    assert len(lines) == 1, lines  # every proposal of one mentor says the same load
    after, capacity = (int(n) for n in lines.pop())
    for _ in range(cards.count()):
        cards.filter(has=page.get_by_role("button", name="Approve")).first.get_by_role(
            "button", name="Approve"
        ).click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("offered")
    _sign_out(page)

    # The administrator sees that load: the mentor holds what the proposals said.
    sign_in_as(page, live_server.url, "admin@example.org")
    if after >= capacity - 1:
        page.goto(f"{live_server.url}/matching/matches")
        row = (
            page.get_by_role("row")
            .filter(has_text=MENTOR)
            .filter(has_text=re.compile(r"\d+ of \d+"))
        )
        expect(row).to_contain_text(f"{after} of {capacity}")
        if after == capacity:
            expect(row).to_contain_text("Full")
    else:
        page.goto(f"{live_server.url}/matching/assign")
        row = page.get_by_test_id("available-mentors").get_by_role("row").filter(has_text=MENTOR)
        expect(row).to_contain_text(f"{after} of {capacity}")
    screenshot(page, "admin-sees-the-load")


def _cells(row):
    return [c.strip() for c in row.locator("th, td").all_inner_texts()]


def test_the_coordinators_home_figures_are_the_admins_dashboard_and_county_figures(
    page, live_server
):
    # The coordinator reads Dartford's families now on their home page.
    sign_in_as(page, live_server.url, "coordinator@example.org")
    summary = page.get_by_test_id("district-summary")
    expect(summary).to_contain_text("Dartford")
    labels = [h.strip() for h in summary.locator("thead th").all_inner_texts()][1:]
    assert labels == [
        "Open families",
        "With a mentor",
        "Waiting for a mentor",
        "Not ready for matching",
    ]
    home = _cells(summary.locator("tbody tr").filter(has_text="Dartford"))[1:]
    open_, matched, waiting, not_ready = (int(n) for n in home)
    assert open_ == matched + waiting + not_ready
    _sign_out(page)

    # The administrator sees the same on Dartford's dashboard and the county overview.
    sign_in_as(page, live_server.url, "admin@example.org")
    page.goto(f"{live_server.url}/reports/county")
    overview = page.get_by_test_id("county-overview")
    expect(overview).to_contain_text("Dartford")
    heads = [
        re.sub(r"[ ▲▼]*,? sort \w+$", "", h.strip()).strip()
        for h in overview.locator("thead th").all_inner_texts()
    ]
    row = _cells(overview.locator("tbody tr").filter(has_text="Dartford"))
    assert [row[heads.index(label)] for label in labels] == home
    overview.get_by_role("link", name="Dartford").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dartford")
    now = page.get_by_test_id("dashboard-families-now")
    expect(now).to_be_visible()
    shown = {_cells(r)[0]: _cells(r)[1] for r in now.locator("tbody tr").all()}
    assert shown == dict(zip(labels, home, strict=True))
    screenshot(page, "dashboard-families-now")
