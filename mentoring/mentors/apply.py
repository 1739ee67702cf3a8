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

from mentoring.db import get_session
from mentoring.exceptions import VettingError
from mentoring.mentors.forms import PublicApplicationForm
from mentoring.mentors.views import (
    add_service_errors,
    application_data,
    prepare_application_form,
)
from mentoring.models import ApplicationSource
from mentoring.security import public
from mentoring.services.common.mail import send_email
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
def volunteer():  # type: ignore[no-untyped-def]
    """Apply to volunteer as a mentor or role model."""
    form = PublicApplicationForm()
    prepare_application_form(form)
    if request.method == "POST":
        if _throttled():
            abort(429)
        if form.validate_on_submit():
            if form.website.data:
                # Only bots fill in the hidden field: look as if it worked.
                return redirect(url_for("apply.done"))
            try:
                mentor = create_mentor(
                    session=get_session(),
                    data=application_data(form),
                    source=ApplicationSource.WEB.value,
                )
            except VettingError as err:
                get_session().rollback()
                for name, message in err.errors.items():
                    field = getattr(form, name, form.first_name)
                    field.errors = [*field.errors, message]
            else:
                send_email(
                    to=mentor.email,
                    subject="Mentor Match: thank you for applying to volunteer",
                    body=(
                        f"Hello {mentor.first_name},\n\nThank you for applying to volunteer as a "
                        f"mentor. Your reference is {mentor.reference}.\n\nWhat happens next: we "
                        "will contact you to ask for two referees, arrange an enhanced DBS check "
                        "and a suitability interview, and then training.\n"
                    ),
                )
                session["applied_reference"] = mentor.reference
                return redirect(url_for("apply.done"))
        else:
            add_service_errors(form, staff=False)
    return render_template("apply/volunteer.html", form=form)


@bp.route("/volunteer/done")
@public
def done():  # type: ignore[no-untyped-def]
    """Confirm an application was received."""
    reference = session.pop("applied_reference", None)
    return render_template("apply/done.html", reference=reference)
