"""Fixtures for the accounts services: read emails from the outbox folder."""

from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest


@pytest.fixture
def outbox(app):  # type: ignore[no-untyped-def]
    """The emails written so far: a function returning [(to, subject, body)], oldest first."""

    def read() -> list[tuple[str, str, str]]:
        folder = Path(app.config["MAIL_OUTBOX"])
        out = []
        for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            out.append((message["To"], message["Subject"], message.get_content()))
        return out

    return read
