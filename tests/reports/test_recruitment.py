"""The Recruitment page: a plan as a background job, shown, exported, within scope."""

from __future__ import annotations

import csv
import io

from sqlmodel import select

from mentoring.models import BackgroundJob, Role
from tests.factories import ready_family, vetted_mentor


def _plan(client, district_id):  # type: ignore[no-untyped-def]
    response = client.post("/reports/recruitment", data={"scope": str(district_id)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def test_a_coordinator_plans_recruitment_and_sees_whom_to_recruit_and_train(
    client, sign_in, db, world, coordinator
):
    vetted_mentor(db, world.dartford, capacity=2)
    families = [ready_family(db, world.dartford) for _ in range(3)]
    ready_family(db, world.dartford, domestic_abuse=True)
    sign_in(coordinator)
    assert "Recruitment" in client.get("/").get_data(as_text=True)  # in the navigation
    location = _plan(client, world.dartford.id)
    page = client.get(location).get_data(as_text=True)
    assert "Whom to recruit" in page and 'data-testid="coverage-chart"' in page
    assert "Lives in Dartford" in page
    assert 'data-testid="served-by-district"' in page and 'data-testid="served-by-need"' in page
    assert 'href="/volunteer"' in page
    for family in families:
        assert family.reference not in page  # counts only, never a family
    job = db.exec(select(BackgroundJob).where(BackgroundJob.kind == "recruitment_plan")).one()
    assert "reference" not in str(job.result)
    export = client.get(f"/reports/recruitment/{job.id}/plan.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert rows[0][0] == "action" and rows[1][:2] == ["recruit", "1"]
    listing = client.get("/reports/recruitment").get_data(as_text=True)
    assert f"Plan {job.id}" in listing


def test_a_coordinator_cannot_plan_or_see_a_plan_beyond_their_districts(
    client, sign_in, db, world, coordinator, make_user
):
    ready_family(db, world.maidstone)
    provider = make_user(Role.PROVIDER)
    sign_in(provider)
    location = _plan(client, world.maidstone.id)
    page = client.get(location).get_data(as_text=True)  # provider staff plan everywhere
    assert "shown as &lt;5" in page  # but see small numbers of families suppressed
    job = db.exec(select(BackgroundJob).where(BackgroundJob.kind == "recruitment_plan")).one()
    sign_in(coordinator)
    assert client.get(f"/reports/recruitment/{job.id}").status_code == 404
    assert client.get(f"/reports/recruitment/{job.id}/plan.csv").status_code == 404
    page = client.post("/reports/recruitment", data={"scope": str(world.maidstone.id)})
    assert page.status_code == 200  # not a choice: the message beside the field, no job
    assert "govuk-error-message" in page.get_data(as_text=True)
    assert len(db.exec(select(BackgroundJob)).all()) == 1


def test_mentors_cannot_open_the_recruitment_page(client, sign_in, db, world, make_user):
    sign_in(make_user(Role.SAFEGUARDING))
    assert client.get("/reports/recruitment").status_code == 403
