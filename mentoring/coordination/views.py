"""Coordinator pages: find mentors, review proposals, assign by hand, monitor, end.

Scope: a coordinator sees runs, proposals, matches and concerns of their own
districts only; anything else answers 404, the same as a missing record
(`load_visible`). Pages come from `mentoring.read.coordination`; changes from
`mentoring.services.matches` and `mentoring.services.matching`.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from mentoring import audit
from mentoring.coordination import bp
from mentoring.coordination.forms import (
    AssignForm,
    BulkForm,
    ConfirmForm,
    EndForm,
    RejectForm,
    RunForm,
)
from mentoring.db import get_session, saved_id
from mentoring.errors import render_error
from mentoring.exceptions import Conflict, MatchConflict, MatchError
from mentoring.forms import choice_list
from mentoring.jobs import runner as jobs
from mentoring.jobs.pages import redirect_to_job
from mentoring.models import (
    Family,
    Match,
    MatchingRun,
    MatchStatus,
    Role,
    service_today,
)
from mentoring.numbers import parse_id
from mentoring.read import as_context
from mentoring.read import coordination as read
from mentoring.security import roles_allowed
from mentoring.services.common.endings import END_REASON_LABELS, ENDING_CHECKLIST
from mentoring.services.common.scope import load_visible
from mentoring.services.matches import (
    approve,
    assign_by_hand,
    end_match,
    reject,
)

COORDINATORS = (Role.COORDINATOR, Role.ADMIN)


def _visible_run(run_id: int) -> MatchingRun:
    return load_visible(MatchingRun, run_id, current_user, session=get_session())


def _visible_match(match_id: int) -> tuple[Match, Family]:
    db = get_session()
    match = load_visible(Match, match_id, current_user, session=db)
    family, _mentor = read.match_parties(db, match)
    return match, family


@bp.route("/", methods=["GET", "POST"])
@roles_allowed(*COORDINATORS)
def index() -> ResponseReturnValue:
    """Start a matching run and list earlier runs."""
    db = get_session()
    districts = read.districts_in(db, current_user.district_ids)
    form = RunForm()
    scopes = [(str(d.id), d.name) for d in districts]
    if len(districts) > 1:
        scopes.insert(0, ("all", f"All my districts ({len(districts)})"))
    form.scope.choices = choice_list(scopes)
    if form.validate_on_submit():
        ids = (
            {saved_id(d) for d in districts}
            if form.scope.data == "all"
            else {int(form.scope.data or 0)}
        )
        if not ids <= set(current_user.district_ids):
            abort(404)
        lock_key = "matching:" + ",".join(str(i) for i in sorted(ids))
        try:
            job = jobs.start(
                db,
                "matching_run",
                params={"district_ids": sorted(ids)},
                actor_id=current_user.id,
                lock_key=lock_key,
                busy_message="A matching run for these districts is already waiting or "
                "running. Wait for it to finish.",
            )
        except Conflict as err:
            # A second press (a double click) follows the run the first one started.
            live = jobs.live_job(db, lock_key)
            if live is not None and live.created_by_id == current_user.id:
                return redirect_to_job(live)
            form.scope.errors = [*form.scope.errors, err.message]
        else:
            current_app.logger.info("matching run", extra={"event": "matching_run"})
            return redirect_to_job(job)
    page = read.runs_page(db, district_ids=current_user.district_ids)
    return render_template("coordination/index.html", form=form, **as_context(page))


@bp.route("/runs/<int:run_id>")
@roles_allowed(*COORDINATORS)
def run(run_id: int) -> ResponseReturnValue:
    """Review a run's proposals and the families it left waiting."""
    page = read.run_page(
        get_session(),
        run=_visible_run(run_id),
        on=service_today(),
        district_ids=current_user.district_ids,
    )
    return render_template(
        "coordination/run.html",
        **as_context(page),
        reject_form=RejectForm(),
        confirm_form=ConfirmForm(),
        bulk_form=BulkForm(),
    )


