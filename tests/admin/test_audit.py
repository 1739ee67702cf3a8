"""The audit log for administrators (mentoring/admin/audit_views.py)."""

import csv
import io
from datetime import timedelta

import pytest
from sqlmodel import select

from mentoring.models import AuditEvent, Role, utcnow


@pytest.fixture
def admin(make_user, sign_in):
    user = make_user(Role.ADMIN)
    sign_in(user)
    return user


def _event(db, action, *, actor=None, object_id=None, days_ago=0):
    db.add(
        AuditEvent(
            action=action,
            actor_id=actor.id if actor else None,
            actor_role=actor.role if actor else "system",
            object_type="family",
            object_id=object_id,
            at=utcnow() - timedelta(days=days_ago),
        )
    )
    db.commit()


def test_search_by_person_action_record_and_date(client, admin, make_user, db):
    viewer = make_user(Role.COORDINATOR, email="casey.viewer@example.org")
    _event(db, "family.view", actor=viewer, object_id=7)
    _event(db, "family.view", actor=viewer, object_id=8, days_ago=40)
    _event(db, "family.update", object_id=7)
    page = client.get("/admin/audit?who=casey").get_data(as_text=True)
    assert "2 entries" in page
    page = client.get("/admin/audit?who=casey&object_type=family&object_id=7").get_data(
        as_text=True
    )
    assert "1 entry" in page and "casey.viewer@example.org" in page
    page = client.get("/admin/audit?action=family.").get_data(as_text=True)
    assert "3 entries" in page
    today = utcnow().date()
    start = today - timedelta(days=10)
    page = client.get(
        f"/admin/audit?who=casey&start={start.day}&start={start.month}&start={start.year}"
    ).get_data(as_text=True)
    assert "1 entry" in page


def test_the_export_holds_the_matching_entries_and_is_itself_audited(client, admin, db):
    _event(db, "family.view", object_id=7)
    response = client.get("/admin/audit/export.csv?action=family.view")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["family.view"]
    exports = db.exec(select(AuditEvent).where(AuditEvent.action == "audit.export")).all()
    assert len(exports) == 1 and exports[0].details == {"count": 1}


def test_bad_search_input_is_shown_beside_the_field(client, admin):
    response = client.get("/admin/audit?object_id=abc&start=31&start=2&start=2026")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-message" in page
    assert "Enter a record number" in page or "Not a valid integer value" in page


def test_only_administrators_see_the_audit_log(client, sign_in, make_user, world):
    sign_in(make_user(Role.COORDINATOR, districts=[world.dartford]))
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit/export.csv").status_code == 403


def test_an_administrator_sees_who_viewed_a_mentors_dbs_check(
    client, admin, make_user, sign_in, db, world, app
):
    from tests.factories import vetted_mentor

    mentor = vetted_mentor(db, world.dartford)
    provider = make_user(Role.PROVIDER, email="pat.provider@example.org")
    other = app.test_client()
    sign_in(provider, test_client=other)
    assert other.get(f"/mentors/{mentor.id}").status_code == 200
    page = client.get(f"/mentors/{mentor.id}").get_data(as_text=True)
    link = page.split('data-testid="dbs-view-log"')[0].rsplit('href="', 1)[1].split('"')[0]
    log = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "pat.provider@example.org" in log and "dbs.view" in log
    assert "2 entries" in log  # the provider's view and the administrator's own
