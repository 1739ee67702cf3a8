"""Provider pages: the pipeline board, a mentor's checklist and records, keeping in date.

Provider staff and administrators only. Every record belongs to a mentor in the URL; a
record of another mentor answers 404, the same as a missing one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlmodel import col, select

from mentoring import audit
from mentoring.db import get_session
from mentoring.exceptions import NotReadyError, VettingError
from mentoring.forms import choice_list
from mentoring.mentors import bp
from mentoring.mentors.forms import (
    BoardFilterForm,
    ConfirmForm,
    DbsForm,
    DecisionForm,
    EditMentorForm,
    ImportConfirmForm,
    ImportForm,
    InterviewForm,
    ModuleForm,
    ReferenceForm,
    StaffApplicationForm,
    StageForm,
    StatusCheckForm,
    StatusForm,
    TrainingForm,
)
from mentoring.models import (
    AuditEvent,
    DbsCheck,
    District,
    Interview,
    Mentor,
    MentorSkill,
    MentorTravelDistrict,
    Need,
    PipelineStage,
    Reference,
    Role,
    TrainingModule,
    TrainingRecord,
    User,
    service_today,
)
from mentoring.numbers import is_number, parse_id
from mentoring.security import roles_allowed
from mentoring.services import mentors as mentor_service
from mentoring.services import vetting
from mentoring.services.mentors import (
    BOARD_FILTERS,
    GENDER_LABELS,
    IMPORT_HELP,
    STATUS_LABELS,
    ApplicationData,
)

STAFF = (Role.PROVIDER, Role.ADMIN)
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
PER_PAGE = 25
MAX_IMPORT_BYTES = 2 * 1024 * 1024


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _mentor_or_404(mentor_id: int) -> Mentor:
    mentor = get_session().get(Mentor, mentor_id)
    if mentor is None:
        abort(404)
    return mentor


def _child_or_404(model: Any, child_id: int, mentor_id: int) -> Any:
    row = get_session().get(model, child_id)
    if row is None or row.mentor_id != mentor_id:
        abort(404)
    return row


def _show_errors(form: Any, err: VettingError, fallback: str) -> None:
    """Put a service error beside its field (or the fallback field)."""
    get_session().rollback()
    for name, message in (err.errors or {fallback: str(err)}).items():
        field = getattr(form, name, None)
        if field is None or not hasattr(field, "errors"):
            field = getattr(form, fallback)
        field.errors = [*field.errors, message]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _district_choices() -> list[tuple[str, str]]:
    rows = get_session().exec(select(District).order_by(col(District.name))).all()
    return [(str(d.id), d.name) for d in rows]


def _need_choices() -> list[tuple[str, str]]:
    rows = get_session().exec(select(Need).order_by(col(Need.sort_order), Need.name)).all()
    return [(n.code, n.name) for n in rows]


def prepare_application_form(form: Any) -> None:
    """Fill the choices of an application form from the database."""
    districts = _district_choices()
    form.home_district.choices = choice_list([("", "Select a district"), *districts])
    form.travel_districts.choices = choice_list(districts)
    form.skills.choices = choice_list(_need_choices())


def application_data(form: Any) -> ApplicationData:
    """Turn a submitted application form into ApplicationData."""
    languages = list(form.languages.data or [])
    if form.other_languages.data:
        languages.append(form.other_languages.data)
    home = form.home_district.data
    consent = getattr(form, "consent", None)
    capacity = form.capacity.data
    return ApplicationData(
        first_name=form.first_name.data or "",
        last_name=form.last_name.data or "",
        email=form.email.data or "",
        phone=form.phone.data or "",
        postcode=form.postcode.data or "",
        home_district_id=parse_id(home),
        travel_district_ids=[
            i for d in form.travel_districts.data or [] if (i := parse_id(d)) is not None
        ],
        availability=list(form.availability.data or []),
        languages=languages,
        skill_codes=list(form.skills.data or []),
        experience=form.experience.data or "",
        gender=form.gender.data or None,
        capacity=int(capacity) if is_number(str(capacity)) else None,
        kind=form.kind.data or "",
        former_family_reference=getattr(form, "former_family_reference", None)
        and (form.former_family_reference.data or "")
        or "",
        consent=bool(consent.data) if consent is not None else False,
    )


def add_service_errors(form: Any, *, staff: bool, mentor_id: int | None = None) -> None:
    """Run the service's checks on a form that failed its own, so all problems show at once."""
    errors = mentor_service.application_errors(
        get_session(), application_data(form), staff=staff, mentor_id=mentor_id
    )
    if mentor_id is not None:
        errors.pop("consent", None)
    errors.pop("stage", None)
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and not field.errors:
            field.errors = [*field.errors, message]


