"""Consent withdrawn and engagement: declined families re-engage, exited is final."""

from datetime import timedelta

import pytest

from mentoring.exceptions import FamilyError
from mentoring.models import (
    Engagement,
    Family,
    FamilyEventKind,
    Match,
    MatchStatus,
    Role,
    Slot,
    utcnow,
)
from mentoring.services.families import (
    change_engagement,
    matching_ready_family_ids,
    record_consent,
)
from tests.factories import ready_family, vetted_mentor
from tests.services.families.helpers import signed_in as _signed_in


def test_withdrawn_consent_takes_the_family_off_the_matching_list(app, db, world, make_user):
    coordinator = make_user(Role.COORDINATOR, districts=[world.dartford])
    family = ready_family(db, world.dartford)
    with app.test_request_context():
        record_consent(
            session=db,
            user=_signed_in(db, coordinator),
            family=family,
            kind=FamilyEventKind.CONSENT_SHARING,
            given=False,
            on=utcnow().date(),
            reason="Family asked to stop sharing",
        )
    assert matching_ready_family_ids(session=db, district_ids={world.dartford.id}) == set()
    db.refresh(family)
    assert family.consent_sharing is False
    assert family.consent_sharing_by_id == coordinator.id


# ---------------------------------------------------------------------------
# Engagement
# ---------------------------------------------------------------------------


def test_declined_family_is_kept_and_can_re_engage(app, db, world, make_user):
    coordinator = _signed_in(db, make_user(Role.COORDINATOR, districts=[world.dartford]))
    family = ready_family(db, world.dartford)
    today = utcnow().date()
    with app.test_request_context():
        change_engagement(
            session=db,
            user=coordinator,
            family=family,
            to=Engagement.DECLINED,
            on=today - timedelta(days=5),
        )
        assert matching_ready_family_ids(session=db, district_ids={world.dartford.id}) == set()
        change_engagement(
            session=db, user=coordinator, family=family, to=Engagement.ENGAGED, on=today
        )
    assert db.get(Family, family.id).engagement == Engagement.ENGAGED.value
    assert matching_ready_family_ids(session=db, district_ids={world.dartford.id}) == {family.id}


def test_exited_family_cannot_change_engagement(app, db, world, make_user):
    coordinator = _signed_in(db, make_user(Role.COORDINATOR, districts=[world.dartford]))
    family = ready_family(db, world.dartford)
    with app.test_request_context():
        change_engagement(
            session=db, user=coordinator, family=family, to=Engagement.EXITED, on=utcnow().date()
        )
        with pytest.raises(FamilyError, match="new referral"):
            change_engagement(
                session=db,
                user=coordinator,
                family=family,
                to=Engagement.ENGAGED,
                on=utcnow().date(),
            )
    assert db.get(Family, family.id).exited_on == utcnow().date()


def test_family_with_an_active_mentor_cannot_be_marked_declined(app, db, world, make_user):
    coordinator = _signed_in(db, make_user(Role.COORDINATOR, districts=[world.dartford]))
    family = ready_family(db, world.dartford)
    mentor = vetted_mentor(db, world.dartford)
    db.add(
        Match(
            family_id=family.id,
            mentor_id=mentor.id,
            slot=Slot.MENTOR.value,
            status=MatchStatus.ACTIVE.value,
        )
    )
    db.commit()
    with app.test_request_context(), pytest.raises(FamilyError, match=mentor.reference):
        change_engagement(
            session=db,
            user=coordinator,
            family=family,
            to=Engagement.DECLINED,
            on=utcnow().date(),
        )
