"""Importing mentors from CSV and exporting the board (`mentoring/mentors/import_views.py`)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from mentoring.models import AuditEvent, Mentor, MentorTravelDistrict, Role
from tests.factories import vetted_mentor

HEADER = (
    "first_name,last_name,email,phone,postcode,home_district,travel_districts,kind,capacity,"
    "availability,languages,skills,gender,experience,stage,consent_to_checks\n"
)


GOOD = [
    "Ann,Able,ann@example.org,07700 900001,DA1 1AA,DAR,GRA,volunteer,2,weekend,English,"
    "parenting,female,,applied,yes\n",
    "Ben,Baker,ben@example.org,,ME14 1XQ,MAI,,role_model,1,weekday_evening,English; Polish,"
    "housing; debt_money,,Raised four children,references,yes\n",
]


BAD = [
    "Cal,Cole,not-an-email,,DA1 1AA,DAR,,volunteer,2,weekend,English,,,,applied,yes\n",
    "Dee,Dunn,dee@example.org,,DA1 1AA,XXX,GRA; ZZZ,volunteer,7,weekend,English,"
    "juggling,,,ready,no\n",
    "Eve,Eng,ann@example.org,,BAD,DAR,,volunteer,1,weekend,English,,,,applied,yes\n",
]


def _upload(client, text: str, name: str = "mentors.csv"):
    """Upload a file: checked by a job, then the preview (nothing saved yet)."""
    return client.post(
        "/mentors/import",
        data={"file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _confirm(client, preview):
    """Confirm the preview's import; the result page."""
    return client.post(preview.request.path, follow_redirects=True)


def _refresh(db):
    db.rollback()
    db.expire_all()


def test_export_escapes_cells_that_start_with_a_formula(client, db, world, staff):
    mentor = vetted_mentor(db, world.dartford)
    mentor.first_name = "=cmd|' /C calc'!A0"
    mentor.experience = "@risk"
    db.add(mentor)
    db.commit()
    response = client.get("/mentors/export.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0]["first_name"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["experience"] == "'@risk"
    assert rows[0]["matchable"] == "yes"
    assert "certificate" not in response.get_data(as_text=True).lower()
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "mentor.export")).one()


def test_export_follows_the_board_filters(client, db, world, staff):
    vetted_mentor(db, world.dartford)
    vetted_mentor(db, world.maidstone)
    text = client.get(f"/mentors/export.csv?district={world.maidstone.id}").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(text)))) == 1


def test_a_valid_file_is_imported(client, db, world, staff):
    preview = _upload(client, HEADER + "".join(GOOD))
    page = preview.get_data(as_text=True)
    assert "2 rows checked: 2 valid, 0 with problems" in page
    assert "Ann Able" in page
    _refresh(db)
    assert db.exec(select(Mentor)).first() is None  # a preview first
    done = _confirm(client, preview).get_data(as_text=True)
    assert "2 mentors imported" in done
    _refresh(db)
    mentors = db.exec(select(Mentor).order_by(Mentor.id)).all()
    assert [(m.first_name, m.stage, m.kind, m.capacity) for m in mentors] == [
        ("Ann", "applied", "volunteer", 2),
        ("Ben", "references", "role_model", 1),
    ]
    assert mentors[1].languages == ["English", "Polish"]
    assert all(m.consent_to_checks_at for m in mentors)
    assert db.exec(select(MentorTravelDistrict)).one().district_id == world.gravesham.id
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "mentor.import")).one()
    assert event.details == {"count": 2}