# ---------------------------------------------------------------------------
# The board
# ---------------------------------------------------------------------------


def _board_filters() -> tuple[BoardFilterForm, dict[str, Any]]:
    form = BoardFilterForm(formdata=request.args)
    form.district.choices = choice_list([("", "All districts"), *_district_choices()])
    form.stage.choices = choice_list(BOARD_FILTERS)
    district = request.args.get("district", "")
    stage = request.args.get("stage", "")
    kind = request.args.get("kind", "")
    values = {
        "district_id": parse_id(district),
        "stage": stage if stage in {v for v, _ in BOARD_FILTERS} else "",
        "kind": kind,
        "q": (request.args.get("q", "") or "")[:100],
    }
    return form, values


@bp.route("/")
@roles_allowed(*STAFF)
def board():  # type: ignore[no-untyped-def]
    """The pipeline: counts and days in stage, filters, search, one page of mentors."""
    filters, values = _board_filters()
    page = request.args.get("page", "1")
    result = mentor_service.board(
        session=get_session(),
        on=service_today(),
        page=int(page) if is_number(page, max_digits=6) else 1,
        per_page=PER_PAGE,
        **values,
    )
    args = {k: v for k, v in request.args.items() if k not in ("page", "submit") and v}
    return render_template(
        "mentors/board.html",
        filters=filters,
        board=result,
        args=args,
        status_labels=STATUS_LABELS,
        filter_labels=dict(BOARD_FILTERS),
        current_stage=values["stage"],
    )


@bp.route("/export.csv")
@roles_allowed(*STAFF)
def export():  # type: ignore[no-untyped-def]
    """Download the filtered mentors as CSV (no DBS details)."""
    _form, values = _board_filters()
    db = get_session()
    text, count = mentor_service.export_csv(session=db, on=service_today(), **values)
    audit.record(db, "mentor.export", object_type="mentor", count=count)
    db.commit()
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="mentors-{service_today()}.csv"'},
    )


# ---------------------------------------------------------------------------
# Applications by phone or in person; importing many
# ---------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def new():  # type: ignore[no-untyped-def]
    """Record an application taken by phone, in person or on paper."""
    form = StaffApplicationForm()
    prepare_application_form(form)
    if form.validate_on_submit():
        try:
            mentor = mentor_service.create_mentor(
                session=get_session(),
                data=application_data(form),
                source=form.source.data,
                actor_id=current_user.id,
            )
        except VettingError as err:
            _show_errors(form, err, "first_name")
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


def _import_folder() -> Path:
    return Path(current_app.instance_path) / "imports"


