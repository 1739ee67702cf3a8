"""Every report filters by programme year or by dates; a wrong date is explained beside its
field, never a server error."""

from __future__ import annotations

import re
from datetime import date

import pytest

from mentoring.models import Role, service_today
from mentoring.services.districts import current_programme_year, programme_year_label
from tests.factories import ready_family, vetted_mentor

REPORTS = ["/reports/county", "/reports/outcomes", "/reports/mentors"]
DOWNLOADS = ["/reports/county/download", "/reports/outcomes/download", "/reports/mentors/download"]


def _dates(start: tuple[str, str, str], end: tuple[str, str, str] | None = None) -> dict:
    query = {"start": list(start)}
    if end is not None:
        query["end"] = list(end)
    return query


@pytest.fixture
def admin(client, make_user, sign_in):
    user = make_user(Role.ADMIN)
    sign_in(user)
    return user


def _identified(html: str, name: str) -> str:
    table = re.search(r'data-testid="county-overview".*?</table>', html, re.S).group(0)
    row = re.search(rf">{name}(?:</a>)?</th>(.*?)</tr>", table, re.S).group(1)
    return re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[1]).strip()


def test_programme_year_counts_the_families_referred_in_that_year(client, db, world, admin):
    for day in (date(2025, 4, 1), date(2026, 3, 31), date(2026, 4, 1), date(2027, 3, 31)):
        family = ready_family(db, world.dartford)
        family.referred_on = day
        db.add(family)
    db.commit()
    html_2025 = client.get("/reports/county?year=2025").get_data(as_text=True)
    html_2026 = client.get("/reports/county?year=2026").get_data(as_text=True)
    assert _identified(html_2025, "Dartford") == "2"
    assert _identified(html_2026, "Dartford") == "2"
    assert "programme year 2026/27 (1 April 2026 to 31 March 2027)" in html_2026
    # The district's target is for the programme year shown.
    dashboard = client.get(f"/reports/districts/{world.dartford.id}?year=2026").get_data(
        as_text=True
    )
    assert "Target for the programme year</th>" in dashboard
    assert re.search(r"Target for the programme year</th>\s*<td[^>]*>40</td>", dashboard)


def test_date_range_counts_the_families_referred_between_the_dates(client, db, world, admin):
    for day in (date(2026, 4, 30), date(2026, 5, 1), date(2026, 5, 31), date(2026, 6, 1)):
        family = ready_family(db, world.dartford)
        family.referred_on = day
        db.add(family)
    db.commit()
    response = client.get(
        "/reports/county", query_string=_dates(("1", "5", "2026"), ("31", "5", "2026"))
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _identified(html, "Dartford") == "2"
    assert "1 May 2026 to 31 May 2026" in html
    # The dates are kept in the form, the sort links and the download link.
    assert re.search(r'id="start-month" name="start" type="text" value="5"', html)
    assert re.search(r'id="end-day" name="end" type="text" value="31"', html)
    assert "start=1&amp;start=5&amp;start=2026" in html
    download = client.get(
        "/reports/county/download", query_string=_dates(("1", "5", "2026"), ("31", "5", "2026"))
    )
    assert (
        'filename="county-overview-2026-05-01-to-2026-05-31.csv"'
        in download.headers["Content-Disposition"]
    )
    assert "2026-05-01,2026-05-31,Dartford" in download.get_data(as_text=True)


def test_the_current_programme_year_is_the_default(client, db, world, admin):
    html = client.get("/reports/county").get_data(as_text=True)
    label = programme_year_label(current_programme_year())
    assert f"programme year {label}" in html
    assert re.search(rf'<option value="{current_programme_year()}" selected>', html)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (_dates(("31", "2", "2026"), ("1", "3", "2026")), "start", "From must be a real date"),
        (_dates(("1", "", "2026"), ("1", "3", "2026")), "start", "From must include a month"),
        (_dates(("1", "4", "2026")), "end", "Enter the last date of the period"),
        (_dates(("", "", ""), ("1", "4", "2026")), "start", "Enter the first date of the period"),
        (_dates(("1", "4", "2026"), ("1", "3", "2026")), "end", "same as or after the first date"),
        (_dates(("1", "4", "2026"), ("aa", "3", "2027")), "end", "To must be a real date"),
        (_dates(("1", "4", "1999"), ("1", "3", "2000")), "start", "in 2000 or later"),
        (_dates(("1", "4", "2000"), ("1", "3", "2026")), "end", "10 years or shorter"),
        ({"year": "abc"}, "year", "Select a programme year from the list"),
        ({"year": "1999"}, "year", "Select a programme year from the list"),
    ],
)
@pytest.mark.parametrize("path", REPORTS)
def test_a_wrong_period_is_explained_beside_its_field(
    client, world, admin, path, query, field, message
):
    response = client.get(path, query_string=query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html
    error = re.search(rf'<p id="{field}-error" class="govuk-error-message">(.*?)</p>', html, re.S)
    assert error is not None, html[:3000]
    assert message in error.group(1)
    assert html.count(message) >= 2  # in the summary and beside the field
    assert "<title>Error: " in html


@pytest.mark.parametrize("path", DOWNLOADS)
def test_a_download_with_a_wrong_period_shows_the_page_with_the_error(client, world, admin, path):
    response = client.get(path, query_string=_dates(("32", "1", "2026"), ("1", "3", "2026")))
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "From must be a real date" in response.get_data(as_text=True)


def test_a_dashboard_with_a_wrong_period_shows_the_error(client, world, admin):
    path = f"/reports/districts/{world.dartford.id}"
    response = client.get(path, query_string={"year": "20x6"})
    assert response.status_code == 400
    assert "Select a programme year from the list" in response.get_data(as_text=True)
    download = client.get(f"{path}/download", query_string={"year": "20x6"})
    assert download.status_code == 400


def test_mentor_programme_counts_the_volunteers_who_applied_in_the_period(
    client, db, world, make_user, sign_in
):
    today = service_today()
    vetted_mentor(db, world.dartford)  # applied today
    sign_in(make_user(Role.PROVIDER))
    this_year = client.get("/reports/mentors").get_data(as_text=True)
    last_year = client.get(f"/reports/mentors?year={current_programme_year() - 1}").get_data(
        as_text=True
    )

    def reached(html: str) -> str:
        table = re.search(r'data-testid="mentor-funnel".*?</table>', html, re.S).group(0)
        row = re.search(r">Applied</th>(.*?)</tr>", table, re.S).group(1)
        return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[0].strip()

    assert reached(this_year) == "1"
    assert reached(last_year) == "0"
    assert today.year >= 2026
