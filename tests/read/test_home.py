"""The home pages' read models: messages, the provider's pipeline, districts' families."""

from __future__ import annotations

from datetime import timedelta

from mentoring.models import Engagement, MentorStatus, Notification, PipelineStage, Role, utcnow
from mentoring.read import home
from tests.factories import ready_family, vetted_mentor


def test_messages_are_the_users_unread_ones_urgent_first_then_newest(db, world, make_user):
    user = make_user(Role.COORDINATOR, districts=[world.dartford])
    other = make_user(Role.COORDINATOR, districts=[world.maidstone])
    now = utcnow()
    db.add_all(
        [
            Notification(user_id=user.id, kind="x", message="old", created_at=now - timedelta(2)),
            Notification(user_id=user.id, kind="x", message="new", created_at=now),
            Notification(
                user_id=user.id,
                kind="x",
                message="urgent",
                urgent=True,
                created_at=now - timedelta(5),
            ),
            Notification(user_id=user.id, kind="x", message="read", read_at=now),
            Notification(user_id=other.id, kind="x", message="theirs"),
        ]
    )
    db.commit()
    shown = home.messages(session=db, user_id=user.id)
    assert [m.message for m in shown] == ["urgent", "new", "old"]


def test_messages_show_at_most_twenty(db, world, make_user):
    user = make_user(Role.PROVIDER)
    db.add_all(Notification(user_id=user.id, kind="x", message=f"m{n}") for n in range(25))
    db.commit()
    assert len(home.messages(session=db, user_id=user.id)) == home.MESSAGES_SHOWN == 20


def test_provider_home_counts_active_volunteers_by_stage(db, world):
    vetted_mentor(db, world.dartford)
    vetted_mentor(db, world.gravesham)
    paused = vetted_mentor(db, world.dartford)
    paused.status = MentorStatus.PAUSED.value
    db.add(paused)
    db.commit()
    page = home.provider_home(session=db)
    by_stage = dict(page.stages)
    assert by_stage[PipelineStage.READY] == 2
    assert [stage for stage, _count in page.stages] == list(PipelineStage)
    assert page.mentor_total == 2


def test_district_home_counts_open_matched_and_waiting_families(db, world):
    ready_family(db, world.dartford)
    ready_family(db, world.dartford)
    exited = ready_family(db, world.dartford)
    exited.engagement = Engagement.EXITED.value
    db.add(exited)
    ready_family(db, world.maidstone)
    db.commit()
    rows = home.district_home(
        session=db, district_ids=frozenset({world.dartford.id, world.gravesham.id})
    )
    assert [(r.name, r.open, r.matched, r.waiting, r.not_ready) for r in rows] == [
        ("Dartford", 2, 0, 2, 0),
        ("Gravesham", 0, 0, 0, 0),
    ]


def test_a_mentor_account_without_a_mentor_record_has_no_families(db):
    page = home.mentor_home(session=db, mentor_id=None)
    assert page.offers == [] and page.families == []