@bp.route("/import", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def import_mentors():  # type: ignore[no-untyped-def]
    """Upload a CSV of mentors: a report by row and field; saved only when all is valid."""
    form = ImportForm()
    report = None
    confirm = None
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read(MAX_IMPORT_BYTES + 1) if upload else b""
        if not upload or not upload.filename:
            form.file.errors = ["Select a CSV file"]
        elif len(content) > MAX_IMPORT_BYTES:
            form.file.errors = ["The file must be smaller than 2 MB: split it"]
        elif not upload.filename.lower().endswith(".csv"):
            form.file.errors = ["The file must be a CSV"]
        else:
            db = get_session()
            report = mentor_service.parse_import(session=db, content=content)
            if report.ok:
                rows = [r.data for r in report.valid if r.data is not None]
                try:
                    created = mentor_service.import_mentors(
                        session=db, rows=rows, actor_id=current_user.id, on=service_today()
                    )
                except VettingError as err:
                    _show_errors(form, err, "file")
                else:
                    flash(f"{_count(len(created), 'mentor')} imported.", "success")
                    return redirect(url_for("mentors.board"))
            elif report.file_errors:
                form.file.errors = list(report.file_errors)
            elif report.valid:
                token = mentor_service.stash_import(
                    _import_folder(),
                    user_id=current_user.id,
                    rows=[r.data for r in report.valid if r.data is not None],
                )
                confirm = ImportConfirmForm(formdata=None, token=token)
                n = len(report.valid)
                confirm.submit.label.text = f"Import only the {_count(n, 'valid row')}"
    return render_template(
        "mentors/import.html", form=form, report=report, confirm=confirm, help=IMPORT_HELP
    )


@bp.route("/import/confirm", methods=["POST"])
@roles_allowed(*STAFF)
def import_confirm():  # type: ignore[no-untyped-def]
    """Import the valid rows of a checked file."""
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    rows = mentor_service.take_stash(
        _import_folder(), token=form.token.data or "", user_id=current_user.id
    )
    if rows is None:
        flash("That check has expired. Upload the file again.", "info")
        return redirect(url_for("mentors.import_mentors"))
    try:
        created = mentor_service.import_mentors(
            session=get_session(), rows=rows, actor_id=current_user.id, on=service_today()
        )
    except VettingError as err:
        get_session().rollback()
        flash(f"Nothing was imported: {err}. Upload the file again.", "info")
        return redirect(url_for("mentors.import_mentors"))
    flash(f"{_count(len(created), 'mentor')} imported. The rows with problems were not.", "success")
    return redirect(url_for("mentors.board"))


@bp.route("/import/template.csv")
@roles_allowed(*STAFF)
def import_template():  # type: ignore[no-untyped-def]
    """Download an import file with the columns and an example row."""
    return Response(
        mentor_service.template_csv(get_session()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="mentors-template.csv"'},
    )


# ---------------------------------------------------------------------------
# Keeping in date; the training catalogue
# ---------------------------------------------------------------------------


@bp.route("/keeping-in-date")
@roles_allowed(*STAFF)
def keeping_in_date():  # type: ignore[no-untyped-def]
    """Checks and training that expire soon or have expired."""
    within = request.args.get("within", "60")
    days = int(within) if within in {"30", "60", "90"} else 60
    db = get_session()
    items = vetting.expiring_items(session=db, on=service_today(), within_days=days)
    names = dict(db.exec(select(District.id, District.name)).all())
    return render_template(
        "mentors/keeping_in_date.html",
        items=items,
        days=days,
        districts=names,
        expired=sum(1 for i in items if i.expired),
    )


@bp.route("/training-modules")
@roles_allowed(*STAFF)
def modules():  # type: ignore[no-untyped-def]
    """The training catalogue."""
    db = get_session()
    rows = db.exec(
        select(TrainingModule).order_by(
            col(TrainingModule.active).desc(),
            col(TrainingModule.mandatory).desc(),
            TrainingModule.name,
        )
    ).all()
    needs = dict(db.exec(select(Need.id, Need.name)).all())
    return render_template("mentors/modules.html", modules=rows, needs=needs)


def _module_form(module: TrainingModule | None) -> ModuleForm:
    form = ModuleForm()
    if module is not None and request.method == "GET":
        form.name.data = module.name
        form.validity_months.data = module.validity_months
        form.mandatory.data = "yes" if module.mandatory else "no"
        form.active.data = "yes" if module.active else "no"
        form.unlocks_need.data = str(module.unlocks_need_id or "")
    needs = get_session().exec(select(Need).order_by(col(Need.sort_order), Need.name)).all()
    form.unlocks_need.choices = choice_list(
        [("", "Nothing: a general module"), *((str(n.id), n.name) for n in needs)]
    )
    return form


@bp.route("/training-modules/new", methods=["GET", "POST"])
@bp.route("/training-modules/<int:module_id>", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def module(module_id: int | None = None):  # type: ignore[no-untyped-def]
    """Add a training module, or change one."""
    db = get_session()
    existing = db.get(TrainingModule, module_id) if module_id else None
    if module_id and existing is None:
        abort(404)
    form = _module_form(existing)
    if form.validate_on_submit():
        need = form.unlocks_need.data
        try:
            saved = vetting.save_module(
                session=db,
                name=form.name.data or "",
                validity_months=form.validity_months.data,
                mandatory=form.mandatory.data == "yes",
                unlocks_need_id=parse_id(need),
                active=form.active.data == "yes",
                module_id=module_id,
            )
        except VettingError as err:
            _show_errors(form, err, "name")
        else:
            flash(f"Training module saved: {saved.name}.", "success")
            return redirect(url_for("mentors.modules"))
    return render_template("mentors/module_form.html", form=form, module=existing)


# ---------------------------------------------------------------------------
# A mentor
# ---------------------------------------------------------------------------


def _training_rows(mentor_id: int, on: date) -> list[dict[str, Any]]:
    db = get_session()
    modules = vetting.load_modules(db)
    completions: dict[int, list[date]] = {}
    for module_id, completed in db.exec(
        select(TrainingRecord.module_id, TrainingRecord.completed_on).where(
            TrainingRecord.mentor_id == mentor_id
        )
    ).all():
        completions.setdefault(module_id, []).append(completed)
    rows = []
    for m in sorted(modules, key=lambda m: (not m.mandatory, m.name)):
        if not m.active and m.id not in completions:
            continue
        last = vetting.latest_completion(completions.get(m.id, []), on)
        expires = vetting.training_expires_on(last, m) if last else None
        if last is None:
            state = ("Missing", "red") if m.mandatory else ("Not taken", "grey")
        elif expires is not None and on >= expires:
            state = ("Expired", "red")
        elif expires is not None and (expires - on).days <= 60:
            state = ("Due soon", "yellow")
        else:
            state = ("In date", "green")
        rows.append({"module": m, "last": last, "expires": expires, "state": state})
    return rows


@bp.route("/<int:mentor_id>")
@roles_allowed(*STAFF)
def mentor(mentor_id: int):  # type: ignore[no-untyped-def]
    """A mentor: checklist of done and missing, details, and every vetting record."""
    db = get_session()
    m = _mentor_or_404(mentor_id)
    on = service_today()
    gate = vetting.check_gate(session=db, mentor_id=mentor_id, on=on)
    references = db.exec(
        select(Reference).where(Reference.mentor_id == mentor_id).order_by(col(Reference.id))
    ).all()
    checks = db.exec(
        select(DbsCheck)
        .where(DbsCheck.mentor_id == mentor_id)
        .order_by(col(DbsCheck.issue_date).desc(), col(DbsCheck.id).desc())
    ).all()
    interviews = db.exec(
        select(Interview)
        .where(Interview.mentor_id == mentor_id)
        .order_by(col(Interview.held_on).desc())
    ).all()
    districts = dict(db.exec(select(District.id, District.name)).all())
    travel = [
        districts[d]
        for d in db.exec(
            select(MentorTravelDistrict.district_id).where(
                MentorTravelDistrict.mentor_id == mentor_id
            )
        ).all()
    ]
    skills = db.exec(
        select(Need.name)
        .join(MentorSkill, col(MentorSkill.need_id) == Need.id)
        .where(MentorSkill.mentor_id == mentor_id)
        .order_by(col(Need.sort_order))
    ).all()
    history = db.exec(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "mentor",
            AuditEvent.object_id == mentor_id,
            AuditEvent.action != "dbs.view",
        )
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(25)
    ).all()
    user_ids = {
        u
        for u in [
            *(r.recorded_by_id for r in references),
            *(c.decision_by_id for c in checks),
            *(c.recorded_by_id for c in checks),
            *(e.actor_id for e in history),
        ]
        if u
    }
    users = (
        dict(db.exec(select(User.id, User.name).where(col(User.id).in_(user_ids))).all())
        if user_ids
        else {}
    )
    policy = vetting.current_policy()
    dbs_due = {
        c.id: vetting.dbs_due_on(
            vetting.DbsFacts(
                id=c.id,  # type: ignore[arg-type]
                level=c.level,
                issue_date=c.issue_date,
                result=c.result,
                decision=c.decision,
                update_service_subscribed=c.update_service_subscribed,
                last_status_check_on=c.last_status_check_on,
            ),
            policy,
            on,
        )
        for c in checks
    }
    if checks:
        # The DBS Code of Practice: know who saw DBS information.
        vetting.record_dbs_view(db, mentor=m, dbs_ids=[c.id for c in checks])  # type: ignore[misc]
    former_family = None
    if m.former_family_id:
        from mentoring.models import Family

        former_family = db.exec(
            select(Family.reference).where(Family.id == m.former_family_id)
        ).first()
    return render_template(
        "mentors/mentor.html",
        mentor=m,
        gate=gate,
        ready_blockers=gate.blocking(ignore={"stage"}),
        references=references,
        checks=checks,
        dbs_due=dbs_due,
        interviews=interviews,
        training=_training_rows(mentor_id, on),
        district=districts.get(m.home_district_id, ""),
        travel=sorted(travel),
        skills=skills,
        history=history,
        users=users,
        status_labels=STATUS_LABELS,
        gender_labels=GENDER_LABELS,
        former_family=former_family,
        today=on,
        action_labels=ACTION_LABELS,
    )


@bp.route("/<int:mentor_id>/edit", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def edit(mentor_id: int):  # type: ignore[no-untyped-def]
    """Change a mentor's details."""
    db = get_session()
    m = _mentor_or_404(mentor_id)
    form = EditMentorForm()
    prepare_application_form(form)
    if request.method == "GET":
        data = mentor_service.application_from_mentor(db, m)
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
    elif form.validate_on_submit():
        try:
            changed = mentor_service.update_mentor(
                session=db,
                mentor_id=mentor_id,
                data=application_data(form),
                actor_id=current_user.id,
                on=service_today(),
            )
        except VettingError as err:
            _show_errors(form, err, "first_name")
        else:
            flash("Details saved." if changed else "Nothing changed.", "success")
            return redirect(url_for("mentors.mentor", mentor_id=mentor_id))
    else:
        add_service_errors(form, staff=True, mentor_id=mentor_id)
    return render_template(
        "mentors/application_form.html", form=form, mentor=m, title="Change details"
    )


@bp.route("/<int:mentor_id>/ready", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def ready(mentor_id: int):  # type: ignore[no-untyped-def]
    """Mark a mentor ready to be matched: only when the gate passes."""
    db = get_session()
    m = _mentor_or_404(mentor_id)
    form = ConfirmForm()
    reasons: list[str] = []
    if form.validate_on_submit():
        try:
            mentor_service.mark_ready(
                session=db, mentor_id=mentor_id, actor_id=current_user.id, on=service_today()
            )
        except NotReadyError as err:
            db.rollback()
            reasons = err.reasons
        else:
            flash(f"{m.first_name} {m.last_name} is ready to be matched.", "success")
            return redirect(url_for("mentors.mentor", mentor_id=mentor_id))
    gate = vetting.check_gate(session=db, mentor_id=mentor_id, on=service_today())
    return render_template(
        "mentors/ready.html",
        confirm=form,
        mentor=m,
        gate=gate,
        reasons=reasons,
        blockers=gate.blocking(ignore={"stage"}),
    ), (422 if reasons else 200)


@bp.route("/<int:mentor_id>/stage", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def stage(mentor_id: int):  # type: ignore[no-untyped-def]
    """Move a mentor to another stage (ready is reached by marking them ready)."""
    m = _mentor_or_404(mentor_id)
    form = StageForm()
    if request.method == "GET" and m.stage != PipelineStage.READY.value:
        form.stage.data = m.stage
    if form.validate_on_submit():
        try:
            mentor_service.change_stage(
                session=get_session(),
                mentor_id=mentor_id,
                stage=form.stage.data,
                actor_id=current_user.id,
                on=service_today(),
            )
        except VettingError as err:
            _show_errors(form, err, "stage")
        else:
            flash(f"Moved to {PipelineStage(form.stage.data).label}.", "success")
            return redirect(url_for("mentors.mentor", mentor_id=mentor_id))
    return render_template("mentors/stage.html", form=form, mentor=m)


@bp.route("/<int:mentor_id>/status", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def status(mentor_id: int):  # type: ignore[no-untyped-def]
    """Pause, withdraw, reject or reactivate a mentor."""
    m = _mentor_or_404(mentor_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            mentor_service.change_status(
                session=get_session(),
                mentor_id=mentor_id,
                status=form.status.data,
                reason=form.reason.data or "",
                actor_id=current_user.id,
                on=service_today(),
            )
        except VettingError as err:
            _show_errors(form, err, "status")
        else:
            flash(f"Status changed to {STATUS_LABELS[form.status.data].lower()}.", "success")
            return redirect(url_for("mentors.mentor", mentor_id=mentor_id))
    return render_template("mentors/status.html", form=form, mentor=m)


# References ------------------------------------------------------------------


@bp.route("/<int:mentor_id>/references/new", methods=["GET", "POST"])
@bp.route("/<int:mentor_id>/references/<int:reference_id>", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def reference(mentor_id: int, reference_id: int | None = None):  # type: ignore[no-untyped-def]
    """Add a referee, or record a reference received."""
    m = _mentor_or_404(mentor_id)
    existing = _child_or_404(Reference, reference_id, mentor_id) if reference_id else None
    form = ReferenceForm()
    if request.method == "GET":
        if existing is not None:
            form.referee_name.data = existing.referee_name
            form.referee_contact.data = existing.referee_contact
            form.relationship.data = existing.relationship_to_mentor
            form.requested_on.data = existing.requested_on
            form.received_on.data = existing.received_on
            form.satisfactory.data = {True: "yes", False: "no"}.get(existing.satisfactory, "")
        else:
            form.requested_on.data = service_today()
    if form.validate_on_submit():
        try:
            vetting.save_reference(
                session=get_session(),
                mentor_id=mentor_id,
                actor_id=current_user.id,
                on=service_today(),
                referee_name=form.referee_name.data or "",
                referee_contact=form.referee_contact.data or "",
                relationship=form.relationship.data or "",
                requested_on=form.requested_on.data,
                received_on=form.received_on.data,
                satisfactory={"yes": True, "no": False}.get(form.satisfactory.data or ""),
                reference_id=reference_id,
            )
        except VettingError as err:
            _show_errors(form, err, "referee_name")
        else:
            flash("Reference saved.", "success")
            return redirect(url_for("mentors.mentor", mentor_id=mentor_id, _anchor="references"))
    return render_template("mentors/reference.html", form=form, mentor=m, existing=existing)


# DBS -------------------------------------------------------------------------


@bp.route("/<int:mentor_id>/dbs/new", methods=["GET", "POST"])
@bp.route("/<int:mentor_id>/dbs/<int:dbs_id>", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def dbs(mentor_id: int, dbs_id: int | None = None):  # type: ignore[no-untyped-def]
    """Record a DBS check, or correct one: level, number, issue date, result, decision."""
    m = _mentor_or_404(mentor_id)
    existing = _child_or_404(DbsCheck, dbs_id, mentor_id) if dbs_id else None
    form = DbsForm()
    if request.method == "GET" and existing is not None:
        form.level.data = existing.level
        form.certificate_number.data = existing.certificate_number
        form.issue_date.data = existing.issue_date
        form.result.data = existing.result
        form.decision.data = existing.decision or ""
        form.decision_rationale.data = existing.decision_rationale
        form.update_service_subscribed.data = "yes" if existing.update_service_subscribed else "no"
        form.last_status_check_on.data = existing.last_status_check_on
        vetting.record_dbs_view(get_session(), mentor=m, dbs_ids=[existing.id])
    if form.validate_on_submit():
        try:
            vetting.save_dbs_check(
                session=get_session(),
                mentor_id=mentor_id,
                actor_id=current_user.id,
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
            )
        except VettingError as err:
            _show_errors(form, err, "certificate_number")
        else:
            flash("DBS check saved.", "success")
            return redirect(url_for("mentors.mentor", mentor_id=mentor_id, _anchor="dbs"))
    return render_template("mentors/dbs.html", form=form, mentor=m, existing=existing)


@bp.route("/<int:mentor_id>/dbs/<int:dbs_id>/decision", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def dbs_decision(mentor_id: int, dbs_id: int):  # type: ignore[no-untyped-def]
    """Record the risk-assessment decision for a check that disclosed information."""
    m = _mentor_or_404(mentor_id)
    check = _child_or_404(DbsCheck, dbs_id, mentor_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            vetting.record_dbs_decision(
                session=get_session(),
                mentor_id=mentor_id,
                dbs_id=dbs_id,
                decision=form.decision.data,
                rationale=form.rationale.data or "",
                actor_id=current_user.id,
                on=service_today(),
            )
        except VettingError as err:
            _show_errors(form, err, "decision")
        else:
            flash("Risk-assessment decision saved.", "success")
            return redirect(url_for("mentors.mentor", mentor_id=mentor_id, _anchor="dbs"))
    return render_template("mentors/decision.html", form=form, mentor=m, check=check)


@bp.route("/<int:mentor_id>/dbs/<int:dbs_id>/status-check", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def status_check(mentor_id: int, dbs_id: int):  # type: ignore[no-untyped-def]
    """Record an Update Service status check that showed no new information."""
    m = _mentor_or_404(mentor_id)
    check = _child_or_404(DbsCheck, dbs_id, mentor_id)
    form = StatusCheckForm()
    if request.method == "GET":
        form.checked_on.data = service_today()
    if form.validate_on_submit():
        try:
            vetting.record_status_check(
                session=get_session(),
                mentor_id=mentor_id,
                dbs_id=dbs_id,
                checked_on=form.checked_on.data,
                actor_id=current_user.id,
                on=service_today(),
            )
        except VettingError as err:
            _show_errors(form, err, "checked_on")
        else:
            flash("Status check saved.", "success")
            return redirect(url_for("mentors.mentor", mentor_id=mentor_id, _anchor="dbs"))
    return render_template("mentors/status_check.html", form=form, mentor=m, check=check)


# Interview and training ------------------------------------------------------


@bp.route("/<int:mentor_id>/interviews/new", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def interview(mentor_id: int):  # type: ignore[no-untyped-def]
    """Record a suitability interview."""
    m = _mentor_or_404(mentor_id)
    form = InterviewForm()
    if request.method == "GET":
        form.interviewers.data = current_user.name
    if form.validate_on_submit():
        try:
            vetting.record_interview(
                session=get_session(),
                mentor_id=mentor_id,
                held_on=form.held_on.data,
                interviewers=form.interviewers.data or "",
                outcome=form.outcome.data,
                notes=form.notes.data or "",
                actor_id=current_user.id,
                on=service_today(),
            )
        except VettingError as err:
            _show_errors(form, err, "held_on")
        else:
            flash("Interview saved.", "success")
            return redirect(url_for("mentors.mentor", mentor_id=mentor_id, _anchor="interview"))
    return render_template("mentors/interview.html", form=form, mentor=m)


@bp.route("/<int:mentor_id>/training/new", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def training(mentor_id: int):  # type: ignore[no-untyped-def]
    """Record a completed training module."""
    m = _mentor_or_404(mentor_id)
    db = get_session()
    modules = db.exec(
        select(TrainingModule)
        .where(col(TrainingModule.active).is_(True))
        .order_by(col(TrainingModule.mandatory).desc(), TrainingModule.name)
    ).all()
    form = TrainingForm()
    form.module.choices = choice_list(
        (str(mod.id), mod.name + (" (mandatory)" if mod.mandatory else "")) for mod in modules
    )
    if request.method == "GET":
        wanted = request.args.get("module", "")
        if is_number(wanted):
            form.module.data = wanted
        form.completed_on.data = service_today()
    if form.validate_on_submit():
        try:
            vetting.record_training(
                session=db,
                mentor_id=mentor_id,
                module_id=int(form.module.data),
                completed_on=form.completed_on.data,
                actor_id=current_user.id,
                on=service_today(),
            )
        except VettingError as err:
            _show_errors(form, err, "module")
        else:
            name = next(mod.name for mod in modules if str(mod.id) == form.module.data)
            flash(f"Training saved: {name}.", "success")
            return redirect(url_for("mentors.mentor", mentor_id=mentor_id, _anchor="training"))
    return render_template("mentors/training.html", form=form, mentor=m)
