"""Mentors from application to ready: applications, details, stages, status, import, export.

Whether a mentor may be matched is decided by the gate in ``vetting.py``; here, staff mark a
mentor ready only when it passes (:func:`mark_ready`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from mentoring import audit
from mentoring.csvutil import write_csv
from mentoring.db import write_transaction
from mentoring.exceptions import NotReadyError, VettingError
from mentoring.models import (
    ApplicationSource,
    Availability,
    District,
    Family,
    Gender,
    Mentor,
    MentorKind,
    MentorSkill,
    MentorStatus,
    MentorTravelDistrict,
    Need,
    PipelineStage,
    Role,
    utcnow,
)
from mentoring.numbers import is_number
from mentoring.services.common.notify import (
    Outbox,
    link,
    notify,
    users_of_role,
)
from mentoring.services.vetting import (
    check_gate,
    gate_results,
    long_date,
    matchable_mentor_ids,
    refresh_matchable,
)

MentorError = VettingError

POSTCODE = re.compile(r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})$")
PHONE = re.compile(r"^\+?[\d ()-]{10,20}$")
MAX_LANGUAGES = 10
STATUS_LABELS = {
    MentorStatus.ACTIVE.value: "Active",
    MentorStatus.PAUSED.value: "Paused",
    MentorStatus.WITHDRAWN.value: "Withdrawn",
    MentorStatus.REJECTED.value: "Rejected",
}
GENDER_LABELS = {
    Gender.FEMALE.value: "Female",
    Gender.MALE.value: "Male",
    Gender.NON_BINARY.value: "Non-binary",
}


# ---------------------------------------------------------------------------
# Applications and details
# ---------------------------------------------------------------------------


@dataclass
class ApplicationData:
    """A volunteer's details, as typed into a form or a CSV row."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    postcode: str = ""
    home_district_id: int | None = None
    travel_district_ids: list[int] = field(default_factory=list)
    availability: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    skill_codes: list[str] = field(default_factory=list)
    experience: str = ""
    gender: str | None = None
    capacity: int | None = 1
    kind: str = MentorKind.VOLUNTEER.value
    former_family_reference: str = ""
    consent: bool = False
    stage: str = PipelineStage.APPLIED.value  # imports may start further on (never ready)


