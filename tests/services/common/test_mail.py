"""Email: the outbox folder in development, SMTP with STARTTLS when configured."""

from __future__ import annotations

import smtplib
from email import message_from_bytes
from pathlib import Path

import pytest

from mentoring.exceptions import MailError
from mentoring.services.common import mail
from mentoring.services.common.mail import send_email


def test_without_smtp_emails_are_written_to_the_outbox(app):
    with app.app_context():
        send_email(to="jo@example.org", subject="Your DBS check", body="Due on 3 March 2026.\n")
    files = list(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))
    assert len(files) == 1
    message = message_from_bytes(files[0].read_bytes())
    assert message["To"] == "jo@example.org"
    assert message["Subject"] == "Your DBS check"
    assert message["From"] == app.config["MAIL_FROM"]
    assert "Due on 3 March 2026." in message.get_payload()


def test_the_outbox_defaults_to_the_instance_folder():
    from mentoring.config import load_config

    config = load_config(Path("/srv/mm/instance"), {"SECRET_KEY": "k" * 40})
    assert config["MAIL_OUTBOX"] == "/srv/mm/instance/outbox"


class FakeSMTP:
    """Stands in for smtplib.SMTP and records what was done."""

    instances: list[FakeSMTP] = []
    fail = False

    def __init__(self, host, port, timeout=None):
        self.host, self.port, self.calls = host, port, []
        FakeSMTP.instances.append(self)
        if FakeSMTP.fail:
            raise ConnectionRefusedError("no server")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.calls.append("quit")

    def ehlo(self):
        self.calls.append("ehlo")

    def starttls(self, context=None):
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.calls.append(("send", message["To"], message["Subject"]))


@pytest.fixture
def fake_smtp(monkeypatch):
    FakeSMTP.instances, FakeSMTP.fail = [], False
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


def test_smtp_is_used_with_starttls_and_login_when_configured(app, fake_smtp):
    app.config.update(
        MAIL_SMTP_HOST="smtp.example.org",
        MAIL_SMTP_PORT=587,
        MAIL_SMTP_USER="mentor-match",
        MAIL_SMTP_PASSWORD="s3cret-password",
    )
    with app.app_context():
        send_email(to="jo@example.org", subject="Hello", body="Body")
    (smtp,) = fake_smtp.instances
    assert (smtp.host, smtp.port) == ("smtp.example.org", 587)
    assert smtp.calls == [
        "ehlo",
        "starttls",
        "ehlo",
        ("login", "mentor-match", "s3cret-password"),
        ("send", "jo@example.org", "Hello"),
        "quit",
    ]
    assert not Path(app.config["MAIL_OUTBOX"]).exists()


def test_smtp_without_a_user_does_not_log_in(app, fake_smtp):
    app.config.update(MAIL_SMTP_HOST="smtp.example.org", MAIL_SMTP_USER=None)
    with app.app_context():
        send_email(to="jo@example.org", subject="Hello", body="Body")
    assert not any(isinstance(c, tuple) and c[0] == "login" for c in fake_smtp.instances[0].calls)


def test_an_unreachable_smtp_server_is_logged_unless_strict(app, fake_smtp, caplog):
    fake_smtp.fail = True
    app.config.update(MAIL_SMTP_HOST="smtp.example.org")
    with app.app_context():
        send_email(to="jo@example.org", subject="Hello", body="Body")
        with pytest.raises(MailError):
            send_email(to="jo@example.org", subject="Hello", body="Body", strict=True)
    assert "email not sent" in caplog.text


def test_a_header_with_a_line_break_is_refused():
    with pytest.raises(MailError):
        mail.build_message(
            to="jo@example.org", subject="Hi\nBcc: someone@example.org", body="", sender="a@b.c"
        )
