"""Constraints the database enforces on both backends."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from mentoring.models import (
    AuditEvent,
    Family,
    Match,
    MatchStatus,
    Mentor,
    Slot,
)


def _family(db, district, number=1):
    family = Family(
        reference=f"{district.code}-{number:04d}", district_id=district.id, number=number
    )
    db.add(family)
    db.commit()
    return family


def _mentor(db, district, ref="M-0001"):
    mentor = Mentor(
        reference=ref,
        first_name="A",
        last_name="B",
        email=f"{ref}@example.org",
        home_district_id=district.id,
    )
    db.add(mentor)
    db.commit()
    return mentor


def test_family_cannot_hold_two_active_mentors(db, world):
    family = _family(db, world.dartford)
    first, second = _mentor(db, world.dartford, "M-0001"), _mentor(db, world.dartford, "M-0002")
    db.add(
        Match(family_id=family.id, mentor_id=first.id, slot=Slot.MENTOR, status=MatchStatus.ACTIVE)
    )
    db.commit()
    db.add(
        Match(
            family_id=family.id, mentor_id=second.id, slot=Slot.MENTOR, status=MatchStatus.APPROVED
        )
    )
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_family_can_hold_one_mentor_and_one_role_model(db, world):
    family = _family(db, world.dartford)
    first, second = _mentor(db, world.dartford, "M-0001"), _mentor(db, world.dartford, "M-0002")
    db.add(
        Match(family_id=family.id, mentor_id=first.id, slot=Slot.MENTOR, status=MatchStatus.ACTIVE)
    )
    db.add(
        Match(
            family_id=family.id,
            mentor_id=second.id,
            slot=Slot.ROLE_MODEL,
            status=MatchStatus.ACTIVE,
        )
    )
    db.commit()


def test_ended_and_proposed_matches_do_not_hold_the_slot(db, world):
    family = _family(db, world.dartford)
    mentors = [_mentor(db, world.dartford, f"M-000{i}") for i in range(1, 4)]
    db.add(
        Match(
            family_id=family.id, mentor_id=mentors[0].id, slot=Slot.MENTOR, status=MatchStatus.ENDED
        )
    )
    db.add(
        Match(
            family_id=family.id,
            mentor_id=mentors[1].id,
            slot=Slot.MENTOR,
            status=MatchStatus.PROPOSED,
        )
    )
    db.add(
        Match(
            family_id=family.id,
            mentor_id=mentors[2].id,
            slot=Slot.MENTOR,
            status=MatchStatus.ACTIVE,
        )
    )
    db.commit()


def test_family_reference_is_unique(db, world):
    _family(db, world.dartford, 1)
    db.add(Family(reference="DAR-0001", district_id=world.dartford.id, number=2))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_foreign_keys_are_enforced(db, world):
    db.add(Family(reference="XXX-0001", district_id=9999, number=1))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_mentor_capacity_is_between_one_and_four(db, world):
    mentor = Mentor(
        reference="M-0009",
        first_name="A",
        last_name="B",
        email="a@example.org",
        home_district_id=world.dartford.id,
        capacity=5,
    )
    db.add(mentor)
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_audit_log_is_append_only(db):
    db.add(AuditEvent(action="test.event"))
    db.commit()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.execute(sa.text("UPDATE audit_event SET action = 'changed'"))
        db.commit()
    db.rollback()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.execute(sa.text("DELETE FROM audit_event"))
        db.commit()
    db.rollback()