def normalise_postcode(value: str) -> str:
    """Upper-case a postcode and put the single space before its last three characters."""
    compact = re.sub(r"\s+", "", value or "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def _split_languages(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        for part in re.split(r"[,;]", value or ""):
            name = part.strip()
            if name and name.lower() not in {v.lower() for v in out}:
                out.append(name[:1].upper() + name[1:])
    return out


def application_errors(
    session: Session,
    data: ApplicationData,
    *,
    staff: bool,
    mentor_id: int | None = None,
    known: tuple[set[int], set[str]] | None = None,
) -> dict[str, str]:
    """Check an application; return form field -> message for each problem.

    Also normalises the data in place (postcode, email, languages). ``known`` holds the
    district ids and need codes when checking many rows at once.
    """
    district_ids, needs = known or known_values(session)
    errors: dict[str, str] = {}
    data.first_name, data.last_name = data.first_name.strip(), data.last_name.strip()
    if not data.first_name:
        errors["first_name"] = "Enter the first name"
    elif len(data.first_name) > 80:
        errors["first_name"] = "First name must be 80 characters or fewer"
    if not data.last_name:
        errors["last_name"] = "Enter the last name"
    elif len(data.last_name) > 80:
        errors["last_name"] = "Last name must be 80 characters or fewer"
    email = data.email.strip()
    if not email:
        errors["email"] = "Enter an email address"
    else:
        try:
            data.email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = "Enter an email address in the correct format, like name@example.org"
        else:
            if len(data.email) > 254:
                errors["email"] = "Email address must be 254 characters or fewer"
    data.phone = data.phone.strip()
    if data.phone and not PHONE.match(data.phone):
        errors["phone"] = "Enter a telephone number, like 01632 960 001 or 07700 900 982"
    data.postcode = normalise_postcode(data.postcode)
    if not data.postcode:
        errors["postcode"] = "Enter a postcode"
    elif not POSTCODE.match(data.postcode):
        errors["postcode"] = "Enter a real postcode, like ME14 1XQ"
    if data.home_district_id not in district_ids:
        errors["home_district"] = "Select the district you live in"
    if any(d not in district_ids for d in data.travel_district_ids):
        errors["travel_districts"] = "Select districts from the list"
    data.travel_district_ids = sorted(
        {d for d in data.travel_district_ids if d != data.home_district_id}
    )
    if not data.availability:
        errors["availability"] = "Select when you are available"
    elif any(a not in Availability.values() for a in data.availability):
        errors["availability"] = "Select availability from the list"
    data.languages = _split_languages(data.languages)
    if not data.languages:
        errors["languages"] = "Enter at least one language"
    elif len(data.languages) > MAX_LANGUAGES or any(len(v) > 40 for v in data.languages):
        errors["languages"] = "Enter up to 10 languages, each 40 characters or fewer"
    if any(code not in needs for code in data.skill_codes):
        errors["skills"] = "Select skills and experience from the list"
    data.experience = data.experience.strip()
    if len(data.experience) > 2000:
        errors["experience"] = "Keep this to 2,000 characters"
    if data.gender in ("", "prefer_not_to_say"):
        data.gender = None
    if data.gender is not None and data.gender not in Gender.values():
        errors["gender"] = "Select a gender from the list, or leave it empty"
    if data.capacity is None or not 1 <= data.capacity <= 4:
        errors["capacity"] = "Enter how many families, from 1 to 4"
    if data.kind not in MentorKind.values():
        errors["kind"] = "Select whether they are a volunteer or a former participant"
    data.former_family_reference = data.former_family_reference.strip().upper()
    if data.former_family_reference:
        if data.kind != MentorKind.ROLE_MODEL.value:
            errors["former_family_reference"] = (
                "Only a former-participant role model has a family reference"
            )
        elif _family_id(session, data.former_family_reference) is None:
            errors["former_family_reference"] = "There is no family with this reference"
    if not data.consent:
        errors["consent"] = (
            "Confirm the volunteer agrees to the checks"
            if staff
            else "You must agree to the checks to apply"
        )
    if data.stage not in STAGES_BEFORE_READY:
        errors["stage"] = "A mentor is marked ready in the service, once every check is recorded"
    if staff and "email" not in errors:
        existing = session.exec(
            select(Mentor.reference).where(
                sa.func.lower(Mentor.email) == data.email.lower(),
                Mentor.id != (mentor_id or -1),
            )
        ).first()
        if existing is not None:
            errors["email"] = f"A volunteer with this email address already exists ({existing})"
    return errors


STAGES_BEFORE_READY = [s.value for s in PipelineStage if s != PipelineStage.READY]


def known_values(session: Session) -> tuple[set[int], set[str]]:
    """Return the district ids and need codes an application may name."""
    return (
        set(session.exec(select(District.id)).all()),  # type: ignore[arg-type]
        set(session.exec(select(Need.code)).all()),
    )


def _family_id(session: Session, reference: str) -> int | None:
    return session.exec(select(Family.id).where(Family.reference == reference)).first()


def _next_reference(session: Session) -> str:
    """Return the next free mentor reference, M-0001 on."""
    refs = session.exec(select(Mentor.reference).where(col(Mentor.reference).like("M-%"))).all()
    numbers = [int(r[2:]) for r in refs if is_number(r[2:])]
    return f"M-{(max(numbers) if numbers else 0) + 1:04d}"


def _set_links(session: Session, mentor: Mentor, data: ApplicationData) -> None:
    """Replace a mentor's travel districts and skills."""
    session.exec(sa.delete(MentorTravelDistrict).where(MentorTravelDistrict.mentor_id == mentor.id))
    session.exec(sa.delete(MentorSkill).where(MentorSkill.mentor_id == mentor.id))
    for district_id in data.travel_district_ids:
        session.add(MentorTravelDistrict(mentor_id=mentor.id, district_id=district_id))  # type: ignore[arg-type]
    if data.skill_codes:
        for need_id in session.exec(
            select(Need.id).where(col(Need.code).in_(sorted(set(data.skill_codes))))
        ).all():
            session.add(MentorSkill(mentor_id=mentor.id, need_id=need_id))  # type: ignore[arg-type]


def _mentor_values(session: Session, data: ApplicationData) -> dict[str, Any]:
    return {
        "first_name": data.first_name,
        "last_name": data.last_name,
        "email": data.email,
        "phone": data.phone,
        "postcode": data.postcode,
        "home_district_id": data.home_district_id,
        "capacity": data.capacity,
        "gender": data.gender,
        "languages": data.languages,
        "availability": sorted(set(data.availability)),
        "experience": data.experience,
        "kind": data.kind,
        "former_family_id": _family_id(session, data.former_family_reference)
        if data.former_family_reference
        else None,
    }


def _insert_mentor(
    session: Session, data: ApplicationData, *, source: str, actor_id: int | None
) -> Mentor:
    now = utcnow()
    mentor = Mentor(
        reference=_next_reference(session),
        source=source,
        stage=data.stage,
        stage_changed_at=now,
        applied_at=now,
        consent_to_checks_at=now if data.consent else None,
        **_mentor_values(session, data),
    )
    session.add(mentor)
    session.flush()
    _set_links(session, mentor, data)
    audit.record(
        session,
        "mentor.create",
        object_type="mentor",
        object_id=mentor.id,
        district_id=mentor.home_district_id,
        actor_id=actor_id,
        source=source,
        consent_to_checks=bool(data.consent),
    )
    return mentor


def create_mentor(
    *,
    session: Session,
    data: ApplicationData,
    source: str,
    actor_id: int | None = None,
) -> Mentor:
    """Record a new application (from the public page, by phone or by staff)."""
    if source not in ApplicationSource.values():
        raise VettingError("Unknown application source")
    staff = source != ApplicationSource.WEB.value
    errors = application_errors(session, data, staff=staff)
    if errors:
        raise VettingError(next(iter(errors.values())), errors=errors)
    for attempt in range(3):
        try:
            with write_transaction(session):
                mentor = _insert_mentor(session, data, source=source, actor_id=actor_id)
                notify(
                    session,
                    [u.id for u in users_of_role(session, Role.PROVIDER)],
                    kind="new_application",
                    message=f"New application: {mentor.reference} {mentor.first_name} "
                    f"{mentor.last_name}",
                    link=link("mentors.mentor", mentor_id=mentor.id),
                )
            return mentor
        except IntegrityError:
            if attempt == 2:
                raise
            time.sleep(0.05)  # another application took the same reference: try the next
    raise AssertionError("unreachable")  # pragma: no cover


def update_mentor(
    *, session: Session, mentor_id: int, data: ApplicationData, actor_id: int | None, on: date
) -> list[str]:
    """Change a mentor's details; return the names of the fields that changed."""
    errors = application_errors(session, data, staff=True, mentor_id=mentor_id)
    errors.pop("consent", None)
    errors.pop("stage", None)
    if errors:
        raise VettingError(next(iter(errors.values())), errors=errors)
    outbox = Outbox()
    with write_transaction(session):
        mentor = _get(session, mentor_id)
        values = _mentor_values(session, data)
        changed = [k for k, v in values.items() if getattr(mentor, k) != v]
        for name in changed:
            setattr(mentor, name, values[name])
        before_travel = set(
            session.exec(
                select(MentorTravelDistrict.district_id).where(
                    MentorTravelDistrict.mentor_id == mentor_id
                )
            ).all()
        )
        before_skills = set(
            session.exec(
                select(Need.code)
                .join(MentorSkill, col(MentorSkill.need_id) == Need.id)
                .where(MentorSkill.mentor_id == mentor_id)
            ).all()
        )
        if before_travel != set(data.travel_district_ids):
            changed.append("travel_districts")
        if before_skills != set(data.skill_codes):
            changed.append("skills")
        _set_links(session, mentor, data)
        if changed:
            mentor.updated_at = utcnow()
            session.add(mentor)
            audit.record(
                session,
                "mentor.update",
                object_type="mentor",
                object_id=mentor_id,
                district_id=mentor.home_district_id,
                fields=changed,
                actor_id=actor_id,
            )
        refresh_matchable(session, mentor_ids=[mentor_id], on=on, outbox=outbox)
    outbox.send()
    return changed


def application_from_mentor(session: Session, mentor: Mentor) -> ApplicationData:
    """Return a mentor's details as ApplicationData (to fill the edit form)."""
    travel = session.exec(
        select(MentorTravelDistrict.district_id).where(MentorTravelDistrict.mentor_id == mentor.id)
    ).all()
    skills = session.exec(
        select(Need.code)
        .join(MentorSkill, col(MentorSkill.need_id) == Need.id)
        .where(MentorSkill.mentor_id == mentor.id)
    ).all()
    family_ref = (
        session.exec(select(Family.reference).where(Family.id == mentor.former_family_id)).first()
        if mentor.former_family_id
        else None
    )
    return ApplicationData(
        first_name=mentor.first_name,
        last_name=mentor.last_name,
        email=mentor.email,
        phone=mentor.phone,
        postcode=mentor.postcode,
        home_district_id=mentor.home_district_id,
        travel_district_ids=sorted(travel),
        availability=list(mentor.availability),
        languages=list(mentor.languages),
        skill_codes=sorted(skills),
        experience=mentor.experience,
        gender=mentor.gender,
        capacity=mentor.capacity,
        kind=mentor.kind,
        former_family_reference=family_ref or "",
        consent=mentor.consent_to_checks_at is not None,
        stage=mentor.stage,
    )


# ---------------------------------------------------------------------------
# Stages and status
# ---------------------------------------------------------------------------


def _get(session: Session, mentor_id: int, *, lock: bool = True) -> Mentor:
    query = select(Mentor).where(Mentor.id == mentor_id)
    if lock:
        query = query.with_for_update()
    mentor = session.exec(query).first()
    if mentor is None:
        raise VettingError("That volunteer does not exist")
    return mentor


def mark_ready(*, session: Session, mentor_id: int, actor_id: int | None, on: date) -> Mentor:
    """Mark a mentor ready to be matched; refused, with the gate's reasons, unless it passes."""
    with write_transaction(session):
        mentor = _get(session, mentor_id)
        result = check_gate(session=session, mentor_id=mentor_id, on=on)
        reasons = result.blocking(ignore={"stage"})
        if reasons:
            raise NotReadyError(reasons)
        before = mentor.stage
        mentor.stage = PipelineStage.READY.value
        if before != PipelineStage.READY.value:
            mentor.stage_changed_at = utcnow()
        mentor.matchable_since = mentor.matchable_since or on
        mentor.updated_at = utcnow()
        session.add(mentor)
        audit.record(
            session,
            "mentor.ready",
            object_type="mentor",
            object_id=mentor_id,
            district_id=mentor.home_district_id,
            actor_id=actor_id,
            from_stage=before,
            to_stage=PipelineStage.READY.value,
        )
    return mentor


def change_stage(
    *, session: Session, mentor_id: int, stage: str, actor_id: int | None, on: date
) -> Mentor:
    """Move a mentor to another stage before ready (ready goes through :func:`mark_ready`)."""
    if stage == PipelineStage.READY.value:
        return mark_ready(session=session, mentor_id=mentor_id, actor_id=actor_id, on=on)
    if stage not in STAGES_BEFORE_READY:
        raise VettingError("Select a stage", field="stage")
    outbox = Outbox()
    with write_transaction(session):
        mentor = _get(session, mentor_id)
        before = mentor.stage
        if before == stage:
            raise VettingError(
                f"{mentor.first_name} is already at the {PipelineStage(stage).label} stage",
                field="stage",
            )
        mentor.stage = stage
        mentor.stage_changed_at = utcnow()
        mentor.updated_at = utcnow()
        session.add(mentor)
        audit.record(
            session,
            "mentor.stage",
            object_type="mentor",
            object_id=mentor_id,
            district_id=mentor.home_district_id,
            actor_id=actor_id,
            from_stage=before,
            to_stage=stage,
        )
        session.flush()
        refresh_matchable(session, mentor_ids=[mentor_id], on=on, outbox=outbox)
    outbox.send()
    return mentor


def change_status(
    *,
    session: Session,
    mentor_id: int,
    status: str,
    reason: str,
    actor_id: int | None,
    on: date,
) -> Mentor:
    """Pause, withdraw, reject (with a reason) or reactivate a mentor."""
    reason = reason.strip()
    if status not in MentorStatus.values():
        raise VettingError("Select what to do", field="status")
    if status in (MentorStatus.REJECTED.value, MentorStatus.WITHDRAWN.value) and not reason:
        raise VettingError(
            "Enter the reason for rejecting the volunteer"
            if status == MentorStatus.REJECTED.value
            else "Enter the reason the volunteer withdrew",
            field="reason",
        )
    if len(reason) > 500:
        raise VettingError("Keep the reason to 500 characters", field="reason")
    outbox = Outbox()
    with write_transaction(session):
        mentor = _get(session, mentor_id)
        before = mentor.status
        if before == status and status == MentorStatus.ACTIVE.value:
            raise VettingError(f"{mentor.first_name} is already active", field="status")
        mentor.status = status
        mentor.status_reason = "" if status == MentorStatus.ACTIVE.value else reason
        mentor.updated_at = utcnow()
        session.add(mentor)
        audit.record(
            session,
            "mentor.status",
            object_type="mentor",
            object_id=mentor_id,
            district_id=mentor.home_district_id,
            actor_id=actor_id,
            from_status=before,
            to_status=status,
            fields=["status", "status_reason"],
        )
        session.flush()
        refresh_matchable(session, mentor_ids=[mentor_id], on=on, outbox=outbox)
    outbox.send()
    return mentor


# ---------------------------------------------------------------------------
# The board
# ---------------------------------------------------------------------------

OFF_PIPELINE = [
    MentorStatus.PAUSED.value,
    MentorStatus.WITHDRAWN.value,
    MentorStatus.REJECTED.value,
]
BOARD_FILTERS: list[tuple[str, str]] = (
    [("", "In the pipeline")]
    + [(s.value, s.label) for s in PipelineStage]
    + [("not_matchable", "Ready but not matchable")]
    + [(s, STATUS_LABELS[s]) for s in OFF_PIPELINE]
    + [("all", "Everyone, including withdrawn and rejected")]
)


@dataclass
class BoardRow:
    mentor: Mentor
    district: str
    days_in_stage: int
    matchable: bool | None  # None: not at the ready stage


@dataclass
class BoardPage:
    rows: list[BoardRow]
    total: int
    page: int
    pages: int
    stage_counts: list[tuple[PipelineStage, int, int]]  # stage, count, longest days in stage
    status_counts: dict[str, int]


def _filters(
    session: Session,
    *,
    on: date,
    district_id: int | None,
    stage: str,
    kind: str,
    q: str,
    with_stage: bool = True,
) -> list[Any]:
    conditions: list[Any] = []
    if district_id:
        conditions.append(Mentor.home_district_id == district_id)
    if kind in MentorKind.values():
        conditions.append(Mentor.kind == kind)
    q = q.strip()
    if q:
        needle = q.lower()
        name = sa.func.lower(Mentor.first_name + " " + Mentor.last_name)
        conditions.append(
            sa.or_(
                name.contains(needle, autoescape=True),
                sa.func.lower(Mentor.reference).contains(needle, autoescape=True),
                sa.func.lower(Mentor.email).contains(needle, autoescape=True),
            )
        )
    if not with_stage:
        return conditions
    if stage in PipelineStage.values():
        conditions += [Mentor.stage == stage, Mentor.status == MentorStatus.ACTIVE.value]
    elif stage in OFF_PIPELINE:
        conditions.append(Mentor.status == stage)
    elif stage == "not_matchable":
        ready = set(
            session.exec(
                select(Mentor.id).where(
                    Mentor.stage == PipelineStage.READY.value,
                    Mentor.status == MentorStatus.ACTIVE.value,
                )
            ).all()
        )
        lapsed = sorted(ready - matchable_mentor_ids(session=session, on=on))
        conditions.append(col(Mentor.id).in_(lapsed))
    elif stage != "all":
        conditions.append(
            col(Mentor.status).in_([MentorStatus.ACTIVE.value, MentorStatus.PAUSED.value])
        )
    return conditions


def _days_since(moment: datetime, on: date) -> int:
    return max(0, (on - moment.date()).days)


def board(
    *,
    session: Session,
    on: date,
    district_id: int | None = None,
    stage: str = "",
    kind: str = "",
    q: str = "",
    page: int = 1,
    per_page: int = 25,
) -> BoardPage:
    """The pipeline board: counts by stage and one page of mentors (longest waiting first)."""
    base = _filters(
        session, on=on, district_id=district_id, stage=stage, kind=kind, q=q, with_stage=False
    )
    stage_rows = session.exec(
        select(Mentor.stage, sa.func.count(), sa.func.min(Mentor.stage_changed_at))
        .where(Mentor.status == MentorStatus.ACTIVE.value, *base)
        .group_by(col(Mentor.stage))
    ).all()
    by_stage = {s: (n, oldest) for s, n, oldest in stage_rows}
    stage_counts = []
    for s in PipelineStage:
        n, oldest = by_stage.get(s.value, (0, None))
        stage_counts.append((s, n, _days_since(oldest, on) if oldest else 0))
    status_counts = dict(
        session.exec(
            select(Mentor.status, sa.func.count()).where(*base).group_by(col(Mentor.status))
        ).all()
    )
    conditions = _filters(session, on=on, district_id=district_id, stage=stage, kind=kind, q=q)
    total = session.exec(select(sa.func.count()).select_from(Mentor).where(*conditions)).one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    mentors = session.exec(
        select(Mentor)
        .where(*conditions)
        .order_by(col(Mentor.stage_changed_at), Mentor.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    names = dict(session.exec(select(District.id, District.name)).all())
    ready_ids = [
        m.id
        for m in mentors
        if m.stage == PipelineStage.READY.value and m.status == MentorStatus.ACTIVE.value
    ]
    gates = gate_results(session, on=on, mentor_ids=ready_ids) if ready_ids else {}  # type: ignore[arg-type]
    rows = [
        BoardRow(
            mentor=m,
            district=names.get(m.home_district_id, ""),
            days_in_stage=_days_since(m.stage_changed_at, on),
            matchable=gates[m.id].matchable if m.id in gates else None,
        )
        for m in mentors
    ]
    return BoardPage(rows, total, page, pages, stage_counts, status_counts)


# ---------------------------------------------------------------------------
# CSV export and import
# ---------------------------------------------------------------------------

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
EXPORT_COLUMNS = ["reference", *CSV_COLUMNS, "status", "days_in_stage", "applied_on", "matchable"]
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


def export_csv(
    *,
    session: Session,
    on: date,
    district_id: int | None = None,
    stage: str = "",
    kind: str = "",
    q: str = "",
) -> tuple[str, int]:
    """Export the mentors the board's filters select, as CSV (no DBS details)."""
    conditions = _filters(session, on=on, district_id=district_id, stage=stage, kind=kind, q=q)
    mentors = session.exec(select(Mentor).where(*conditions).order_by(col(Mentor.reference))).all()
    ids = [m.id for m in mentors]
    codes = dict(session.exec(select(District.id, District.code)).all())
    travel: dict[int, list[str]] = {}
    skills: dict[int, list[str]] = {}
    for mid, did in session.exec(
        select(MentorTravelDistrict.mentor_id, MentorTravelDistrict.district_id)
    ).all():
        travel.setdefault(mid, []).append(codes[did])
    for mid, code in session.exec(
        select(MentorSkill.mentor_id, Need.code).join(Need, col(Need.id) == MentorSkill.need_id)
    ).all():
        skills.setdefault(mid, []).append(code)
    matchable = matchable_mentor_ids(session=session, on=on)
    rows = [
        [
            m.reference,
            m.first_name,
            m.last_name,
            m.email,
            m.phone,
            m.postcode,
            codes.get(m.home_district_id, ""),
            "; ".join(sorted(travel.get(m.id, []))),  # type: ignore[arg-type]
            m.kind,
            m.capacity,
            "; ".join(m.availability),
            "; ".join(m.languages),
            "; ".join(sorted(skills.get(m.id, []))),  # type: ignore[arg-type]
            m.gender or "",
            m.experience,
            m.stage,
            "yes" if m.consent_to_checks_at else "no",
            m.status,
            _days_since(m.stage_changed_at, on),
            m.applied_at.date(),
            "yes" if m.id in matchable else "no",
        ]
        for m in mentors
    ]
    del ids
    return write_csv(rows, EXPORT_COLUMNS), len(rows)


def template_csv(session: Session) -> str:
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


# form field -> CSV column, for the row errors
_FIELD_COLUMN = {
    "home_district": "home_district",
    "travel_districts": "travel_districts",
    "skills": "skills",
    "former_family_reference": "kind",
    "consent": "consent_to_checks",
}


def _split(value: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;,]", value or "") if p.strip()]


def parse_import(*, session: Session, content: bytes) -> ImportReport:
    """Read a CSV of mentors and check every row; nothing is saved."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ImportReport([], ["The file must be a CSV saved as UTF-8"])
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error:
        return ImportReport([], ["The file is not a readable CSV"])
    if not header:
        return ImportReport([], ["The file is empty"])
    file_errors = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        file_errors.append("Missing columns: " + ", ".join(missing))
    unknown = [h for h in header if h and h not in CSV_COLUMNS]
    if unknown:
        file_errors.append(
            "Unknown columns: " + ", ".join(unknown) + ". Use the columns of the template."
        )
    if file_errors:
        return ImportReport([], file_errors)
    reader.fieldnames = header
    codes = {c.upper(): i for i, c in session.exec(select(District.id, District.code)).all()}
    existing = {
        e.lower(): ref for e, ref in session.exec(select(Mentor.email, Mentor.reference)).all()
    }
    seen: dict[str, int] = {}
    known = known_values(session)
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
            values = {k: (v or "").strip() for k, v in raw.items()}
            if not any(values.values()):
                continue
            rows.append(_check_row(session, line, values, codes, existing, seen, known))
    except csv.Error as err:
        file_errors.append(f"The file could not be read after line {reader.line_num}: {err}")
    if not rows and not file_errors:
        file_errors.append("The file has no rows of mentors")
    return ImportReport(rows, file_errors)


def _check_row(
    session: Session,
    line: int,
    values: Mapping[str, str],
    codes: Mapping[str, int],
    existing: Mapping[str, str],
    seen: dict[str, int],
    known: tuple[set[int], set[str]],
) -> ImportRow:
    errors: list[tuple[str, str]] = []
    home = values.get("home_district", "").upper()
    travel_codes = [c.upper() for c in _split(values.get("travel_districts", ""))]
    bad_travel = [c for c in travel_codes if c not in codes]
    if bad_travel:
        errors.append(("travel_districts", "Unknown district codes: " + ", ".join(bad_travel)))
    capacity_text = values.get("capacity", "") or "1"
    capacity = int(capacity_text) if is_number(capacity_text) else None
    consent_text = values.get("consent_to_checks", "").lower()
    data = ApplicationData(
        first_name=values.get("first_name", ""),
        last_name=values.get("last_name", ""),
        email=values.get("email", ""),
        phone=values.get("phone", ""),
        postcode=values.get("postcode", ""),
        home_district_id=codes.get(home),
        travel_district_ids=[codes[c] for c in travel_codes if c in codes],
        availability=[v.lower() for v in _split(values.get("availability", ""))]
        or [a.value for a in Availability],
        languages=_split(values.get("languages", "")) or ["English"],
        skill_codes=[v.lower() for v in _split(values.get("skills", ""))],
        experience=values.get("experience", ""),
        gender=values.get("gender", "").lower() or None,
        capacity=capacity,
        kind=values.get("kind", "").lower() or MentorKind.VOLUNTEER.value,
        consent=consent_text in {"yes", "y", "true", "1"},
        stage=values.get("stage", "").lower() or PipelineStage.APPLIED.value,
    )
    problems = application_errors(session, data, staff=False, known=known)
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
        if email in existing:
            errors.append(
                ("email", f"A volunteer with this email already exists ({existing[email]})")
            )
        elif email in seen:
            errors.append(("email", f"The same email address is on line {seen[email]}"))
        else:
            seen[email] = line
    errors.sort(key=lambda e: CSV_COLUMNS.index(e[0]) if e[0] in CSV_COLUMNS else 99)
    name = f"{data.first_name} {data.last_name}".strip()
    return ImportRow(line, name, None if errors else data, errors)


def import_mentors(
    *, session: Session, rows: list[ApplicationData], actor_id: int | None, on: date
) -> list[Mentor]:
    """Save checked rows as new mentors, all in one transaction (all or none)."""
    created: list[Mentor] = []
    known = known_values(session)
    for data in rows:
        errors = application_errors(session, data, staff=True, known=known)
        if errors:
            raise VettingError(
                f"{data.first_name} {data.last_name}: {next(iter(errors.values()))}",
                errors=errors,
            )
    with write_transaction(session):
        for data in rows:
            created.append(
                _insert_mentor(
                    session, data, source=ApplicationSource.STAFF.value, actor_id=actor_id
                )
            )
        audit.record(
            session, "mentor.import", object_type="mentor", actor_id=actor_id, count=len(created)
        )
    del on
    return created


# Checked rows wait in the instance folder between the report and "import the valid rows".

IMPORT_TTL_SECONDS = 3600


def stash_import(folder: Path, *, user_id: int, rows: list[ApplicationData]) -> str:
    """Keep checked rows for one user for an hour; return the token that finds them."""
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob("*.json"):
        if now - old.stat().st_mtime > IMPORT_TTL_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(16)
    payload = {"user_id": user_id, "rows": [asdict(r) for r in rows]}
    path = folder / f"{token}.json"
    path.write_text(json.dumps(payload))
    path.chmod(0o600)
    return token


def take_stash(folder: Path, *, token: str, user_id: int) -> list[ApplicationData] | None:
    """Return (and forget) the rows kept under a token, if they are this user's and fresh."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token or ""):
        return None
    path = folder / f"{token}.json"
    if not path.exists() or time.time() - path.stat().st_mtime > IMPORT_TTL_SECONDS:
        return None
    payload = json.loads(path.read_text())
    if payload.get("user_id") != user_id:
        return None
    path.unlink(missing_ok=True)
    return [ApplicationData(**row) for row in payload["rows"]]


def describe_reasons(reasons: list[str]) -> str:
    return "; ".join(reasons)


__all__ = [
    "ApplicationData",
    "MentorError",
    "NotReadyError",
    "VettingError",
    "application_errors",
    "board",
    "change_stage",
    "change_status",
    "create_mentor",
    "export_csv",
    "import_mentors",
    "long_date",
    "mark_ready",
    "parse_import",
    "update_mentor",
]
