"""Importing mentors from a CSV file: checked row by row, saved all or none.

`parse_import` checks every row and saves nothing; `import_mentors` saves checked rows in
one unit of work. As a background job, `check_upload` makes the preview the user confirms
and `import_upload` imports the valid rows (the file waits in `services.common.uploads`).
The template's example row is never imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from mentoring import audit
from mentoring.csvutil import clean_text, write_csv
from mentoring.db import write_transaction
from mentoring.exceptions import VettingError
from mentoring.models import (
    ApplicationSource,
    Availability,
    District,
    Mentor,
    MentorKind,
    PipelineStage,
)
from mentoring.numbers import is_number
from mentoring.services.mentors.applications import (
    ApplicationData,
    Known,
    application_errors,
    known_values,
)
from mentoring.services.mentors.records import insert_mentor
from mentoring.services.vetting import saved_id

Progress = Callable[[int, int, str], None]

CSV_COLUMNS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "home_district",
    "travel_districts",
    "kind",
    "capacity",
    "availability",
    "languages",
    "skills",
    "gender",
    "experience",
    "stage",
    "consent_to_checks",
]
REQUIRED_COLUMNS = ["first_name", "last_name", "email", "postcode", "home_district"]
MAX_IMPORT_ROWS = 5000
IMPORT_HELP: dict[str, str] = {
    "first_name": "Required",
    "last_name": "Required",
    "email": "Required",
    "phone": "Optional",
    "postcode": "Required, like ME14 1XQ",
    "home_district": "Required: a district code, like DAR",
    "travel_districts": "Optional: district codes separated by ;",
    "kind": "volunteer (the default) or role_model",
    "capacity": "Families they can take, 1 to 4 (default 1)",
    "availability": "weekday_daytime; weekday_evening; weekend",
    "languages": "Separated by ; (default English)",
    "skills": "Need codes separated by ;, like parenting; housing",
    "gender": "Optional: female, male or non_binary",
    "experience": "Optional",
    "stage": "applied (the default), references, dbs, interview or training",
    "consent_to_checks": "yes: they agreed to the checks (required)",
}
# form field -> CSV column, for the row errors
_FIELD_COLUMN = {
    "home_district": "home_district",
    "travel_districts": "travel_districts",
    "skills": "skills",
    "former_family_reference": "kind",
    "consent": "consent_to_checks",
}


def template_csv(*, session: Session) -> str:
    """An empty import file with the columns and one example row (this installation's codes)."""
    codes = list(session.exec(select(District.code).order_by(col(District.name))).all())
    example = [
        "Jo",
        "Example",
        "jo.example@example.org",
        "07700 900982",
        "DA1 1AA",
        codes[0] if codes else "DAR",
        codes[1] if len(codes) > 1 else "",
        "volunteer",
        2,
        "weekday_evening; weekend",
        "English; Polish",
        "parenting; school_attendance",
        "",
        "Raised three children; school governor",
        "applied",
        "yes",
    ]
    return write_csv([example], CSV_COLUMNS)


@dataclass
class ImportRow:
    line: int  # the row's line in the file (the header is line 1)
    name: str
    data: ApplicationData | None
    errors: list[tuple[str, str]]  # (column, message)


@dataclass
class ImportReport:
    rows: list[ImportRow]
    file_errors: list[str]

    @property
    def valid(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.errors]

    @property
    def invalid(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.invalid and bool(self.rows)

    @property
    def valid_data(self) -> list[ApplicationData]:
        """The checked details of the valid rows."""
        return [r.data for r in self.rows if r.data is not None and not r.errors]


@dataclass
class _Lookups:
    """What checking rows needs to know, loaded once per file."""

    codes: Mapping[str, int]  # district code -> id
    existing: Mapping[str, str]  # email (lower case) -> mentor reference
    known: Known
    seen: dict[str, int]  # email (lower case) -> line, in this file


def _split(value: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;,]", value or "") if p.strip()]


def _header_errors(header: list[str]) -> list[str]:
    errors = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        errors.append("Missing columns: " + ", ".join(missing))
    unknown = [h for h in header if h and h not in CSV_COLUMNS]
    if unknown:
        errors.append(
            "Unknown columns: " + ", ".join(unknown) + ". Use the columns of the template."
        )
    return errors


def parse_import(*, session: Session, content: bytes) -> ImportReport:
    """Read a CSV of mentors and check every row; nothing is saved."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ImportReport([], ["The file must be a CSV saved as UTF-8"])
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [clean_text(h or "").lower() for h in (reader.fieldnames or [])]
    except csv.Error:
        return ImportReport([], ["The file is not a readable CSV"])
    if not header:
        return ImportReport([], ["The file is empty"])
    file_errors = _header_errors(header)
    if file_errors:
        return ImportReport([], file_errors)
    reader.fieldnames = header
    lookups = _Lookups(
        codes={
            c.upper(): saved_id(i)
            for i, c in session.exec(select(District.id, District.code)).all()
        },
        existing={
            e.lower(): ref for e, ref in session.exec(select(Mentor.email, Mentor.reference)).all()
        },
        known=known_values(session=session),
        seen={},
    )
    rows: list[ImportRow] = []
    try:
        for index, raw in enumerate(reader):
            line = index + 2
            if index >= MAX_IMPORT_ROWS:
                file_errors.append(f"The file has more than {MAX_IMPORT_ROWS} rows: split it")
                break
            if None in raw:
                rows.append(
                    ImportRow(line, "", None, [("", "This row has more cells than columns")])
                )
                continue
            values = {k: clean_text(v or "") for k, v in raw.items()}
            if any(values.values()):
                rows.append(_check_row(session, line, values, lookups))
    except csv.Error as err:
        file_errors.append(f"The file could not be read after line {reader.line_num}: {err}")
    if not rows and not file_errors:
        file_errors.append("The file has no rows of mentors")
    return ImportReport(rows, file_errors)


def _row_data(values: Mapping[str, str], codes: Mapping[str, int]) -> ApplicationData:
    """Turn a row's cells into ApplicationData, with the import's defaults."""
    travel_codes = [c.upper() for c in _split(values.get("travel_districts", ""))]
    capacity_text = values.get("capacity", "") or "1"
    return ApplicationData(
        first_name=values.get("first_name", ""),
        last_name=values.get("last_name", ""),
        email=values.get("email", ""),
        phone=values.get("phone", ""),
        postcode=values.get("postcode", ""),
        home_district_id=codes.get(values.get("home_district", "").upper()),
        travel_district_ids=[codes[c] for c in travel_codes if c in codes],
        availability=[v.lower() for v in _split(values.get("availability", ""))]
        or [a.value for a in Availability],
        languages=_split(values.get("languages", "")) or ["English"],
        skill_codes=[v.lower() for v in _split(values.get("skills", ""))],
        experience=values.get("experience", ""),
        gender=values.get("gender", "").lower() or None,
        capacity=int(capacity_text) if is_number(capacity_text) else None,
        kind=values.get("kind", "").lower() or MentorKind.VOLUNTEER.value,
        consent=values.get("consent_to_checks", "").lower() in {"yes", "y", "true", "1"},
        stage=values.get("stage", "").lower() or PipelineStage.APPLIED.value,
    )


def _check_row(
    session: Session, line: int, values: Mapping[str, str], lookups: _Lookups
) -> ImportRow:
    errors: list[tuple[str, str]] = []
    home = values.get("home_district", "").upper()
    travel_codes = [c.upper() for c in _split(values.get("travel_districts", ""))]
    bad_travel = [c for c in travel_codes if c not in lookups.codes]
    if bad_travel:
        errors.append(("travel_districts", "Unknown district codes: " + ", ".join(bad_travel)))
    capacity_text = values.get("capacity", "") or "1"
    data = _row_data(values, lookups.codes)
    problems = application_errors(session=session, data=data, staff=False, known=lookups.known)
    if "home_district" in problems:
        problems["home_district"] = (
            "Enter a district code, like DAR" if not home else f"Unknown district code: {home}"
        )
    if "consent" in problems:
        problems["consent"] = "Enter yes: mentors are imported only with consent to the checks"
    if "capacity" in problems and capacity_text and not is_number(capacity_text):
        problems["capacity"] = "Enter a whole number from 1 to 4"
    for name, message in problems.items():
        errors.append((_FIELD_COLUMN.get(name, name), message))
    email = data.email.lower()
    if email and "email" not in problems:
        if email in lookups.existing:
            errors.append(
                ("email", f"A volunteer with this email already exists ({lookups.existing[email]})")
            )
        elif email in lookups.seen:
            errors.append(("email", f"The same email address is on line {lookups.seen[email]}"))
        else:
            lookups.seen[email] = line
    errors.sort(key=lambda e: CSV_COLUMNS.index(e[0]) if e[0] in CSV_COLUMNS else 99)
    name = f"{data.first_name} {data.last_name}".strip()
    return ImportRow(line, name, None if errors else data, errors)


def import_mentors(
    *, session: Session, rows: list[ApplicationData], actor_id: int | None
) -> list[Mentor]:
    """Save checked rows as new mentors, all in one transaction (all or none)."""
    known = known_values(session=session)
    for data in rows:
        errors = application_errors(session=session, data=data, staff=True, known=known)
        if errors:
            raise VettingError(
                f"{data.first_name} {data.last_name}: {next(iter(errors.values()))}",
                errors=errors,
            )
    with write_transaction(session):
        created = [
            insert_mentor(session, data, source=ApplicationSource.STAFF.value, actor_id=actor_id)
            for data in rows
        ]
        audit.record(
            session, "mentor.import", object_type="mentor", actor_id=actor_id, count=len(created)
        )
    return created


EXAMPLE_NAME = "Jo Example"  # the template's example row, never imported


def _without_example(report: ImportReport) -> tuple[ImportReport, bool]:
    """The report without the template's example row, and whether it was there."""
    rows = [r for r in report.rows if not _is_example(r)]
    return ImportReport(rows, report.file_errors), len(rows) != len(report.rows)


def _is_example(row: ImportRow) -> bool:
    return row.name == EXAMPLE_NAME


def check_upload(*, session: Session, content: bytes, progress: Progress) -> dict[str, Any]:
    """Check a file of mentors and describe it for the preview page (nothing is saved)."""
    progress(0, 1, "Checking the file")
    report, skipped = _without_example(parse_import(session=session, content=content))
    if not report.rows and skipped:
        report.file_errors.append("The file holds only the template's example row")
    problems = [
        [row.line, row.name, column or "whole row", message]
        for row in report.invalid
        for column, message in row.errors
    ]
    return {
        "rows_read": len(report.rows),
        "valid": len(report.valid),
        "bad_rows": len(report.invalid),
        "file_problems": list(report.file_errors),
        "problems": problems[:500],
        "duplicates": [],
        "sample": [[row.line, row.name] for row in report.valid[:10]],
        "notes": ["The template's example row (Jo Example) was left out."] if skipped else [],
        "importable": len(report.valid),
    }


def import_upload(
    *, session: Session, content: bytes, actor_id: int | None, progress: Progress
) -> list[str]:
    """Import the valid rows of a checked file of mentors, all in one unit of work."""
    progress(0, 2, "Checking the file again")
    report, _skipped = _without_example(parse_import(session=session, content=content))
    if report.file_errors:
        raise VettingError(report.file_errors[0], field="file")
    progress(1, 2, f"Saving {len(report.valid):,} mentors")
    created = import_mentors(session=session, rows=report.valid_data, actor_id=actor_id)
    return [m.reference for m in created]
