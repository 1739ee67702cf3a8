"""A family CSV as a background job: checked into a preview first, imported once confirmed.

The preview counts the rows, lists the problems by row and column, and warns about rows
that look like a family already given: the same row earlier in the file, or a family
already held in the same district (same referral date, key worker, first names and
household). Rows that look like duplicates are left out unless the user keeps them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, select

from mentoring.exceptions import InvalidInput
from mentoring.models import District, Family
from mentoring.services.common.scope import Viewer
from mentoring.services.families.csv_import import (
    ImportReport,
    ParsedFamily,
    import_families,
    parse_family_csv,
)
from mentoring.services.families.details import COUNT_FIELDS

Progress = Callable[[int, int, str], None]
PROBLEMS_SHOWN = 500
SAMPLE_ROWS = 10
DuplicateKey = tuple[object, ...]


def _text(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InvalidInput("The file must be saved as UTF-8 CSV", field="file") from err


def _key(
    district_id: int, referred_on: object, worker: str, names: str, counts: list[int]
) -> DuplicateKey:
    return (district_id, referred_on, worker.strip().lower(), names.strip().lower(), *counts)


def _parsed_key(parsed: ParsedFamily) -> DuplicateKey:
    d = parsed.details
    counts = [int(getattr(d, name)) for name in COUNT_FIELDS]
    return _key(parsed.district_id, d.referred_on, d.key_worker_name, d.shared_first_names, counts)


def duplicates(session: Session, report: ImportReport) -> dict[int, str]:
    """Rows (by line) that look like an earlier row or a family already held, and why."""
    out: dict[int, str] = {}
    seen: dict[DuplicateKey, int] = {}
    keys = {parsed.row: _parsed_key(parsed) for parsed in report.valid}
    dates = {parsed.details.referred_on for parsed in report.valid}
    districts = {parsed.district_id for parsed in report.valid}
    held: dict[DuplicateKey, str] = {}
    if report.valid:
        rows = session.exec(
            select(Family).where(
                col(Family.district_id).in_(districts), col(Family.referred_on).in_(dates)
            )
        ).all()
        for family in rows:
            counts = [int(getattr(family, name)) for name in COUNT_FIELDS]
            key = _key(
                family.district_id,
                family.referred_on,
                family.key_worker_name,
                family.shared_first_names,
                counts,
            )
            held.setdefault(key, family.reference)
    for line, key in keys.items():
        if key in seen:
            out[line] = f"The same family as row {seen[key]}"
        elif key in held:
            out[line] = f"Looks like {held[key]}, already held"
        else:
            seen[key] = line
    return out


def check_upload(
    *, session: Session, user: Viewer, content: bytes, progress: Progress
) -> dict[str, Any]:
    """Check a file and describe it for the preview page (nothing is saved)."""
    progress(0, 2, "Reading the file")
    report = parse_family_csv(session=session, user=user, text=_text(content))
    progress(1, 2, f"Checking {report.rows_read:,} rows for duplicates")
    doubles = duplicates(session, report)
    codes = dict(session.exec(select(District.id, District.code)).all())
    sample = [
        [p.row, f"{codes.get(p.district_id, '')}, referred {p.details.referred_on:%-d %B %Y}"]
        for p in report.valid
        if p.row not in doubles
    ][:SAMPLE_ROWS]
    return {
        "rows_read": report.rows_read,
        "valid": len(report.valid),
        "bad_rows": report.bad_rows,
        "file_problems": [p.message for p in report.file_problems],
        "problems": [[p.row, "", p.column, p.message] for p in report.problems if p.row][
            :PROBLEMS_SHOWN
        ],
        "duplicates": sorted([line, why] for line, why in doubles.items()),
        "sample": sample,
        "notes": [],
        "importable": len(report.valid) - len(doubles),
    }


def import_upload(
    *, session: Session, user: Viewer, content: bytes, keep_duplicates: bool, progress: Progress
) -> list[str]:
    """Import the valid rows of a checked file (rows that look like duplicates only if kept)."""
    progress(0, 2, "Checking the file again")
    report = parse_family_csv(session=session, user=user, text=_text(content))
    if report.file_problems:
        raise InvalidInput(report.file_problems[0].message, field="file")
    if not keep_duplicates:
        doubles = duplicates(session, report)
        report.valid = [p for p in report.valid if p.row not in doubles]
    progress(1, 2, f"Saving {len(report.valid):,} families")
    created = import_families(session=session, user=user, report=report, only_valid=True)
    return [f.reference for f in created]
