"""Row locks read the database, not a stale copy (services/common/locks.py)."""

from sqlmodel import Session

from mentoring.models import Match, MatchStatus
from mentoring.services.common.locks import lock
from tests.factories import offered_match


def test_lock_reads_a_status_changed_by_someone_else_since_it_was_loaded(
    app, db, world, coordinator
):
    _mentor, _family, match = offered_match(app, db, world, coordinator)
    mine = Session(app.extensions["db_engine"], expire_on_commit=False)
    stale = mine.get(Match, match.id)
    assert stale.status == MatchStatus.APPROVED.value
    mine.commit()
    # Another request declines the offer meanwhile.
    match.status = MatchStatus.DECLINED.value
    db.add(match)
    db.commit()
    fresh = lock(mine, Match, match.id)
    assert fresh is stale  # the same object in the session's identity map ...
    assert fresh.status == MatchStatus.DECLINED.value  # ... refreshed from the database
    mine.close()


def test_lock_of_nothing_is_none(db):
    assert lock(db, Match, None) is None
    assert lock(db, Match, 123456) is None
