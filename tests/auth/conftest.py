"""Fixtures for the sign-in and account pages."""

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


def link_in(body: str, marker: str) -> str:
    """The site-relative path of the first link in an email containing ``marker``."""
    url = next(word for word in body.split() if marker in word)
    return url.split("127.0.0.1:5000", 1)[1]
