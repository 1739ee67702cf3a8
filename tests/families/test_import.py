"""Family CSV import: a validation report by row and column; nothing half-saved."""

import csv
import html
import io

import pytest
from sqlmodel import select

from mentoring.models import AuditEvent, Family, FamilyCriterion, FamilyEvent, Role

HEADER = (
    "district,referred_on,programme_phase,tranche,adults,children_5_10,languages,needs,"
    "criteria,evidence_date,evidence_source,consent_mentoring_on,consent_sharing_on,engagement"
)
GOOD = "DAR,2026-01-05,1,3,1,2,English;Polish,school_attendance,crime_asb;education;worklessness,2026-01-02,Police,2026-01-10,2026-01-10,engaged"  # noqa: E501
GOOD_GRA = "GRA,05/01/2026,2,2,2,0,English,housing,health;domestic_abuse,2026-01-02,GP,,,identified"


@pytest.fixture
def coordinator(make_user, world):
    return make_user(Role.COORDINATOR, districts=[world.dartford, world.gravesham])


@pytest.fixture
def client(app, coordinator, sign_in):
    client = app.test_client()
    sign_in(coordinator, test_client=client)
    return client


def _read(response):
    """The page as a person reads it: unescaped, whitespace collapsed."""
    return " ".join(html.unescape(response.get_data(as_text=True)).split())


def _upload(client, text, mode="import", name="families.csv", raw=None, keep=False):
    """Upload a file (checked by a job, then the preview); "import" confirms it too."""
    data = raw if raw is not None else text.encode()
    response = client.post(
        "/families/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    if mode != "import" or 'data-testid="import-confirm"' not in response.get_data(as_text=True):
        return _read(response)
    form = {"keep_duplicates": "y"} if keep else {}
    return _read(client.post(response.request.path, data=form, follow_redirects=True))


def _csv(*rows, header=HEADER):
    return "\n".join([header, *rows]) + "\n"


def test_valid_file_imports_every_family_with_criteria_and_consent(client, db, world):
    response = _upload(client, _csv(GOOD, GOOD_GRA))
    page = response
    assert "2 families imported" in page
    families = db.exec(select(Family).order_by(Family.id)).all()
    assert [f.reference for f in families] == ["DAR-0001", "GRA-0001"]
    dar = families[0]
    assert dar.consent_mentoring and dar.consent_sharing
    assert dar.engagement == "engaged"
    assert dar.languages == ["English", "Polish"]
    assert dar.programme_phase == 1
    assert families[1].referred_on.isoformat() == "2026-01-05"
    criteria = db.exec(
        select(FamilyCriterion.criterion).where(FamilyCriterion.family_id == dar.id)
    ).all()
    assert sorted(criteria) == ["crime_asb", "education", "worklessness"]
    assert db.exec(select(FamilyEvent).where(FamilyEvent.family_id == dar.id)).all()
    creates = db.exec(select(AuditEvent).where(AuditEvent.action == "family.create")).all()
    assert {e.object_id for e in creates} == {f.id for f in families}
    # The imported family is on the waiting list.
    waiting = client.get("/families/?mentor=waiting").get_data(as_text=True)
    assert "DAR-0001" in waiting


BAD_ROWS = [
    ("XYZ" + GOOD[3:], "district", "There is no district with code XYZ"),
    ("MAI" + GOOD[3:], "district", "You cannot add families to MAI"),
    (GOOD.replace("2026-01-05", "5th Jan"), "referred_on", "Enter a date as YYYY-MM-DD"),
    (GOOD.replace(",1,3,1,2,", ",3,3,1,2,"), "programme_phase", "Enter 1 or 2"),
    (GOOD.replace(",1,3,1,2,", ",1,4,1,2,"), "tranche", "Enter 1, 2 or 3"),
    (GOOD.replace(",1,3,1,2,", ",1,3,one,2,"), "adults", "Enter a whole number"),
    (GOOD.replace(",1,3,1,2,", ",1,3,1,99,"), "children_5_10", "Enter a number from 0 to 20"),
    (GOOD.replace("school_attendance", "knitting"), "needs", "Unknown need 'knitting'"),
    (GOOD.replace("crime_asb;", "truancy;"), "criteria", "Unknown criterion 'truancy'"),
    (GOOD.replace(",Police,", ",,"), "evidence_source", "Enter where the evidence"),
    (GOOD.replace("engaged", "exited"), "engagement", "cannot be imported as exited"),
    (
        GOOD.replace("2026-01-10,2026-01-10", "2026-01-01,2026-01-10"),
        "consent_mentoring_on",
        "on or after the referral date",
    ),
]


def test_bad_row_is_reported_by_row_and_column_and_nothing_is_saved(client, db, world):
    for row, column, message in BAD_ROWS:
        page = _upload(client, _csv(GOOD, row), mode="check")
        assert "2 rows checked: 1 valid, 1 with problems" in page, column
        assert "Nothing has been saved" in page, column
        problems = page[page.index('data-testid="import-problems"') :]
        assert ">3<" in problems, column  # the header is row 1, the bad row is row 3
        assert column in problems, column
        assert message in problems, column
    assert db.exec(select(Family)).all() == []


def test_user_may_import_only_the_valid_rows(client, db, world):
    bad = "XYZ" + GOOD[3:]
    preview = _upload(client, _csv(GOOD, bad, GOOD_GRA), mode="check")
    assert "There is no district with code XYZ" in preview
    assert "Import 2 families and leave out the rows with problems" in preview
    page = _upload(client, _csv(GOOD, bad, GOOD_GRA))
    assert "2 families imported" in page
    assert "1 row was left out" in page
    assert len(db.exec(select(Family)).all()) == 2
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "family.import")).one()
    assert event.details == {"rows": 2, "rows_left_out": 1}


