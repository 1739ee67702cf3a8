"""A mentor's record: new applications, changed details, and the details as a form holds them."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from mentoring.db import write_transaction
from mentoring.exceptions import NotFound, VettingError
from mentoring.models import (
    ApplicationSource,
    Family,
    Mentor,
    MentorSkill,
    MentorTravelDistrict,
    Need,
    Role,
    utcnow,
)
from mentoring.numbers import is_number
from mentoring.services.common.notify import Outbox, link, notify, users_of_role
from mentoring.services.mentors.applications import (
    ApplicationData,
    application_errors,
    family_id,
)
from mentoring.services.vetting import audit_mentor, locked_mentor, refresh_matchable, saved_id
from mentoring.services.vetting.records import invalid


def load_mentor(*, session: Session, mentor_id: int) -> Mentor:
    """Load a mentor; NotFound (a 404) if there is none."""
    mentor = session.get(Mentor, mentor_id)
    if mentor is None:
        raise NotFound("That volunteer does not exist")
    return mentor


def _next_reference(session: Session) -> str:
    """Return the next free mentor reference, M-0001 on."""
    refs = session.exec(select(Mentor.reference).where(col(Mentor.reference).like("M-%"))).all()
    numbers = [int(r[2:]) for r in refs if is_number(r[2:])]
    return f"M-{(max(numbers) if numbers else 0) + 1:04d}"


def _links(session: Session, mentor_id: int) -> tuple[set[int], set[str]]:
    """Return a mentor's travel districts and skill codes."""
    travel = session.exec(
        select(MentorTravelDistrict.district_id).where(MentorTravelDistrict.mentor_id == mentor_id)
    ).all()
    skills = session.exec(
        select(Need.code)
        .join(MentorSkill, col(MentorSkill.need_id) == Need.id)
        .where(MentorSkill.mentor_id == mentor_id)
    ).all()
    return set(travel), set(skills)


def _set_links(session: Session, mentor_id: int, data: ApplicationData) -> None:
    """Replace a mentor's travel districts and skills."""
    session.exec(
        sa.delete(MentorTravelDistrict).where(col(MentorTravelDistrict.mentor_id) == mentor_id)
    )
    session.exec(sa.delete(MentorSkill).where(col(MentorSkill.mentor_id) == mentor_id))
    for district_id in data.travel_district_ids:
        session.add(MentorTravelDistrict(mentor_id=mentor_id, district_id=district_id))
    if data.skill_codes:
        for need_id in session.exec(
            select(Need.id).where(col(Need.code).in_(sorted(set(data.skill_codes))))
        ).all():
            session.add(MentorSkill(mentor_id=mentor_id, need_id=saved_id(need_id)))


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
        "former_family_id": family_id(session, data.former_family_reference)
        if data.former_family_reference
        else None,
    }


def insert_mentor(
    session: Session, data: ApplicationData, *, source: str, actor_id: int | None
) -> Mentor:
    """Add a checked application as a new mentor, in the caller's unit of work; audited."""
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
    _set_links(session, saved_id(mentor.id), data)
    audit_mentor(
        session,
        "mentor.create",
        mentor,
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
    """Record a new application (from the public page, by phone or by staff).

    Provider staff are told; a volunteer who applied on the public page is emailed their
    reference.
    """
    if source not in ApplicationSource.values():
        raise VettingError("Unknown application source")
    web = source == ApplicationSource.WEB.value
    errors = application_errors(session=session, data=data, staff=not web)
    if errors:
        raise invalid(errors)
    for attempt in range(3):
        outbox = Outbox()
        try:
            with write_transaction(session):
                mentor = insert_mentor(session, data, source=source, actor_id=actor_id)
                notify(
                    session,
                    [u.id for u in users_of_role(session, Role.PROVIDER)],
                    kind="new_application",
                    message=f"New application: {mentor.reference} {mentor.first_name} "
                    f"{mentor.last_name}",
                    link=link("mentors.mentor", mentor_id=mentor.id),
                )
                if web:
                    outbox.add(
                        mentor.email,
                        "application_received",
                        first_name=mentor.first_name,
                        reference=mentor.reference,
                    )
        except IntegrityError:
            if attempt == 2:
                raise
            time.sleep(0.05)  # another application took the same reference: try the next
        else:
            outbox.send()
            return mentor
    raise AssertionError("unreachable")  # pragma: no cover


def update_mentor(
    *, session: Session, mentor_id: int, data: ApplicationData, actor_id: int | None, on: date
) -> list[str]:
    """Change a mentor's details; return the names of the fields that changed."""
    errors = application_errors(session=session, data=data, staff=True, mentor_id=mentor_id)
    errors.pop("consent", None)
    errors.pop("stage", None)
    if errors:
        raise invalid(errors)
    outbox = Outbox()
    with write_transaction(session):
        mentor = locked_mentor(session=session, mentor_id=mentor_id)
        values = _mentor_values(session, data)
        changed = [k for k, v in values.items() if getattr(mentor, k) != v]
        for name in changed:
            setattr(mentor, name, values[name])
        travel, skills = _links(session, mentor_id)
        if travel != set(data.travel_district_ids):
            changed.append("travel_districts")
        if skills != set(data.skill_codes):
            changed.append("skills")
        _set_links(session, mentor_id, data)
        if changed:
            mentor.updated_at = utcnow()
            session.add(mentor)
            audit_mentor(session, "mentor.update", mentor, actor_id=actor_id, fields=changed)
        refresh_matchable(session=session, mentor_ids=[mentor_id], on=on, outbox=outbox)
    outbox.send()
    return changed


def application_from_mentor(*, session: Session, mentor: Mentor) -> ApplicationData:
    """Return a mentor's details as ApplicationData (to fill the edit form)."""
    travel, skills = _links(session, saved_id(mentor.id))
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


def set_text_reminders(*, session: Session, mentor_id: int, wanted: bool) -> Mentor:
    """Record a mentor's own choice about text-message reminders, and when they made it."""
    with write_transaction(session):
        mentor = locked_mentor(session=session, mentor_id=mentor_id)
        if wanted and not mentor.phone.strip():
            raise VettingError(
                "We have no mobile number for you: ask your mentoring provider to add it",
                field="texts",
            )
        mentor.text_reminders = wanted
        mentor.text_reminders_consent_at = utcnow() if wanted else None
        session.add(mentor)
        audit_mentor(session, "mentor.text_reminders", mentor, actor_id=None, wanted=wanted)
    return mentor
