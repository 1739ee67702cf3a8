"""Provider pages: a mentor's vetting records (references, DBS, interview, training).

Every record belongs to the mentor in the URL; a record of another mentor answers 404,
the same as a missing one. Opening a DBS check is logged (the DBS Code of Practice).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue

from mentoring import audit
from mentoring.forms import choice_list
from mentoring.mentors import bp
from mentoring.mentors.forms import (
    DbsForm,
    DecisionForm,
    InterviewForm,
    ReferenceForm,
    StatusCheckForm,
    TrainingForm,
)
from mentoring.mentors.helpers import STAFF, actor_id, db, submit, user_name
from mentoring.models import service_today
from mentoring.numbers import is_number, parse_id
from mentoring.read.mentors import (
    DbsRow,
    ReferenceRow,
    dbs_row,
    mentor_summary,
    modules_in_use,
    reference_row,
)
from mentoring.security import roles_allowed
from mentoring.services import vetting


def _back(mentor_id: int, anchor: str) -> str:
    return url_for("mentors.mentor", mentor_id=mentor_id, _anchor=anchor)


def _fill_reference_form(form: ReferenceForm, existing: ReferenceRow | None) -> None:
    if existing is None:
        form.requested_on.data = service_today()
        return
    form.referee_name.data = existing.referee_name
    form.referee_contact.data = existing.referee_contact
    form.relationship.data = existing.relationship_to_mentor
    form.requested_on.data = existing.requested_on
    form.received_on.data = existing.received_on
    form.satisfactory.data = (
        "" if existing.satisfactory is None else "yes" if existing.satisfactory else "no"
    )


@bp.route("/<int:mentor_id>/references/new", methods=["GET", "POST"])
@bp.route("/<int:mentor_id>/references/<int:reference_id>", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def reference(mentor_id: int, reference_id: int | None = None) -> ResponseReturnValue:
    """Add a referee, or record a reference received."""
    mentor = mentor_summary(session=db(), mentor_id=mentor_id)
    existing = (
        reference_row(session=db(), mentor_id=mentor_id, reference_id=reference_id)
        if reference_id
        else None
    )
    form = ReferenceForm()
    if request.method == "GET":
        _fill_reference_form(form, existing)
    done = submit(
        form,
        lambda: vetting.save_reference(
            session=db(),
            mentor_id=mentor_id,
            actor_id=actor_id(),
            on=service_today(),
            referee_name=form.referee_name.data or "",
            referee_contact=form.referee_contact.data or "",
            relationship=form.relationship.data or "",
            requested_on=form.requested_on.data,
            received_on=form.received_on.data,
            satisfactory={"yes": True, "no": False}.get(form.satisfactory.data or ""),
            reference_id=reference_id,
        ),
        fallback="referee_name",
        message="Reference saved.",
        to=_back(mentor_id, "references"),
    )
    return done or render_template(
        "mentors/reference.html", form=form, mentor=mentor, existing=existing
    )


def _fill_dbs_form(form: DbsForm, existing: DbsRow) -> None:
    form.level.data = existing.level
    form.certificate_number.data = existing.certificate_number
    form.issue_date.data = existing.issue_date
    form.result.data = existing.result
    form.decision.data = existing.decision or ""
    form.decision_rationale.data = existing.decision_rationale
    form.update_service_subscribed.data = "yes" if existing.update_service_subscribed else "no"
    form.last_status_check_on.data = existing.last_status_check_on


@bp.route("/<int:mentor_id>/dbs/new", methods=["GET", "POST"])
@bp.route("/<int:mentor_id>/dbs/<int:dbs_id>", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def dbs(mentor_id: int, dbs_id: int | None = None) -> ResponseReturnValue:
    """Record a DBS check, or correct one: level, number, issue date, result, decision."""
    mentor = mentor_summary(session=db(), mentor_id=mentor_id)
    existing = (
        dbs_row(session=db(), mentor_id=mentor_id, dbs_id=dbs_id, on=service_today())
        if dbs_id
        else None
    )
    form = DbsForm()
    if request.method == "GET" and existing is not None:
        _fill_dbs_form(form, existing)
        audit.record_access(
            db(),
            "dbs.view",
            object_type="mentor",
            object_id=mentor_id,
            district_id=mentor.home_district_id,
            dbs_ids=[existing.id],
        )
    done = submit(
        form,
        lambda: vetting.save_dbs_check(
            session=db(),
            mentor_id=mentor_id,
            actor_id=actor_id(),
            on=service_today(),
            level=form.level.data,
            certificate_number=form.certificate_number.data or "",
            issue_date=form.issue_date.data,
            result=form.result.data,
            update_service_subscribed=form.update_service_subscribed.data == "yes",
            last_status_check_on=form.last_status_check_on.data,
            decision=form.decision.data or None,
            decision_rationale=form.decision_rationale.data or "",
            dbs_id=dbs_id,
        ),
        fallback="certificate_number",
        message="DBS check saved.",
        to=_back(mentor_id, "dbs"),
    )
    return done or render_template("mentors/dbs.html", form=form, mentor=mentor, existing=existing)


def _dbs_form_page(
    mentor_id: int,
    dbs_id: int,
    form: Any,
    save: Callable[[], object],
    *,
    fallback: str,
    message: str,
    template: str,
) -> ResponseReturnValue:
    """A form about one of a mentor's DBS checks: save it, or show it with the check."""
    mentor = mentor_summary(session=db(), mentor_id=mentor_id)
    check = dbs_row(session=db(), mentor_id=mentor_id, dbs_id=dbs_id, on=service_today())
    done = submit(form, save, fallback=fallback, message=message, to=_back(mentor_id, "dbs"))
    return done or render_template(template, form=form, mentor=mentor, check=check)


