"""Coordinator pages: find mentors, review proposals, assign by hand, monitor, end.

Scope: a coordinator sees runs, proposals, matches and concerns of their own
districts only; anything else answers 404, the same as a missing record.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, select

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
from mentoring.db import get_session
from mentoring.errors import render_error
from mentoring.exceptions import MatchConflict, MatchError
from mentoring.forms import choice_list
from mentoring.models import (
    ConcernStatus,
    ContactLog,
    District,
    Family,
    Match,
    MatchingRun,
    MatchStatus,
    Mentor,
    MentorSkill,
    Need,
    Role,
    SafeguardingConcern,
    User,
    service_today,
    utcnow,
)
from mentoring.numbers import parse_id
from mentoring.security import roles_allowed
from mentoring.services import matching as matching_service
from mentoring.services.common.endings import END_REASON_LABELS, ENDING_CHECKLIST
from mentoring.services.common.holding import (
    load_counts,
    mentors_serving,
    serves_clause,
)
from mentoring.services.families import matching_ready_family_ids
from mentoring.services.matches import (
    approve,
    assign_by_hand,
    end_match,
    monitoring,
    reject,
)
from mentoring.services.vetting import matchable_mentor_ids

COORDINATORS = (Role.COORDINATOR, Role.ADMIN)


def _districts() -> list[District]:
    db = get_session()
    return list(
        db.exec(
            select(District)
            .where(col(District.id).in_(sorted(current_user.district_ids)))
            .order_by(col(District.name))
        ).all()
    )


def _visible_run(run_id: int) -> MatchingRun:
    run = get_session().get(MatchingRun, run_id)
    if run is None or not set(run.district_ids) <= set(current_user.district_ids):
        abort(404)
    return run


def _visible_match(match_id: int) -> tuple[Match, Family, Mentor]:
    db = get_session()
    match = db.get(Match, match_id)
    family = db.get(Family, match.family_id) if match else None
    if match is None or family is None or family.district_id not in current_user.district_ids:
        abort(404)
    mentor = db.get(Mentor, match.mentor_id)
    assert mentor is not None  # noqa: S101 - foreign key
    return match, family, mentor


@bp.route("/", methods=["GET", "POST"])
@roles_allowed(*COORDINATORS)
def index():  # type: ignore[no-untyped-def]
    """Start a matching run and list earlier runs."""
    db = get_session()
    districts = _districts()
    form = RunForm()
    scopes = [(str(d.id), d.name) for d in districts]
    if len(districts) > 1:
        scopes.insert(0, ("all", f"All my districts ({len(districts)})"))
    form.scope.choices = choice_list(scopes)
    if form.validate_on_submit():
        ids = {d.id for d in districts} if form.scope.data == "all" else {int(form.scope.data)}
        if not ids <= set(current_user.district_ids):
            abort(404)
        run = matching_service.run_matching(db, district_ids=ids, actor_id=current_user.id)  # type: ignore[arg-type]
        current_app.logger.info("matching run", extra={"event": "matching_run", "run_id": run.id})
        return redirect(url_for("coordination.run", run_id=run.id))
    runs = [
        r
        for r in db.exec(
            select(MatchingRun).order_by(col(MatchingRun.started_at).desc()).limit(200)
        ).all()
        if set(r.district_ids) <= set(current_user.district_ids)
    ][:20]
    names = {d.id: d.name for d in db.exec(select(District)).all()}
    open_counts = dict(
        db.exec(
            select(Match.run_id, sa.func.count())
            .where(
                col(Match.run_id).in_([r.id for r in runs]),
                Match.status == MatchStatus.PROPOSED.value,
            )
            .group_by(col(Match.run_id))
        ).all()
    )
    run_districts = {r.id: ", ".join(names.get(d, "?") for d in r.district_ids) for r in runs}
    return render_template(
        "coordination/index.html",
        form=form,
        runs=runs,
        run_districts=run_districts,
        open_counts=open_counts,
    )


@bp.route("/runs/<int:run_id>")
@roles_allowed(*COORDINATORS)
def run(run_id: int):  # type: ignore[no-untyped-def]
    """Review a run's proposals and the families it left waiting."""
    db = get_session()
    run = _visible_run(run_id)
    rows = db.exec(
        select(Match, Family, Mentor)
        .join(Family, col(Family.id) == Match.family_id)
        .join(Mentor, col(Mentor.id) == Match.mentor_id)
        .where(Match.run_id == run.id)
        .order_by(col(Family.reference), Match.slot)
    ).all()
    open_proposals = [m for m, _, _ in rows if m.status == MatchStatus.PROPOSED.value]
    problems = matching_service.proposal_problems(db, open_proposals, on=service_today())
    names = {d.id: d.name for d in db.exec(select(District)).all()}
    starter = db.get(User, run.started_by_id) if run.started_by_id else None
    return render_template(
        "coordination/run.html",
        run=run,
        rows=rows,
        problems=problems,
        district_names=", ".join(names.get(d, "?") for d in run.district_ids),
        starter=starter,
        reject_form=RejectForm(),
        confirm_form=ConfirmForm(),
        bulk_form=BulkForm(),
    )


