"""Home-page messages and emails after commit (services/common/notify.py)."""

import pytest
from sqlmodel import select

from mentoring.exceptions import MailError
from mentoring.models import Notification, Role
from mentoring.services.common import notify as notify_module
from mentoring.services.common.notify import (
    Outbox,
    coordinators_by_district,
    coordinators_of,
    notify,
    render_email,
)


def test_notify_adds_one_message_per_user_and_skips_unsaved_ids(db, make_user):
    user = make_user(Role.PROVIDER)
    notify(db, [user.id, user.id, None], kind="test", message="Hello")
    db.commit()
    rows = db.exec(select(Notification).where(Notification.user_id == user.id)).all()
    assert [r.message for r in rows] == ["Hello"]


def test_coordinators_of_a_district_are_the_enabled_ones(db, world, make_user):
    on = make_user(Role.COORDINATOR, districts=[world.dartford])
    off = make_user(Role.COORDINATOR, districts=[world.dartford])
    off.is_enabled = False
    db.add(off)
    db.commit()
    assert [u.id for u in coordinators_of(db, world.dartford.id)] == [on.id]
    everyone = coordinators_by_district(db, {world.dartford.id}, enabled_only=False)
    assert sorted(u.id for u in everyone[world.dartford.id]) == sorted([on.id, off.id])
    assert coordinators_of(db, None) == []


def test_email_templates_give_a_subject_line_and_a_body(app):
    with app.app_context():
        subject, body = render_email("offer", first_name="Sam")
    assert subject == "Mentor Match: a family has been offered to you"
    assert body.startswith("Hello Sam,\n\nA coordinator has offered you a family")
    assert body.endswith("\n") and "Subject:" not in body


def test_outbox_sends_only_when_asked_and_reports_failed_keys(app, monkeypatch):
    sent = []

    def fake_send(*, to, subject, body, strict=False):
        if to == "broken@example.org":
            raise MailError("no route")
        sent.append((to, subject))

    monkeypatch.setattr(notify_module, "send_email", fake_send)
    with app.app_context():
        outbox = Outbox()
        outbox.add("a@example.org", "offer", first_name="A")
        outbox.add("broken@example.org", "offer", key=("reminder", 1), first_name="B")
        outbox.add(None, "offer", first_name="Nobody")
        assert sent == []
        count, failed = outbox.send(strict=True)
    assert count == 1 and failed == [("reminder", 1)]
    assert sent == [("a@example.org", "Mentor Match: a family has been offered to you")]
    assert outbox.emails == []


def test_a_template_without_a_subject_line_is_refused(app, tmp_path):
    app.jinja_loader.loaders[0].searchpath.insert(0, str(tmp_path))
    (tmp_path / "email").mkdir()
    (tmp_path / "email" / "bad.txt").write_text("Hello\n")
    with app.app_context(), pytest.raises(ValueError, match="Subject"):
        render_email("bad")
