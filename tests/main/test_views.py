"""Home pages by role, and taking messages off them."""

from __future__ import annotations

from sqlmodel import select

from mentoring.models import Notification, Role
from tests.factories import ready_family, refresh, vetted_mentor


def test_coordinator_home_shows_their_districts_families(client, db, world, make_user, sign_in):
    ready_family(db, world.dartford)
    ready_family(db, world.maidstone)
    db.commit()
    sign_in(make_user(Role.COORDINATOR, districts=[world.dartford]))
    html = client.get("/").get_data(as_text=True)
    summary = html.split('data-testid="district-summary"')[1].split("</table>")[0]
    assert "Dartford" in summary and "Maidstone" not in summary
    assert "Your districts" in html


def test_coordinator_without_districts_sees_the_empty_state(client, make_user, sign_in):
    sign_in(make_user(Role.COORDINATOR))
    assert 'data-testid="empty-state"' in client.get("/").get_data(as_text=True)


def test_provider_home_shows_the_pipeline(client, db, world, make_user, sign_in):
    vetted_mentor(db, world.dartford)
    db.commit()
    sign_in(make_user(Role.PROVIDER))
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="stage-ready"' in html
    assert "Mentor recruitment" in html


def test_a_user_marks_their_own_messages_read(client, db, world, make_user, sign_in):
    user = make_user(Role.PROVIDER)
    other = make_user(Role.PROVIDER)
    db.add_all(
        [
            Notification(user_id=user.id, kind="x", message="First for you"),
            Notification(user_id=user.id, kind="x", message="Second for you"),
            Notification(user_id=other.id, kind="x", message="Not for you"),
        ]
    )
    db.commit()
    sign_in(user)
    assert "First for you" in client.get("/").get_data(as_text=True)
    response = client.post("/notifications/read", follow_redirects=True)
    assert "Messages marked as read." in response.get_data(as_text=True)
    refresh(db)
    unread = db.exec(select(Notification).where(Notification.read_at == None)).all()  # noqa: E711
    assert [n.message for n in unread] == ["Not for you"]
    assert client.post(f"/notifications/{unread[0].id}/read").status_code == 404
