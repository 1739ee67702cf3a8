"""The one district-scope rule and its loader (mentoring/services/common/scope.py)."""

import pytest

from mentoring.exceptions import NotFound
from mentoring.models import Family, Match, MatchingRun, Role, SafeguardingConcern
from mentoring.services.common.scope import (
    can_see_district,
    load_visible,
    may_see,
    visible_district_ids,
)
from mentoring.services.users import to_signed_in
from tests.factories import offered_match, ready_family


def _viewer(db, user):
    return to_signed_in(session=db, user=user)


def test_admin_sees_every_district_and_coordinator_only_theirs(db, world, make_user):
    admin = _viewer(db, make_user(Role.ADMIN))
    coordinator = _viewer(db, make_user(Role.COORDINATOR, districts=[world.dartford]))
    provider = _viewer(db, make_user(Role.PROVIDER))
    assert visible_district_ids(admin) == {
        world.dartford.id,
        world.gravesham.id,
        world.maidstone.id,
    }
    assert visible_district_ids(coordinator) == {world.dartford.id}
    assert visible_district_ids(provider) == frozenset()
    assert can_see_district(coordinator, world.dartford.id)
    assert not can_see_district(coordinator, world.maidstone.id)
    assert not can_see_district(coordinator, None)


def test_missing_and_out_of_scope_families_raise_the_same_not_found(db, world, make_user):
    theirs = ready_family(db, world.maidstone)
    coordinator = _viewer(db, make_user(Role.COORDINATOR, districts=[world.dartford]))
    with pytest.raises(NotFound) as missing:
        load_visible(Family, 987654, coordinator, session=db)
    with pytest.raises(NotFound) as forbidden:
        load_visible(Family, theirs.id, coordinator, session=db)
    assert str(missing.value) == str(forbidden.value)


@pytest.mark.parametrize("bad_id", ["", "abc", "-1", "0", "99999999999", None, True])
def test_ids_that_are_not_ids_are_not_found(db, world, make_user, bad_id):
    admin = _viewer(db, make_user(Role.ADMIN))
    with pytest.raises(NotFound):
        load_visible(Family, bad_id, admin, session=db)


def test_a_mentor_sees_only_their_own_matches(app, db, world, make_user, coordinator):
    mentor, _family, match = offered_match(app, db, world, coordinator)
    own = _viewer(db, make_user(Role.MENTOR, mentor_id=mentor.id))
    other_mentor, _f, _m = offered_match(app, db, world, coordinator)
    other = _viewer(db, make_user(Role.MENTOR, mentor_id=other_mentor.id))
    assert load_visible(Match, match.id, own, session=db).id == match.id
    with pytest.raises(NotFound):
        load_visible(Match, match.id, other, session=db)


def test_a_coordinator_sees_matches_runs_and_concerns_of_their_districts_only(
    app, db, world, make_user, coordinator
):
    _mentor, _family, match = offered_match(app, db, world, coordinator)
    concern = SafeguardingConcern(match_id=match.id, details="Seen something")
    run = MatchingRun(district_ids=[world.dartford.id, world.gravesham.id])
    db.add_all([concern, run])
    db.commit()
    mine = _viewer(db, coordinator)
    maidstone = _viewer(db, make_user(Role.COORDINATOR, districts=[world.maidstone]))
    dartford_only = _viewer(db, make_user(Role.COORDINATOR, districts=[world.dartford]))
    for row in (match, concern, run):
        assert may_see(db, row, mine)
        assert not may_see(db, row, maidstone)
    # A run over more districts than the user holds is theirs to open (issue 22): its
    # page shows only their districts' proposals (tests/services/matching/
    # test_runs_across_roles.py), so they can decide each one whoever ran it.
    assert may_see(db, run, dartford_only)


def test_a_mentor_never_sees_a_concern_record(app, db, world, make_user, coordinator):
    mentor, _family, match = offered_match(app, db, world, coordinator)
    concern = SafeguardingConcern(match_id=match.id, details="Seen something")
    db.add(concern)
    db.commit()
    viewer = _viewer(db, make_user(Role.MENTOR, mentor_id=mentor.id))
    with pytest.raises(NotFound):
        load_visible(SafeguardingConcern, concern.id, viewer, session=db)


def test_a_model_without_a_scope_rule_is_refused_loudly(db, make_user):
    from mentoring.models import Need

    with pytest.raises(TypeError):
        load_visible(Need, 1, _viewer(db, make_user(Role.ADMIN)), session=db)
