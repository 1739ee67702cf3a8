"""District administration: code, name, neighbours (symmetric), targets, coordinators."""

from datetime import date

import pytest
from sqlmodel import select

from mentoring.models import (
    AuditEvent,
    CoordinatorDistrict,
    District,
    DistrictNeighbour,
    DistrictTarget,
    Engagement,
    Role,
)
from mentoring.services.districts import (
    programme_year_label,
    programme_year_of,
    progress,
)
from tests.factories import ready_family


@pytest.fixture
def admin_client(app, make_user, sign_in):
    client = app.test_client()
    sign_in(make_user(Role.ADMIN), test_client=client)
    return client


def _pairs(db):
    return set(db.exec(select(DistrictNeighbour.district_id, DistrictNeighbour.neighbour_id)))


def test_programme_years_start_in_april():
    assert programme_year_of(date(2026, 3, 31)) == 2025
    assert programme_year_of(date(2026, 4, 1)) == 2026
    assert programme_year_label(2026) == "2026/27"
    assert programme_year_label(2099) == "2099/00"


def test_admin_adds_a_district_with_neighbours_kept_both_ways(admin_client, db, world):
    response = admin_client.post(
        "/admin/districts/new",
        data={"code": "sev", "name": "Sevenoaks", "neighbours": [str(world.dartford.id)]},
    )
    assert response.status_code == 302
    sevenoaks = db.exec(select(District).where(District.code == "SEV")).one()
    assert (sevenoaks.id, world.dartford.id) in _pairs(db)
    assert (world.dartford.id, sevenoaks.id) in _pairs(db)
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "district.create")).one()


def test_admin_changes_neighbours_and_both_sides_change(admin_client, db, world):
    response = admin_client.post(
        f"/admin/districts/{world.dartford.id}/edit",
        data={"code": "DAR", "name": "Dartford", "neighbours": [str(world.maidstone.id)]},
    )
    assert response.status_code == 302
    assert _pairs(db) == {
        (world.dartford.id, world.maidstone.id),
        (world.maidstone.id, world.dartford.id),
    }
    page = admin_client.get(f"/admin/districts/{world.gravesham.id}").get_data(as_text=True)
    assert "Dartford" not in page.split('data-testid="district-summary"')[1].split("</dl>")[0]


def test_admin_assigns_coordinators_who_then_see_the_districts_families(
    app, admin_client, db, world, make_user, sign_in
):
    coordinator = make_user(Role.COORDINATOR, districts=[world.dartford])
    family = ready_family(db, world.maidstone)
    client = app.test_client()
    sign_in(coordinator, test_client=client)
    assert client.get(f"/families/{family.id}").status_code == 404
    admin_client.post(
        f"/admin/districts/{world.maidstone.id}/edit",
        data={"code": "MAI", "name": "Maidstone", "coordinators": [str(coordinator.id)]},
    )
    assert client.get(f"/families/{family.id}").status_code == 200
    links = db.exec(
        select(CoordinatorDistrict.district_id).where(CoordinatorDistrict.user_id == coordinator.id)
    ).all()
    assert sorted(links) == sorted([world.dartford.id, world.maidstone.id])
    # Taking the district away again takes the families away.
    admin_client.post(
        f"/admin/districts/{world.maidstone.id}/edit",
        data={"code": "MAI", "name": "Maidstone", "coordinators": []},
    )
    assert client.get(f"/families/{family.id}").status_code == 404


def test_only_coordinators_can_be_assigned_to_a_district(admin_client, db, world, make_user):
    mentor_user = make_user(Role.MENTOR)
    page = admin_client.post(
        f"/admin/districts/{world.dartford.id}/edit",
        data={"code": "DAR", "name": "Dartford", "coordinators": [str(mentor_user.id)]},
    ).get_data(as_text=True)
    assert "govuk-error-summary" in page
    assert db.exec(select(CoordinatorDistrict)).all() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "", "name": "Ashford"}, "Enter a district code"),
        ({"code": "A", "name": "Ashford"}, "2 to 8 capital letters"),
        ({"code": "9AB", "name": "Ashford"}, "2 to 8 capital letters"),
        ({"code": "dar", "name": "Ashford"}, "Dartford already has the code DAR"),
        ({"code": "ASH", "name": "maidstone"}, "There is already a district called Maidstone"),
        ({"code": "ASH", "name": ""}, "Enter the district"),
    ],
)
def test_bad_district_details_are_refused_beside_the_field(admin_client, db, data, message, world):
    response = admin_client.post("/admin/districts/new", data=data)
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 200
    assert message in page
    assert len(db.exec(select(District)).all()) == 3


def test_changing_a_code_keeps_family_references(admin_client, db, world, app):
    family = ready_family(db, world.dartford)
    admin_client.post(
        f"/admin/districts/{world.dartford.id}/edit", data={"code": "DFD", "name": "Dartford"}
    )
    db.refresh(family)
    assert family.reference == "DAR-0001"


