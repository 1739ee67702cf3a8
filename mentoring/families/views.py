"""Family pages for coordinators (their districts) and administrators (every district).

Every page of one family loads it through ``visible_family_or_404``; lists, exports and
imports go through the same scope, so a family of another district answers 404 however
it is asked for. Every view of a family's page and every change is audited.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, select

from mentoring import audit
from mentoring.csvutil import write_csv
from mentoring.db import get_session
from mentoring.exceptions import FamilyError, OutOfScope
from mentoring.families import bp
from mentoring.families.forms import (
    GENDER_LABELS,
    ConfirmForm,
    ConsentForm,
    CriteriaForm,
    EngagementForm,
    FamilyForm,
    FilterForm,
    ImportForm,
    OutcomeForm,
)
from mentoring.forms import choice_list
from mentoring.models import (
    PHASE1_CRITERIA,
    SLOT_HOLDING_STATUSES,
    AuditEvent,
    Availability,
    Criterion,
    District,
    Engagement,
    Family,
    FamilyEventKind,
    Match,
    MatchStatus,
    Mentor,
    Need,
    Outcome,
    Role,
    User,
    service_today,
)
from mentoring.numbers import parse_id
from mentoring.security import roles_allowed
from mentoring.services import families as service
from mentoring.services.common.scope import visible_district_ids
from mentoring.services.families import (
    ENGAGEMENT_LABELS,
    EXPORT_HEADER,
    MENTOR_FILTERS,
    TRANCHE_LABELS,
    FamilyDetails,
    FamilyFilters,
    visible_family_or_404,
)

FAMILY_ROLES = (Role.COORDINATOR, Role.ADMIN)
PER_PAGE = 50


def _districts() -> list[District]:
    db = get_session()
    ids = visible_district_ids(current_user)
    return list(
        db.exec(
            select(District).where(col(District.id).in_(sorted(ids))).order_by(col(District.name))
        ).all()
    )


def _needs() -> list[Need]:
    return list(get_session().exec(select(Need).order_by(col(Need.sort_order), Need.name)).all())


def _family(family_id: int) -> Family:
    return visible_family_or_404(session=get_session(), family_id=family_id, user=current_user)


def _field_error(form: Any, err: FamilyError, fallback: str) -> None:
    """Put a service error beside its field (or a fallback field)."""
    name = err.field if err.field in form._fields else fallback
    form[name].errors = [*form[name].errors, str(err)]


# ---------------------------------------------------------------------------
# Lists and export
# ---------------------------------------------------------------------------


def _filters() -> tuple[FilterForm, FamilyFilters]:
    """Read the list filters from the query string; a district out of scope is a 404."""
    districts = _districts()
    raw_district = request.args.get("district", "")
    if raw_district and raw_district not in {str(d.id) for d in districts}:
        abort(404)
    form = FilterForm(formdata=request.args)
    form.district.choices = choice_list(
        [("", "All your districts"), *((d.id, d.name) for d in districts)]
    )
    form.need.choices = choice_list([("", "Any"), *((n.code, n.name) for n in _needs())])
    filters = FamilyFilters()
    if form.validate():
        filters = FamilyFilters(
            district_id=int(form.district.data) if form.district.data else None,
            tranche=int(form.tranche.data) if form.tranche.data else None,
            need=form.need.data or None,
            engagement=form.engagement.data or None,
            mentor=form.mentor.data or None,
            min_days_waiting=form.waiting.data,
            reference=form.reference.data or "",
            sort=form.sort.data or "reference",
        )
    return form, filters


def _pagination(page: Any, args: dict[str, str]) -> dict[str, Any] | None:
    if page.pages <= 1:
        return None

    def href(n: int) -> str:
        return url_for("families.index", **args, page=n)

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
def index():  # type: ignore[no-untyped-def]
    """List the families of the user's districts: filter, sort, page. Never names."""
    form, filters = _filters()
    db = get_session()
    try:
        page = service.list_families(
            session=db,
            user=current_user,
            filters=filters,
            page=parse_id(request.args.get("page")) or 1,
            per_page=PER_PAGE,
        )
    except OutOfScope:
        abort(404)
    args = filters.as_args()
    return render_template(
        "families/index.html",
        form=form,
        filters=filters,
        page=page,
        args=args,
        pagination=_pagination(page, args),
        engagement_labels=ENGAGEMENT_LABELS,
        mentor_filters=MENTOR_FILTERS,
        waiting_args={"mentor": "waiting", "sort": "waiting"},
    )


