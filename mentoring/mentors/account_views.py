"""A mentor's sign-in account: provider staff invite a ready mentor, re-send or cancel.

The invitation goes to the email on the mentor's record, and the account is linked to
the record. A mentor withdrawn or rejected loses their account at the same time
(`services/mentors/pipeline.py`).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from mentoring.exceptions import AccountError
from mentoring.forms import AppForm
from mentoring.mentors import bp
from mentoring.mentors.helpers import STAFF, actor_id, db
from mentoring.read.mentors import account_state
from mentoring.security import roles_allowed
from mentoring.services.accounts import invitations
from mentoring.services.mentors import load_mentor


def _back(mentor_id: int) -> ResponseReturnValue:
    return redirect(url_for("mentors.mentor", mentor_id=mentor_id) + "#account")


@bp.route("/<int:mentor_id>/account", methods=["POST"])
@roles_allowed(*STAFF)
def account(mentor_id: int) -> ResponseReturnValue:
    """Invite the mentor to their account, re-send the invitation, or cancel it."""
    mentor = load_mentor(session=db(), mentor_id=mentor_id)
    if not AppForm().validate_on_submit():
        abort(400)
    state = account_state(db(), mentor)
    action = request.form.get("action", "")
    try:
        if action == "invite":
            invitations.invite_mentor(session=db(), mentor_id=mentor_id, actor_id=actor_id())
            flash(f"An invitation has gone to {mentor.email}.", "success")
        elif action == "resend" and state.user_id and state.state == "invited":
            invitations.resend(session=db(), user_id=state.user_id, actor_id=actor_id())
            flash(
                f"A new invitation has gone to {mentor.email}. The old link no longer works.",
                "success",
            )
        elif action == "cancel" and state.user_id and state.state == "invited":
            invitations.cancel(session=db(), user_id=state.user_id, actor_id=actor_id())
            flash("The invitation has been cancelled.", "success")
        else:
            abort(400)
    except AccountError as err:
        flash(err.message, "info")
    return _back(mentor_id)
