"""Optional error reports to Sentry (``SENTRY_DSN``), with nothing personal in them.

Sentry gets the kind of error, where it happened (file, function, line) and the route;
never what a person typed or what we hold about families or mentors. So every event is
scrubbed before it leaves: no request body, query string, cookies or headers but a few
harmless ones; no local variables; exception messages (they can quote SQL parameters)
replaced by the exception's type; breadcrumbs (log lines, SQL) dropped; no user but the id.
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
from flask import Flask
from sentry_sdk.integrations.flask import FlaskIntegration

SAFE_HEADERS = frozenset({"User-Agent", "Accept", "Content-Type", "Content-Length"})


def scrub(event: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Remove everything from an event that could carry personal data."""
    request = event.get("request")
    if isinstance(request, dict):
        event["request"] = {
            "method": request.get("method"),
            "url": str(request.get("url", "")).split("?", 1)[0],
            "headers": {
                k: v for k, v in (request.get("headers") or {}).items() if k in SAFE_HEADERS
            },
        }
    for exception in (event.get("exception") or {}).get("values") or []:
        exception["value"] = exception.get("type", "Exception")
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
            frame.pop("pre_context", None)
            frame.pop("context_line", None)
            frame.pop("post_context", None)
    event.pop("breadcrumbs", None)
    event.pop("extra", None)
    if "logentry" in event:
        event["logentry"] = {"message": "(scrubbed)"}
    user = event.get("user")
    event["user"] = {"id": user.get("id")} if isinstance(user, dict) and user.get("id") else {}
    return event


def init_app(app: Flask) -> None:
    """Send errors to Sentry when SENTRY_DSN is set."""
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return
    sentry_sdk.init(
        dsn=dsn,
        integrations=[FlaskIntegration()],
        environment=app.config.get("ENV_NAME", "production"),
        include_local_variables=False,
        max_request_body_size="never",
        max_breadcrumbs=0,
        before_send=scrub,  # type: ignore[arg-type]
        traces_sample_rate=0,
    )
