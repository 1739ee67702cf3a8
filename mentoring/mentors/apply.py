"""The public "Volunteer as a mentor" application: no sign-in, throttled per address.

Its own blueprint (``apply``), beside the provider's mentor pages it shares forms with.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from mentoring.exceptions import VettingError
from mentoring.mentors.forms import PublicApplicationForm
from mentoring.mentors.helpers import (
    add_service_errors,
    application_data,
    db,
    prepare_application_form,
    show_errors,
)
from mentoring.models import ApplicationSource
from mentoring.security import public
from mentoring.services.mentors import create_mentor

bp = Blueprint("apply", __name__)


def _throttled() -> bool:
    """Count an application from this address; tell whether it is over the limit."""
    store = current_app.extensions["throttle"]
    count = store.hit(
        f"apply:{request.remote_addr or 'unknown'}",
        int(current_app.config.get("APPLY_WINDOW_SECONDS", 3600)),
    )
    return bool(count > int(current_app.config.get("APPLY_MAX_PER_ADDRESS", 5)))


@bp.route("/volunteer", methods=["GET", "POST"])
@public
def volunteer() -> ResponseReturnValue:
    """Apply to volunteer as a mentor or role model."""
    form = PublicApplicationForm()
    prepare_application_form(form)
    if request.method == "POST":
        if _throttled():
            abort(429)
        if not form.validate_on_submit():
            add_service_errors(form, staff=False)
        elif form.website.data:
            # Only bots fill in the hidden field: look as if it worked.
            return redirect(url_for("apply.done"))
        else:
            try:
                mentor = create_mentor(
                    session=db(), data=application_data(form), source=ApplicationSource.WEB.value
                )
            except VettingError as err:
                show_errors(form, err, "first_name")
            else:
                # The volunteer is emailed their reference by the service, after it commits.
                session["applied_reference"] = mentor.reference
                return redirect(url_for("apply.done"))
    return render_template("apply/volunteer.html", form=form)


@bp.route("/volunteer/done")
@public
def done() -> ResponseReturnValue:
    """Confirm an application was received."""
    reference = session.pop("applied_reference", None)
    return render_template("apply/done.html", reference=reference)
