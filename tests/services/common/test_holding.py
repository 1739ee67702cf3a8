"""Slot-holding matches, loads and who serves a district (services/common/holding.py)."""

from mentoring.models import MatchStatus
from mentoring.services.common.holding import load_counts, mentors_serving
from tests.factories import offered_match, vetted_mentor


def test_mentors_serving_a_district_live_there_or_travel_there(db, world):
    home = vetted_mentor(db, world.dartford)
    traveller = vetted_mentor(db, world.maidstone, travel=(world.dartford,))
    elsewhere = vetted_mentor(db, world.gravesham)
    assert mentors_serving(db, {world.dartford.id}) == {home.id, traveller.id}
    assert mentors_serving(db, {world.gravesham.id}) == {elsewhere.id}
    assert mentors_serving(db, set()) == set()


def test_load_counts_only_matches_that_hold_a_slot(app, db, world, coordinator):
    mentor, _family, match = offered_match(app, db, world, coordinator)
    assert load_counts(db, [mentor.id]) == {mentor.id: 1}
    match.status = MatchStatus.DECLINED.value
    db.add(match)
    db.commit()
    assert load_counts(db, [mentor.id]) == {}
    assert load_counts(db, []) == {}
