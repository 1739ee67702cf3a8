"""The pages of a CSV import, shared by the families and mentors blueprints (see `imports`)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from mentoring.db import get_session
from mentoring.exceptions import NotFound
from mentoring.jobs.imports import IMPORTERS, folder
from mentoring.jobs.pages import redirect_to_job
from mentoring.jobs.runner import start
from mentoring.services.common import uploads

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def file_problem(upload: Any) -> tuple[bytes, str | None]:
    """Read an uploaded file; return its content and what is wrong with it, if anything."""
    content: bytes = upload.read(MAX_UPLOAD_BYTES + 1) if upload else b""
    if not upload or not upload.filename:
        return content, "Select a CSV file"
    if len(content) > MAX_UPLOAD_BYTES:
        return content, "The file must be smaller than 2 MB: split it"
    if not upload.filename.lower().endswith(".csv"):
        return content, "The file must be a CSV file"
    if not content.strip():
        return content, "The file is empty"
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content, "The file must be saved as UTF-8 CSV"
    return content, None


def start_check(kind: str, content: bytes) -> ResponseReturnValue:
    """Keep the file and start checking it; to the job's page (or the preview, if done)."""
    upload = uploads.keep(folder=folder(), user_id=current_user.id, kind=kind, content=content)
    row = start(
        get_session(),
        "csv_check",
        params={"kind": kind, "token": upload.token},
        actor_id=current_user.id,
    )
    return redirect_to_job(row)


def _find(kind: str, token: str) -> uploads.Upload:
    upload = uploads.find(folder=folder(), token=token, user_id=current_user.id, kind=kind)
    if upload is None:
        raise NotFound("no such upload")
    return upload


def preview(kind: str, token: str, *, confirm: Any) -> ResponseReturnValue:
    """The checked file: its rows, problems and duplicates; confirm starts the import."""
    importer = IMPORTERS[kind]
    upload = _find(kind, token)
    notes = upload.notes()
    if "imported" in notes:
        return redirect(url_for(f"{importer.endpoint}_done", token=token))
    if "preview" not in notes:
        flash("The file is still being checked.", "info")
        return redirect(url_for(importer.endpoint))
    report = notes["preview"]
    if confirm.validate_on_submit() and report["importable"] and not report["file_problems"]:
        row = start(
            get_session(),
            "csv_import",
            params={
                "kind": kind,
                "token": token,
                "keep_duplicates": bool(confirm.keep_duplicates.data),
            },
            actor_id=current_user.id,
            lock_key=f"csv_import:{token}",
            busy_message="This file is being imported already.",
        )
        return redirect_to_job(row)
    return render_template(
        "imports/preview.html", importer=importer, report=report, confirm=confirm, token=token
    )


def done(kind: str, token: str) -> ResponseReturnValue:
    """What an import saved."""
    importer = IMPORTERS[kind]
    notes = _find(kind, token).notes()
    if "imported" not in notes:
        return redirect(url_for(f"{importer.endpoint}_preview", token=token))
    return render_template(
        "imports/done.html",
        importer=importer,
        imported=notes["imported"],
        report=notes.get("preview", {}),
    )
