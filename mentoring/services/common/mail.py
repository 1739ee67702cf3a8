"""Email: through SMTP when MAIL_SMTP_HOST is set, else as .eml files in the outbox folder.

Emails say only what the reader needs ("your DBS check is due for renewal on ..."): never
DBS details, never a family's details. People sign in to see more.
"""

from __future__ import annotations

import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app
from notifications_python_client.errors import APIError as NotifyError
from notifications_python_client.notifications import NotificationsAPIClient
from requests import RequestException

from mentoring.exceptions import MailError
from mentoring.models import utcnow

__all__ = ["MailError", "build_message", "send_email"]


def _clean_header(value: str, name: str) -> str:
    if "\n" in value or "\r" in value:
        raise MailError(f"The email's {name} must be one line")
    return value.strip()


def build_message(*, to: str, subject: str, body: str, sender: str) -> EmailMessage:
    """Build a plain-text email."""
    message = EmailMessage()
    message["From"] = _clean_header(sender, "sender")
    message["To"] = _clean_header(to, "recipient")
    message["Subject"] = _clean_header(subject, "subject")
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)
    return message


def send_email(*, to: str, subject: str, body: str, strict: bool = False) -> None:
    """Send one plain-text email: SMTP if configured, else a file in the outbox folder.

    A failure to reach the SMTP server is logged and does not undo the caller's work; with
    ``strict=True`` it raises :class:`MailError` instead (the daily job counts failures).
    """
    config = current_app.config
    message = build_message(
        to=to, subject=subject, body=body, sender=config.get("MAIL_FROM", "mentor-match@localhost")
    )
    host = config.get("MAIL_SMTP_HOST")
    try:
        if config.get("NOTIFY_API_KEY"):
            _send_notify_email(to=message["To"], subject=message["Subject"], body=body)
        elif host:
            _send_smtp(message, host)
        else:
            _write_outbox(message, Path(config["MAIL_OUTBOX"]))
    except (MailError, OSError) as err:
        current_app.logger.error("email not sent", extra={"event": "email_failed"})
        if strict:
            raise MailError(str(err)) from err
        return
    current_app.logger.info("email sent", extra={"event": "email"})


def _notify_client() -> NotificationsAPIClient:
    config = current_app.config
    return NotificationsAPIClient(
        config["NOTIFY_API_KEY"], base_url=config["NOTIFY_BASE_URL"], timeout=20
    )


def _send_notify_email(*, to: str, subject: str, body: str) -> None:
    """Send through GOV.UK Notify: one email template whose subject and body are
    ``((subject))`` and ``((body))``, filled in here."""
    try:
        _notify_client().send_email_notification(
            email_address=to,
            template_id=current_app.config["NOTIFY_EMAIL_TEMPLATE_ID"],
            personalisation={"subject": subject, "body": body},
        )
    except (NotifyError, RequestException) as err:
        raise MailError("GOV.UK Notify did not accept the email") from err


def send_sms(*, to: str, body: str, strict: bool = False) -> bool:
    """Send a text message through GOV.UK Notify (template ``((body))``); return whether
    it went. Without Notify configured for texts nothing is sent."""
    config = current_app.config
    if not (config.get("NOTIFY_API_KEY") and config.get("NOTIFY_SMS_TEMPLATE_ID")):
        return False
    try:
        _notify_client().send_sms_notification(
            phone_number=to,
            template_id=config["NOTIFY_SMS_TEMPLATE_ID"],
            personalisation={"body": body},
        )
    except (NotifyError, RequestException) as err:
        current_app.logger.error("text message not sent", extra={"event": "sms_failed"})
        if strict:
            raise MailError("GOV.UK Notify did not accept the text message") from err
        return False
    current_app.logger.info("text message sent", extra={"event": "sms"})
    return True


def _send_smtp(message: EmailMessage, host: str) -> None:
    config = current_app.config
    port = int(config.get("MAIL_SMTP_PORT") or 587)
    context = ssl.create_default_context()
    try:
        if port == 465:  # implicit TLS
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=20, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=20)
        with smtp:
            if port != 465:
                smtp.ehlo()
                smtp.starttls(context=context)
                smtp.ehlo()
            user = config.get("MAIL_SMTP_USER")
            if user:
                smtp.login(user, config.get("MAIL_SMTP_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as err:
        raise MailError(f"Could not send email through {host}:{port}") from err


def _write_outbox(message: EmailMessage, outbox: Path) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")  # sorts in the order sent
    path = outbox / f"{stamp}-{secrets.token_hex(4)}.eml"
    path.write_bytes(message.as_bytes())
    return path
