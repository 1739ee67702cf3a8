"""Provider pages: importing mentors from a CSV file, and exporting the board as CSV."""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from mentoring import audit
from mentoring.exceptions import VettingError
from mentoring.mentors import bp
from mentoring.mentors.forms import ImportConfirmForm, ImportForm
from mentoring.mentors.helpers import STAFF, actor_id, board_filters, count, db, show_errors
from mentoring.models import service_today
from mentoring.security import roles_allowed
from mentoring.services import mentors as service
from mentoring.services.mentors import IMPORT_HELP, ImportReport

MAX_IMPORT_BYTES = 2 * 1024 * 1024


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


def _import_folder() -> Path:
    return Path(current_app.instance_path) / "imports"


def _upload_error(form: ImportForm) -> tuple[bytes, str | None]:
    """Read the uploaded file; return its content and what is wrong with it, if anything."""
    upload = form.file.data
    content: bytes = upload.read(MAX_IMPORT_BYTES + 1) if upload else b""
    if not upload or not upload.filename:
        return content, "Select a CSV file"
    if len(content) > MAX_IMPORT_BYTES:
        return content, "The file must be smaller than 2 MB: split it"
    if not upload.filename.lower().endswith(".csv"):
        return content, "The file must be a CSV"
    return content, None


def _confirm_form(report: ImportReport) -> ImportConfirmForm:
    """Offer to import only the valid rows (kept for this user for an hour)."""
    token = service.stash_import(
        folder=_import_folder(), user_id=actor_id(), rows=report.valid_data
    )
    confirm = ImportConfirmForm(formdata=None, token=token)
    confirm.submit.label.text = f"Import only the {count(len(report.valid), 'valid row')}"
    return confirm


@bp.route("/import", methods=["GET", "POST"])
@roles_allowed(*STAFF)
def import_mentors() -> ResponseReturnValue:
    """Upload a CSV of mentors: a report by row and field; saved only when all is valid."""
    form = ImportForm()
    report = None
    confirm = None
    if form.validate_on_submit():
        content, problem = _upload_error(form)
        if problem:
            form.file.errors = [problem]
        else:
            report = service.parse_import(session=db(), content=content)
            if report.ok:
                try:
                    created = service.import_mentors(
                        session=db(),
                        rows=report.valid_data,
                        actor_id=actor_id(),
                        on=service_today(),
                    )
                except VettingError as err:
                    show_errors(form, err, "file")
                else:
                    flash(f"{count(len(created), 'mentor')} imported.", "success")
                    return redirect(url_for("mentors.board"))
            elif report.file_errors:
                form.file.errors = list(report.file_errors)
            elif report.valid:
                confirm = _confirm_form(report)
    return render_template(
        "mentors/import.html", form=form, report=report, confirm=confirm, help=IMPORT_HELP
    )


@bp.route("/import/confirm", methods=["POST"])
@roles_allowed(*STAFF)
def import_confirm() -> ResponseReturnValue:
    """Import the valid rows of a checked file."""
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    rows = service.take_stash(
        folder=_import_folder(), token=form.token.data or "", user_id=actor_id()
    )
    if rows is None:
        flash("That check has expired. Upload the file again.", "info")
        return redirect(url_for("mentors.import_mentors"))
    try:
        created = service.import_mentors(
            session=db(), rows=rows, actor_id=actor_id(), on=service_today()
        )
    except VettingError as err:
        flash(f"Nothing was imported: {err}. Upload the file again.", "info")
        return redirect(url_for("mentors.import_mentors"))
    flash(f"{count(len(created), 'mentor')} imported. The rows with problems were not.", "success")
    return redirect(url_for("mentors.board"))


@bp.route("/import/template.csv")
@roles_allowed(*STAFF)
def import_template() -> ResponseReturnValue:
    """Download an import file with the columns and an example row."""
    return _csv(service.template_csv(session=db()), "mentors-template.csv")
