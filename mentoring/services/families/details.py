"""A family's details (household, needs, preferences, risks): checked and copied onto the row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date

from sqlmodel import Session, col, select

from mentoring.exceptions import FamilyError
from mentoring.models import Availability, Family, FamilyNeed, Gender, Need, service_today

COUNT_FIELDS = ("adults", "children_0_4", "children_5_10", "children_11_15", "children_16_18")
TEXT_LIMITS = {
    "key_worker_name": 120,
    "key_worker_agency": 120,
    "key_worker_contact": 254,
    "shared_first_names": 200,
    "safety_notes": 1000,
    "agreed_goals": 2000,
}
MAX_PEOPLE_IN_BAND = 20


@dataclass
class FamilyDetails:
    """What a coordinator records about a family (besides criteria, consent and outcomes)."""

    referred_on: date
    tranche: int | None = None
    mentoring_offered: bool | None = None
    key_worker_name: str = ""
    key_worker_agency: str = ""
    key_worker_contact: str = ""
    shared_first_names: str = ""
    adults: int = 1
    children_0_4: int = 0
    children_5_10: int = 0
    children_11_15: int = 0
    children_16_18: int = 0
    languages: list[str] = field(default_factory=list)
    availability: list[str] = field(default_factory=list)
    need_codes: list[str] = field(default_factory=list)
    wants_role_model: bool = False
    gender_preference: str | None = None
    gender_required: bool = False
    language_preference: str | None = None
    language_required: bool = False
    risk_domestic_abuse: bool = False
    risk_no_lone_visits: bool = False
    safety_notes: str = ""
    agreed_goals: str = ""

    @classmethod
    def of(cls, family: Family, need_codes: list[str]) -> FamilyDetails:
        """Return a family's current details."""
        values = {f: getattr(family, f) for f in _ROW_FIELDS}
        values["languages"] = list(family.languages)
        values["availability"] = list(family.availability)
        return cls(need_codes=list(need_codes), **values)


# The details kept on the family row itself (needs are rows of their own).
_ROW_FIELDS = tuple(f.name for f in fields(FamilyDetails) if f.name != "need_codes")


def validate_details(*, session: Session, details: FamilyDetails) -> None:
    """Check a family's details; raise FamilyError for the first problem found."""
    if details.referred_on > service_today():
        raise FamilyError("referred_on", "The referral date must be today or in the past")
    if details.tranche is not None and details.tranche not in (1, 2, 3):
        raise FamilyError("tranche", "Choose tranche 1, 2 or 3")
    for name in COUNT_FIELDS:
        value = getattr(details, name)
        if not isinstance(value, int) or value < 0 or value > MAX_PEOPLE_IN_BAND:
            raise FamilyError(name, f"Enter a number from 0 to {MAX_PEOPLE_IN_BAND}")
    if sum(getattr(details, name) for name in COUNT_FIELDS) == 0:
        raise FamilyError("adults", "A family has at least one person: enter the number of adults")
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(details, name)) > limit:
            raise FamilyError(name, f"Enter {limit} characters or fewer")
    if len(details.languages) > 10 or any(not 0 < len(x) <= 40 for x in details.languages):
        raise FamilyError("languages", "Choose up to 10 languages")
    unknown = set(details.availability) - set(Availability.values())
    if unknown:
        raise FamilyError("availability", "Choose when the family is available from the list")
    if details.need_codes:
        known = set(session.exec(select(Need.code)).all())
        missing = sorted(set(details.need_codes) - known)
        if missing:
            raise FamilyError("needs", f"Unknown need: {', '.join(missing)}")
    if details.gender_preference is not None and details.gender_preference not in set(
        Gender.values()
    ):
        raise FamilyError("gender_preference", "Choose a mentor gender from the list")
    if details.gender_required and not details.gender_preference:
        raise FamilyError(
            "gender_preference", "Choose the mentor's gender to make it a requirement"
        )
    if details.language_preference is not None and not (0 < len(details.language_preference) <= 40):
        raise FamilyError("language_preference", "Choose a language from the list")
    if details.language_required and not details.language_preference:
        raise FamilyError(
            "language_preference", "Choose the mentor's language to make it a requirement"
        )


def family_need_codes(*, session: Session, family_id: int) -> list[str]:
    """Return the codes of a family's needs, in the taxonomy's order."""
    return list(
        session.exec(
            select(Need.code)
            .join(FamilyNeed, col(FamilyNeed.need_id) == col(Need.id))
            .where(col(FamilyNeed.family_id) == family_id)
            .order_by(col(Need.sort_order), col(Need.name))
        ).all()
    )


def apply_details(family: Family, details: FamilyDetails) -> list[str]:
    """Copy details onto the family row; return the names of the fields that changed."""
    changed = []
    for name in _ROW_FIELDS:
        value = getattr(details, name)
        if name in {"languages", "availability"}:
            value = list(value)
        if name in TEXT_LIMITS:
            value = value.strip()
        if getattr(family, name) != value:
            setattr(family, name, value)
            changed.append(name)
    if not family.gender_preference:
        family.gender_required = False
    if not family.language_preference:
        family.language_required = False
    return changed


def _need_ids(session: Session, codes: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = session.exec(select(Need.code, Need.id).where(col(Need.code).in_(wanted))).all()
    return {code: need_id for code, need_id in rows if need_id is not None}


def set_needs(*, session: Session, family_id: int, codes: list[str]) -> bool:
    """Make a family's needs these codes (inside the caller's transaction); tell if they changed."""
    wanted = _need_ids(session, codes)
    current = set(
        session.exec(select(FamilyNeed.need_id).where(col(FamilyNeed.family_id) == family_id)).all()
    )
    target = set(wanted.values())
    if current == target:
        return False
    for need_id in current - target:
        row = session.get(FamilyNeed, (family_id, need_id))
        if row is not None:
            session.delete(row)
    for need_id in target - current:
        session.add(FamilyNeed(family_id=family_id, need_id=need_id))
    return True