@bp.route("/proposals/<int:match_id>/approve", methods=["POST"])
@roles_allowed(*COORDINATORS)
def approve_proposal(match_id: int) -> ResponseReturnValue:
    """Approve one proposal; it is offered to the mentor."""
    match, family = _visible_match(match_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        approve(session=get_session(), match_id=match_id, actor_id=current_user.id)
    except MatchConflict as err:
        return render_error(409, f"{family.reference}: {err}")
    except MatchError as err:
        flash(f"{family.reference}: {err}", "info")
    else:
        flash(f"Approved: {family.reference} has been offered to the mentor.", "success")
    return _back_to(match)


@bp.route("/proposals/<int:match_id>/reject", methods=["POST"])
@roles_allowed(*COORDINATORS)
def reject_proposal(match_id: int) -> ResponseReturnValue:
    """Reject one proposal with a reason."""
    match, family = _visible_match(match_id)
    form = RejectForm()
    if not form.validate_on_submit():
        flash(f"{family.reference}: enter a reason for rejecting the proposal", "info")
        return _back_to(match)
    try:
        reject(
            session=get_session(),
            match_id=match_id,
            actor_id=current_user.id,
            reason=form.reason.data or "",
        )
    except MatchError as err:
        flash(str(err), "info")
    else:
        flash(f"Rejected the proposal for {family.reference}.", "success")
    return _back_to(match)


def _back_to(match: Match) -> ResponseReturnValue:
    if request.form.get("back") == "match":
        return redirect(url_for("coordination.match", match_id=match.id))
    if match.run_id:
        return redirect(url_for("coordination.run", run_id=match.run_id) + f"#proposal-{match.id}")
    return redirect(url_for("coordination.matches"))


@bp.route("/runs/<int:run_id>/bulk", methods=["POST"])
@roles_allowed(*COORDINATORS)
def bulk(run_id: int) -> ResponseReturnValue:
    """Approve or reject several proposals of a run at once."""
    db = get_session()
    run = _visible_run(run_id)
    form = BulkForm()
    ids = read.open_proposal_ids(db, run=run, district_ids=current_user.district_ids)
    form.proposals.choices = choice_list((str(i), str(i)) for i in sorted(ids))
    action = request.form.get("action")
    if not form.validate_on_submit() or action not in {"approve", "reject"}:
        flash("Choose the proposals and whether to approve or reject them.", "info")
        return redirect(url_for("coordination.run", run_id=run.id))
    chosen = [int(i) for i in form.proposals.data or [] if int(i) in ids]
    if not chosen:
        flash("Select at least one proposal.", "info")
        return redirect(url_for("coordination.run", run_id=run.id))
    if action == "reject" and not (form.reason.data or "").strip():
        flash("Enter a reason for rejecting the selected proposals.", "info")
        return redirect(url_for("coordination.run", run_id=run.id))
    done, refused = 0, []
    for match_id in chosen:
        _match, family = _visible_match(match_id)
        try:
            if action == "approve":
                approve(session=db, match_id=match_id, actor_id=current_user.id)
            else:
                reject(
                    session=db,
                    match_id=match_id,
                    actor_id=current_user.id,
                    reason=form.reason.data or "",
                )
            done += 1
        except MatchError as err:
            refused.append(f"{family.reference}: {err}")
    verb = "Approved" if action == "approve" else "Rejected"
    flash(f"{verb} {done} proposal{'s' if done != 1 else ''}.", "success")
    for message in refused[:10]:
        flash(message, "info")
    return redirect(url_for("coordination.run", run_id=run.id))


@bp.route("/assign", methods=["GET", "POST"])
@roles_allowed(*COORDINATORS)
def assign() -> ResponseReturnValue:
    """Assign a mentor to a family by hand, under the same rules as the optimiser."""
    db = get_session()
    families = read.ready_families(db, district_ids=current_user.district_ids)
    form = AssignForm()
    form.family.choices = choice_list(
        [("", "Choose a family")] + [(f.id, f.reference) for f in families]
    )
    if request.method == "GET" and request.args.get("family"):
        form.family.data = request.args["family"]
    if form.validate_on_submit():
        family = next((f for f in families if f.id == parse_id(form.family.data)), None)
        reference = (form.mentor.data or "").strip().upper()
        if family is None or family.id is None:
            form.family.errors.append("Choose a family from your districts")
        # Only mentors who serve the family's district (home or travel) can be named:
        # anyone else's vetting and load are not a coordinator's business.
        elif (
            mentor := read.mentor_serving(db, reference=reference, district_id=family.district_id)
        ) is None or mentor.id is None:
            form.mentor.errors.append(
                f"There is no mentor with reference {reference} "
                f"who serves {family.reference}'s district"
            )
        else:
            try:
                match = assign_by_hand(
                    session=db,
                    family_id=family.id,
                    mentor_id=mentor.id,
                    slot=form.slot.data or "",
                    actor_id=current_user.id,
                )
            except MatchError as err:
                form.mentor.errors.append(str(err))
            else:
                flash(f"{mentor.reference} has been offered {family.reference}.", "success")
                return redirect(url_for("coordination.match", match_id=match.id))
    available = read.available_mentors(
        db, district_ids=current_user.district_ids, on=service_today()
    )
    return render_template("coordination/assign.html", form=form, available=available)


@bp.route("/matches")
@roles_allowed(*COORDINATORS)
def matches() -> ResponseReturnValue:
    """Offered and active matches, and what needs attention."""
    config = current_app.config
    page = read.matches_page(
        get_session(),
        district_ids=current_user.district_ids,
        on=service_today(),
        no_contact_days=config["MONITOR_NO_CONTACT_DAYS"],
        offer_days=config["MONITOR_OFFER_DAYS"],
    )
    return render_template(
        "coordination/matches.html",
        **as_context(page),
        no_contact_days=config["MONITOR_NO_CONTACT_DAYS"],
        offer_days=config["MONITOR_OFFER_DAYS"],
    )


@bp.route("/matches/<int:match_id>")
@roles_allowed(*COORDINATORS)
def match(match_id: int) -> ResponseReturnValue:
    """One match: its explanation, the mentor's contacts, its ending."""
    db = get_session()
    page = read.match_page(
        db, match=load_visible(Match, match_id, current_user, session=db), on=service_today()
    )
    audit.record_access(
        db,
        "match.view",
        object_type="match",
        object_id=page.match.id,
        district_id=page.family.district_id,
    )
    return render_template(
        "coordination/match.html",
        **as_context(page),
        end_reasons=END_REASON_LABELS,
        checklist=ENDING_CHECKLIST,
        reject_form=RejectForm(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/matches/<int:match_id>/end", methods=["GET", "POST"])
@roles_allowed(*COORDINATORS)
def end(match_id: int) -> ResponseReturnValue:
    """End a match with a reason and the planned-ending checklist."""
    db = get_session()
    match = load_visible(Match, match_id, current_user, session=db)
    family, mentor = read.match_parties(db, match)
    if match.status not in (MatchStatus.ACTIVE.value, MatchStatus.APPROVED.value):
        abort(404)
    form = EndForm()
    if form.validate_on_submit():
        try:
            end_match(
                session=db,
                match_id=match_id,
                actor_id=current_user.id,
                reason=form.reason.data or "",
                checklist={key: key in (form.checklist.data or []) for key, _ in ENDING_CHECKLIST},
                notes=form.notes.data or "",
            )
        except MatchError as err:
            form.reason.errors.append(str(err))
        else:
            flash(f"The match for {family.reference} has ended.", "success")
            return redirect(url_for("coordination.match", match_id=match.id))
    return render_template(
        "coordination/end.html", form=form, match=match, family=family, mentor=mentor
    )
