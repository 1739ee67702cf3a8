"""A small, real OpenID Connect provider for the single sign-on tests.

Built from Authlib's server side: `AuthorizationServer` with the authorization code grant,
the OpenID Connect extension (`OpenIDCode`, which adds the signed ID token) and PKCE
(`CodeChallenge`). It publishes discovery (``/.well-known/openid-configuration``) and
its keys (``/jwks``), and serves ``/authorize`` and ``/token``, keeping clients and codes
in memory. ``/authorize`` asks nobody: it signs in ``provider.identity`` at once (or
answers ``access_denied`` when that is None).

It runs on 127.0.0.1 on a free port in a thread (werkzeug's `make_server`), so Mentor
Match's client fetches discovery, the keys and the tokens over real HTTP, just as it
would from Microsoft Entra ID.

For the failure tests a test sets, before it starts:
- ``id_token_claims``: claims put over the ID token's own (a wrong ``nonce``, ``aud``,
  ``iss`` or ``exp``);
- ``signing_key``: a key to sign with that is not the one published;
- ``token_status``: an HTTP status for the token endpoint to fail with.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, Response, jsonify, request
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

CLIENT_ID = "mentor-match-test"
CLIENT_SECRET = "test-client-secret-" + "s" * 20


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (for an unreachable provider)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class Client:
    """The one client registered with the provider: Mentor Match."""

    client_id: str
    client_secret: str
    redirect_uri: str

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_allowed_scope(self, scope: str) -> str:
        allowed = {"openid", "email", "profile"}
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(self.client_secret, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    """An authorization code, with what the token request must match."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    identity: dict[str, Any]
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class Provider:
    """The provider's settings and memory; one per test session, reset for each test."""

    def __init__(self, service_url: str) -> None:
        self.issuer = ""  # set by `serve`, once the port is known
        self.service_url = service_url
        self.client = Client(CLIENT_ID, CLIENT_SECRET, service_url + "/sign-in/council/callback")
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        # Another key under the same name: what an impostor would sign with.
        self.impostor_key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.codes: dict[str, Code] = {}
        self.reset()

    def reset(self) -> None:
        self.identity: dict[str, Any] | None = None
        self.id_token_claims: dict[str, Any] = {}
        self.signing_key: RSAKey = self.key
        self.token_status: int | None = None
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.codes.clear()

    def sign_in_as(self, email: str, *, email_verified: bool | None = True, **claims: Any) -> None:
        """The identity the provider signs in next (``email_verified`` None: not sent)."""
        self.identity = {"sub": "sub-" + email.lower(), "email": email, "name": "Test Person"}
        if email_verified is not None:
            self.identity["email_verified"] = email_verified
        self.identity.update(claims)

    def settings(self) -> dict[str, Any]:
        """Mentor Match's settings for this provider."""
        return {
            "SERVICE_URL": self.service_url,
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": self.client.client_id,
            "OIDC_CLIENT_SECRET": self.client.client_secret,
        }


def _grants(provider: Provider) -> tuple[type[AuthorizationCodeGrant], OpenIDCode]:
    class CodeGrant(AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code: str, request: Any) -> None:
            data = request.payload.data
            provider.codes[code] = Code(
                code=code,
                client_id=request.client.client_id,
                redirect_uri=request.payload.redirect_uri,
                scope=request.scope,
                identity=request.user,
                nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
            )

        def query_authorization_code(self, code: str, client: Client) -> Code | None:
            found = provider.codes.get(code)
            return found if found and found.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code: Code) -> None:
            provider.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
            return authorization_code.identity

    class OpenID(OpenIDCode):
        def exists_nonce(self, nonce: str, request: Any) -> bool:
            return any(c.nonce == nonce for c in provider.codes.values())

        def resolve_client_private_key(self, client: Client) -> RSAKey:
            return provider.signing_key

        def get_client_claims(self, client: Client) -> dict[str, Any]:
            return {"iss": provider.issuer, "aud": [client.client_id]}

        def get_encode_header(self, client: Client) -> dict[str, str]:
            return {"alg": "RS256", "kid": "test-key"}

        def generate_user_info(self, user: dict[str, Any], scope: str) -> UserInfo:
            # The identity's claims, then any a test puts over the token's own.
            return UserInfo({**user, **provider.id_token_claims})

    return CodeGrant, OpenID(require_nonce=True)


def provider_app(provider: Provider) -> Flask:
    """The provider's Flask app."""
    app = Flask("test_oidc_provider")
    server = AuthorizationServer(
        app,
        query_client=lambda client_id: (
            provider.client if client_id == provider.client.client_id else None
        ),
        save_token=lambda token, request: None,
    )
    grant, openid = _grants(provider)
    server.register_grant(grant, [openid, CodeChallenge(required=True)])

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Response:
        return jsonify(
            issuer=provider.issuer,
            authorization_endpoint=provider.issuer + "/authorize",
            token_endpoint=provider.issuer + "/token",
            jwks_uri=provider.issuer + "/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            scopes_supported=["openid", "email", "profile"],
            token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
            code_challenge_methods_supported=["S256"],
            claims_supported=["sub", "email", "email_verified", "name"],
        )

    @app.get("/jwks")
    def jwks() -> Response:
        return jsonify(KeySet([provider.key]).as_dict(private=False))

    @app.get("/authorize")
    def authorize() -> Any:
        provider.authorize_requests.append(request.args.to_dict())
        try:
            grant = server.get_consent_grant(end_user=provider.identity)
        except OAuth2Error as error:
            return server.handle_error_response(None, error)
        return server.create_authorization_response(grant_user=provider.identity, grant=grant)

    @app.post("/token")
    def token() -> Any:
        provider.token_requests.append(request.form.to_dict())
        if provider.token_status:
            return Response("The provider is not well", status=provider.token_status)
        return server.create_token_response()

    return app


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Keep the test output free of the provider's access log."""


@contextmanager
def serve(provider: Provider) -> Iterator[BaseWSGIServer]:
    """Serve the provider on a free port in a thread, until the generator is closed."""
    http = make_server("127.0.0.1", 0, provider_app(provider), request_handler=_Quiet)
    provider.issuer = f"http://127.0.0.1:{http.server_port}"
    thread = threading.Thread(target=http.serve_forever, name="oidc-provider", daemon=True)
    thread.start()
    try:
        yield http
    finally:
        http.shutdown()
        thread.join(timeout=5)
        http.server_close()
