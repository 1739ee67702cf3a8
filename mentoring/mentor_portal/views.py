"""The mentor's pages: offers, families, contacts, safeguarding concerns.

Every page is keyed by a match that must belong to the signed-in mentor; any other
id answers 404, the same as a missing one.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from mentoring import audit
from mentoring.db import get_session
from mentoring.exceptions import MatchConflict, MatchError, NotFound, SafeguardingError
from mentoring.forms import show_errors
from mentoring.mentor_portal import bp
from mentoring.mentor_portal.forms import CONTACT_KINDS, ContactForm, OfferForm
from mentoring.models import Match, MatchStatus, Role
from mentoring.read import mentor_view
from mentoring.read import safeguarding as safeguarding_read
from mentoring.safeguarding.forms import LaterFactForm
from mentoring.safeguarding.views import raise_flow
from mentoring.security import roles_allowed
from mentoring.services.common.scope import load_visible
from mentoring.services.matches import (
    answer_offer,
    record_contact,
)
from mentoring.services.safeguarding import add_from_raiser, raise_concern

KIND_LABELS = dict(CONTACT_KINDS)


def _mentor_id() -> int:
    if current_user.mentor_id is None:
        raise NotFound("no mentor record")
    return int(current_user.mentor_id)


def _own_active_match(match_id: int) -> Match:
    """The signed-in mentor's active match; anything else is not found."""
    match = load_visible(Match, match_id, current_user, session=get_session())
    if match.status != MatchStatus.ACTIVE.value or match.paused_on is not None:
        raise NotFound("not an active match")
    return match


@bp.route("/families")
@roles_allowed(Role.MENTOR)
def families() -> ResponseReturnValue:
    """List the mentor's offers and active families."""
    db = get_session()
    mentor_id = _mentor_id()
    return render_template(
        "mentor_portal/families.html",
        offers=mentor_view.offers(db, mentor_id),
        families=mentor_view.families(db, mentor_id),
    )


@bp.route("/offers/<int:match_id>", methods=["GET", "POST"])
@roles_allowed(Role.MENTOR)
def offer(match_id: int) -> ResponseReturnValue:
    """Show an offer and take the mentor's answer."""
    db = get_session()
    mentor_id = _mentor_id()
    view = mentor_view.offer(db, mentor_id, match_id)
    if view is None:
        raise NotFound("no such offer")
    form = OfferForm()
    if form.validate_on_submit():
        accept = form.decision.data == "accept"
        try:
            answer_offer(
                session=db,
                match_id=match_id,
                mentor_id=mentor_id,
                actor_id=current_user.id,
                accept=accept,
                reason=form.reason.data or "",
            )
        except MatchConflict as err:
            flash(str(err), "info")
            return redirect(url_for("mentor.families"))
        except MatchError as err:
            form.reason.errors.append(str(err))
        else:
            if accept:
                flash(f"You are now {view.reference}'s mentor. Thank you.", "success")
                new = mentor_view.families(db, mentor_id)
                target = next((f for f in new if f.match_id == match_id), None)
                if target is not None:
                    return redirect(url_for("mentor.family", match_id=match_id))
            else:
                flash("You declined the offer. The coordinator has been told.", "success")
            return redirect(url_for("mentor.families"))
    return render_template("mentor_portal/offer.html", offer=view, form=form)


@bp.route("/families/<int:match_id>", methods=["GET", "POST"])
@roles_allowed(Role.MENTOR)
def family(match_id: int) -> ResponseReturnValue:
    """Show one of the mentor's families and record a contact."""
    db = get_session()
    match = _own_active_match(match_id)
    view = mentor_view.family(db, _mentor_id(), match_id)
    if view is None:  # pragma: no cover - same condition as above
        raise NotFound("no such family")
    form = ContactForm()
    if form.validate_on_submit():
        try:
            record_contact(
                session=db,
                match=match,
                actor_id=current_user.id,
                contact_on=form.contact_on.data,
                kind=form.kind.data,
                duration_minutes=form.duration_minutes.data,
                note=form.note.data or "",
            )
        except MatchError as err:
            form.contact_on.errors = [*form.contact_on.errors, str(err)]
        else:
            kind = KIND_LABELS.get(form.kind.data or "", form.kind.data or "")
            on, minutes = form.contact_on.data, form.duration_minutes.data
            length = f", {minutes} minutes" if minutes else ""
            flash(
                f"Contact recorded: {kind} on {on:%-d %B %Y}{length}. "
                "It is in your contacts below.",
                "success",
            )
            return redirect(url_for("mentor.family", match_id=match_id))
    else:
        audit.record_access(
            db,
            "family.view_as_mentor",
            object_type="family",
            object_id=match.family_id,
            match_id=match.id,
        )
    return render_template(
        "mentor_portal/family.html", family=view, form=form, kind_labels=KIND_LABELS
    )


@bp.route("/families/<int:match_id>/concern", methods=["GET", "POST"])
@roles_allowed(Role.MENTOR)
def concern(match_id: int) -> ResponseReturnValue:
    """Raise a safeguarding concern about a family the mentor supports."""
    db = get_session()
    match = _own_active_match(match_id)
    return raise_flow(
        page=safeguarding_read.raise_page(db, match=match),
        back=url_for("mentor.family", match_id=match_id),
        submit=lambda raised: raise_concern(
            session=db, match=match, actor_id=current_user.id, raised=raised
        ),
        done=lambda _concern: url_for("mentor.concerns"),
        told="The designated safeguarding lead and the district's coordinators have been told.",
    )


@bp.route("/concerns")
@roles_allowed(Role.MENTOR)
def concerns() -> ResponseReturnValue:
    """The concerns the mentor raised, with their status only."""
    db = get_session()
    concerns = safeguarding_read.my_concerns(db, user_id=current_user.id)
    audit.record_access(
        db,
        "concern.list_own",
        object_type="safeguarding_concern",
        references=[c.reference for c in concerns],
    )
    return render_template("mentor_portal/concerns.html", concerns=concerns)


@bp.route("/concerns/<int:concern_id>/add", methods=["GET", "POST"])
@roles_allowed(Role.MENTOR)
def add_to_concern(concern_id: int) -> ResponseReturnValue:
    """Add a later fact to a concern the mentor raised (its words stay as they were)."""
    db = get_session()
    mine = {c.id: c for c in safeguarding_read.my_concerns(db, user_id=current_user.id)}
    concern = mine.get(concern_id)
    if concern is None:
        raise NotFound("no such concern")
    form = LaterFactForm()
    if form.validate_on_submit():
        try:
            add_from_raiser(
                session=db,
                concern_id=concern_id,
                user_id=current_user.id,
                text=form.text.data or "",
            )
        except SafeguardingError as err:
            show_errors(form, err, fallback="text")
        else:
            flash(f"Added to your concern {concern.reference}.", "success")
            return redirect(url_for("mentor.concerns"))
    return render_template("mentor_portal/add_to_concern.html", form=form, concern=concern)
