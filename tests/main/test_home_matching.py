"""Matching in the service: runs, approval, the mentor's side, monitoring and closure."""

from mentoring.models import (
    Notification,
    Role,
)
from tests.factories import active_match as _active_match
from tests.factories import ready_family, refresh


def test_home_waiting_count_agrees_with_the_waiting_list(
    client, sign_in, db, world, app, coordinator
):
    import re

    ready_family(db, world.dartford)
    ready_family(db, world.dartford)
    ready_family(db, world.dartford, consent=False)  # open, but not ready: not waiting
    _active_match(app, db, world, coordinator)  # ready, with a mentor: not waiting
    sign_in(coordinator)
    home = client.get("/").get_data(as_text=True)
    row = re.search(r"Dartford</a>\s*</th>(.*?)</tr>", home, re.S).group(1)
    cells = [int(c) for c in re.findall(r">\s*(\d+)\s*<", row)]
    assert cells == [4, 1, 2, 1]  # open families, with a mentor, waiting, not ready
    waiting = client.get("/families/?mentor=waiting").get_data(as_text=True)
    assert len(set(re.findall(r"DAR-\d{4}", waiting))) == 2


def test_messages_can_be_marked_read_by_their_owner_only(
    client, sign_in, db, world, app, make_user, coordinator
):
    mine = Notification(user_id=coordinator.id, kind="handover", message="Family needs you")
    other_user = make_user(Role.COORDINATOR, districts=[world.maidstone])
    theirs = Notification(user_id=other_user.id, kind="handover", message="Not for you")
    db.add_all([mine, theirs])
    db.commit()
    sign_in(coordinator)
    assert "Family needs you" in client.get("/").get_data(as_text=True)
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert client.post(f"/notifications/{mine.id}/read").status_code == 302
    assert "Family needs you" not in client.get("/").get_data(as_text=True)
    refresh(db)
    assert db.get(Notification, theirs.id).read_at is None
    sign_in(other_user)
    client.post("/notifications/read")
    refresh(db)
    assert db.get(Notification, theirs.id).read_at is not None