@bp.route("/export.csv")
@roles_allowed(*FAMILY_ROLES)
def export():  # type: ignore[no-untyped-def]
    """Download the filtered list, anonymised: no names, contacts or notes."""
    _form, filters = _filters()
    db = get_session()
    try:
        rows = list(service.export_rows(session=db, user=current_user, filters=filters))
    except OutOfScope:
        abort(404)
    audit.record(
        db,
        "family.export",
        object_type="family",
        district_id=filters.district_id,
        rows=len(rows),
        filters=sorted(filters.as_args()),
    )
    db.commit()
    filename = f"families-{service_today().isoformat()}.csv"
    return Response(
        write_csv(rows, EXPORT_HEADER),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# ---------------------------------------------------------------------------
# Adding and changing a family
# ---------------------------------------------------------------------------


def _family_form(*, with_district: bool) -> FamilyForm:
    form = FamilyForm()
    form.needs.choices = choice_list((n.code, n.name) for n in _needs())
    if with_district:
        districts = _districts()
        form.district.choices = choice_list(
            ([("", "Choose a district")] if len(districts) > 1 else [])
            + [(d.id, d.name) for d in districts]
        )
    else:
        del form.district
        del form.previous_reference
    return form


@bp.route("/new", methods=["GET", "POST"])
@roles_allowed(*FAMILY_ROLES)
def new():  # type: ignore[no-untyped-def]
    """Add a family (a new referral, perhaps of a family supported before)."""
    db = get_session()
    form = _family_form(with_district=True)
    previous = None
    previous_id = parse_id(request.args.get("previous"))
    if previous_id is not None:
        previous = _family(previous_id)
    search = (request.args.get("search") or "").strip()[:16]
    matches = []
    if search:
        matches = service.list_families(
            session=db, user=current_user, filters=FamilyFilters(reference=search), per_page=10
        ).rows
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
                details=FamilyDetails(**form.details_kwargs()),
                previous_reference=form.previous_reference.data or "",
            )
        except FamilyError as err:
            db.rollback()
            _field_error(form, err, "district")
        else:
            flash(
                f"Family {family.reference} added. Record their criteria and consent next.",
                "success",
            )
            return redirect(url_for("families.show", family_id=family.id))
    return render_template(
        "families/form.html",
        form=form,
        family=None,
        previous=previous,
        search=search,
        search_results=matches,
    )


@bp.route("/<int:family_id>/edit", methods=["GET", "POST"])
@roles_allowed(*FAMILY_ROLES)
def edit(family_id: int):  # type: ignore[no-untyped-def]
    """Change a family's details, needs, preferences and risks."""
    db = get_session()
    family = _family(family_id)
    form = _family_form(with_district=False)
    if request.method == "GET":
        codes = service.family_need_codes(session=db, family_id=family_id)
        form.set_details(FamilyDetails.of(family, codes))
    if form.validate_on_submit():
        try:
            changed = service.update_family(
                session=db,
                user=current_user,
                family=family,
                details=FamilyDetails(**form.details_kwargs()),
            )
        except FamilyError as err:
            db.rollback()
            _field_error(form, err, "adults")
        else:
            flash(
                f"{family.reference} updated." if changed else "Nothing changed.",
                "success" if changed else "info",
            )
            return redirect(url_for("families.show", family_id=family_id))
    return render_template("families/form.html", form=form, family=family)


# ---------------------------------------------------------------------------
# The family's page
# ---------------------------------------------------------------------------


