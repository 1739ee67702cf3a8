"""Flask extensions, created unbound and initialised in the factory."""

from authlib.integrations.flask_client import OAuth
from flask import Flask
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers

login_manager = LoginManager()
csrf = CSRFProtect()
wtforms_helpers = WTFormsHelpers()
oauth = OAuth()

# The council's identity provider (single sign-on), as Authlib names it and where the
# app keeps its client.
COUNCIL = "council"
COUNCIL_CLIENT = "council_sign_in"
# Seconds to wait for the identity provider (discovery, keys, the token exchange).
PROVIDER_TIMEOUT = 10


def register_council_client(app: Flask) -> None:
    """Register the OpenID Connect client for council sign-in (``OIDC_*`` settings).

    Authorization code flow with PKCE (S256); Authlib adds the state and the nonce and
    checks the ID token. Authlib keeps one client per name for the process, while the
    factory may make several apps (the tests do): each app keeps the client made from its
    own settings in ``app.extensions``.
    """
    config = app.config
    oauth.init_app(app)
    oauth._clients.pop(COUNCIL, None)  # a client made for an earlier app
    secret = config.get("OIDC_CLIENT_SECRET")
    app.extensions[COUNCIL_CLIENT] = oauth.register(
        COUNCIL,
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=secret,
        server_metadata_url=config["OIDC_ISSUER"] + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": "openid email profile",
            "code_challenge_method": "S256",
            # Without a secret, a public client: PKCE alone proves who asks for the token.
            "token_endpoint_auth_method": "client_secret_basic" if secret else "none",
            "default_timeout": PROVIDER_TIMEOUT,
        },
    )
