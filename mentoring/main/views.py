"""Home pages: each role lands on what it needs first."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from mentoring import audit
from mentoring.db import get_session
from mentoring.main import bp
from mentoring.models import Role
from mentoring.read import home as read
from mentoring.read import safeguarding as safeguarding_read
from mentoring.security import public, roles_allowed
from mentoring.services import users

ALL_ROLES = tuple(Role)


@bp.route("/")
@roles_allowed(*ALL_ROLES)
def home() -> ResponseReturnValue:
    """Show the signed-in user's home page."""
    db = get_session()
    notifications = read.messages(session=db, user_id=current_user.id)
    if current_user.role == Role.MENTOR.value:
        page = read.mentor_home(session=db, mentor_id=current_user.mentor_id)
        return render_template(
            "mentor_portal/families.html",
            notifications=notifications,
            offers=page.offers,
            families=page.families,
        )
    if current_user.role == Role.PROVIDER.value:
        pipeline = read.provider_home(session=db)
        return render_template(
            "main/home_provider.html",
            notifications=notifications,
            stages=pipeline.stages,
            mentor_total=pipeline.mentor_total,
        )
    if current_user.role == Role.SAFEGUARDING.value:
        hours = int(current_app.config["SAFEGUARDING_TRIAGE_HOURS"])
        rows = safeguarding_read.case_list(
            db, role=current_user.role, district_ids=frozenset(), hours=hours
        )
        audit.record_access(
            db,
            "concern.list",
            object_type="safeguarding_concern",
            concern_ids=[r.id for r in rows],
        )
        return render_template(
            "safeguarding/cases.html", notifications=notifications, rows=rows, hours=hours
        )
    summary = read.district_home(session=db, district_ids=current_user.district_ids)
    return render_template(
        "main/home_coordinator.html",
        notifications=notifications,
        summary=summary,
        measures=read.MEASURES,
    )


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@roles_allowed(*ALL_ROLES)
def mark_read(notification_id: int) -> ResponseReturnValue:
    """Take one of the user's own messages off their home page."""
    users.mark_read(session=get_session(), user_id=current_user.id, notification_id=notification_id)
    return redirect(url_for("main.home"))


@bp.route("/notifications/read", methods=["POST"])
@roles_allowed(*ALL_ROLES)
def mark_all_read() -> ResponseReturnValue:
    """Take all of the user's messages off their home page."""
    users.mark_all_read(session=get_session(), user_id=current_user.id)
    flash("Messages marked as read.", "success")
    return redirect(url_for("main.home"))


@bp.route("/privacy")
@public
def privacy() -> ResponseReturnValue:
    """Explain what the service holds and why."""
    return render_template("main/privacy.html")


@bp.route("/accessibility")
@public
def accessibility() -> ResponseReturnValue:
    """State how accessible the service is."""
    return render_template("main/accessibility.html")
