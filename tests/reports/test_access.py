"""Who may see which report: coordinators their districts, provider staff the mentor
programme, mentors nothing; another district's dashboard answers 404."""

from __future__ import annotations

import re
from datetime import date

import pytest

from mentoring.models import Role
from tests.factories import ready_family

YEAR = "year=2026"


def _families(db, district, count: int, day: date = date(2026, 6, 1)) -> None:
    for _ in range(count):
        family = ready_family(db, district)
        family.referred_on = day
        db.add(family)
    db.commit()


def test_coordinator_sees_own_district_dashboards_and_another_district_is_404(
    client, db, world, make_user, sign_in
):
    sign_in(make_user(Role.COORDINATOR, districts=[world.dartford, world.gravesham]))
    index = client.get("/reports/").get_data(as_text=True)
    links = re.findall(r'href="/reports/districts/(\d+)"', index)
    assert sorted(int(i) for i in links) == sorted([world.dartford.id, world.gravesham.id])
    assert client.get(f"/reports/districts/{world.dartford.id}").status_code == 200
    for path in (
        f"/reports/districts/{world.maidstone.id}",
        f"/reports/districts/{world.maidstone.id}/download",
        f"/reports/districts/{world.maidstone.id}?{YEAR}",
        "/reports/districts/9999",
    ):
        assert client.get(path).status_code == 404, path


def test_admin_sees_every_district_dashboard(client, world, make_user, sign_in):
    sign_in(make_user(Role.ADMIN))
    for district in (world.dartford, world.gravesham, world.maidstone):
        assert client.get(f"/reports/districts/{district.id}").status_code == 200
    assert client.get("/reports/districts/9999").status_code == 404


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, {"index", "county", "outcomes", "mentors"}),
        (Role.COORDINATOR, {"index", "county", "outcomes"}),
        (Role.PROVIDER, {"index", "mentors"}),
        (Role.MENTOR, set()),
    ],
)
def test_each_role_gets_its_reports_and_is_refused_the_rest(
    client, world, make_user, sign_in, role, allowed
):
    user = make_user(role, districts=[world.dartford] if role == Role.COORDINATOR else None)
    sign_in(user)
    pages = {
        "index": "/reports/",
        "county": "/reports/county",
        "outcomes": "/reports/outcomes",
        "mentors": "/reports/mentors",
    }
    downloads = {
        "county": "/reports/county/download",
        "outcomes": "/reports/outcomes/download",
        "mentors": "/reports/mentors/download",
    }
    for name, path in pages.items():
        assert client.get(path).status_code == (200 if name in allowed else 403), path
    for name, path in downloads.items():
        assert client.get(path).status_code == (200 if name in allowed else 403), path
    dashboard = client.get(f"/reports/districts/{world.dartford.id}").status_code
    assert dashboard == (200 if role in (Role.ADMIN, Role.COORDINATOR) else 403)
    home = client.get("/").get_data(as_text=True)
    assert ('href="/reports/"' in home) == bool(allowed)


def test_coordinator_sees_other_districts_anonymised_on_the_county_overview(
    client, db, world, make_user, sign_in
):
    _families(db, world.dartford, 3)
    _families(db, world.maidstone, 3)
    _families(db, world.gravesham, 7)
    sign_in(make_user(Role.COORDINATOR, districts=[world.dartford]))
    html = client.get(f"/reports/county?{YEAR}").get_data(as_text=True)
    table = re.search(r'data-testid="county-overview".*?</table>', html, re.S).group(0)

    def identified(name: str) -> str:
        row = re.search(rf">{name}(?:</a>)?</th>(.*?)</tr>", table, re.S).group(1)
        return re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[1]).strip()

    assert identified("Dartford") == "3"  # their own district: exact
    assert identified("Maidstone") == "&lt;5"  # another district: suppressed
    assert identified("Gravesham") == "7"  # 5 or more: shown
    assert 'data-testid="anonymised-note"' in html
    # No county total (it would give the suppressed figures away), no link to Maidstone.
    assert "app-table__total" not in table
    assert f"/reports/districts/{world.maidstone.id}" not in html
    assert f"/reports/districts/{world.dartford.id}" in html


def test_admin_sees_exact_figures_and_the_county_total(client, db, world, make_user, sign_in):
    _families(db, world.maidstone, 3)
    sign_in(make_user(Role.ADMIN))
    html = client.get(f"/reports/county?{YEAR}").get_data(as_text=True)
    assert "&lt;5" not in html
    assert "app-table__total" in html
    assert 'data-testid="anonymised-note"' not in html


def test_coordinator_outcomes_show_their_districts_only(client, db, world, make_user, sign_in):
    _families(db, world.dartford, 2)
    _families(db, world.maidstone, 6)
    sign_in(make_user(Role.COORDINATOR, districts=[world.dartford]))
    html = client.get(f"/reports/outcomes?{YEAR}").get_data(as_text=True)
    assert "Dartford" in html
    assert "Maidstone" not in html
    csv = client.get(f"/reports/outcomes/download?{YEAR}").get_data(as_text=True)
    assert "Dartford" in csv and "Maidstone" not in csv


def test_mentor_programme_filters_by_home_district_and_an_unknown_one_is_404(
    client, world, make_user, sign_in
):
    sign_in(make_user(Role.PROVIDER))
    assert client.get(f"/reports/mentors?district={world.dartford.id}").status_code == 200
    assert client.get("/reports/mentors?district=9999").status_code == 404
    assert client.get("/reports/mentors/download?district=abc").status_code == 404