@bp.route("/<int:mentor_id>/dbs/<int:dbs_id>/decision", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def dbs_decision(mentor_id: int, dbs_id: int) -> ResponseReturnValue:
    """Record the risk-assessment decision for a check that disclosed information."""
    form = DecisionForm()
    return _dbs_form_page(
        mentor_id,
        dbs_id,
        form,
        lambda: vetting.record_dbs_decision(
            session=db(),
            mentor_id=mentor_id,
            dbs_id=dbs_id,
            decision=form.decision.data,
            rationale=form.rationale.data or "",
            actor_id=actor_id(),
            on=service_today(),
        ),
        fallback="decision",
        message="Risk-assessment decision saved.",
        template="mentors/decision.html",
    )


@bp.route("/<int:mentor_id>/dbs/<int:dbs_id>/status-check", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def status_check(mentor_id: int, dbs_id: int) -> ResponseReturnValue:
    """Record an Update Service status check that showed no new information."""
    form = StatusCheckForm()
    if request.method == "GET":
        form.checked_on.data = service_today()
    return _dbs_form_page(
        mentor_id,
        dbs_id,
        form,
        lambda: vetting.record_status_check(
            session=db(),
            mentor_id=mentor_id,
            dbs_id=dbs_id,
            checked_on=form.checked_on.data,
            actor_id=actor_id(),
            on=service_today(),
        ),
        fallback="checked_on",
        message="Status check saved.",
        template="mentors/status_check.html",
    )


@bp.route("/<int:mentor_id>/interviews/new", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def interview(mentor_id: int) -> ResponseReturnValue:
    """Record a suitability interview."""
    mentor = mentor_summary(session=db(), mentor_id=mentor_id)
    form = InterviewForm()
    if request.method == "GET":
        form.interviewers.data = user_name()
    done = submit(
        form,
        lambda: vetting.record_interview(
            session=db(),
            mentor_id=mentor_id,
            held_on=form.held_on.data,
            interviewers=form.interviewers.data or "",
            outcome=form.outcome.data,
            notes=form.notes.data or "",
            actor_id=actor_id(),
            on=service_today(),
        ),
        fallback="held_on",
        message="Interview saved.",
        to=_back(mentor_id, "interview"),
    )
    return done or render_template("mentors/interview.html", form=form, mentor=mentor)


@bp.route("/<int:mentor_id>/training/new", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def training(mentor_id: int) -> ResponseReturnValue:
    """Record a completed training module."""
    mentor = mentor_summary(session=db(), mentor_id=mentor_id)
    modules = modules_in_use(session=db())
    names = {str(m.id): m.name for m in modules}
    form = TrainingForm()
    form.module.choices = choice_list(
        (str(m.id), m.name + (" (mandatory)" if m.mandatory else "")) for m in modules
    )
    if request.method == "GET":
        wanted = request.args.get("module", "")
        if is_number(wanted):
            form.module.data = wanted
        form.completed_on.data = service_today()
    done = submit(
        form,
        lambda: vetting.record_training(
            session=db(),
            mentor_id=mentor_id,
            module_id=parse_id(form.module.data),
            completed_on=form.completed_on.data,
            actor_id=actor_id(),
            on=service_today(),
        ),
        fallback="module",
        message=f"Training saved: {names.get(form.module.data or '', '')}.",
        to=_back(mentor_id, "training"),
    )
    return done or render_template("mentors/training.html", form=form, mentor=mentor)
