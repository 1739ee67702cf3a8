"""Recording vetting: references, DBS checks and decisions, status checks, interviews, training.

Every record goes through one skeleton (:func:`_record`): check the fields (nothing is
saved if any is wrong), lock the mentor, apply the change, audit it with the names of the
fields changed (never DBS values), move the stage on and re-check the gate
(:func:`_finish`), commit, then send any email the change caused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from sqlmodel import Session, select

from mentoring.db import write_transaction
from mentoring.exceptions import NotFound, VettingError
from mentoring.models import (
    DbsCheck,
    DbsDecision,
    DbsLevel,
    DbsResult,
    Interview,
    InterviewOutcome,
    Mentor,
    Reference,
    TrainingModule,
    TrainingRecord,
    utcnow,
)
from mentoring.services.common.locks import lock
from mentoring.services.common.notify import Outbox
from mentoring.services.vetting.facts import saved_id
from mentoring.services.vetting.matchable import advance_stage, refresh_matchable
from mentoring.services.vetting.trail import audit_mentor

EARLIEST_DATE = date(2000, 1, 1)
DECISION_FIELDS = ["decision", "decision_by_id", "decision_at", "decision_rationale"]

R = TypeVar("R", Reference, DbsCheck, Interview, TrainingRecord)


# ---------------------------------------------------------------------------
# The skeleton
# ---------------------------------------------------------------------------


@dataclass
class Change(Generic[R]):
    """What one record did: the row, the audit action, the fields changed."""

    row: R
    action: str
    fields: list[str]
    id_key: str  # the row's id in the audit details: reference_id, dbs_id...
    details: dict[str, Any] = field(default_factory=dict)


def invalid(errors: Mapping[str, str]) -> VettingError:
    """The error for a form's problems: the first message, and every field's."""
    return VettingError(next(iter(errors.values()), "Check what you entered"), errors=dict(errors))


def locked_mentor(*, session: Session, mentor_id: int) -> Mentor:
    """Lock a mentor for a change (inside a unit of work); NotFound if there is none."""
    mentor = lock(session, Mentor, mentor_id)
    if mentor is None:
        raise NotFound("That volunteer does not exist")
    return mentor


def _child(session: Session, model: type[R], row_id: int, mentor_id: int, what: str) -> R:
    """Load one of a mentor's records; NotFound if it is missing or another mentor's."""
    row = session.get(model, row_id)
    if row is None or row.mentor_id != mentor_id:
        raise NotFound(f"That {what} does not exist")
    return row


def _finish(
    session: Session, mentor: Mentor, *, on: date, actor_id: int | None, outbox: Outbox
) -> None:
    """After a vetting change: move the stage on, re-check the gate."""
    advance_stage(session=session, mentor=mentor, on=on, actor_id=actor_id)
    refresh_matchable(
        session=session, mentor_ids=[saved_id(mentor.id)], on=on, outbox=outbox, actor_id=actor_id
    )


def _record(
    session: Session,
    *,
    mentor_id: int,
    actor_id: int | None,
    on: date,
    apply: Callable[[Mentor], Change[R]],
) -> R:
    """Lock the mentor, apply a checked change, audit it, move on, commit, then email."""
    outbox = Outbox()
    with write_transaction(session):
        mentor = locked_mentor(session=session, mentor_id=mentor_id)
        change = apply(mentor)
        session.add(change.row)
        session.flush()
        details: dict[str, Any] = {change.id_key: change.row.id, **change.details}
        audit_mentor(
            session, change.action, mentor, actor_id=actor_id, fields=change.fields, **details
        )
        _finish(session, mentor, on=on, actor_id=actor_id, outbox=outbox)
    outbox.send()
    return change.row


def apply_values(row: Any, values: Mapping[str, Any]) -> list[str]:
    """Apply values to a row; return the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed


def check_date(
    value: date | None,
    *,
    field_name: str,
    what: str,
    on: date,
    required: bool = True,
    errors: dict[str, str],
) -> None:
    """Check a date is given (if required), not in the future and after 2000."""
    if value is None:
        if required:
            errors[field_name] = f"Enter the {what}"
        return
    if value > on:
        errors[field_name] = f"The {what} must be today or in the past"
    elif value < EARLIEST_DATE:
        errors[field_name] = f"The {what} must be a real date after 2000"


def _check_length(
    value: str, limit: int, message: str, *, field_name: str, errors: dict[str, str]
) -> None:
    if len(value.strip()) > limit:
        errors[field_name] = message


# ---------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------


