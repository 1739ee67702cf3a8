"""CSV imports as background jobs, the same way for families and for mentors.

1. The upload page keeps the file (`services.common.uploads`) and starts a `csv_check`
   job; its status page moves on to the preview when the check is done.
2. The preview shows the rows, their problems and the rows that look like duplicates.
   Nothing has been saved. Confirming starts a `csv_import` job.
3. The import job checks the file again and saves the valid rows in one unit of work,
   then its status page moves on to the result.

An importer names, for one kind, its check and its save, and the pages of its blueprint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlmodel import Session

from mentoring.exceptions import InvalidInput
from mentoring.jobs.registry import JobContext, Progress, job
from mentoring.models import User
from mentoring.services import families, mentors
from mentoring.services.common import uploads
from mentoring.services.common.notify import link
from mentoring.services.users import SignedInUser, to_signed_in


@dataclass(frozen=True)
class Importer:
    kind: str  # "families" or "mentors"
    noun: tuple[str, str]  # ("family", "families")
    endpoint: str  # the blueprint's upload page; "<endpoint>_preview" and "_done" follow
    back: str  # the list the pages lead back to
    check: Callable[[Session, SignedInUser, bytes, Progress], dict[str, Any]]
    save: Callable[[Session, SignedInUser, bytes, bool, Progress], list[str]]


IMPORTERS: dict[str, Importer] = {
    "families": Importer(
        "families",
        ("family", "families"),
        "families.import_families",
        "families.index",
        lambda s, u, c, p: families.check_upload(session=s, user=u, content=c, progress=p),
        lambda s, u, c, keep, p: families.import_upload(
            session=s, user=u, content=c, keep_duplicates=keep, progress=p
        ),
    ),
    "mentors": Importer(
        "mentors",
        ("mentor", "mentors"),
        "mentors.import_mentors",
        "mentors.board",
        lambda s, u, c, p: mentors.check_upload(session=s, content=c, progress=p),
        lambda s, u, c, keep, p: mentors.import_upload(
            session=s, content=c, actor_id=u.id, progress=p
        ),
    ),
}


def folder() -> Path:
    return Path(current_app.instance_path) / "uploads"


def _upload(context: JobContext) -> tuple[Importer, uploads.Upload, SignedInUser]:
    importer = IMPORTERS[context.params["kind"]]
    row = context.session.get(User, context.actor_id)
    user = to_signed_in(session=context.session, user=row) if row and row.is_enabled else None
    upload = uploads.find(
        folder=folder(),
        token=context.params["token"],
        user_id=int(context.actor_id or 0),
        kind=importer.kind,
    )
    if user is None or upload is None:
        raise InvalidInput("The file has expired: upload it again")
    return importer, upload, user


@job("csv_check", label="Checking a CSV file")
def csv_check(context: JobContext) -> dict[str, Any]:
    """Check an uploaded file into a preview (saves nothing)."""
    importer, upload, user = _upload(context)
    preview = importer.check(context.session, user, upload.content(), context.progress)
    upload.note(preview=preview)
    return {"url": link(f"{importer.endpoint}_preview", token=upload.token)}


@job("csv_import", label="Importing a CSV file")
def csv_import(context: JobContext) -> dict[str, Any]:
    """Import the valid rows of a checked file, in one unit of work."""
    importer, upload, user = _upload(context)
    keep = bool(context.params.get("keep_duplicates"))
    references = importer.save(context.session, user, upload.content(), keep, context.progress)
    upload.note(imported=references)
    upload.forget_file()
    return {"url": link(f"{importer.endpoint}_done", token=upload.token), "rows": len(references)}
