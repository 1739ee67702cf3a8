"""The one path for telling people: messages on the home page, and emails after commit.

`notify` adds home-page messages inside the caller's unit of work. Emails wait in an
`Outbox` and go only once the change that caused them has committed (`Outbox.send`), so
a rolled-back change never emails anyone. Email bodies are templates in
`templates/email/` (plain text, first line ``Subject: ...``); they never hold a family's
details or DBS information: people sign in to see more.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlmodel import Session, col, select

from mentoring.exceptions import MailError
from mentoring.models import CoordinatorDistrict, Notification, Role, User
from mentoring.services.common.mail import send_email, send_sms


def notify(
    session: Session,
    user_ids: Iterable[int | None],
    *,
    kind: str,
    message: str,
    link: str = "",
    urgent: bool = False,
) -> None:
    """Add a home-page message for each user (once each), in the caller's transaction."""
    for user_id in sorted({u for u in user_ids if u is not None}):
        session.add(
            Notification(
                user_id=user_id, kind=kind, message=message[:500], link=link, urgent=urgent
            )
        )


def coordinators_by_district(
    session: Session, district_ids: Collection[int], *, enabled_only: bool = True
) -> dict[int, list[User]]:
    """Return the coordinators of each district (enabled ones only, unless asked)."""
    if not district_ids:
        return {}
    query = (
        select(CoordinatorDistrict.district_id, User)
        .join(User, col(User.id) == CoordinatorDistrict.user_id)
        .where(col(CoordinatorDistrict.district_id).in_(sorted(district_ids)))
        .order_by(col(User.id))
    )
    if enabled_only:
        query = query.where(col(User.is_enabled).is_(True))
    out: dict[int, list[User]] = defaultdict(list)
    for district_id, user in session.exec(query).all():
        out[district_id].append(user)
    return dict(out)


def coordinators_of(session: Session, district_id: int | None) -> list[User]:
    """Return the enabled coordinators of a district."""
    if district_id is None:
        return []
    return coordinators_by_district(session, {district_id}).get(district_id, [])


def users_of_role(session: Session, role: Role) -> list[User]:
    """Return the enabled users of a role."""
    return list(
        session.exec(
            select(User)
            .where(User.role == role.value, col(User.is_enabled).is_(True))
            .order_by(col(User.id))
        ).all()
    )


def mentor_user(session: Session, mentor_id: int) -> User | None:
    """Return the account linked to a mentor record, if there is one."""
    return session.exec(select(User).where(User.mentor_id == mentor_id)).first()


def link(endpoint: str, **values: Any) -> str:
    """Build a site-relative link for a message (outside a request too), or '' if none."""
    try:
        return current_app.url_map.bind("localhost").build(endpoint, values)
    except Exception:  # noqa: BLE001 - the page may not exist in this installation
        return ""


def service_link(endpoint: str, **values: Any) -> str:
    """An absolute link for an email, on the configured ``SERVICE_URL``.

    Never built from the request's Host header, which a sender of a request can forge.
    """
    base: str = current_app.config["SERVICE_URL"]
    return base + (link(endpoint, **values) or "/")


def render_email(template: str, **context: Any) -> tuple[str, str]:
    """Render `templates/email/<template>.txt`; return (subject, body)."""
    text = current_app.jinja_env.get_template(f"email/{template}.txt").render(**context).lstrip()
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"email/{template}.txt must start with 'Subject: '")
    return first.removeprefix("Subject:").strip(), body.strip("\n") + "\n"


def render_text(template: str, **context: Any) -> str:
    """Render a text message, `templates/sms/<template>.txt` (short: no family details)."""
    body: str = current_app.jinja_env.get_template(f"sms/{template}.txt").render(**context)
    return " ".join(body.split())


@dataclass
class Outbox:
    """Emails (and text messages) to send once the transaction that caused them has
    committed."""

    emails: list[tuple[str, str, str, Hashable | None]] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)

    def add_text(self, to: str | None, template: str, **context: Any) -> None:
        """Queue a text message (sent only where GOV.UK Notify is set up for texts)."""
        if to:
            self.texts.append((to, render_text(template, **context)))

    def add(
        self, to: str | None, template: str, *, key: Hashable | None = None, **context: Any
    ) -> None:
        """Queue an email from a template; ``key`` comes back from `send` if it fails."""
        if not to:
            return
        subject, body = render_email(template, **context)
        self.emails.append((to, subject, body, key))

    def send(self, *, strict: bool = False) -> tuple[int, list[Hashable | None]]:
        """Send every email; return how many went, and a key (or None) for each failure.

        Without ``strict`` each email becomes a background job where jobs are set up
        (``mail_dispatch``: retried with backoff, a final failure shown to administrators),
        else a failure is logged by the transport; the change that caused it stands. With
        ``strict`` it is sent now and each failure gives back its key (the daily job
        forgets those reminders so tomorrow tries again).
        """
        sent, failed = 0, list[Hashable | None]()
        if self.texts:
            self._send_texts()
        if not self.emails:
            return sent, failed
        dispatch = None if strict else current_app.extensions.get("mail_dispatch")
        for to, subject, body, key in self.emails:
            try:
                if dispatch is not None:
                    try:
                        dispatch(to=to, subject=subject, body=body)
                    except Exception:  # noqa: BLE001 - no job queue: send it now instead
                        send_email(to=to, subject=subject, body=body)
                else:
                    send_email(to=to, subject=subject, body=body, strict=strict)
            except MailError:
                failed.append(key)
            else:
                sent += 1
        self.emails.clear()
        return sent, failed

    def _send_texts(self) -> None:
        dispatch = current_app.extensions.get("text_dispatch")
        for to, body in self.texts:
            if dispatch is not None:
                dispatch(to=to, body=body)
            else:
                send_sms(to=to, body=body)
        self.texts.clear()

    def send_later(self) -> None:
        """Send every email in the background, so the caller's answer does not wait for
        the mail server (and its timing says nothing). Tests send at once."""
        if not self.emails:
            return
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        if app.config.get("TESTING"):
            self.send()
            return
        pending = Outbox(list(self.emails))
        self.emails.clear()

        def run() -> None:
            with app.app_context():
                pending.send()

        threading.Thread(target=run, name="outbox", daemon=True).start()
