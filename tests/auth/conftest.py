"""Fixtures for the sign-in pages: a real OpenID Connect provider for single sign-on."""

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
import requests

from tests.auth.oidc_provider import Provider, serve

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