def test_bad_rows_are_reported_by_row_and_field_and_nothing_is_saved(client, db, world, staff):
    response = _upload(client, HEADER + "".join(GOOD + BAD))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "5 rows checked: 2 valid, 3 with problems" in page
    assert "Nothing has been saved yet" in page
    expected = [
        ("4", "email", "Enter an email address in the correct format"),
        ("5", "home_district", "Unknown district code: XXX"),
        ("", "travel_districts", "Unknown district codes: ZZZ"),
        ("", "capacity", "Enter how many families, from 1 to 4"),
        ("", "skills", "Select skills and experience from the list"),
        ("", "stage", "A mentor is marked ready in the service"),
        ("", "consent_to_checks", "Enter yes: mentors are imported only with consent"),
        ("6", "email", "The same email address is on line 2"),
        ("", "postcode", "Enter a real postcode"),
    ]
    table = page[page.index('data-testid="import-problems"') :]
    position = 0
    for line, column, message in expected:
        position = table.index(message, position)
        assert column in table[max(0, position - 300) : position]
        if line:
            assert f">{line}<" in table[max(0, position - 600) : position]
    _refresh(db)
    assert db.exec(select(Mentor)).first() is None


def test_the_user_can_choose_to_import_only_the_valid_rows(app, client, db, world, staff):
    preview = _upload(client, HEADER + "".join(GOOD + BAD))
    assert "Import 2 mentors and leave out the rows with problems" in preview.get_data(as_text=True)
    done = _confirm(client, preview).get_data(as_text=True)
    assert "2 mentors imported" in done
    assert "3 rows were left out" in done
    _refresh(db)
    assert sorted(m.first_name for m in db.exec(select(Mentor)).all()) == ["Ann", "Ben"]
    again = _confirm(client, preview)  # the file is used up: nothing imported twice
    assert "2 mentors imported" in again.get_data(as_text=True)
    _refresh(db)
    assert len(db.exec(select(Mentor)).all()) == 2


def test_another_user_cannot_use_an_upload(app, client, db, world, staff, make_user, sign_in):
    preview = _upload(client, HEADER + "".join(GOOD + BAD))
    other = app.test_client()
    sign_in(make_user(Role.PROVIDER), test_client=other)
    assert other.post(preview.request.path).status_code == 404
    assert other.get(preview.request.path).status_code == 404
    _refresh(db)
    assert db.exec(select(Mentor)).first() is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("first_name,last_name\nAnn,Able\n", "Missing columns: email, postcode, home_district"),
        (HEADER.strip() + ",shoe_size\n", "Unknown columns: shoe_size"),
        ("", "The file is empty"),
        (HEADER, "The file has no rows of mentors"),
    ],
)
def test_a_file_with_wrong_columns_is_refused_whole(client, db, staff, content, message):
    page = _upload(client, content).get_data(as_text=True)
    assert message in page
    assert "govuk-error-summary" in page


def test_only_csv_files_are_accepted(client, staff):
    page = _upload(client, HEADER + GOOD[0], name="mentors.xlsx").get_data(as_text=True)
    assert "The file must be a CSV" in page
    page = client.post("/mentors/import", data={}, content_type="multipart/form-data").get_data(
        as_text=True
    )
    assert "Select a CSV file" in page


def test_the_template_file_imports_cleanly(client, db, world, staff):
    template = client.get("/mentors/import/template.csv").get_data(as_text=True)
    assert template.startswith("first_name,last_name,email")
    preview = _upload(client, template).get_data(as_text=True)
    assert "The file holds only the template" in preview
    assert 'data-testid="import-confirm"' not in preview


def test_the_templates_example_row_is_left_out(client, db, world, staff):
    template = client.get("/mentors/import/template.csv").get_data(as_text=True)
    preview = _upload(client, template + GOOD[0])
    page = preview.get_data(as_text=True)
    assert "1 row checked: 1 valid, 0 with problems" in page
    assert "example row (Jo Example) was left out" in page
    assert "2 mentors" not in page
    _confirm(client, preview)
    _refresh(db)
    assert [m.first_name for m in db.exec(select(Mentor)).all()] == ["Ann"]


def test_control_characters_in_cells_are_removed_not_a_500(client, db, world, staff):
    preview = _upload(client, HEADER + GOOD[0].replace("Ann,Able", "An\x00n,Ab\x1ble"))
    assert preview.status_code == 200
    assert "Ann Able" in preview.get_data(as_text=True)
    _confirm(client, preview)
    _refresh(db)
    assert [(m.first_name, m.last_name) for m in db.exec(select(Mentor)).all()] == [("Ann", "Able")]
