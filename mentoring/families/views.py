"""Family pages for coordinators (their districts) and administrators (every district).

Every page of one family loads it through ``load_visible``; lists, exports and imports go
through the same scope, so a family of another district answers 404 however it is asked
for. Pages are assembled by `mentoring.read.families`; every view of a family's page and
every change is audited.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from mentoring import audit
from mentoring.csvutil import write_csv
from mentoring.db import get_session
from mentoring.exceptions import FamilyError
from mentoring.families import bp
from mentoring.families.forms import (
    ConfirmForm,
    ConsentForm,
    CriteriaForm,
    EngagementForm,
    FamilyForm,
    FilterForm,
    ImportForm,
    OutcomeForm,
)
from mentoring.forms import ImportConfirmForm
from mentoring.jobs import import_pages as imports
from mentoring.models import (
    PHASE1_CRITERIA,
    Criterion,
    Engagement,
    Family,
    Outcome,
    Role,
    service_today,
)
from mentoring.numbers import parse_id
from mentoring.read import families as read
from mentoring.security import roles_allowed
from mentoring.services import families as service
from mentoring.services.common.scope import load_visible

FAMILY_ROLES = (Role.COORDINATOR, Role.ADMIN)
PER_PAGE = 50


def _family(family_id: int) -> Family:
    return load_visible(Family, family_id, current_user, session=get_session())


def _field_error(form: Any, err: FamilyError, fallback: str) -> None:
    """Put a service error beside its field (or a fallback field)."""
    name = err.field if err.field in form._fields else fallback
    form[name].errors = [*form[name].errors, str(err)]


def _to_family(family_id: int | None, anchor: str = "") -> ResponseReturnValue:
    """Back to the family's page, or to the task list of adding it if that is where the
    user came from (``?from=steps``)."""
    if request.args.get("from") == "steps":
        return redirect(url_for("families.steps", family_id=family_id))
    return redirect(url_for("families.show", family_id=family_id) + anchor)


# ---------------------------------------------------------------------------
# Lists and export
# ---------------------------------------------------------------------------


def _filters(choices: read.Choices) -> tuple[FilterForm, service.FamilyFilters]:
    """Read the list filters from the query string; a district out of scope is a 404."""
    raw_district = request.args.get("district", "")
    if raw_district and raw_district not in {str(d.id) for d in choices.districts}:
        abort(404)
    form = FilterForm(formdata=request.args)
    form.prepare(choices)
    return form, form.filters()


def _pagination(page: service.FamilyPage, args: dict[str, str]) -> dict[str, Any] | None:
    if page.pages <= 1:
        return None

    def href(n: int) -> str:
        values: dict[str, Any] = {**args, "page": n}
        return url_for("families.index", **values)

    items: list[dict[str, Any]] = []
    for n in range(1, page.pages + 1):
        if n in (1, page.pages) or abs(n - page.page) <= 2:
            items.append({"number": n, "href": href(n), "current": n == page.page})
        elif items and not items[-1].get("ellipsis"):
            items.append({"ellipsis": True})
    out: dict[str, Any] = {"items": items}
    if page.page > 1:
        out["previous"] = {"href": href(page.page - 1)}
    if page.page < page.pages:
        out["next"] = {"href": href(page.page + 1)}
    return out


@bp.route("/")
@roles_allowed(*FAMILY_ROLES)
def index() -> ResponseReturnValue:
    """List the families of the user's districts: filter, sort, page. Never names."""
    db = get_session()
    form, filters = _filters(read.choices(session=db, user=current_user))
    page = service.list_families(
        session=db,
        user=current_user,
        filters=filters,
        page=parse_id(request.args.get("page")) or 1,
        per_page=PER_PAGE,
    )
    g.audit_rows = len(page.rows)  # the list's view is logged with its count (audit.py)
    args = filters.as_args()
    return render_template(
        "families/index.html",
        form=form,
        filters=filters,
        page=page,
        args=args,
        pagination=_pagination(page, args),
        engagement_labels=service.ENGAGEMENT_LABELS,
        waiting_args={"mentor": "waiting", "sort": "waiting"},
    )