def _reference_errors(
    *,
    referee_name: str,
    referee_contact: str,
    relationship: str,
    requested_on: date | None,
    received_on: date | None,
    satisfactory: bool | None,
    on: date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not referee_name:
        errors["referee_name"] = "Enter the referee's name"
    elif len(referee_name) > 120:
        errors["referee_name"] = "The referee's name must be 120 characters or fewer"
    _check_length(
        referee_contact,
        254,
        "The referee's contact details must be 254 characters or fewer",
        field_name="referee_contact",
        errors=errors,
    )
    _check_length(
        relationship,
        120,
        "The relationship must be 120 characters or fewer",
        field_name="relationship",
        errors=errors,
    )
    for value, name, what in (
        (requested_on, "requested_on", "date requested"),
        (received_on, "received_on", "date received"),
    ):
        check_date(value, field_name=name, what=what, on=on, errors=errors, required=False)
    if received_on and requested_on and received_on < requested_on and "received_on" not in errors:
        errors["received_on"] = "The date received must be on or after the date requested"
    if satisfactory is not None and received_on is None and "received_on" not in errors:
        errors["received_on"] = "Enter the date the reference was received"
    return errors


def save_reference(
    *,
    session: Session,
    mentor_id: int,
    actor_id: int | None,
    on: date,
    referee_name: str,
    referee_contact: str = "",
    relationship: str = "",
    requested_on: date | None = None,
    received_on: date | None = None,
    satisfactory: bool | None = None,
    reference_id: int | None = None,
) -> Reference:
    """Add a referee, or update one (received, satisfactory or not)."""
    referee_name = referee_name.strip()
    errors = _reference_errors(
        referee_name=referee_name,
        referee_contact=referee_contact,
        relationship=relationship,
        requested_on=requested_on,
        received_on=received_on,
        satisfactory=satisfactory,
        on=on,
    )
    if errors:
        raise invalid(errors)
    values: dict[str, Any] = {
        "referee_name": referee_name,
        "referee_contact": referee_contact.strip(),
        "relationship_to_mentor": relationship.strip(),
        "requested_on": requested_on,
        "received_on": received_on,
        "satisfactory": satisfactory,
    }

    def apply(_mentor: Mentor) -> Change[Reference]:
        if reference_id is None:
            row = Reference(mentor_id=mentor_id, recorded_by_id=actor_id, **values)
            return Change(row, "reference.add", list(values), "reference_id")
        row = _child(session, Reference, reference_id, mentor_id, "reference")
        changed = apply_values(row, values)
        row.recorded_by_id = actor_id
        row.recorded_at = utcnow()
        return Change(row, "reference.update", changed, "reference_id")

    return _record(session, mentor_id=mentor_id, actor_id=actor_id, on=on, apply=apply)


# ---------------------------------------------------------------------------
# DBS checks, risk-assessment decisions and Update Service status checks
# ---------------------------------------------------------------------------


def normalise_certificate_number(value: str) -> str:
    """Remove the spaces and dashes people type inside a certificate number."""
    return "".join(ch for ch in value if ch not in " -")


def _status_check_errors(
    *,
    update_service_subscribed: bool,
    last_status_check_on: date,
    issue_date: date | None,
    on: date,
    errors: dict[str, str],
) -> None:
    name = "last_status_check_on"
    if not update_service_subscribed:
        errors[name] = "Only record a status check for someone who subscribes to the Update Service"
        return
    check_date(
        last_status_check_on,
        field_name=name,
        what="date of the last status check",
        on=on,
        errors=errors,
    )
    if name not in errors and issue_date is not None and last_status_check_on < issue_date:
        errors[name] = "The status check must be on or after the certificate's issue date"


def _decision_errors(
    *, result: str | None, decision: str | None, decision_rationale: str, errors: dict[str, str]
) -> None:
    disclosed = result == DbsResult.DISCLOSED.value
    if decision:
        if not disclosed:
            errors["decision"] = (
                "Record a risk-assessment decision only when information was disclosed"
            )
        elif decision not in DbsDecision.values():
            errors["decision"] = "Select whether to proceed"
        if disclosed and not decision_rationale.strip():
            errors["decision_rationale"] = "Enter a short rationale for the decision"
    elif decision_rationale.strip() and disclosed:
        errors["decision"] = "Select whether to proceed"
    _check_length(
        decision_rationale,
        1000,
        "Keep the rationale to 1,000 characters",
        field_name="decision_rationale",
        errors=errors,
    )


def dbs_errors(
    *,
    level: str | None,
    certificate_number: str,
    issue_date: date | None,
    result: str | None,
    update_service_subscribed: bool,
    last_status_check_on: date | None,
    decision: str | None,
    decision_rationale: str,
    on: date,
) -> dict[str, str]:
    """Check a DBS record's fields; return field -> message for each problem."""
    errors: dict[str, str] = {}
    if level not in DbsLevel.values():
        errors["level"] = "Select the level of the DBS check"
    number = normalise_certificate_number(certificate_number or "")
    if not number:
        errors["certificate_number"] = "Enter the certificate number"
    elif not (len(number) == 12 and number.isascii() and number.isdigit()):
        errors["certificate_number"] = "The certificate number must be 12 digits, like 001234567890"
    check_date(issue_date, field_name="issue_date", what="issue date", on=on, errors=errors)
    if result not in DbsResult.values():
        errors["result"] = "Select the result of the check"
    if last_status_check_on is not None:
        _status_check_errors(
            update_service_subscribed=update_service_subscribed,
            last_status_check_on=last_status_check_on,
            issue_date=issue_date,
            on=on,
            errors=errors,
        )
    _decision_errors(
        result=result, decision=decision, decision_rationale=decision_rationale, errors=errors
    )
    return errors


def _record_decision(check: DbsCheck, decision: str, rationale: str, actor_id: int | None) -> None:
    check.decision = decision
    check.decision_rationale = rationale.strip()
    check.decision_by_id = actor_id
    check.decision_at = utcnow()


def _refuse_number_of_another(session: Session, number: str, mentor_id: int) -> None:
    other = session.exec(
        select(DbsCheck.id).where(
            DbsCheck.certificate_number == number, DbsCheck.mentor_id != mentor_id
        )
    ).first()
    if other is not None:
        raise VettingError(
            "This certificate number is recorded for another volunteer: check it",
            field="certificate_number",
        )


def save_dbs_check(
    *,
    session: Session,
    mentor_id: int,
    actor_id: int | None,
    on: date,
    level: str | None,
    certificate_number: str,
    issue_date: date | None,
    result: str | None,
    update_service_subscribed: bool = False,
    last_status_check_on: date | None = None,
    decision: str | None = None,
    decision_rationale: str = "",
    dbs_id: int | None = None,
) -> DbsCheck:
    """Record a DBS check (or correct one): only what the DBS Code of Practice allows.

    Level, certificate number (12 digits), issue date, result; where information was
    disclosed, the risk-assessment decision with who made it (the actor), when and a short
    rationale; Update Service subscription and the last status check. Never the content.
    """
    decision = decision or None
    errors = dbs_errors(
        level=level,
        certificate_number=certificate_number,
        issue_date=issue_date,
        result=result,
        update_service_subscribed=update_service_subscribed,
        last_status_check_on=last_status_check_on,
        decision=decision,
        decision_rationale=decision_rationale,
        on=on,
    )
    if errors:
        raise invalid(errors)
    number = normalise_certificate_number(certificate_number or "")
    values: dict[str, Any] = {
        "level": level,
        "certificate_number": number,
        "issue_date": issue_date,
        "result": result,
        "update_service_subscribed": update_service_subscribed,
        "last_status_check_on": last_status_check_on if update_service_subscribed else None,
    }

    def apply(_mentor: Mentor) -> Change[DbsCheck]:
        _refuse_number_of_another(session, number, mentor_id)
        if dbs_id is None:
            check = DbsCheck(mentor_id=mentor_id, recorded_by_id=actor_id, **values)
            changed, action = list(values), "dbs.record"
        else:
            check = _child(session, DbsCheck, dbs_id, mentor_id, "DBS check")
            changed, action = apply_values(check, values), "dbs.update"
        if result == DbsResult.CLEAR.value:
            changed += apply_values(
                check, {"decision": None, "decision_rationale": "", "decision_by_id": None}
            )
            check.decision_at = None
        elif decision and (
            decision != check.decision or decision_rationale.strip() != check.decision_rationale
        ):
            _record_decision(check, decision, decision_rationale, actor_id)
            changed += DECISION_FIELDS
        check.recorded_by_id = actor_id
        check.recorded_at = utcnow()
        return Change(check, action, sorted(set(changed)), "dbs_id")

    return _record(session, mentor_id=mentor_id, actor_id=actor_id, on=on, apply=apply)


def record_dbs_decision(
    *,
    session: Session,
    mentor_id: int,
    dbs_id: int,
    decision: str | None,
    rationale: str,
    actor_id: int | None,
    on: date,
) -> DbsCheck:
    """Record the risk-assessment decision on a check that disclosed information."""
    errors: dict[str, str] = {}
    if decision not in DbsDecision.values():
        errors["decision"] = "Select whether to proceed"
    if not rationale.strip():
        errors["rationale"] = "Enter a short rationale for the decision"
    else:
        _check_length(
            rationale,
            1000,
            "Keep the rationale to 1,000 characters",
            field_name="rationale",
            errors=errors,
        )
    if errors or decision is None:
        raise invalid(errors)
    chosen = decision

    def apply(_mentor: Mentor) -> Change[DbsCheck]:
        check = _child(session, DbsCheck, dbs_id, mentor_id, "DBS check")
        if check.result != DbsResult.DISCLOSED.value:
            raise VettingError(
                "This check was clear: there is no decision to record", field="decision"
            )
        _record_decision(check, chosen, rationale, actor_id)
        return Change(check, "dbs.decision", DECISION_FIELDS, "dbs_id")

    return _record(session, mentor_id=mentor_id, actor_id=actor_id, on=on, apply=apply)


def record_status_check(
    *,
    session: Session,
    mentor_id: int,
    dbs_id: int,
    checked_on: date | None,
    actor_id: int | None,
    on: date,
) -> DbsCheck:
    """Record an Update Service status check that showed no new information."""
    errors: dict[str, str] = {}
    check_date(
        checked_on, field_name="checked_on", what="date of the status check", on=on, errors=errors
    )
    if errors or checked_on is None:
        raise invalid(errors)
    day = checked_on

    def apply(_mentor: Mentor) -> Change[DbsCheck]:
        check = _child(session, DbsCheck, dbs_id, mentor_id, "DBS check")
        if not check.update_service_subscribed:
            raise VettingError(
                "This volunteer does not subscribe to the Update Service", field="checked_on"
            )
        if day < check.issue_date:
            raise VettingError(
                "The status check must be on or after the certificate's issue date",
                field="checked_on",
            )
        check.last_status_check_on = day
        return Change(check, "dbs.status_check", ["last_status_check_on"], "dbs_id")

    return _record(session, mentor_id=mentor_id, actor_id=actor_id, on=on, apply=apply)


# ---------------------------------------------------------------------------
# Interviews and training
# ---------------------------------------------------------------------------


def record_interview(
    *,
    session: Session,
    mentor_id: int,
    held_on: date | None,
    interviewers: str,
    outcome: str | None,
    notes: str = "",
    actor_id: int | None,
    on: date,
) -> Interview:
    """Record a suitability interview."""
    errors: dict[str, str] = {}
    check_date(held_on, field_name="held_on", what="date of the interview", on=on, errors=errors)
    if not interviewers.strip():
        errors["interviewers"] = "Enter who interviewed the volunteer"
    else:
        _check_length(
            interviewers,
            200,
            "Interviewers must be 200 characters or fewer",
            field_name="interviewers",
            errors=errors,
        )
    if outcome not in InterviewOutcome.values():
        errors["outcome"] = "Select the outcome of the interview"
    _check_length(
        notes, 2000, "Keep the notes to 2,000 characters", field_name="notes", errors=errors
    )
    if errors or held_on is None or outcome is None:
        raise invalid(errors)
    interview = Interview(
        mentor_id=mentor_id,
        held_on=held_on,
        interviewers=interviewers.strip(),
        outcome=outcome,
        notes=notes.strip(),
        recorded_by_id=actor_id,
    )
    fields = ["held_on", "interviewers", "outcome", "notes"]
    return _record(
        session,
        mentor_id=mentor_id,
        actor_id=actor_id,
        on=on,
        apply=lambda _mentor: Change(interview, "interview.record", fields, "interview_id"),
    )


def record_training(
    *,
    session: Session,
    mentor_id: int,
    module_id: int | None,
    completed_on: date | None,
    actor_id: int | None,
    on: date,
) -> TrainingRecord:
    """Record that a mentor completed a training module on a date."""
    errors: dict[str, str] = {}
    module = session.get(TrainingModule, module_id) if module_id else None
    if module is None or not module.active:
        errors["module"] = "Select the training module"
    check_date(completed_on, field_name="completed_on", what="date completed", on=on, errors=errors)
    if errors or module is None or module_id is None or completed_on is None:
        raise invalid(errors)
    record = TrainingRecord(
        mentor_id=mentor_id,
        module_id=module_id,
        completed_on=completed_on,
        recorded_by_id=actor_id,
    )
    change = Change(
        record, "training.record", ["completed_on"], "training_record_id", {"module": module.code}
    )
    return _record(
        session, mentor_id=mentor_id, actor_id=actor_id, on=on, apply=lambda _mentor: change
    )
