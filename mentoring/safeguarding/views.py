"""The safeguarding pages: the lead's cases, a case with its chronology and actions,
and raising a concern (on a match) or an allegation (against a mentor).

Every case is loaded through the scope rule (404 for one the user may not see) and every
view of one is audited. Only the designated safeguarding lead acts on a case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from mentoring import audit
from mentoring.db import get_session
from mentoring.exceptions import NotFound, SafeguardingError
from mentoring.forms import choice_list, show_errors
from mentoring.models import (
    Match,
    MatchStatus,
    Mentor,
    ReferralAgency,
    Role,
    SafeguardingConcern,
)
from mentoring.numbers import parse_id
from mentoring.read import as_context
from mentoring.read import safeguarding as read
from mentoring.safeguarding import bp
from mentoring.safeguarding.forms import (
    CloseForm,
    ConcernForm,
    DangerForm,
    DecisionForm,
    EntryForm,
    FindMentorForm,
    ReferralForm,
    TriageForm,
)
from mentoring.security import roles_allowed
from mentoring.services import safeguarding as service
from mentoring.services.common.scope import load_visible, visible_district_ids

SEE_CASES = (Role.SAFEGUARDING, Role.PROVIDER, Role.COORDINATOR)
FAMILY_AGENCIES = [a for a in ReferralAgency if a not in (ReferralAgency.LADO, ReferralAgency.DBS)]


def _hours() -> int:
    return int(current_app.config["SAFEGUARDING_TRIAGE_HOURS"])


# ---------------------------------------------------------------------------
# Raising
# ---------------------------------------------------------------------------


def raise_flow(
    *,
    page: read.RaisePage,
    back: str,
    submit: Callable[[service.Raised], SafeguardingConcern],
    done: Callable[[SafeguardingConcern], str],
    told: str,
) -> ResponseReturnValue:
    """The raise journey, shared by every raiser: first "is anyone in immediate danger?"
    (if so: call 999 now, and the district's MASH number), then what happened."""
    danger = request.args.get("danger")
    if danger not in ("yes", "no"):
        first = DangerForm()
        if first.validate_on_submit():
            args = dict(request.view_args or {}, danger=first.immediate_danger.data)
            return redirect(url_for(str(request.endpoint), **args))
        return render_template("safeguarding/danger.html", form=first, page=page, back=back)
    form = ConcernForm()
    if form.validate_on_submit():
        try:
            concern = submit(
                service.Raised(
                    category=form.category.data or "",
                    details=form.details.data or "",
                    happened_when=form.happened_when.data or "",
                    people_involved=form.people_involved.data or "",
                    immediate_danger=danger == "yes",
                )
            )
        except SafeguardingError as err:
            show_errors(form, err, fallback="details")
        else:
            flash(
                f"Your concern has been sent: its reference is {concern.reference}. {told}",
                "success",
            )
            return redirect(done(concern))
    return render_template(
        "safeguarding/raise.html", form=form, page=page, back=back, danger=danger == "yes"
    )


@bp.route("/matches/<int:match_id>/raise", methods=["GET", "POST"])
@roles_allowed(Role.COORDINATOR)
def raise_on_match(match_id: int) -> ResponseReturnValue:
    """Raise a concern about someone in a family a coordinator's district supports."""
    db = get_session()
    match = load_visible(Match, match_id, current_user, session=db)
    if match.status != MatchStatus.ACTIVE.value:
        raise NotFound("not an active match")
    return raise_flow(
        page=read.raise_page(db, match=match),
        back=url_for("coordination.match", match_id=match_id),
        submit=lambda raised: service.raise_concern(
            session=db, match=match, actor_id=current_user.id, raised=raised
        ),
        done=lambda concern: url_for("safeguarding.case", concern_id=concern.id),
        told="The designated safeguarding lead has been told.",
    )


@bp.route("/allegation", methods=["GET", "POST"])
@roles_allowed(Role.SAFEGUARDING, Role.PROVIDER)
def find_mentor() -> ResponseReturnValue:
    """Choose the mentor an allegation is about, by their reference."""
    form = FindMentorForm()
    if form.validate_on_submit():
        mentor_id = read.mentor_id_by_reference(get_session(), form.reference.data or "")
        if mentor_id is None:
            form.reference.errors = ["There is no mentor with that reference"]
        else:
            return redirect(url_for("safeguarding.raise_allegation", mentor_id=mentor_id))
    return render_template("safeguarding/find_mentor.html", form=form)


@bp.route("/mentors/<int:mentor_id>/allegation", methods=["GET", "POST"])
@roles_allowed(Role.SAFEGUARDING, Role.PROVIDER)
def raise_allegation(mentor_id: int) -> ResponseReturnValue:
    """Record an allegation against a mentor, or a concern about their conduct."""
    db = get_session()
    number = parse_id(mentor_id)
    mentor = db.get(Mentor, number) if number is not None else None
    if mentor is None:
        raise NotFound("no such mentor")
    return raise_flow(
        page=read.raise_page(db, mentor=mentor),
        back=url_for("mentors.mentor", mentor_id=mentor_id)
        if current_user.role == Role.PROVIDER.value
        else url_for("safeguarding.find_mentor"),
        submit=lambda raised: service.raise_allegation(
            session=db, mentor_id=mentor_id, actor_id=current_user.id, raised=raised
        ),
        done=lambda concern: url_for("safeguarding.case", concern_id=concern.id),
        told="The mentor is suspended and their matches are paused.",
    )


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


@bp.route("/")
@roles_allowed(*SEE_CASES)
def cases() -> ResponseReturnValue:
    """List the safeguarding cases the user may see, open ones first, with their clocks."""
    db = get_session()
    rows = read.case_list(
        db,
        role=current_user.role,
        district_ids=visible_district_ids(current_user),
        hours=_hours(),
    )
    audit.record_access(
        db, "concern.list", object_type="safeguarding_concern", concern_ids=[r.id for r in rows]
    )
    return render_template("safeguarding/cases.html", rows=rows, hours=_hours())


def _forms(concern: SafeguardingConcern) -> dict[str, FlaskForm]:
    referral = ReferralForm(prefix="referral")
    agencies = list(ReferralAgency) if concern.is_allegation else FAMILY_AGENCIES
    referral.agency.choices = choice_list((a.value, a.label) for a in agencies)
    close_form = CloseForm(prefix="close")
    close_form.outcome.choices = choice_list(
        (o.value, o.label) for o in service.outcomes_for(concern)
    )
    return {
        "triage": TriageForm(prefix="triage"),
        "referral": referral,
        "entry": EntryForm(prefix="entry"),
        "decision": DecisionForm(prefix="decision"),
        "close": close_form,
    }


def _case_page(concern: SafeguardingConcern, forms: dict[str, FlaskForm]) -> ResponseReturnValue:
    db = get_session()
    page = read.case_page(db, concern=concern, hours=_hours())
    audit.record_access(
        db,
        "concern.view",
        object_type="safeguarding_concern",
        object_id=concern.id,
        district_id=concern.district_id,
    )
    return render_template(
        "safeguarding/case.html",
        **as_context(page),
        forms=forms,
        can_act=current_user.role == Role.SAFEGUARDING.value,
        hours=_hours(),
    )


@bp.route("/<int:concern_id>")
@roles_allowed(*Role)  # the scope rule decides: anyone else gets 404, as if there were none
def case(concern_id: int) -> ResponseReturnValue:
    """A case: what was raised, the clock, the chronology, and the lead's actions."""
    concern = load_visible(SafeguardingConcern, concern_id, current_user, session=get_session())
    return _case_page(concern, _forms(concern))


def _triage(form: Any, concern_id: int) -> None:
    service.triage(
        session=get_session(),
        concern_id=concern_id,
        actor_id=current_user.id,
        decision=form.decision.data or "",
    )


def _referral(form: Any, concern_id: int) -> None:
    service.record_referral(
        session=get_session(),
        concern_id=concern_id,
        actor_id=current_user.id,
        agency=form.agency.data or "",
        reference=form.reference.data or "",
        on=form.referred_on.data,
        notes=form.notes.data or "",
    )


def _entry(form: Any, concern_id: int) -> None:
    service.add_entry(
        session=get_session(),
        concern_id=concern_id,
        actor_id=current_user.id,
        kind=form.kind.data or "",
        text=form.text.data or "",
    )


def _decision(form: Any, concern_id: int) -> None:
    service.decide(
        session=get_session(),
        concern_id=concern_id,
        actor_id=current_user.id,
        status=form.status.data or "",
        reason=form.reason.data or "",
    )


def _close(form: Any, concern_id: int) -> None:
    service.close(
        session=get_session(),
        concern_id=concern_id,
        actor_id=current_user.id,
        outcome=form.outcome.data or "",
        reason=form.reason.data or "",
    )


# The lead's actions on a case: (the field for an error of the whole form, the service call,
# what to say when it is done), by the name of the form on the case page.
ACTIONS: dict[str, tuple[str, Callable[[Any, int], None], str]] = {
    "triage": ("decision", _triage, "Triage recorded."),
    "referral": ("agency", _referral, "Referral recorded."),
    "entry": ("text", _entry, "Added to the chronology."),
    "decision": ("reason", _decision, "Decision recorded."),
    "close": ("outcome", _close, "Case closed."),
}


@bp.route(
    "/<int:concern_id>/<any(triage, referral, entry, decision, close):action>", methods=["POST"]
)
@roles_allowed(Role.SAFEGUARDING)
def act(concern_id: int, action: str) -> ResponseReturnValue:
    """Record a triage decision, a referral, an entry, a decision or the outcome; or show
    the case again with the errors beside the fields."""
    fallback, call, done = ACTIONS[action]
    db = get_session()
    concern = load_visible(SafeguardingConcern, concern_id, current_user, session=db)
    forms = _forms(concern)
    form = forms[action]
    if form.validate_on_submit():
        try:
            call(form, concern_id)
        except SafeguardingError as err:
            show_errors(form, err, fallback=fallback)
        else:
            flash(done, "success")
            return redirect(url_for("safeguarding.case", concern_id=concern_id))
    db.refresh(concern)
    return _case_page(concern, forms)
