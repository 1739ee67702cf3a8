"""Subject access for administrators: everything held about one person, as HTML or JSON."""

from __future__ import annotations

import json

from flask import Response, current_app, g, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from mentoring.admin import bp
from mentoring.db import get_session
from mentoring.exceptions import InvalidInput, NotFound
from mentoring.forms import AppForm, GovRadioInput, GovSubmitInput, GovTextInput, choice_list
from mentoring.models import Role
from mentoring.security import roles_allowed
from mentoring.services.dataprotection import SubjectAccess, subject_access

KINDS = [
    ("mentor", "A mentor or role model (reference, like M-0042)"),
    ("family", "A family (reference, like DAR-0042)"),
    ("user", "A member of staff (email address)"),
]


class SubjectAccessForm(AppForm):
    kind = RadioField(
        "Whose information",
        widget=GovRadioInput(),
        choices=choice_list(KINDS),
        validators=[InputRequired(message="Choose whose information to export")],
    )
    reference = StringField(
        "Reference or email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the reference or email address"), Length(max=254)],
    )
    fmt = RadioField(
        "Format",
        widget=GovRadioInput(),
        choices=choice_list([("html", "A readable document (HTML)"), ("json", "Data (JSON)")]),
        default="html",
        validators=[InputRequired(message="Choose a format")],
    )
    submit = SubmitField("Export", widget=GovSubmitInput())


def render_document(doc: SubjectAccess, *, nonce: str = "") -> str:
    """The readable document (also written by `flask subject-access`)."""
    return render_template(
        "admin/subject_access_document.html",
        doc=doc,
        nonce=nonce,
        organisation=current_app.config.get("ORGANISATION_NAME", ""),
    )


@bp.route("/subject-access", methods=["GET", "POST"])
@roles_allowed(Role.ADMIN)
def subject_access_export() -> ResponseReturnValue:
    """Export everything held about one person (a subject access request); audited."""
    form = SubjectAccessForm()
    if form.validate_on_submit():
        try:
            doc = subject_access(
                session=get_session(),
                kind=form.kind.data or "",
                reference=form.reference.data or "",
                actor_id=current_user.id,
            )
        except (InvalidInput, NotFound) as err:
            form.reference.errors = [*form.reference.errors, err.message]
        else:
            name = f"subject-access-{doc.kind}-{doc.reference.replace('@', '-at-')}"
            if form.fmt.data == "json":
                body, mimetype, ext = (
                    json.dumps(doc.as_json(), indent=2),
                    "application/json",
                    "json",
                )
            else:
                body = render_document(doc, nonce=g.get("csp_nonce", ""))
                mimetype, ext = "text/html", "html"
            return Response(
                body,
                mimetype=mimetype,
                headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'},
            )
    return render_template("admin/subject_access.html", form=form)
