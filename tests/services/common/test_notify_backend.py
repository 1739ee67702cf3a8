"""Email and texts through GOV.UK Notify, tested at the HTTP layer against Notify's REST API
(`responses` answers as Notify does; the real client makes the requests)."""

import json
import uuid

import jwt
import pytest
import responses

from mentoring.exceptions import MailError
from mentoring.services.common.mail import send_email, send_sms

SERVICE_ID, SECRET = str(uuid.uuid4()), str(uuid.uuid4())
BASE = "https://notify.example.test"


@pytest.fixture
def notify_app(app):
    app.config.update(
        NOTIFY_API_KEY=f"mentor_match_test-{SERVICE_ID}-{SECRET}",
        NOTIFY_BASE_URL=BASE,
        NOTIFY_EMAIL_TEMPLATE_ID="11111111-1111-1111-1111-111111111111",
        NOTIFY_SMS_TEMPLATE_ID="22222222-2222-2222-2222-222222222222",
    )
    return app


def _sent(call) -> dict:
    token = call.request.headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["iss"] == SERVICE_ID
    return json.loads(call.request.body)


@responses.activate
def test_email_goes_through_notify_with_subject_and_body_as_personalisation(notify_app):
    responses.post(f"{BASE}/v2/notifications/email", json={"id": str(uuid.uuid4())}, status=201)
    with notify_app.app_context():
        send_email(to="mentor@example.org", subject="Hello", body="A line\n", strict=True)
    [call] = responses.calls
    payload = _sent(call)
    assert payload["email_address"] == "mentor@example.org"
    assert payload["template_id"] == "11111111-1111-1111-1111-111111111111"
    assert payload["personalisation"] == {"subject": "Hello", "body": "A line\n"}


@responses.activate
def test_notify_refusing_an_email_is_a_mail_error_for_the_retries(notify_app):
    responses.post(
        f"{BASE}/v2/notifications/email",
        json={
            "errors": [{"error": "BadRequestError", "message": "Can't send to this recipient"}],
            "status_code": 400,
        },
        status=400,
    )
    with notify_app.app_context(), pytest.raises(MailError, match="Notify"):
        send_email(to="x@example.org", subject="S", body="B", strict=True)


@responses.activate
def test_a_text_goes_through_notify_only_when_texts_are_set_up(notify_app):
    responses.post(f"{BASE}/v2/notifications/sms", json={"id": str(uuid.uuid4())}, status=201)
    with notify_app.app_context():
        assert send_sms(to="07700900123", body="Your DBS check is due", strict=True)
        notify_app.config["NOTIFY_SMS_TEMPLATE_ID"] = None
        assert not send_sms(to="07700900123", body="Not sent")
    [call] = responses.calls
    assert _sent(call) == {
        "phone_number": "07700900123",
        "template_id": "22222222-2222-2222-2222-222222222222",
        "personalisation": {"body": "Your DBS check is due"},
    }
