"""A volunteer's application: the details, as typed, and the rules they must meet.

`application_errors` checks one application (from the public page, a staff form or a CSV
row) and normalises it in place; it returns form field -> message for each problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, col, select

from mentoring.models import (
    Availability,
    District,
    Family,
    Gender,
    Mentor,
    MentorKind,
    Need,
    PipelineStage,
)

POSTCODE = re.compile(r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})$")
PHONE = re.compile(r"^\+?[\d ()-]{10,20}$")
MAX_LANGUAGES = 10
STAGES_BEFORE_READY = [s.value for s in PipelineStage if s != PipelineStage.READY]

Known = tuple[set[int], set[str]]  # the district ids and need codes an application may name


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


def split_languages(values: Iterable[str]) -> list[str]:
    """Split languages typed with commas or semicolons; capitalise, once each."""
    out: list[str] = []
    for value in values:
        for part in re.split(r"[,;]", value or ""):
            name = part.strip()
            if name and name.lower() not in {v.lower() for v in out}:
                out.append(name[:1].upper() + name[1:])
    return out


def known_values(*, session: Session) -> Known:
    """Return the district ids and need codes an application may name."""
    return (
        {d for d in session.exec(select(District.id)).all() if d is not None},
        set(session.exec(select(Need.code)).all()),
    )


def family_id(session: Session, reference: str) -> int | None:
    """Return the id of the family with this reference, if there is one."""
    return session.exec(select(Family.id).where(Family.reference == reference)).first()


def _name_errors(data: ApplicationData, errors: dict[str, str]) -> None:
    data.first_name, data.last_name = data.first_name.strip(), data.last_name.strip()
    for name, value, label in (
        ("first_name", data.first_name, "first name"),
        ("last_name", data.last_name, "last name"),
    ):
        if not value:
            errors[name] = f"Enter the {label}"
        elif len(value) > 80:
            errors[name] = f"{label.capitalize()} must be 80 characters or fewer"


def _contact_errors(data: ApplicationData, errors: dict[str, str]) -> None:
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


def _place_and_time_errors(
    data: ApplicationData, district_ids: set[int], errors: dict[str, str]
) -> None:
    if data.home_district_id not in district_ids:
        errors["home_district"] = "Select a home district from the list"
    if any(d not in district_ids for d in data.travel_district_ids):
        errors["travel_districts"] = "Select districts from the list"
    data.travel_district_ids = sorted(
        {d for d in data.travel_district_ids if d != data.home_district_id}
    )
    if not data.availability:
        errors["availability"] = "Select at least one time of availability"
    elif any(a not in Availability.values() for a in data.availability):
        errors["availability"] = "Select availability from the list"


def _about_errors(data: ApplicationData, needs: set[str], errors: dict[str, str]) -> None:
    data.languages = split_languages(data.languages)
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


def _kind_errors(session: Session, data: ApplicationData, errors: dict[str, str]) -> None:
    if data.kind not in MentorKind.values():
        errors["kind"] = "Select whether they are a volunteer or a former participant"
    data.former_family_reference = data.former_family_reference.strip().upper()
    if data.former_family_reference:
        if data.kind != MentorKind.ROLE_MODEL.value:
            errors["former_family_reference"] = (
                "Only a former-participant role model has a family reference"
            )
        elif family_id(session, data.former_family_reference) is None:
            errors["former_family_reference"] = "There is no family with this reference"


def application_errors(
    *,
    session: Session,
    data: ApplicationData,
    staff: bool,
    mentor_id: int | None = None,
    known: Known | None = None,
) -> dict[str, str]:
    """Check an application; return form field -> message for each problem.

    Also normalises the data in place (postcode, email, languages). ``known`` holds the
    district ids and need codes when checking many rows at once.
    """
    district_ids, needs = known or known_values(session=session)
    errors: dict[str, str] = {}
    _name_errors(data, errors)
    _contact_errors(data, errors)
    _place_and_time_errors(data, district_ids, errors)
    _about_errors(data, needs, errors)
    _kind_errors(session, data, errors)
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
                col(Mentor.id) != (mentor_id or -1),
            )
        ).first()
        if existing is not None:
            errors["email"] = f"A volunteer with this email address already exists ({existing})"
    return errors