def test_checking_a_file_saves_nothing(client, db, world):
    page = _upload(client, _csv(GOOD), mode="check")
    assert "1 row checked: 1 valid, 0 with problems" in page
    assert "Nothing has been saved yet" in page
    assert "Import 1 family" in page
    assert db.exec(select(Family)).all() == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        ("district,colour\nDAR,blue\n", "Unknown column 'colour'"),
        ("adults\n1\n", "The file has no district column"),
        ("district,district\nDAR,DAR\n", "A column appears more than once"),
    ],
)
def test_bad_file_is_refused_with_a_message(client, db, world, text, message):
    page = _upload(client, text)
    assert message in page
    assert "govuk-error-summary" in page
    assert db.exec(select(Family)).all() == []


def test_row_with_the_wrong_number_of_cells_is_reported(client, db, world):
    page = _upload(client, _csv(GOOD + ",extra"), mode="check")
    assert "The row has 15 cells but the header has 14" in page
    assert db.exec(select(Family)).all() == []


def test_file_that_is_not_utf8_is_refused(client, db, world):
    page = _upload(client, "", raw="district\nDAR\u00e9\n".encode("utf-16"))
    assert "The file must be saved as UTF-8 CSV" in page
    assert db.exec(select(Family)).all() == []


def test_file_that_is_not_a_csv_is_refused(client, db, world):
    page = _upload(client, _csv(GOOD), name="families.xlsx")
    assert "The file must be a CSV file" in page
    assert db.exec(select(Family)).all() == []


def test_template_download_imports_as_it_is(client, db, world):
    response = client.get("/families/import/template.csv")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    header = next(csv.reader(io.StringIO(text)))
    assert header[0] == "district"
    page = _upload(client, text)
    assert "1 family imported" in page
    assert db.exec(select(Family.reference)).all() == ["DAR-0001"]


def test_import_can_link_an_earlier_referral(client, db, world):
    _upload(client, _csv(GOOD))
    text = "district,previous_reference\nDAR,dar-0001\nDAR,DAR-0099\n"
    preview = _upload(client, text, mode="check")
    assert "There is no family with reference DAR-0099 in your districts" in preview
    _upload(client, text)
    first = db.exec(select(Family).where(Family.reference == "DAR-0001")).one()
    again = db.exec(select(Family).where(Family.reference == "DAR-0002")).one()
    assert again.previous_family_id == first.id


def test_upload_without_a_file_asks_for_one(client, db, world):
    page = client.post("/families/import", data={}, content_type="multipart/form-data").get_data(
        as_text=True
    )
    assert "Choose a CSV file" in page


def test_identical_rows_are_flagged_and_left_out_unless_kept(client, db, world):
    text = _csv(GOOD, GOOD, GOOD)
    preview = _upload(client, text, mode="check")
    assert "3 rows checked: 3 valid, 0 with problems, 2 that look like duplicates" in preview
    duplicates = preview[preview.index('data-testid="import-duplicates"') :]
    assert "The same family as row 2" in duplicates
    assert "Import 1 family" in preview
    page = _upload(client, text)
    assert "1 family imported" in page
    assert len(db.exec(select(Family)).all()) == 1


def test_a_row_like_a_family_already_held_is_flagged(client, db, world):
    _upload(client, _csv(GOOD))
    preview = _upload(client, _csv(GOOD, GOOD_GRA), mode="check")
    assert "Looks like DAR-0001, already held" in preview
    page = _upload(client, _csv(GOOD, GOOD_GRA), keep=True)
    assert "2 families imported" in page
    assert len(db.exec(select(Family)).all()) == 3


def test_an_import_runs_as_a_job_and_the_preview_is_the_uploaders_only(
    app, client, db, world, make_user, sign_in
):
    from mentoring.models import BackgroundJob

    response = client.post(
        "/families/import",
        data={"file": (io.BytesIO(_csv(GOOD).encode()), "families.csv")},
        content_type="multipart/form-data",
    )
    preview_url = response.headers["Location"]
    assert preview_url.startswith("/families/import/")
    assert [j.kind for j in db.exec(select(BackgroundJob)).all()] == ["csv_check"]
    other = app.test_client()
    sign_in(make_user(Role.COORDINATOR, districts=[world.dartford]), test_client=other)
    assert other.get(preview_url).status_code == 404
    assert other.post(preview_url).status_code == 404
    assert db.exec(select(Family)).all() == []


def test_control_characters_in_cells_are_removed_not_a_500(client, db, world):
    row = GOOD.replace("Police", "Pol\x00ice\x07")
    page = _upload(client, _csv(row))
    assert "1 family imported" in page
    criterion = db.exec(select(FamilyCriterion)).first()
    assert criterion.evidence_source == "Police"