def test_admin_sets_changes_and_removes_a_target(admin_client, db, world):
    url = f"/admin/districts/{world.dartford.id}/targets"
    assert (
        admin_client.post(url, data={"programme_year": "2027", "target_families": "45"}).status_code
        == 302
    )
    assert (
        admin_client.post(url, data={"programme_year": "2027", "target_families": "50"}).status_code
        == 302
    )
    rows = db.exec(
        select(DistrictTarget).where(
            DistrictTarget.district_id == world.dartford.id, DistrictTarget.programme_year == 2027
        )
    ).all()
    assert [r.target_families for r in rows] == [50]
    page = admin_client.get(f"/admin/districts/{world.dartford.id}").get_data(as_text=True)
    assert "2027/28" in page
    admin_client.post(f"/admin/districts/{world.dartford.id}/targets/2027/remove")
    db.commit()  # end the test session's read snapshot
    assert (
        db.exec(
            select(DistrictTarget).where(
                DistrictTarget.district_id == world.dartford.id,
                DistrictTarget.programme_year == 2027,
            )
        ).all()
        == []
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"programme_year": "", "target_families": "40"}, "Enter the year the programme year"),
        ({"programme_year": "1999", "target_families": "40"}, "Enter a year from 2000 to 2100"),
        ({"programme_year": "2026", "target_families": "-1"}, "Enter the target as a whole number"),
        ({"programme_year": "2026", "target_families": "lots"}, "whole number"),
    ],
)
def test_bad_target_is_refused_with_a_message(admin_client, world, data, message):
    response = admin_client.post(f"/admin/districts/{world.dartford.id}/targets", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "govuk-error-summary" in response.get_data(as_text=True)


def test_progress_counts_families_referred_in_the_programme_year(app, db, world):
    this_year = ready_family(db, world.dartford, referred_days_ago=0)
    declined = ready_family(db, world.dartford, referred_days_ago=0)
    declined.engagement = Engagement.DECLINED.value
    db.add(declined)
    db.commit()
    year = programme_year_of(this_year.referred_on)
    target = db.exec(
        select(DistrictTarget).where(
            DistrictTarget.district_id == world.dartford.id, DistrictTarget.programme_year == year
        )
    ).first() or DistrictTarget(district_id=world.dartford.id, programme_year=year)
    target.target_families = 4
    db.add(target)
    db.commit()
    result = progress(session=db, district_ids={world.dartford.id}, programme_year=year)
    dartford = result[world.dartford.id]
    assert (dartford.target, dartford.identified, dartford.worked_with) == (4, 2, 1)
    assert dartford.percent == 25
    assert (
        progress(session=db, district_ids={world.dartford.id}, programme_year=year - 5)[
            world.dartford.id
        ].identified
        == 0
    )


def test_coordinator_sees_only_their_districts_read_only(app, make_user, sign_in, world):
    coordinator = make_user(Role.COORDINATOR, districts=[world.dartford])
    client = app.test_client()
    sign_in(coordinator, test_client=client)
    listing = client.get("/admin/districts").get_data(as_text=True)
    assert "Dartford" in listing and "Maidstone" not in listing
    assert "Add a district" not in listing
    assert client.get(f"/admin/districts/{world.dartford.id}").status_code == 200
    assert client.get(f"/admin/districts/{world.maidstone.id}").status_code == 404
    assert client.get(f"/admin/districts/{world.dartford.id}/edit").status_code == 403
    assert client.get("/admin/districts/new").status_code == 403
    response = client.post(
        f"/admin/districts/{world.dartford.id}/targets",
        data={"programme_year": "2026", "target_families": "1"},
    )
    assert response.status_code == 403


def test_district_list_shows_targets_and_progress(admin_client, world):
    page = admin_client.get("/admin/districts?year=2026").get_data(as_text=True)
    assert "2026/27" in page
    assert ">40<" in page and ">80<" in page
    assert admin_client.get("/admin/districts?year=1").status_code == 404


def test_admin_keeps_each_districts_mash_number_and_a_bad_one_is_refused(admin_client, db, world):
    url = f"/admin/districts/{world.dartford.id}/edit"
    bad = admin_client.post(url, data={"code": "DAR", "name": "Dartford", "mash_phone": "call us"})
    page = bad.get_data(as_text=True)
    assert "Enter a phone number, like 03000 41 11 11" in page and "call us" in page
    good = admin_client.post(
        url, data={"code": "DAR", "name": "Dartford", "mash_phone": "03000  41 11 11"}
    )
    assert good.status_code == 302
    db.expire_all()
    assert db.get(District, world.dartford.id).mash_phone == "03000 41 11 11"
    shown = admin_client.get(f"/admin/districts/{world.dartford.id}").get_data(as_text=True)
    assert "03000 41 11 11" in shown