@bp.route("/export.csv")
@roles_allowed(*FAMILY_ROLES)
def export() -> ResponseReturnValue:
    """Download the filtered list, anonymised: no names, contacts or notes."""
    db = get_session()
    _form, filters = _filters(read.choices(session=db, user=current_user))
    rows = list(service.export_rows(session=db, user=current_user, filters=filters))
    audit.record_access(
        db,
        "family.export",
        object_type="family",
        district_id=filters.district_id,
        rows=len(rows),
        filters=sorted(filters.as_args()),
    )
    filename = f"families-{service_today().isoformat()}.csv"
    return Response(
        write_csv(rows, service.EXPORT_HEADER),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# ---------------------------------------------------------------------------
# Adding and changing a family
# ---------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@roles_allowed(*FAMILY_ROLES)
def new() -> ResponseReturnValue:
    """Add a family (a new referral, perhaps of a family supported before)."""
    db = get_session()
    form = FamilyForm()
    form.prepare(read.choices(session=db, user=current_user), with_district=True)
    previous_id = parse_id(request.args.get("previous"))
    previous = _family(previous_id) if previous_id is not None else None
    search = (request.args.get("search") or "").strip()[:16]
    if request.method == "GET":
        form.referred_on.data = service_today()
        if previous is not None:
            form.previous_reference.data = previous.reference
            form.district.data = str(previous.district_id)
    if form.validate_on_submit():
        try:
            family = service.create_family(
                session=db,
                user=current_user,
                district_id=int(form.district.data),
                details=form.details(),
                previous_reference=form.previous_reference.data or "",
            )
        except FamilyError as err:
            _field_error(form, err, "district")
        else:
            flash(
                f"Family {family.reference} added. Record their criteria, consent and "
                "engagement next.",
                "success",
            )
            return redirect(url_for("families.steps", family_id=family.id))
    return render_template(
        "families/form.html",
        form=form,
        family=None,
        previous=previous,
        search=search,
        search_results=read.referral_search(session=db, user=current_user, search=search),
    )


@bp.route("/<int:family_id>/edit", methods=["GET", "POST"])
@roles_allowed(*FAMILY_ROLES)
def edit(family_id: int) -> ResponseReturnValue:
    """Change a family's details, needs, preferences and risks."""
    db = get_session()
    family = _family(family_id)
    form = FamilyForm()
    form.prepare(read.choices(session=db, user=current_user), with_district=False)
    if request.method == "GET":
        form.set_details(read.family_details(session=db, family=family))
    if form.validate_on_submit():
        try:
            changed = service.update_family(
                session=db, user=current_user, family=family, details=form.details()
            )
        except FamilyError as err:
            _field_error(form, err, "adults")
        else:
            flash(
                f"{family.reference} updated." if changed else "Nothing changed.",
                "success" if changed else "info",
            )
            return _to_family(family_id)
    return render_template("families/form.html", form=form, family=family)


# ---------------------------------------------------------------------------
# The family's page
# ---------------------------------------------------------------------------


@bp.route("/<int:family_id>")
@roles_allowed(*FAMILY_ROLES)
def show(family_id: int) -> ResponseReturnValue:
    """Show everything recorded about a family (audited)."""
    db = get_session()
    family = _family(family_id)
    record = read.family_record(session=db, family=family, user=current_user, on=service_today())
    audit.record_access(
        db,
        "family.view",
        object_type="family",
        object_id=family.id,
        district_id=family.district_id,
        reference=family.reference,
    )
    return render_template("families/show.html", record=record)


@bp.route("/<int:family_id>/steps")
@roles_allowed(*FAMILY_ROLES)
def steps(family_id: int) -> ResponseReturnValue:
    """The task list of adding a family: details, criteria, consent, engagement."""
    family = _family(family_id)
    record = read.family_record(
        session=get_session(), family=family, user=current_user, on=service_today()
    )
    return render_template("families/steps.html", record=record)


@bp.route("/<int:family_id>/eligibility", methods=["GET", "POST"])
@roles_allowed(*FAMILY_ROLES)
def eligibility(family_id: int) -> ResponseReturnValue:
    """Record the criteria the family meets, with the evidence, and local discretion."""
    db = get_session()
    family = _family(family_id)
    form = CriteriaForm()
    if request.method == "GET":
        form.fill(family, read.recorded_criteria(session=db, family_id=family_id))
    if form.validate_on_submit():
        try:
            result = service.record_criteria(
                session=db,
                user=current_user,
                family=family,
                phase=int(form.programme_phase.data),
                evidence=form.evidence(),
                discretion_reason=form.discretion_reason.data or "",
            )
        except FamilyError as err:
            _field_error(form, err, "programme_phase")
        else:
            verdict = "eligible" if result.eligible else "not eligible"
            flash(f"Criteria saved: {family.reference} is {verdict}.", "success")
            return _to_family(family_id)
    return render_template(
        "families/eligibility.html",
        form=form,
        family=family,
        phase1=[c for c in Criterion if c in PHASE1_CRITERIA],
        phase2=[c for c in Criterion if c not in PHASE1_CRITERIA],
        phase2_min=service.phase2_min_criteria(),
    )


@bp.route("/<int:family_id>/consent", methods=["GET", "POST"])
@roles_allowed(*FAMILY_ROLES)
def consent(family_id: int) -> ResponseReturnValue:
    """Record consent to mentoring and to information sharing, given or withdrawn."""
    db = get_session()
    family = _family(family_id)
    form = ConsentForm()
    if request.method == "GET":
        form.fill(family)
    if form.validate_on_submit():
        try:
            result = service.record_consents(
                session=db, user=current_user, family=family, changes=form.changes()
            )
        except FamilyError as err:
            _field_error(form, err, "consent_mentoring")
        else:
            ended = result.ended
            flash(
                ("Consent saved." if result.changed else "Nothing changed.")
                + (
                    f" Consent was withdrawn, so the family's {ended} "
                    f"match{'es' if ended > 1 else ''} ended and the mentor was told."
                    if ended > 0
                    else ""
                ),
                "success" if result.changed else "info",
            )
            return _to_family(family_id)
    return render_template("families/consent.html", form=form, family=family)


@bp.route("/<int:family_id>/engagement", methods=["GET", "POST"])
@roles_allowed(*FAMILY_ROLES)
def engagement(family_id: int) -> ResponseReturnValue:
    """Move the family's engagement on: contacted, engaged, declined (and back), exited."""
    db = get_session()
    family = _family(family_id)
    form = EngagementForm()
    if request.method == "GET":
        form.engagement.data = family.engagement
        form.on.data = service_today()
    if form.validate_on_submit():
        try:
            service.change_engagement(
                session=db,
                user=current_user,
                family=family,
                to=Engagement(form.engagement.data),
                on=form.on.data,
                reason=form.reason.data or "",
            )
        except FamilyError as err:
            _field_error(form, err, "engagement")
        else:
            label = service.ENGAGEMENT_LABELS[family.engagement].lower()
            flash(f"{family.reference} is now {label}.", "success")
            return _to_family(family_id)
    return render_template(
        "families/engagement.html",
        form=form,
        family=family,
        engagement_labels=service.ENGAGEMENT_LABELS,
        since=service.engagement_since(
            engagement=family.engagement,
            changed_on=family.engagement_changed_on,
            exited_on=family.exited_on,
        ),
        held=read.held_by(session=db, family_id=family_id),
    )


@bp.route("/<int:family_id>/outcomes", methods=["GET", "POST"])
@roles_allowed(*FAMILY_ROLES)
def outcomes(family_id: int) -> ResponseReturnValue:
    """Record a result the programme pays for, with its date and evidence."""
    db = get_session()
    family = _family(family_id)
    form = OutcomeForm()
    asked = request.args.get("outcome", "")
    if request.method == "GET" and asked in set(Outcome.values()):
        form.fill(asked, read.recorded_outcome(session=db, family_id=family_id, outcome=asked))
    if form.validate_on_submit():
        try:
            service.record_outcome(
                session=db,
                user=current_user,
                family=family,
                outcome=form.outcome.data,
                achieved_on=form.achieved_on.data,
                evidence=form.evidence.data or "",
            )
        except FamilyError as err:
            _field_error(form, err, "outcome")
        else:
            flash(f"Result saved: {Outcome(form.outcome.data).label.lower()}.", "success")
            return _to_family(family_id, "#results")
    return render_template("families/outcome.html", form=form, family=family)


@bp.route("/<int:family_id>/outcomes/<code>/remove", methods=["POST"])
@roles_allowed(*FAMILY_ROLES)
def remove_outcome(family_id: int, code: str) -> ResponseReturnValue:
    """Remove a result recorded in error."""
    family = _family(family_id)
    form = ConfirmForm()
    if not form.validate_on_submit() or code not in set(Outcome.values()):
        abort(400)
    if service.remove_outcome(
        session=get_session(), user=current_user, family=family, outcome=code
    ):
        flash(f"Result removed: {Outcome(code).label.lower()}.", "success")
    return _to_family(family_id, "#results")


@bp.route("/<int:family_id>/access")
@roles_allowed(Role.ADMIN)
def access(family_id: int) -> ResponseReturnValue:
    """Show who viewed or changed the family's record, and when (administrators)."""
    family = _family(family_id)
    events = read.access_log(session=get_session(), family_id=family_id)
    return render_template("families/access.html", family=family, events=events)


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@roles_allowed(*FAMILY_ROLES)
def import_families() -> ResponseReturnValue:
    """Upload a CSV of families: checked in the background, then a preview to confirm."""
    form = ImportForm()
    if form.validate_on_submit():
        content, problem = imports.file_problem(form.file.data)
        if problem is None:
            return imports.start_check("families", content)
        form.file.errors = [problem]
    choices = read.choices(session=get_session(), user=current_user)
    return render_template(
        "families/import.html",
        form=form,
        columns=service.IMPORT_COLUMNS,
        needs=choices.needs,
        districts=choices.districts,
    )


@bp.route("/import/<token>", methods=["GET", "POST"])
@roles_allowed(*FAMILY_ROLES)
def import_families_preview(token: str) -> ResponseReturnValue:
    """The checked file: what would be imported, the problems and the duplicates."""
    return imports.preview("families", token, confirm=ImportConfirmForm())


@bp.route("/import/<token>/done")
@roles_allowed(*FAMILY_ROLES)
def import_families_done(token: str) -> ResponseReturnValue:
    """The families an import saved."""
    return imports.done("families", token)


@bp.route("/import/template.csv")
@roles_allowed(*FAMILY_ROLES)
def import_template() -> ResponseReturnValue:
    """Download an import file's header with an example row."""
    header, example = service.import_template()
    return Response(
        write_csv([example], header),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="families-template.csv"'},
    )
