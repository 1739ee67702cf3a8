"""Subject access (UK GDPR Article 15): everything held about one person, as one document.

A mentor or role model (by reference), a family (by reference) or a member of staff (by
email). Each section is the rows of one kind of record, with every column, so nothing
held is left out; what identifies a third party is withheld and the document says so:

- a mentor's referees (their names and contact details are the referees' own data), and
  the families a mentor was matched with (shown as "a family in <district>");
- a family's mentors (shown as "a volunteer mentor"), and who raised a safeguarding
  concern;
- safeguarding records are counted, not released: the designated safeguarding lead
  reviews them first (a disclosure could put a child at risk; UK GDPR Schedule 3 and the
  Data Protection Act 2018 Schedule 2 exemptions), and the document says how many.

The export itself is audited (`subject_access.export`), with the subject's id only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from mentoring import audit
from mentoring.db import write_transaction
from mentoring.exceptions import InvalidInput, NotFound
from mentoring.models import (
    AuditEvent,
    ContactLog,
    DbsCheck,
    District,
    Family,
    FamilyCriterion,
    FamilyEvent,
    FamilyNeed,
    FamilyOutcome,
    Interview,
    Match,
    Mentor,
    MentorSkill,
    MentorTravelDistrict,
    Reference,
    SafeguardingConcern,
    SignInRecord,
    TrainingRecord,
    User,
    utcnow,
)

WITHHELD = "(withheld: a third party's details)"
# Columns never shown: secrets, not personal data about the subject.
SECRET_COLUMNS = {"password_hash", "totp_secret", "totp_last_step", "session_version"}


@dataclass
class Section:
    title: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


@dataclass
class SubjectAccess:
    kind: str  # mentor, family, user
    reference: str
    subject_id: int | None
    generated_at: datetime
    sections: list[Section]
    withheld: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": {"kind": self.kind, "reference": self.reference},
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "withheld": self.withheld,
            "sections": [{"title": s.title, "note": s.note, "rows": s.rows} for s in self.sections],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj: SQLModel, **replace: Any) -> dict[str, Any]:
    data = {
        name: _plain(getattr(obj, name))
        for name in type(obj).model_fields
        if name not in SECRET_COLUMNS
    }
    data.update(replace)
    return data


def _rows(session: Session, model: Any, where: Any, **replace: Any) -> list[dict[str, Any]]:
    return [_row(r, **replace) for r in session.exec(select(model).where(where)).all()]


def _account(session: Session, user: User) -> list[Section]:
    return [
        Section("Account", [_row(user)]),
        Section(
            "Sign-ins",
            _rows(session, SignInRecord, SignInRecord.user_id == user.id),
        ),
        Section(
            "What they did in the service (audit log)",
            _rows(session, AuditEvent, AuditEvent.actor_id == user.id),
        ),
    ]


def _safeguarding_note(count: int) -> Section:
    return Section(
        "Safeguarding records",
        note=(
            f"{count} safeguarding record(s) exist. They are released only after review by "
            "the designated safeguarding lead."
            if count
            else "None."
        ),
    )


def _mentor(session: Session, reference: str) -> SubjectAccess:
    mentor = session.exec(select(Mentor).where(Mentor.reference == reference.upper())).first()
    if mentor is None:
        raise NotFound(f"There is no mentor with reference {reference.upper()}")
    districts = dict(session.exec(select(District.id, District.name)).all())
    matches = session.exec(select(Match).where(Match.mentor_id == mentor.id)).all()
    families = {
        f.id: f
        for f in session.exec(
            select(Family).where(col(Family.id).in_([m.family_id for m in matches]))
        ).all()
    }
    match_rows = [
        _row(m, family_id=f"a family in {districts.get(families[m.family_id].district_id, '?')}")
        for m in matches
    ]
    contacts = _rows(
        session,
        ContactLog,
        col(ContactLog.match_id).in_([m.id for m in matches]),
        note=WITHHELD,
    )
    concerns = session.exec(
        select(SafeguardingConcern).where(SafeguardingConcern.mentor_id == mentor.id)
    ).all()
    sections = [
        Section("Mentor record", [_row(mentor)]),
        Section(
            "Districts they travel to",
            _rows(session, MentorTravelDistrict, MentorTravelDistrict.mentor_id == mentor.id),
        ),
        Section("Skills", _rows(session, MentorSkill, MentorSkill.mentor_id == mentor.id)),
        Section(
            "References",
            _rows(
                session,
                Reference,
                Reference.mentor_id == mentor.id,
                referee_name=WITHHELD,
                referee_contact=WITHHELD,
            ),
        ),
        Section("DBS checks", _rows(session, DbsCheck, DbsCheck.mentor_id == mentor.id)),
        Section("Interviews", _rows(session, Interview, Interview.mentor_id == mentor.id)),
        Section("Training", _rows(session, TrainingRecord, TrainingRecord.mentor_id == mentor.id)),
        Section("Matches", match_rows),
        Section("Contacts they recorded", contacts),
        Section(
            "Changes to their record (audit log)",
            _rows(
                session,
                AuditEvent,
                (AuditEvent.object_type == "mentor") & (AuditEvent.object_id == mentor.id),
            ),
        ),
        _safeguarding_note(len(concerns)),
    ]
    user = session.exec(select(User).where(User.mentor_id == mentor.id)).first()
    if user is not None:
        sections += _account(session, user)
    withheld = [
        "Referees' names and contact details",
        "Which families they were matched with (shown by district)",
        "Notes of contacts (they are about the families)",
    ]
    return SubjectAccess("mentor", mentor.reference, mentor.id, utcnow(), sections, withheld)


def _family(session: Session, reference: str) -> SubjectAccess:
    family = session.exec(select(Family).where(Family.reference == reference.upper())).first()
    if family is None:
        raise NotFound(f"There is no family with reference {reference.upper()}")
    matches = session.exec(select(Match).where(Match.family_id == family.id)).all()
    ids = [m.id for m in matches]
    concerns = session.exec(
        select(SafeguardingConcern).where(col(SafeguardingConcern.match_id).in_(ids))
    ).all()
    sections = [
        Section("Family record", [_row(family)]),
        Section("Needs", _rows(session, FamilyNeed, FamilyNeed.family_id == family.id)),
        Section(
            "Programme criteria and evidence",
            _rows(session, FamilyCriterion, FamilyCriterion.family_id == family.id),
        ),
        Section("Results", _rows(session, FamilyOutcome, FamilyOutcome.family_id == family.id)),
        Section(
            "Consent and engagement history",
            _rows(session, FamilyEvent, FamilyEvent.family_id == family.id),
        ),
        Section(
            "Mentoring",
            [_row(m, mentor_id="a volunteer mentor") for m in matches],
        ),
        Section(
            "Contacts with their mentor",
            _rows(session, ContactLog, col(ContactLog.match_id).in_(ids), recorded_by_id=None),
        ),
        Section(
            "Who has seen or changed their record (audit log)",
            _rows(
                session,
                AuditEvent,
                (AuditEvent.object_type == "family") & (AuditEvent.object_id == family.id),
            ),
        ),
        _safeguarding_note(len(concerns)),
    ]
    withheld = [
        "Their mentors' names (shown as a volunteer mentor)",
        "Who recorded each contact, and who raised any safeguarding concern",
    ]
    return SubjectAccess("family", family.reference, family.id, utcnow(), sections, withheld)


def _staff(session: Session, email: str) -> SubjectAccess:
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise NotFound(f"There is no account for {email.strip().lower()}")
    return SubjectAccess("user", user.email, user.id, utcnow(), _account(session, user), [])


def subject_access(
    *, session: Session, kind: str, reference: str, actor_id: int | None
) -> SubjectAccess:
    """Everything held about one person; the export is audited."""
    reference = reference.strip()
    if not reference:
        raise InvalidInput("Enter the reference or email address", field="reference")
    builders = {"mentor": _mentor, "family": _family, "user": _staff}
    if kind not in builders:
        raise InvalidInput("Choose a mentor, a family or a member of staff", field="kind")
    document = builders[kind](session, reference)
    with write_transaction(session):
        audit.record(
            session,
            "subject_access.export",
            object_type=kind,
            object_id=document.subject_id,
            actor_id=actor_id,
            sections=len(document.sections),
        )
    return document
