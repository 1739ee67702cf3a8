"""The safeguarding report counts and never shows; no CSV file ever holds a concern."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from mentoring.models import Role, SafeguardingConcern
from mentoring.services.safeguarding import Raised, raise_concern, triage
from tests.factories import active_match, refresh
from tests.safeguarding.helpers import RAISED

YEAR = {"year": str(date.today().year if date.today().month >= 4 else date.today().year - 1)}
WORDS = "no food in the house"


def _concerns(app, db, world, coordinator, count: int, *, triaged: bool = False) -> None:
    for _ in range(count):
        _mentor, _family, match = active_match(app, db, world, coordinator)
        with app.test_request_context():
            concern = raise_concern(
                session=db, match=match, actor_id=coordinator.id, raised=Raised(**RAISED)
            )
            if triaged:
                triage(session=db, concern_id=concern.id, actor_id=coordinator.id, decision="d")
    refresh(db)


def test_the_report_counts_by_category_and_district_with_small_numbers_suppressed(
    app, client, sign_in, db, world, coordinator, make_user
):
    _concerns(app, db, world, coordinator, 2, triaged=True)
    sign_in(make_user(Role.SAFEGUARDING))
    page = client.get("/reports/safeguarding", query_string=YEAR).get_data(as_text=True)
    assert WORDS not in page
    categories = page.split('data-testid="by-category"')[1].split("</table>")[0]
    assert "Neglect" in categories and "&lt;5" in categories
    districts = page.split('data-testid="by-district"')[1].split("</table>")[0]
    assert "Dartford" in districts and "&lt;5" in districts
    assert "2 hours" not in page  # a median of fewer than five is not shown


def test_the_report_shows_the_median_and_90th_percentile_time_to_triage(
    app, client, sign_in, db, world, coordinator, make_user
):
    _concerns(app, db, world, coordinator, 5, triaged=True)
    sign_in(make_user(Role.PROVIDER))
    page = client.get("/reports/safeguarding", query_string=YEAR).get_data(as_text=True)
    assert "Median time to triage" in page and "0 hours" in page
    assert ">5<" in page.split('data-testid="by-category"')[1].split("</table>")[0]


def test_coordinators_and_mentors_do_not_see_the_safeguarding_report(
    client, sign_in, coordinator, make_user
):
    for user in (coordinator, make_user(Role.MENTOR)):
        sign_in(user)
        assert client.get("/reports/safeguarding").status_code == 403


def test_concern_details_are_never_in_a_csv_export(
    app, client, sign_in, db, world, coordinator, make_user
):
    _concerns(app, db, world, coordinator, 1)
    assert db.exec(select(SafeguardingConcern)).one()
    sign_in(make_user(Role.ADMIN))
    for url in (
        "/families/export.csv",
        "/mentors/export.csv",
        f"/reports/districts/{world.dartford.id}/download",
        "/reports/county/download",
        "/reports/outcomes/download",
        "/reports/mentors/download",
    ):
        response = client.get(url, query_string=YEAR)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert WORDS not in body and "SG-" not in body and "Tuesday afternoon" not in body
