"""Logs never carry what a person typed or what we hold about them (mentoring/logs.py)."""

import io
import logging

import sqlalchemy as sa

from mentoring.db import get_session
from mentoring.logs import JsonFormatter
from mentoring.security import public

SENTINEL = "Sentinel-Child-Name-Yolanda-7731"


def test_a_database_error_is_logged_without_its_parameters_or_the_form(app, client, world):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    app.logger.addHandler(handler)

    @app.route("/explode", methods=["POST"])
    @public
    def explode():  # a duplicate district code: the error's message quotes the parameters
        get_session().execute(
            sa.text("INSERT INTO district (code, name, next_family_number) VALUES (:c, :n, 1)"),
            {"c": "DAR", "n": SENTINEL},
        )
        return "never"

    response = client.post(f"/explode?who={SENTINEL}", data={"first_names": SENTINEL})
    assert response.status_code == 500
    assert SENTINEL not in response.get_data(as_text=True)
    logged = stream.getvalue()
    app.logger.removeHandler(handler)
    assert "IntegrityError" in logged and "unhandled error" in logged
    assert "explode" in logged  # where it happened is kept
    assert SENTINEL not in logged


def test_an_extra_field_not_on_the_allow_list_is_dropped(app):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    app.logger.addHandler(handler)
    app.logger.warning("something", extra={"event": "x", "family_name": SENTINEL})
    app.logger.removeHandler(handler)
    assert SENTINEL not in stream.getvalue() and '"event": "x"' in stream.getvalue()
