"""Uploaded files between their check and their import.

An upload is kept in the instance folder for an hour, for the user who sent it: the file
itself and, beside it, what the check found (the preview the user confirms). Its token is
random; a token of another user, or an old one, finds nothing. The files never go into
the database or the jobs table, which hold identifiers only.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

UPLOAD_TTL_SECONDS = 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class Upload:
    """One kept file and its notes (owner, kind, the check's preview, the import's result)."""

    folder: Path
    token: str

    @property
    def _file(self) -> Path:
        return self.folder / f"{self.token}.upload"

    @property
    def _notes(self) -> Path:
        return self.folder / f"{self.token}.json"

    def content(self) -> bytes:
        return self._file.read_bytes()

    def notes(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self._notes.read_text())
        return data

    def note(self, **values: Any) -> None:
        """Add to the upload's notes (the check's preview, the import's result)."""
        _write(self._notes, json.dumps({**self.notes(), **values}).encode())

    def forget_file(self) -> None:
        """Drop the file once imported; the notes stay for the result page until they expire."""
        self._file.unlink(missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o600)


def _expire(folder: Path) -> None:
    now = time.time()
    for old in folder.glob("*.*"):
        if now - old.stat().st_mtime > UPLOAD_TTL_SECONDS:
            old.unlink(missing_ok=True)


def keep(*, folder: Path, user_id: int, kind: str, content: bytes) -> Upload:
    """Keep an uploaded file for one user and one kind of import; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    _expire(folder)
    upload = Upload(folder, secrets.token_urlsafe(16))
    _write(upload._file, content)
    _write(upload._notes, json.dumps({"user_id": user_id, "kind": kind}).encode())
    return upload


def find(*, folder: Path, token: str, user_id: int, kind: str) -> Upload | None:
    """The upload under a token, if it is this user's, of this kind, and fresh."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    upload = Upload(folder, token)
    path = upload._notes
    if not path.exists() or time.time() - path.stat().st_mtime > UPLOAD_TTL_SECONDS:
        return None
    notes = upload.notes()
    if notes.get("user_id") != user_id or notes.get("kind") != kind:
        return None
    return upload
