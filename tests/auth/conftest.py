"""Fixtures for the sign-in and account pages: the outbox, and a real OpenID Connect
provider for single sign-on."""

from collections.abc import Callable, Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.auth.oidc_provider import Provider, serve


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


SERVICE_URL = "http://mentor-match.test"


@pytest.fixture(scope="session")
def oidc_server() -> Iterator[Provider]:
    """The provider, serving on 127.0.0.1 in a thread for the whole test session."""
    provider = Provider(SERVICE_URL)
    with serve(provider):
        yield provider


@pytest.fixture
def oidc(oidc_server: Provider) -> Provider:
    """The provider, with nobody to sign in yet and nothing remembered from other tests."""
    oidc_server.reset()
    return oidc_server


@pytest.fixture
def to_callback(client) -> Callable[..., str]:  # type: ignore[no-untyped-def]
    """Go from "Sign in with your council account" through the provider (over real HTTP),
    and return the address the provider sends the browser back to (path and query)."""

    def _go(start: str = "/sign-in/council") -> str:
        started = client.get(start)
        assert started.status_code == 302, started.get_data(as_text=True)[:2000]
        answer = requests.get(started.headers["Location"], allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:2000]
        back = urlsplit(answer.headers["Location"])
        assert f"{back.scheme}://{back.netloc}" == SERVICE_URL
        return f"{back.path}?{back.query}"

    return _go


@pytest.fixture
def council_sign_in(client, to_callback):  # type: ignore[no-untyped-def]
    """Sign in with the council account: the response of the return from the provider."""

    def _sign_in(start: str = "/sign-in/council"):  # type: ignore[no-untyped-def]
        return client.get(to_callback(start))

    return _sign_in
