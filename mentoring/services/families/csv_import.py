"""Families from a CSV file: every row checked first, a report by row and column.

Nothing is saved unless the whole file is valid, or the user asks to import only the
valid rows (`import_families` with ``only_valid``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import TypeVar

from sqlmodel import Session, select

from mentoring import audit
from mentoring.csvutil import clean_text
from mentoring.db import write_transaction
from mentoring.exceptions import FamilyError, NotFound
from mentoring.models import (
    Availability,
    Criterion,
    District,
    Engagement,
    Family,
    FamilyCriterion,
    FamilyEvent,
    FamilyEventKind,
    Need,
    service_today,
)
from mentoring.services.common.scope import Viewer, can_see_district
from mentoring.services.families.details import COUNT_FIELDS, FamilyDetails, validate_details
from mentoring.services.families.record import find_visible_by_reference, new_family, saved_id
from mentoring.services.families.rules import CONSENT_FIELDS

T = TypeVar("T")

IMPORT_COLUMNS: dict[str, str] = {
    "district": "District code, for example DAR (required)",
    "referred_on": "Date of referral, YYYY-MM-DD or DD/MM/YYYY (blank: today)",
    "programme_phase": "1 or 2 (blank: 2)",
    "tranche": "1, 2 or 3 (blank: not yet set)",
    "mentoring_offered": "yes or no to override the tranche rule (blank: tranche 3 only)",
    "key_worker_name": "The family's lead professional or key worker",
    "key_worker_agency": "Their agency",
    "key_worker_contact": "Their email or phone",
    "shared_first_names": "First names the family agreed to share with a mentor",
    "adults": "Number of adults (blank: 1)",
    "children_0_4": "Children aged 0 to 4 (blank: 0)",
    "children_5_10": "Children aged 5 to 10",
    "children_11_15": "Children aged 11 to 15",
    "children_16_18": "Children aged 16 to 18",
    "languages": "Languages spoken, separated by ;",
    "availability": "weekday_daytime; weekday_evening; weekend",
    "needs": "Need codes separated by ; (see the needs list)",
    "criteria": "Criteria codes separated by ;",
    "evidence_date": "Date of the evidence for the criteria (required with criteria)",
    "evidence_source": "Where the evidence came from (required with criteria)",
    "discretion_reason": "Why a family meeting two of three phase 1 criteria is included",
    "wants_role_model": "yes or no",
    "gender_preference": "female, male or non_binary",
    "gender_required": "yes if the gender is a requirement, not a wish",
    "language_preference": "A language the mentor should speak",
    "language_required": "yes if the language is a requirement, not a wish",
    "risk_domestic_abuse": "yes: only a mentor trained in domestic abuse awareness",
    "risk_no_lone_visits": "yes: no lone visits",
    "consent_mentoring_on": "Date consent to mentoring was given (blank: not given)",
    "consent_sharing_on": "Date consent to information sharing was given (blank: not given)",
    "engagement": "identified, contacted, engaged or declined (blank: identified)",
    "previous_reference": "Reference of an earlier referral of this family",
}
IMPORT_EXAMPLE = {
    "district": "DAR",
    "referred_on": "2026-03-02",
    "programme_phase": "1",
    "tranche": "3",
    "adults": "1",
    "children_5_10": "2",
    "languages": "English;Polish",
    "availability": "weekday_evening",
    "needs": "school_attendance;debt_money",
    "criteria": "crime_asb;education;worklessness",
    "evidence_date": "2026-02-20",
    "evidence_source": "Police and school data",
    "wants_role_model": "no",
    "consent_mentoring_on": "2026-03-10",
    "consent_sharing_on": "2026-03-10",
    "engagement": "engaged",
}
MAX_IMPORT_ROWS = 5000
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


@dataclass
class ImportProblem:
    """A problem with the file (row 0) or with one field of one row."""

    row: int
    column: str
    message: str


@dataclass
class ParsedFamily:
    """A valid row, ready to import."""

    row: int
    district_id: int
    details: FamilyDetails
    phase: int
    criteria: dict[str, tuple[date, str]]
    discretion_reason: str
    consent_mentoring_on: date | None
    consent_sharing_on: date | None
    engagement: Engagement
    previous_id: int | None


@dataclass
class ImportReport:
    """What a CSV file holds: the valid rows and the problems, by row and column."""

    valid: list[ParsedFamily] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    rows_read: int = 0
    imported: list[str] = field(default_factory=list)

    @property
    def file_problems(self) -> list[ImportProblem]:
        return [p for p in self.problems if p.row == 0]

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems if p.row})


def import_template() -> tuple[list[str], list[str]]:
    """Return the import file's header and an example row."""
    header = list(IMPORT_COLUMNS)
    return header, [IMPORT_EXAMPLE.get(c, "") for c in header]


