"""Home pages: each role lands on what it needs first."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlmodel import col, select

from mentoring.db import get_session, write_transaction
from mentoring.main import bp
from mentoring.models import (
    District,
    Engagement,
    Family,
    Mentor,
    MentorStatus,
    Notification,
    PipelineStage,
    Role,
    utcnow,
)
from mentoring.read import mentor_view
from mentoring.security import public, roles_allowed
from mentoring.services.families import matched_clause, phase2_min_criteria, ready_clause

ALL_ROLES = (Role.ADMIN, Role.PROVIDER, Role.COORDINATOR, Role.MENTOR)


@bp.route("/")
@roles_allowed(*ALL_ROLES)
def home():  # type: ignore[no-untyped-def]
    """Show the signed-in user's home page."""
    db = get_session()
    notifications = db.exec(
        select(Notification)
        .where(Notification.user_id == current_user.id, col(Notification.read_at).is_(None))
        .order_by(col(Notification.urgent).desc(), col(Notification.created_at).desc())
        .limit(20)
    ).all()
    context = {"notifications": notifications}
    if current_user.role == Role.MENTOR.value:
        return render_template("mentor_portal/families.html", **context, **_mentor_home(db))
    if current_user.role == Role.PROVIDER.value:
        return render_template("main/home_provider.html", **context, **_provider_home(db))
    return render_template("main/home_coordinator.html", **context, **_district_home(db))


def _mentor_home(db):  # type: ignore[no-untyped-def]
    if current_user.mentor_id is None:
        return {"offers": [], "families": []}
    return {
        "offers": mentor_view.offers(db, current_user.mentor_id),
        "families": mentor_view.families(db, current_user.mentor_id),
    }


def _provider_home(db):  # type: ignore[no-untyped-def]
    rows = db.exec(
        select(Mentor.stage, sa.func.count())
        .where(Mentor.status == MentorStatus.ACTIVE.value)
        .group_by(col(Mentor.stage))
    ).all()
    by_stage = dict(rows)
    stages = [(stage, by_stage.get(stage.value, 0)) for stage in PipelineStage]
    return {"stages": stages, "mentor_total": sum(by_stage.values())}


def _district_home(db):  # type: ignore[no-untyped-def]
    district_ids = sorted(current_user.district_ids)
    districts = db.exec(
        select(District).where(col(District.id).in_(district_ids)).order_by(col(District.name))
    ).all()
    open_states = [
        Engagement.IDENTIFIED.value,
        Engagement.CONTACTED.value,
        Engagement.ENGAGED.value,
    ]
    total = dict(
        db.exec(
            select(Family.district_id, sa.func.count())
            .where(
                col(Family.district_id).in_(district_ids), col(Family.engagement).in_(open_states)
            )
            .group_by(col(Family.district_id))
        ).all()
    )
    matched = dict(
        db.exec(
            select(Family.district_id, sa.func.count())
            .where(col(Family.district_id).in_(district_ids), matched_clause())
            .group_by(col(Family.district_id))
        ).all()
    )
    # The same rule as the families waiting list: ready for matching, no mentor.
    waiting = dict(
        db.exec(
            select(Family.district_id, sa.func.count())
            .where(
                col(Family.district_id).in_(district_ids),
                ready_clause(phase2_min_criteria()),
                sa.not_(matched_clause()),
            )
            .group_by(col(Family.district_id))
        ).all()
    )
    summary = [
        {
            "district": d,
            "open": total.get(d.id, 0),
            "matched": matched.get(d.id, 0),
            "waiting": waiting.get(d.id, 0),
        }
        for d in districts
    ]
    return {"summary": summary}


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@roles_allowed(*ALL_ROLES)
def mark_read(notification_id: int):  # type: ignore[no-untyped-def]
    """Take one of the user's own messages off their home page."""
    db = get_session()
    with write_transaction(db):
        note = db.get(Notification, notification_id)
        if note is None or note.user_id != current_user.id:
            abort(404)
        if note.read_at is None:
            note.read_at = utcnow()
            db.add(note)
    return redirect(url_for("main.home"))


@bp.route("/notifications/read", methods=["POST"])
@roles_allowed(*ALL_ROLES)
def mark_all_read():  # type: ignore[no-untyped-def]
    """Take all of the user's messages off their home page."""
    db = get_session()
    with write_transaction(db):
        db.execute(
            sa.update(Notification)
            .where(
                Notification.user_id == current_user.id,
                col(Notification.read_at).is_(None),
            )
            .values(read_at=utcnow())
        )
    flash("Messages marked as read.", "success")
    return redirect(url_for("main.home"))


@bp.route("/privacy")
@public
def privacy():  # type: ignore[no-untyped-def]
    """Explain what the service holds and why."""
    return render_template("main/privacy.html")


@bp.route("/accessibility")
@public
def accessibility():  # type: ignore[no-untyped-def]
    """State how accessible the service is."""
    return render_template("main/accessibility.html")