@bp.route("/<int:family_id>")
@roles_allowed(*FAMILY_ROLES)
def show(family_id: int):  # type: ignore[no-untyped-def]
    """Show everything recorded about a family (audited)."""
    db = get_session()
    family = _family(family_id)
    today = service_today()
    district = db.get(District, family.district_id)
    need_names = [
        n.name
        for n in _needs()
        if n.code in set(service.family_need_codes(session=db, family_id=family_id))
    ]
    criteria = service.family_criteria(session=db, family_id=family_id)
    codes = {c.criterion for c in criteria}
    phase2_min = service.phase2_min_criteria()
    eligibility = service.assess_eligibility(
        criteria=codes,
        phase=family.programme_phase,
        discretion_reason=family.discretion_reason,
        phase2_min_criteria=phase2_min,
    )
    outcomes = service.family_outcomes(session=db, family_id=family_id)
    turned = service.assess_turned_around(
        criteria=codes, outcomes={o.outcome for o in outcomes}, phase=family.programme_phase
    )
    problems = service.readiness_problems(family=family, criteria=codes, phase2_min=phase2_min)
    matches = db.exec(
        select(Match, Mentor)
        .join(Mentor, col(Mentor.id) == Match.mentor_id)
        .where(Match.family_id == family_id)
        .order_by(col(Match.created_at).desc())
    ).all()
    held = [
        (m, mentor) for m, mentor in matches if m.status in {s.value for s in SLOT_HOLDING_STATUSES}
    ]
    people_ids = {
        i
        for i in (
            family.consent_mentoring_by_id,
            family.consent_sharing_by_id,
            *(c.recorded_by_id for c in criteria),
            *(o.recorded_by_id for o in outcomes),
        )
        if i
    }
    people = (
        dict(db.exec(select(User.id, User.name).where(col(User.id).in_(sorted(people_ids)))).all())
        if people_ids
        else {}
    )
    audit.record(
        db,
        "family.view",
        object_type="family",
        object_id=family.id,
        district_id=family.district_id,
        reference=family.reference,
    )
    db.commit()
    return render_template(
        "families/show.html",
        family=family,
        district=district,
        need_names=need_names,
        criteria=criteria,
        eligibility=eligibility,
        outcomes=outcomes,
        turned=turned,
        problems=problems,
        matches=matches,
        held=held,
        mentor_held=any(m.slot == "mentor" for m, _ in held),
        people=people,
        history=service.family_history(session=db, family_id=family_id),
        related=service.related_referrals(session=db, family=family, user=current_user),
        days_waiting=service.family_days_waiting(family, today),
        tracking_until=service.tracking_until(family.exited_on),
        tracked_now=bool(family.exited_on and service.tracking_until(family.exited_on) >= today),  # type: ignore[operator]
        offered=service.mentoring_is_offered(family),
        tranche_labels=TRANCHE_LABELS,
        engagement_labels=ENGAGEMENT_LABELS,
        gender_labels=GENDER_LABELS,
        availability_names=[
            Availability(a).label for a in family.availability if a in Availability.values()
        ],
        criterion_labels={c.value: c.label for c in Criterion},
        outcome_labels={o.value: o.label for o in Outcome},
        status_labels={s.value: s.value.capitalize() for s in MatchStatus},
        remove_form=ConfirmForm(),
        today=today,
    )


@bp.route("/<int:family_id>/eligibility", methods=["GET", "POST"])
@roles_allowed(*FAMILY_ROLES)
def eligibility(family_id: int):  # type: ignore[no-untyped-def]
    """Record the criteria the family meets, with the evidence, and local discretion."""
    db = get_session()
    family = _family(family_id)
    form = CriteriaForm()
    if request.method == "GET":
        form.programme_phase.data = str(family.programme_phase)
        form.discretion_reason.data = family.discretion_reason
        for row in service.family_criteria(session=db, family_id=family_id):
            form[row.criterion].data = True
            form[f"{row.criterion}_date"].data = row.evidence_date
            form[f"{row.criterion}_source"].data = row.evidence_source
    if form.validate_on_submit():
        evidence = {
            c.value: (form[f"{c.value}_date"].data, form[f"{c.value}_source"].data or "")
            for c in Criterion
            if form[c.value].data
        }
        try:
            result = service.record_criteria(
                session=db,
                user=current_user,
                family=family,
                phase=int(form.programme_phase.data),
                evidence=evidence,
                discretion_reason=form.discretion_reason.data or "",
            )
        except FamilyError as err:
            db.rollback()
            _field_error(form, err, "programme_phase")
        else:
            verdict = "eligible" if result.eligible else "not eligible"
            flash(f"Criteria saved: {family.reference} is {verdict}.", "success")
            return redirect(url_for("families.show", family_id=family_id))
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
def consent(family_id: int):  # type: ignore[no-untyped-def]
    """Record consent to mentoring and to information sharing, given or withdrawn."""
    db = get_session()
    family = _family(family_id)
    form = ConsentForm()
    if request.method == "GET":
        form.consent_mentoring.data = "given" if family.consent_mentoring else "not_given"
        form.consent_mentoring_on.data = family.consent_mentoring_on
        form.consent_sharing.data = "given" if family.consent_sharing else "not_given"
        form.consent_sharing_on.data = family.consent_sharing_on
    if form.validate_on_submit():
        changed = []
        held_before = service.held_matches(session=db, family_id=family_id)
        try:
            # Check both consents before saving either: nothing is half-saved.
            for check_only in (True, False):
                for kind, name in (
                    (FamilyEventKind.CONSENT_MENTORING, "consent_mentoring"),
                    (FamilyEventKind.CONSENT_SHARING, "consent_sharing"),
                ):
                    if (
                        service.record_consent(
                            session=db,
                            user=current_user,
                            family=family,
                            kind=kind,
                            given=form[name].data == "given",
                            on=form[f"{name}_on"].data,
                            reason=form[f"{name}_reason"].data or "",
                            check_only=check_only,
                        )
                        and not check_only
                    ):
                        changed.append(name)
        except FamilyError as err:
            db.rollback()
            db.refresh(family)
            _field_error(form, err, "consent_mentoring")
        else:
            ended = len(held_before) - len(service.held_matches(session=db, family_id=family_id))
            flash(
                ("Consent saved." if changed else "Nothing changed.")
                + (
                    f" Consent was withdrawn, so the family's {ended} "
                    f"match{'es' if ended > 1 else ''} ended and the mentor was told."
                    if ended > 0
                    else ""
                ),
                "success" if changed else "info",
            )
            return redirect(url_for("families.show", family_id=family_id))
    return render_template("families/consent.html", form=form, family=family)


