"""Provider pages: the pipeline board, a mentor's page, details, stage and status.

Provider staff and administrators only. The vetting records are in `vetting_views.py`,
import and export in `import_views.py`, training and keeping in date in
`training_views.py`.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from mentoring import audit
from mentoring.exceptions import NotReadyError, VettingError
from mentoring.mentors import bp
from mentoring.mentors.forms import (
    ConfirmForm,
    EditMentorForm,
    StaffApplicationForm,
    StageForm,
    StatusForm,
)
from mentoring.mentors.helpers import (
    STAFF,
    actor_id,
    add_service_errors,
    application_data,
    board_filters,
    db,
    prepare_application_form,
    show_errors,
    submit,
)
from mentoring.models import PipelineStage, service_today
from mentoring.numbers import is_number
from mentoring.read.mentors import (
    board_page,
    edit_details,
    mentor_page,
    mentor_summary,
    ready_page,
)
from mentoring.security import roles_allowed
from mentoring.services import mentors as service
from mentoring.services.mentors import BOARD_FILTERS, GENDER_LABELS, STATUS_LABELS

PER_PAGE = 25
STAGE_LABELS = {s.value: s.label for s in PipelineStage}
ACTION_LABELS = {
    "mentor.create": "Application received",
    "mentor.update": "Details changed",
    "mentor.stage": "Stage changed",
    "mentor.status": "Status changed",
    "mentor.ready": "Marked ready",
    "mentor.matchable": "Became matchable",
    "mentor.not_matchable": "Stopped being matchable",
    "reference.add": "Referee added",
    "reference.update": "Reference updated",
    "dbs.record": "DBS check recorded",
    "dbs.update": "DBS check corrected",
    "dbs.decision": "Risk-assessment decision recorded",
    "dbs.status_check": "Update Service status check recorded",
    "dbs.rationale_purged": "Decision rationale cleared (6 months)",
    "interview.record": "Interview recorded",
    "training.record": "Training recorded",
}


@bp.route("/")
@roles_allowed(*STAFF)
def board() -> ResponseReturnValue:
    """The pipeline: counts and days in stage, filters, search, one page of mentors."""
    form, filters = board_filters()
    page = request.args.get("page", "1")
    result = board_page(
        session=db(),
        on=service_today(),
        filters=filters,
        page=int(page) if is_number(page, max_digits=6) else 1,
        per_page=PER_PAGE,
    )
    args = {k: v for k, v in request.args.items() if k not in ("page", "submit") and v}
    return render_template(
        "mentors/board.html",
        filters=form,
        board=result,
        args=args,
        status_labels=STATUS_LABELS,
        filter_labels=dict(BOARD_FILTERS),
        current_stage=filters.stage,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def new() -> ResponseReturnValue:
    """Record an application taken by phone, in person or on paper."""
    form = StaffApplicationForm()
    prepare_application_form(form)
    if form.validate_on_submit():
        try:
            mentor = service.create_mentor(
                session=db(),
                data=application_data(form),
                source=form.source.data,
                actor_id=actor_id(),
            )
        except VettingError as err:
            show_errors(form, err, "first_name")
        else:
            flash(
                f"Application saved: {mentor.reference} {mentor.first_name} {mentor.last_name}.",
                "success",
            )
            return redirect(url_for("mentors.mentor", mentor_id=mentor.id))
    elif request.method == "POST":
        add_service_errors(form, staff=True)
    return render_template(
        "mentors/application_form.html", form=form, title="Record an application"
    )


@bp.route("/<int:mentor_id>")
@roles_allowed(*STAFF)
def mentor(mentor_id: int) -> ResponseReturnValue:
    """A mentor: checklist of done and missing, details, and every vetting record."""
    page = mentor_page(session=db(), mentor_id=mentor_id, on=service_today())
    if page.checks:
        # The DBS Code of Practice: know who saw DBS information.
        audit.record_access(
            db(),
            "dbs.view",
            object_type="mentor",
            object_id=mentor_id,
            district_id=page.mentor.home_district_id,
            dbs_ids=[c.id for c in page.checks],
        )
    return render_template(
        "mentors/mentor.html",
        page=page,
        status_labels=STATUS_LABELS,
        gender_labels=GENDER_LABELS,
        today=service_today(),
        action_labels=ACTION_LABELS,
    )


def _fill_edit_form(form: EditMentorForm, data: service.ApplicationData) -> None:
    listed = {choice.value for choice in form.languages.choices}
    form.first_name.data = data.first_name
    form.last_name.data = data.last_name
    form.email.data = data.email
    form.phone.data = data.phone
    form.postcode.data = data.postcode
    form.home_district.data = str(data.home_district_id)
    form.travel_districts.data = [str(d) for d in data.travel_district_ids]
    form.availability.data = data.availability
    form.languages.data = [v for v in data.languages if v in listed]
    form.other_languages.data = ", ".join(v for v in data.languages if v not in listed)
    form.skills.data = data.skill_codes
    form.experience.data = data.experience
    form.gender.data = data.gender or ""
    form.capacity.data = str(data.capacity)
    form.kind.data = data.kind
    form.former_family_reference.data = data.former_family_reference


@bp.route("/<int:mentor_id>/edit", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def edit(mentor_id: int) -> ResponseReturnValue:
    """Change a mentor's details."""
    summary, data = edit_details(session=db(), mentor_id=mentor_id)
    form = EditMentorForm()
    prepare_application_form(form)
    if request.method == "GET":
        _fill_edit_form(form, data)
    elif form.validate_on_submit():
        try:
            changed = service.update_mentor(
                session=db(),
                mentor_id=mentor_id,
                data=application_data(form),
                actor_id=actor_id(),
                on=service_today(),
            )
        except VettingError as err:
            show_errors(form, err, "first_name")
        else:
            flash("Details saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("mentors.mentor", mentor_id=mentor_id))
    else:
        add_service_errors(form, staff=True, mentor_id=mentor_id)
    return render_template(
        "mentors/application_form.html", form=form, mentor=summary, title="Change details"
    )


@bp.route("/<int:mentor_id>/ready", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def ready(mentor_id: int) -> ResponseReturnValue:
    """Mark a mentor ready to be matched: only when the gate passes."""
    summary = mentor_summary(session=db(), mentor_id=mentor_id)
    form = ConfirmForm()
    reasons: list[str] = []
    if form.validate_on_submit():
        try:
            service.mark_ready(
                session=db(), mentor_id=mentor_id, actor_id=actor_id(), on=service_today()
            )
        except NotReadyError as err:
            reasons = err.reasons
        else:
            flash(
                f"{summary.first_name} {summary.last_name} is ready to be matched. "
                "Invite them to their account below.",
                "success",
            )
            return redirect(url_for("mentors.mentor", mentor_id=mentor_id) + "#account")
    page = ready_page(session=db(), mentor_id=mentor_id, on=service_today())
    return render_template(
        "mentors/ready.html",
        confirm=form,
        mentor=page.mentor,
        gate=page.gate,
        reasons=reasons,
        blockers=page.blockers,
    ), (422 if reasons else 200)


@bp.route("/<int:mentor_id>/stage", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def stage(mentor_id: int) -> ResponseReturnValue:
    """Move a mentor to another stage (ready is reached by marking them ready)."""
    summary = mentor_summary(session=db(), mentor_id=mentor_id)
    form = StageForm()
    if request.method == "GET" and summary.stage != PipelineStage.READY.value:
        form.stage.data = summary.stage
    done = submit(
        form,
        lambda: service.change_stage(
            session=db(),
            mentor_id=mentor_id,
            stage=form.stage.data,
            actor_id=actor_id(),
            on=service_today(),
        ),
        fallback="stage",
        message=f"Moved to {STAGE_LABELS.get(form.stage.data or '', '')}.",
        to=url_for("mentors.mentor", mentor_id=mentor_id),
    )
    if done is not None:
        return done
    return render_template("mentors/stage.html", form=form, mentor=summary)


@bp.route("/<int:mentor_id>/status", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def status(mentor_id: int) -> ResponseReturnValue:
    """Pause, withdraw, reject or reactivate a mentor."""
    summary = mentor_summary(session=db(), mentor_id=mentor_id)
    form = StatusForm()
    done = submit(
        form,
        lambda: service.change_status(
            session=db(),
            mentor_id=mentor_id,
            status=form.status.data,
            reason=form.reason.data or "",
            actor_id=actor_id(),
            on=service_today(),
        ),
        fallback="status",
        message=f"Status changed to {STATUS_LABELS.get(form.status.data or '', '').lower()}.",
        to=url_for("mentors.mentor", mentor_id=mentor_id),
    )
    if done is not None:
        return done
    return render_template("mentors/status.html", form=form, mentor=summary)
