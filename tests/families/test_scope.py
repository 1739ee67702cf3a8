"""District scope: a coordinator sees and changes only their districts' families."""

import io
import re

import pytest
from sqlmodel import select

from mentoring.models import AuditEvent, Family, Role, utcnow
from tests.factories import ready_family

TODAY = utcnow().date()
DATE = {"day": str(TODAY.day), "month": str(TODAY.month), "year": str(TODAY.year)}


def _date(name):
    return {name: [DATE["day"], DATE["month"], DATE["year"]]}


@pytest.fixture
def families(db, world):
    return {
        "dartford": ready_family(db, world.dartford),
        "maidstone": ready_family(db, world.maidstone),
    }


@pytest.fixture
def dartford_client(app, make_user, sign_in, world):
    user = make_user(Role.COORDINATOR, districts=[world.dartford])
    client = app.test_client()
    sign_in(user, test_client=client)
    return client


PAGES = ["", "/edit", "/eligibility", "/consent", "/engagement", "/outcomes"]


def test_dartford_coordinator_gets_404_on_a_maidstone_family_by_url(dartford_client, families):
    other, own = families["maidstone"], families["dartford"]
    for suffix in PAGES:
        assert dartford_client.get(f"/families/{other.id}{suffix}").status_code == 404, suffix
        assert dartford_client.get(f"/families/{own.id}{suffix}").status_code == 200, suffix


def test_missing_and_forbidden_families_answer_the_same(dartford_client, families):
    missing = dartford_client.get("/families/999999")
    forbidden = dartford_client.get(f"/families/{families['maidstone'].id}")
    assert missing.status_code == forbidden.status_code == 404
    # The same page but for the per-request nonce and CSRF token (signed with the time),
    # and the seconds the timeout warning counts down from.
    varying = re.compile(
        r'nonce="[^"]+"|name="csrf_token" value="[^"]+"|data-csrf="[^"]+"|data-expires-in="\d+"'
    )
    assert varying.sub("", missing.get_data(as_text=True)) == varying.sub(
        "", forbidden.get_data(as_text=True)
    )


POSTS = [
    ("/edit", {"referred_on": None, "adults": "2", "wants_role_model": "no"}),
    (
        "/eligibility",
        {"programme_phase": "1", "crime_asb": "y", "crime_asb_source": "Police"},
    ),
    (
        "/consent",
        {"consent_mentoring": "not_given", "consent_sharing": "not_given"},
    ),
    ("/engagement", {"engagement": "declined"}),
    ("/outcomes", {"outcome": "school_attendance", "evidence": "Register"}),
    ("/outcomes/school_attendance/remove", {}),
]


def test_dartford_coordinator_gets_404_on_a_maidstone_family_by_form_post(
    dartford_client, db, families
):
    other = families["maidstone"]
    before = db.get(Family, other.id).model_dump()
    for suffix, data in POSTS:
        form = dict(data)
        for name in ("referred_on", "crime_asb_date", "consent_mentoring_on", "on", "achieved_on"):
            form.update(_date(name))
        response = dartford_client.post(f"/families/{other.id}{suffix}", data=form)
        assert response.status_code == 404, suffix
    db.commit()  # end the read snapshot, then reload
    db.expire_all()
    assert db.get(Family, other.id).model_dump() == before
    changes = db.exec(
        select(AuditEvent).where(
            AuditEvent.object_id == other.id, AuditEvent.action != "family.view"
        )
    ).all()
    assert changes == []


def test_dartford_coordinator_gets_404_on_a_maidstone_export(dartford_client, world, families):
    response = dartford_client.get(f"/families/export.csv?district={world.maidstone.id}")
    assert response.status_code == 404
    assert dartford_client.get(f"/families/?district={world.maidstone.id}").status_code == 404


def test_export_and_list_hold_only_the_coordinators_districts(dartford_client, families):
    export = dartford_client.get("/families/export.csv").get_data(as_text=True)
    assert families["dartford"].reference in export
    assert families["maidstone"].reference not in export
    listing = dartford_client.get("/families/").get_data(as_text=True)
    assert families["dartford"].reference in listing
    assert families["maidstone"].reference not in listing


def test_coordinator_cannot_add_a_family_to_another_district(dartford_client, db, world):
    form = {"district": str(world.maidstone.id), "adults": "1", "wants_role_model": "no"}
    form.update(_date("referred_on"))
    response = dartford_client.post("/families/new", data=form)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.get_data(as_text=True)
    assert db.exec(select(Family)).all() == []


def test_coordinator_cannot_link_a_new_referral_to_another_districts_family(
    dartford_client, db, world, families
):
    other = families["maidstone"]
    assert dartford_client.get(f"/families/new?previous={other.id}").status_code == 404
    form = {
        "district": str(world.dartford.id),
        "previous_reference": other.reference,
        "adults": "1",
        "wants_role_model": "no",
    }
    form.update(_date("referred_on"))
    response = dartford_client.post("/families/new", data=form)
    assert f"There is no family with reference {other.reference} in your districts" in (
        response.get_data(as_text=True)
    )
    assert db.exec(select(Family).where(Family.previous_family_id == other.id)).all() == []


def test_coordinator_cannot_import_families_into_another_district(dartford_client, db, world):
    body = "district,adults\nMAI,1\n"
    response = dartford_client.post(
        "/families/import",
        data={"file": (io.BytesIO(body.encode()), "families.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "You cannot add families to MAI" in page
    assert 'data-testid="import-confirm"' not in page
    assert db.exec(select(Family)).all() == []


def test_previous_reference_search_finds_only_the_coordinators_families(dartford_client, families):
    page = dartford_client.get("/families/new?search=0001").get_data(as_text=True)
    assert families["dartford"].reference in page
    assert families["maidstone"].reference not in page


def test_admin_sees_every_districts_families(app, make_user, sign_in, families):
    admin = make_user(Role.ADMIN)
    client = app.test_client()
    sign_in(admin, test_client=client)
    assert client.get(f"/families/{families['maidstone'].id}").status_code == 200
    export = client.get("/families/export.csv").get_data(as_text=True)
    assert families["dartford"].reference in export
    assert families["maidstone"].reference in export
    assert client.get(f"/families/{families['maidstone'].id}/access").status_code == 200


def test_coordinator_cannot_see_who_viewed_a_family(dartford_client, families):
    response = dartford_client.get(f"/families/{families['dartford'].id}/access")
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.MENTOR, Role.PROVIDER])
def test_mentors_and_providers_see_no_family_pages(app, make_user, sign_in, families, role):
    client = app.test_client()
    sign_in(make_user(role), test_client=client)
    family = families["dartford"]
    for url in ("/families/", f"/families/{family.id}", "/families/export.csv", "/families/new"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/families/{family.id}/engagement", data={}).status_code == 403


def test_coordinator_with_no_districts_sees_an_empty_list(app, make_user, sign_in, families):
    client = app.test_client()
    sign_in(make_user(Role.COORDINATOR), test_client=client)
    page = client.get("/families/").get_data(as_text=True)
    assert "No families yet" in page
    assert client.get(f"/families/{families['dartford'].id}").status_code == 404
