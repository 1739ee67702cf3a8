"""Error pages in the GOV.UK style; never a traceback."""

from __future__ import annotations

from flask import Flask, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError

from mentoring.exceptions import Conflict, NotFound, Unavailable

TITLES = {
    400: (
        "Sorry, there is a problem with your request",
        "Go back, check what you entered and try again.",
    ),
    403: (
        "You do not have permission to see this page",
        "If you think you should, ask an administrator.",
    ),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. "
        "If you pasted it, check you copied the entire address.",
    ),
    405: ("Sorry, that action is not allowed here", "Go back and try again."),
    409: ("Someone else changed this at the same time", "Go back, reload the page and try again."),
    413: ("The file or form you sent is too large", "Send a smaller file."),
    429: ("Too many requests", "Wait a few minutes and try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
    503: ("Sorry, there is a problem with the service", "Try again later."),
}


def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
    """Render the error page for a status, with an optional explanation."""
    title, body = TITLES.get(code, TITLES[500])
    page = render_template("errors/error.html", code=code, title=title, body=detail or body)
    return page, code


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_err: CSRFError) -> ResponseReturnValue:
        return render_error(
            400, "The form expired or was sent from another page. Go back, reload it and try again."
        )

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> ResponseReturnValue:
        code = err.code or 500
        if code in (301, 302, 303, 307, 308):
            return err
        return render_error(code)

    # A service's domain errors that no view turned into a message beside a field.
    @app.errorhandler(NotFound)
    def _not_found(_err: NotFound) -> ResponseReturnValue:
        return render_error(404)

    @app.errorhandler(Unavailable)
    def _unavailable(err: Unavailable) -> ResponseReturnValue:
        return render_error(503, err.message or None)

    @app.errorhandler(Conflict)
    def _conflict(err: Conflict) -> ResponseReturnValue:
        return render_error(409, err.message or None)

    # The database is down or unreachable: "Sorry, there is a problem", 503, and the pool
    # reconnects by itself (pre-ping) once it is back.
    @app.errorhandler(sa_exc.OperationalError)
    @app.errorhandler(sa_exc.InterfaceError)
    def _database_down(_err: Exception) -> ResponseReturnValue:
        current_app.logger.error("database unavailable", extra={"event": "database_down"})
        return render_error(503)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> ResponseReturnValue:
        if isinstance(err, HTTPException):
            return _http(err)
        current_app.logger.exception("unhandled error", extra={"event": "error"})
        return render_error(InternalServerError.code)