@bp.route("/proposals/<int:match_id>/approve", methods=["POST"])
@roles_allowed(*COORDINATORS)
def approve_proposal(match_id: int):  # type: ignore[no-untyped-def]
    """Approve one proposal; it is offered to the mentor."""
    match, family, _mentor = _visible_match(match_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        approve(get_session(), match_id=match.id, actor_id=current_user.id)  # type: ignore[arg-type]
    except MatchConflict as err:
        return render_error(409, f"{family.reference}: {err}")
    except MatchError as err:
        flash(f"{family.reference}: {err}", "info")
    else:
        flash(f"Approved: {family.reference} has been offered to the mentor.", "success")
    return _back_to(match)


@bp.route("/proposals/<int:match_id>/reject", methods=["POST"])
@roles_allowed(*COORDINATORS)
def reject_proposal(match_id: int):  # type: ignore[no-untyped-def]
    """Reject one proposal with a reason."""
    match, family, _mentor = _visible_match(match_id)
    form = RejectForm()
    if not form.validate_on_submit():
        flash(f"{family.reference}: enter a reason for rejecting the proposal", "info")
        return _back_to(match)
    try:
        reject(get_session(), match_id=match.id, actor_id=current_user.id, reason=form.reason.data)  # type: ignore[arg-type]
    except MatchError as err:
        flash(str(err), "info")
    else:
        flash(f"Rejected the proposal for {family.reference}.", "success")
    return _back_to(match)


def _back_to(match: Match):  # type: ignore[no-untyped-def]
    if match.run_id:
        return redirect(url_for("coordination.run", run_id=match.run_id) + f"#proposal-{match.id}")
    return redirect(url_for("coordination.matches"))


@bp.route("/runs/<int:run_id>/bulk", methods=["POST"])
@roles_allowed(*COORDINATORS)
def bulk(run_id: int):  # type: ignore[no-untyped-def]
    """Approve or reject several proposals of a run at once."""
    db = get_session()
    run = _visible_run(run_id)
    form = BulkForm()
    ids = {
        m.id
        for m in db.exec(
            select(Match).where(Match.run_id == run.id, Match.status == MatchStatus.PROPOSED.value)
        ).all()
    }
    form.proposals.choices = choice_list((str(i), str(i)) for i in sorted(ids))  # type: ignore[type-var]
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
        match = db.get(Match, match_id)
        family = db.get(Family, match.family_id) if match else None
        try:
            if action == "approve":
                approve(db, match_id=match_id, actor_id=current_user.id)
            else:
                reject(
                    db, match_id=match_id, actor_id=current_user.id, reason=form.reason.data or ""
                )
            done += 1
        except MatchError as err:
            refused.append(f"{family.reference if family else match_id}: {err}")
    verb = "Approved" if action == "approve" else "Rejected"
    flash(f"{verb} {done} proposal{'s' if done != 1 else ''}.", "success")
    for message in refused[:10]:
        flash(message, "info")
    return redirect(url_for("coordination.run", run_id=run.id))


@bp.route("/assign", methods=["GET", "POST"])
@roles_allowed(*COORDINATORS)
def assign():  # type: ignore[no-untyped-def]
    """Assign a mentor to a family by hand, under the same rules as the optimiser."""
    db = get_session()
    ready = matching_ready_family_ids(session=db, district_ids=set(current_user.district_ids))
    families = db.exec(
        select(Family).where(col(Family.id).in_(sorted(ready))).order_by(col(Family.reference))
    ).all()
    form = AssignForm()
    form.family.choices = choice_list(
        [("", "Choose a family")] + [(f.id, f.reference) for f in families]
    )
    if request.method == "GET" and request.args.get("family"):
        form.family.data = request.args["family"]
    if form.validate_on_submit():
        family = db.get(Family, fid) if (fid := parse_id(form.family.data)) else None
        if family is None or family.district_id not in current_user.district_ids:
            form.family.errors.append("Choose a family from your districts")
        else:
            # Only mentors who serve the family's district (home or travel) can be named:
            # anyone else's vetting and load are not a coordinator's business.
            mentor = db.exec(
                select(Mentor).where(
                    Mentor.reference == form.mentor.data.strip().upper(),
                    serves_clause({family.district_id}),
                )
            ).first()
            if mentor is None:
                form.mentor.errors.append(
                    f"There is no mentor with reference {form.mentor.data.strip().upper()} "
                    f"who serves {family.reference}'s district"
                )
            else:
                try:
                    match = assign_by_hand(
                        db,
                        family_id=family.id,
                        mentor_id=mentor.id,
                        slot=form.slot.data,
                        actor_id=current_user.id,
                    )
                except MatchError as err:
                    form.mentor.errors.append(str(err))
                else:
                    flash(f"{mentor.reference} has been offered {family.reference}.", "success")
                    return redirect(url_for("coordination.match", match_id=match.id))
    return render_template("coordination/assign.html", form=form, available=_available_mentors())


def _available_mentors() -> list[tuple[Mentor, str, int, list[str]]]:
    """Matchable mentors with room who serve one of the coordinator's districts (home or
    travel): (mentor, home district, families held, skills), most room first."""
    db = get_session()
    serving = mentors_serving(db, current_user.district_ids)
    ids = sorted(serving & matchable_mentor_ids(session=db, on=service_today()))
    if not ids:
        return []
    counts = load_counts(db, ids)
    names = dict(db.exec(select(District.id, District.name)).all())
    skills: dict[int, list[str]] = {}
    for mid, label in db.exec(
        select(MentorSkill.mentor_id, Need.name)
        .join(Need, col(Need.id) == MentorSkill.need_id)
        .where(col(MentorSkill.mentor_id).in_(ids))
        .order_by(col(Need.sort_order))
    ).all():
        skills.setdefault(mid, []).append(label)
    rows = [
        (m, names.get(m.home_district_id, ""), counts.get(m.id, 0), skills.get(m.id, []))  # type: ignore[arg-type]
        for m in db.exec(select(Mentor).where(col(Mentor.id).in_(ids))).all()
        if counts.get(m.id, 0) < m.capacity  # type: ignore[arg-type]
    ]
    rows.sort(key=lambda r: (r[2] - r[0].capacity, r[0].reference))
    return rows


@bp.route("/matches")
@roles_allowed(*COORDINATORS)
def matches():  # type: ignore[no-untyped-def]
    """Offered and active matches, and what needs attention."""
    db = get_session()
    config = current_app.config
    report = monitoring(
        db,
        district_ids=set(current_user.district_ids),
        on=service_today(),
        no_contact_days=config["MONITOR_NO_CONTACT_DAYS"],
        offer_days=config["MONITOR_OFFER_DAYS"],
    )
    current = db.exec(
        select(Match, Family, Mentor)
        .join(Family, col(Family.id) == Match.family_id)
        .join(Mentor, col(Mentor.id) == Match.mentor_id)
        .where(
            col(Match.status).in_([MatchStatus.APPROVED.value, MatchStatus.ACTIVE.value]),
            col(Family.district_id).in_(sorted(current_user.district_ids)),
        )
        .order_by(col(Family.reference))
    ).all()
    return render_template(
        "coordination/matches.html",
        report=report,
        current=current,
        no_contact_days=config["MONITOR_NO_CONTACT_DAYS"],
        offer_days=config["MONITOR_OFFER_DAYS"],
    )


@bp.route("/matches/<int:match_id>")
@roles_allowed(*COORDINATORS)
def match(match_id: int):  # type: ignore[no-untyped-def]
    """One match: its explanation, the mentor's contacts, its ending."""
    db = get_session()
    match, family, mentor = _visible_match(match_id)
    contacts = db.exec(
        select(ContactLog)
        .where(ContactLog.match_id == match.id)
        .order_by(col(ContactLog.contact_on).desc())
    ).all()
    audit.record(
        db, "match.view", object_type="match", object_id=match.id, district_id=family.district_id
    )
    db.commit()
    return render_template(
        "coordination/match.html",
        match=match,
        family=family,
        mentor=mentor,
        contacts=contacts,
        end_reasons=END_REASON_LABELS,
        checklist=ENDING_CHECKLIST,
    )


@bp.route("/matches/<int:match_id>/end", methods=["GET", "POST"])
@roles_allowed(*COORDINATORS)
def end(match_id: int):  # type: ignore[no-untyped-def]
    """End a match with a reason and the planned-ending checklist."""
    match, family, mentor = _visible_match(match_id)
    if match.status not in (MatchStatus.ACTIVE.value, MatchStatus.APPROVED.value):
        abort(404)
    form = EndForm()
    if form.validate_on_submit():
        try:
            end_match(
                get_session(),
                match_id=match.id,
                actor_id=current_user.id,
                reason=form.reason.data,
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


@bp.route("/concerns/<int:concern_id>", methods=["GET", "POST"])
@roles_allowed(*COORDINATORS)
def concern(concern_id: int):  # type: ignore[no-untyped-def]
    """Read a safeguarding concern and acknowledge it."""
    db = get_session()
    concern = db.get(SafeguardingConcern, concern_id)
    if concern is None:
        abort(404)
    match, family, mentor = _visible_match(concern.match_id)
    form = ConfirmForm()
    if form.validate_on_submit() and concern.status == ConcernStatus.OPEN.value:
        concern.status = ConcernStatus.ACKNOWLEDGED.value
        concern.acknowledged_by_id = current_user.id
        concern.acknowledged_at = utcnow()
        db.add(concern)
        audit.record(
            db,
            "concern.acknowledge",
            object_type="safeguarding_concern",
            object_id=concern.id,
            district_id=family.district_id,
        )
        db.commit()
        flash("Concern acknowledged.", "success")
        return redirect(url_for("coordination.concern", concern_id=concern.id))
    audit.record(
        db,
        "concern.view",
        object_type="safeguarding_concern",
        object_id=concern.id,
        district_id=family.district_id,
    )
    db.commit()
    raised_by = db.get(User, concern.raised_by_id) if concern.raised_by_id else None
    return render_template(
        "coordination/concern.html",
        concern=concern,
        match=match,
        family=family,
        mentor=mentor,
        raised_by=raised_by,
        form=form,
    )