@bp.route("/<int:family_id>/engagement", methods=["GET", "POST"])
@roles_allowed(*FAMILY_ROLES)
def engagement(family_id: int):  # type: ignore[no-untyped-def]
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
            db.rollback()
            db.refresh(family)
            _field_error(form, err, "engagement")
        else:
            flash(
                f"{family.reference} is now {ENGAGEMENT_LABELS[family.engagement].lower()}.",
                "success",
            )
            return redirect(url_for("families.show", family_id=family_id))
    return render_template(
        "families/engagement.html",
        form=form,
        family=family,
        engagement_labels=ENGAGEMENT_LABELS,
        held=service.held_matches(session=db, family_id=family_id),
    )


@bp.route("/<int:family_id>/outcomes", methods=["GET", "POST"])
@roles_allowed(*FAMILY_ROLES)
def outcomes(family_id: int):  # type: ignore[no-untyped-def]
    """Record a result the programme pays for, with its date and evidence."""
    db = get_session()
    family = _family(family_id)
    form = OutcomeForm()
    if request.method == "GET" and request.args.get("outcome") in set(Outcome.values()):
        form.outcome.data = request.args["outcome"]
        for row in service.family_outcomes(session=db, family_id=family_id):
            if row.outcome == form.outcome.data:
                form.achieved_on.data = row.achieved_on
                form.evidence.data = row.evidence
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
            db.rollback()
            _field_error(form, err, "outcome")
        else:
            flash(f"Result saved: {Outcome(form.outcome.data).label.lower()}.", "success")
            return redirect(url_for("families.show", family_id=family_id) + "#results")
    return render_template(
        "families/outcome.html",
        form=form,
        family=family,
        outcomes=service.family_outcomes(session=db, family_id=family_id),
        outcome_labels={o.value: o.label for o in Outcome},
    )


@bp.route("/<int:family_id>/outcomes/<code>/remove", methods=["POST"])
@roles_allowed(*FAMILY_ROLES)
def remove_outcome(family_id: int, code: str):  # type: ignore[no-untyped-def]
    """Remove a result recorded in error."""
    db = get_session()
    family = _family(family_id)
    form = ConfirmForm()
    if not form.validate_on_submit() or code not in set(Outcome.values()):
        abort(400)
    if service.remove_outcome(session=db, user=current_user, family=family, outcome=code):
        flash(f"Result removed: {Outcome(code).label.lower()}.", "success")
    return redirect(url_for("families.show", family_id=family_id) + "#results")


@bp.route("/<int:family_id>/access")
@roles_allowed(Role.ADMIN)
def access(family_id: int):  # type: ignore[no-untyped-def]
    """Show who viewed or changed the family's record, and when (administrators)."""
    db = get_session()
    family = _family(family_id)
    events = db.exec(
        select(AuditEvent, User.name)
        .join(User, col(User.id) == AuditEvent.actor_id, isouter=True)
        .where(AuditEvent.object_type == "family", AuditEvent.object_id == family_id)
        .order_by(col(AuditEvent.at).desc())
        .limit(500)
    ).all()
    return render_template("families/access.html", family=family, events=events)


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@roles_allowed(*FAMILY_ROLES)
def import_families():  # type: ignore[no-untyped-def]
    """Import families from a CSV file, with a report of every problem by row and column."""
    db = get_session()
    form = ImportForm()
    report = None
    saved = False
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors = ["The file must be saved as UTF-8 CSV"]
        else:
            report = service.parse_family_csv(session=db, user=current_user, text=text)
            mode = form.mode.data
            if mode != "check" and report.valid:
                created = service.import_families(
                    session=db, user=current_user, report=report, only_valid=mode == "valid"
                )
                saved = bool(created)
            if report.file_problems:
                form.file.errors = [report.file_problems[0].message]
    return render_template(
        "families/import.html",
        form=form,
        report=report,
        saved=saved,
        columns=service.IMPORT_COLUMNS,
        needs=_needs(),
        districts=_districts(),
    )


@bp.route("/import/template.csv")
@roles_allowed(*FAMILY_ROLES)
def import_template():  # type: ignore[no-untyped-def]
    """Download an import file's header with an example row."""
    header, example = service.import_template()
    return Response(
        write_csv([example], header),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="families-template.csv"'},
    )
