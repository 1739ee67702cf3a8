"""Provider pages: importing mentors from a CSV file, and exporting the board as CSV."""

from __future__ import annotations

from flask import Response, render_template
from flask.typing import ResponseReturnValue

from mentoring import audit
from mentoring.forms import ImportConfirmForm
from mentoring.jobs import import_pages as imports
from mentoring.mentors import bp
from mentoring.mentors.forms import ImportForm
from mentoring.mentors.helpers import STAFF, board_filters, db
from mentoring.models import service_today
from mentoring.security import roles_allowed
from mentoring.services import mentors as service
from mentoring.services.mentors import IMPORT_HELP


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/export.csv")
@roles_allowed(*STAFF)
def export() -> ResponseReturnValue:
    """Download the filtered mentors as CSV (no DBS details)."""
    _form, filters = board_filters()
    text, n = service.export_csv(session=db(), on=service_today(), filters=filters)
    audit.record_access(db(), "mentor.export", object_type="mentor", count=n)
    return _csv(text, f"mentors-{service_today()}.csv")


@bp.route("/import", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def import_mentors() -> ResponseReturnValue:
    """Upload a CSV of mentors: checked in the background, then a preview to confirm."""
    form = ImportForm()
    if form.validate_on_submit():
        content, problem = imports.file_problem(form.file.data)
        if problem is None:
            return imports.start_check("mentors", content)
        form.file.errors = [problem]
    return render_template("mentors/import.html", form=form, help=IMPORT_HELP)


@bp.route("/import/<token>", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def import_mentors_preview(token: str) -> ResponseReturnValue:
    """The checked file: who would be imported, and the problems by row and column."""
    return imports.preview("mentors", token, confirm=ImportConfirmForm())


@bp.route("/import/<token>/done")
@roles_allowed(*STAFF)
def import_mentors_done(token: str) -> ResponseReturnValue:
    """The mentors an import saved."""
    return imports.done("mentors", token)


@bp.route("/import/template.csv")
@roles_allowed(*STAFF)
def import_template() -> ResponseReturnValue:
    """Download an import file with the columns and an example row."""
    return _csv(service.template_csv(session=db()), "mentors-template.csv")