def _parse_date(value: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a plain date
        except ValueError:
            continue
    raise ValueError("Enter a date as YYYY-MM-DD or DD/MM/YYYY, for example 2026-03-27")


def _parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise ValueError("Enter yes or no")


def _parse_int(value: str, *, default: int) -> int:
    if not value.strip():
        return default
    if not re.fullmatch(r"\d{1,3}", value.strip()):
        raise ValueError("Enter a whole number, like 2")
    return int(value.strip())


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def parse_family_csv(*, session: Session, user: Viewer, text: str) -> ImportReport:
    """Read a family CSV and check every row; nothing is saved here."""
    report = ImportReport()
    reader = csv.reader(io.StringIO(text))
    try:
        header = [clean_text(h).lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        report.problems.append(ImportProblem(0, "", "The file is empty"))
        return report
    unknown = [h for h in header if h not in IMPORT_COLUMNS]
    for name in unknown:
        report.problems.append(
            ImportProblem(0, name or "(blank)", f"Unknown column '{name}': use the template")
        )
    if "district" not in header:
        report.problems.append(ImportProblem(0, "district", "The file has no district column"))
    if len(set(header)) != len(header):
        report.problems.append(ImportProblem(0, "", "A column appears more than once"))
    if report.problems:
        return report

    context = _Context(
        session=session,
        user=user,
        districts={
            d.code.upper(): d.id
            for d in session.exec(select(District)).all()
            if d.id is not None and can_see_district(user, d.id)
        },
        all_codes={c.upper() for c in session.exec(select(District.code)).all()},
        need_codes=set(session.exec(select(Need.code)).all()),
    )
    try:
        for line_number, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            report.rows_read += 1
            if report.rows_read > MAX_IMPORT_ROWS:
                report.problems.append(
                    ImportProblem(0, "", f"The file has more than {MAX_IMPORT_ROWS} rows: split it")
                )
                break
            if len(raw) != len(header):
                report.problems.append(
                    ImportProblem(
                        line_number,
                        "",
                        f"The row has {len(raw)} cells but the header has {len(header)}",
                    )
                )
                continue
            values = {name: clean_text(cell) for name, cell in zip(header, raw, strict=True)}
            parsed, problems = _parse_row(context, line_number, values)
            report.problems.extend(problems)
            if parsed is not None:
                report.valid.append(parsed)
    except csv.Error as err:
        report.problems.append(ImportProblem(0, "", f"The file is not a valid CSV file ({err})"))
    return report


@dataclass(frozen=True)
class _Context:
    """What checking every row needs: the user's districts, all codes, the need codes."""

    session: Session
    user: Viewer
    districts: dict[str, int | None]
    all_codes: set[str]
    need_codes: set[str]


class _Row:
    """One row's values, and the problems found in them."""

    def __init__(self, row: int, values: dict[str, str]) -> None:
        self.row = row
        self.values = values
        self.problems: list[ImportProblem] = []

    def problem(self, column: str, message: str) -> None:
        self.problems.append(ImportProblem(self.row, column, message))

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def parse(self, name: str, fn: Callable[[str], T]) -> T | None:
        """Parse a cell, or note its problem and return None."""
        try:
            return fn(self.get(name))
        except ValueError as err:
            self.problem(name, str(err))
            return None

    def optional_date(self, name: str) -> date | None:
        return self.parse(name, _parse_date) if self.get(name) else None

    def flag(self, name: str) -> bool:
        return bool(self.parse(name, _parse_bool))

    def codes(self, name: str, known: set[str], what: str) -> list[str]:
        """Split a list of codes, noting each unknown one."""
        values = _split(self.get(name))
        for value in values:
            if value not in known:
                self.problem(name, f"Unknown {what} '{value}'")
        return values


def _district(context: _Context, row: _Row) -> int | None:
    code = row.get("district").upper()
    district_id = context.districts.get(code)
    if not code:
        row.problem("district", "Enter the district code")
    elif district_id is None:
        if code in context.all_codes:
            row.problem("district", f"You cannot add families to {code}: it is not one of yours")
        else:
            row.problem("district", f"There is no district with code {code}")
    return district_id


def _engagement(row: _Row) -> Engagement | None:
    text = (row.get("engagement") or Engagement.IDENTIFIED.value).lower()
    if text == Engagement.EXITED.value:
        row.problem("engagement", "Families cannot be imported as exited")
    elif text in set(Engagement.values()):
        return Engagement(text)
    else:
        row.problem("engagement", "Enter identified, contacted, engaged or declined")
    return None


def _previous_id(context: _Context, row: _Row) -> int | None:
    reference = row.get("previous_reference")
    if not reference:
        return None
    previous = find_visible_by_reference(
        session=context.session, user=context.user, reference=reference
    )
    if previous is None:
        row.problem(
            "previous_reference",
            f"There is no family with reference {reference.upper()} in your districts",
        )
        return None
    return previous.id


def _evidence_date(row: _Row, criteria_codes: list[str]) -> date | None:
    evidence_date = row.optional_date("evidence_date")
    if criteria_codes and not row.get("evidence_date"):
        row.problem("evidence_date", "Enter the date of the evidence for the criteria")
    if evidence_date and evidence_date > service_today():
        row.problem("evidence_date", "The date of the evidence must be in the past")
    if criteria_codes and not row.get("evidence_source"):
        row.problem("evidence_source", "Enter where the evidence for the criteria came from")
    if len(row.get("evidence_source")) > 200:
        row.problem("evidence_source", "Enter 200 characters or fewer")
    return evidence_date


def _parse_row(
    context: _Context, line: int, values: dict[str, str]
) -> tuple[ParsedFamily | None, list[ImportProblem]]:
    """Check one row; return the family it holds (None if it has problems) and its problems."""
    row = _Row(line, values)
    get = row.get
    district_id = _district(context, row)
    referred_on = row.parse("referred_on", _parse_date) if get("referred_on") else service_today()
    phase_text = get("programme_phase") or "2"
    phase = int(phase_text) if phase_text in {"1", "2"} else None
    if phase is None:
        row.problem("programme_phase", "Enter 1 or 2")
    tranche_text = get("tranche")
    tranche = int(tranche_text) if tranche_text in {"1", "2", "3"} else None
    if tranche_text and tranche is None:
        row.problem("tranche", "Enter 1, 2 or 3, or leave it blank")
    offered = row.parse("mentoring_offered", _parse_bool) if get("mentoring_offered") else None
    counts = {
        name: row.parse(name, partial(_parse_int, default=1 if name == "adults" else 0)) or 0
        for name in COUNT_FIELDS
    }
    availability = row.codes("availability", set(Availability.values()), "availability")
    needs = row.codes("needs", context.need_codes, "need")
    criteria_codes = row.codes("criteria", set(Criterion.values()), "criterion")
    evidence_date = _evidence_date(row, criteria_codes)
    if len(get("discretion_reason")) > 1000:
        row.problem("discretion_reason", "Enter 1000 characters or fewer")
    wants_role_model = row.flag("wants_role_model")
    gender_required = row.flag("gender_required")
    language_required = row.flag("language_required")
    risk_domestic_abuse = row.flag("risk_domestic_abuse")
    risk_no_lone_visits = row.flag("risk_no_lone_visits")
    consents: dict[str, date | None] = {}
    for name in ("consent_mentoring_on", "consent_sharing_on"):
        consents[name] = given_on = row.optional_date(name)
        if given_on and given_on > service_today():
            row.problem(name, "The date must be today or in the past")
    engagement = _engagement(row)
    previous_id = _previous_id(context, row)

    if row.problems or referred_on is None:
        return None, row.problems
    details = FamilyDetails(
        referred_on=referred_on,
        tranche=tranche,
        mentoring_offered=offered,
        key_worker_name=get("key_worker_name"),
        key_worker_agency=get("key_worker_agency"),
        key_worker_contact=get("key_worker_contact"),
        shared_first_names=get("shared_first_names"),
        languages=_split(get("languages")),
        availability=availability,
        need_codes=needs,
        adults=counts["adults"],
        children_0_4=counts["children_0_4"],
        children_5_10=counts["children_5_10"],
        children_11_15=counts["children_11_15"],
        children_16_18=counts["children_16_18"],
        wants_role_model=wants_role_model,
        gender_preference=get("gender_preference").lower() or None,
        gender_required=gender_required,
        language_preference=get("language_preference") or None,
        language_required=language_required,
        risk_domestic_abuse=risk_domestic_abuse,
        risk_no_lone_visits=risk_no_lone_visits,
    )
    try:
        validate_details(session=context.session, details=details)
    except FamilyError as err:
        row.problem(err.field or "", str(err))
    if not row.problems:
        for name, on in consents.items():
            if on and on < referred_on:
                row.problem(name, "The consent date must be on or after the referral date")
    if row.problems or district_id is None or engagement is None:
        return None, row.problems
    criteria: dict[str, tuple[date, str]] = {}
    if evidence_date is not None:
        criteria = {c: (evidence_date, get("evidence_source")) for c in criteria_codes}
    return (
        ParsedFamily(
            row=line,
            district_id=district_id,
            details=details,
            phase=phase or 2,
            criteria=criteria,
            discretion_reason=get("discretion_reason"),
            consent_mentoring_on=consents["consent_mentoring_on"],
            consent_sharing_on=consents["consent_sharing_on"],
            engagement=engagement,
            previous_id=previous_id,
        ),
        [],
    )


def import_families(
    *, session: Session, user: Viewer, report: ImportReport, only_valid: bool = False
) -> list[Family]:
    """Save the valid rows of a checked file in one transaction.

    Nothing is saved when the file has problems, unless ``only_valid`` asks to import
    the valid rows and leave the others out.
    """
    if report.file_problems or (report.problems and not only_valid):
        return []
    created: list[Family] = []
    with write_transaction(session):
        for parsed in report.valid:
            if not can_see_district(user, parsed.district_id):
                raise NotFound("Page not found")
            created.append(_save(session, user, parsed))
        audit.record(
            session,
            "family.import",
            object_type="family",
            rows=len(created),
            rows_left_out=report.bad_rows,
        )
    report.imported = [f.reference for f in created]
    return created


def _save(session: Session, user: Viewer, parsed: ParsedFamily) -> Family:
    """Add one checked row's family, criteria, consents and engagement (in the caller's unit)."""
    family = new_family(
        session=session,
        user=user,
        district_id=parsed.district_id,
        details=parsed.details,
        source="import",
    )
    family_id = saved_id(family)
    family.programme_phase = parsed.phase
    family.discretion_reason = parsed.discretion_reason.strip()
    family.previous_family_id = parsed.previous_id
    for code, (on, source) in parsed.criteria.items():
        session.add(
            FamilyCriterion(
                family_id=family_id,
                criterion=code,
                evidence_date=on,
                evidence_source=source.strip(),
                recorded_by_id=user.id,
            )
        )
    for kind, given_on in (
        (FamilyEventKind.CONSENT_MENTORING, parsed.consent_mentoring_on),
        (FamilyEventKind.CONSENT_SHARING, parsed.consent_sharing_on),
    ):
        if given_on is None:
            continue
        name = CONSENT_FIELDS[kind]
        setattr(family, name, True)
        setattr(family, f"{name}_on", given_on)
        setattr(family, f"{name}_by_id", user.id)
        session.add(_imported_event(family_id, kind, "given", given_on, user))
    if parsed.engagement != Engagement.IDENTIFIED:
        family.engagement = parsed.engagement.value
        session.add(
            _imported_event(
                family_id,
                FamilyEventKind.ENGAGEMENT,
                parsed.engagement.value,
                parsed.details.referred_on,
                user,
            )
        )
    session.add(family)
    return family


def _imported_event(
    family_id: int, kind: FamilyEventKind, value: str, on: date, user: Viewer
) -> FamilyEvent:
    return FamilyEvent(
        family_id=family_id,
        kind=kind.value,
        value=value,
        happened_on=on,
        reason="Imported",
        recorded_by_id=user.id,
    )
