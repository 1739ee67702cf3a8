"""Error reports to Sentry carry nothing personal (mentoring/sentry.py)."""

import json

import sentry_sdk
from sentry_sdk.transport import Transport

from mentoring import create_app, sentry

SENTINEL = "Sentinel-Family-Zebedee-0420"


class Capture(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope.serialize().decode("utf-8", "replace"))


def test_scrub_removes_request_data_messages_and_variables():
    event = {
        "request": {
            "method": "POST",
            "url": f"https://x/families/1?name={SENTINEL}",
            "data": {"first_names": SENTINEL},
            "cookies": {"session": SENTINEL},
            "headers": {"User-Agent": "ua", "Cookie": SENTINEL},
        },
        "exception": {
            "values": [
                {
                    "type": "DataError",
                    "value": f"[parameters: {SENTINEL}]",
                    "stacktrace": {"frames": [{"vars": {"x": SENTINEL}, "context_line": SENTINEL}]},
                }
            ]
        },
        "breadcrumbs": {"values": [{"message": SENTINEL}]},
        "logentry": {"message": SENTINEL},
        "user": {"id": 7, "email": SENTINEL},
        "extra": {"x": SENTINEL},
    }
    assert SENTINEL not in json.dumps(sentry.scrub(event))
    assert event["exception"]["values"][0]["value"] == "DataError"
    assert event["user"] == {"id": 7}


def test_an_unhandled_error_reaches_sentry_without_what_was_typed(tmp_path, database_url):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-" + "x" * 32,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "WTF_CSRF_ENABLED": False,
            "SENTRY_DSN": "http://public@127.0.0.1:9/1",
        }
    )
    transport = Capture()
    sentry_sdk.get_client().transport = transport

    @app.route("/boom", methods=["POST"])
    @__import__("mentoring.security", fromlist=["public"]).public
    def boom():
        raise ValueError(f"could not save {SENTINEL}")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().post(f"/boom?q={SENTINEL}", data={"name": SENTINEL})
    assert response.status_code == 500
    sentry_sdk.flush()
    sent = "".join(transport.envelopes)
    assert "ValueError" in sent and SENTINEL not in sent
    sentry_sdk.init()  # switch Sentry off again for the other tests
    app.extensions["db_engine"].dispose()
