"""Subject access exports (mentoring/services/dataprotection.py), on the demo data."""

import json

import pytest
from sqlmodel import select

from demo.data import load_demo_data
from mentoring.models import AuditEvent, Family, Mentor, Reference, Role, User
from mentoring.security import DEMO_PASSWORD


@pytest.fixture
def demo(app, db):
    with app.app_context():
        load_demo_data(db, families=60, mentors=20)
    return db


def _admin_client(app):
    client = app.test_client()
    response = client.post(
        "/sign-in", data={"email": "admin@example.org", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_a_demo_mentors_export_holds_their_records_and_withholds_their_referees(
    app, demo, runner, tmp_path
):
    user = demo.exec(select(User).where(User.email == "mentor@example.org")).one()
    mentor = demo.get(Mentor, user.mentor_id)
    referee = demo.exec(select(Reference).where(Reference.mentor_id == mentor.id)).first()
    result = runner.invoke(
        args=["subject-access", "--mentor", mentor.reference, "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / f"subject-access-mentor-{mentor.reference}.json").read_text())
    titles = [s["title"] for s in data["sections"]]
    assert {"Mentor record", "DBS checks", "References", "Training", "Matches", "Account"} <= set(
        titles
    )
    record = next(s for s in data["sections"] if s["title"] == "Mentor record")["rows"][0]
    assert record["email"] == mentor.email and "password_hash" not in json.dumps(data)
    html = (tmp_path / f"subject-access-mentor-{mentor.reference}.html").read_text()
    assert mentor.last_name in html and "What is withheld" in html
    if referee is not None:
        assert referee.referee_name not in html and referee.referee_name not in json.dumps(data)
    matches = next(s for s in data["sections"] if s["title"] == "Matches")["rows"]
    assert all(m["family_id"].startswith("a family in ") for m in matches)
    demo.rollback()  # a fresh read: the command wrote through its own session
    exports = demo.exec(
        select(AuditEvent).where(AuditEvent.action == "subject_access.export")
    ).all()
    assert [(e.object_type, e.object_id) for e in exports] == [("mentor", mentor.id)]


def test_a_demo_familys_export_is_downloaded_by_an_administrator(app, demo):
    family = demo.exec(select(Family)).first()
    client = _admin_client(app)
    assert client.get("/admin/subject-access").status_code == 200
    response = client.post(
        "/admin/subject-access",
        data={"kind": "family", "reference": family.reference.lower(), "fmt": "json"},
    )
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["subject"] == {"kind": "family", "reference": family.reference}
    assert "Family record" in [s["title"] for s in data["sections"]]
    mentoring = next(s for s in data["sections"] if s["title"] == "Mentoring")["rows"]
    assert all(m["mentor_id"] == "a volunteer mentor" for m in mentoring)
    page = client.post(
        "/admin/subject-access",
        data={"kind": "family", "reference": family.reference, "fmt": "html"},
    )
    assert page.mimetype == "text/html" and family.reference in page.get_data(as_text=True)


def test_an_unknown_reference_is_refused_beside_the_field_and_kept(app, demo):
    client = _admin_client(app)
    page = client.post(
        "/admin/subject-access", data={"kind": "mentor", "reference": "M-9999", "fmt": "html"}
    ).get_data(as_text=True)
    assert "There is no mentor with reference M-9999" in page
    assert 'value="M-9999"' in page


def test_the_command_refuses_bad_arguments_in_one_line(runner, tmp_path, demo):
    result = runner.invoke(args=["subject-access", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "exactly one of" in result.output
    result = runner.invoke(args=["subject-access", "--family", "XYZ-0001", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "There is no family" in result.output
    assert "Traceback" not in result.output


def test_only_administrators_export(client, sign_in, make_user):
    sign_in(make_user(Role.PROVIDER))
    assert client.get("/admin/subject-access").status_code == 403
