"""Single-use links stored hashed (services/accounts/tokens.py)."""

from datetime import timedelta

import pytest
from sqlmodel import select

from mentoring.exceptions import LinkError
from mentoring.models import AccountToken, Role, TokenPurpose, utcnow
from mentoring.services.accounts import tokens


def _issue(db, user, purpose=TokenPurpose.RESET, lifetime=timedelta(hours=1)):
    raw = tokens.issue(db, user_id=user.id, purpose=purpose, lifetime=lifetime)
    db.commit()
    return raw


def test_only_the_digest_of_a_link_is_stored(db, make_user):
    user = make_user(Role.PROVIDER)
    raw = _issue(db, user)
    row = db.exec(select(AccountToken)).one()
    assert raw not in row.token_hash and row.token_hash == tokens.digest(raw)
    assert len(raw) >= 40


def test_a_link_works_once(db, make_user):
    user = make_user(Role.PROVIDER)
    raw = _issue(db, user)
    assert tokens.redeem(db, raw=raw, purpose=TokenPurpose.RESET).user_id == user.id
    db.commit()
    with pytest.raises(LinkError) as err:
        tokens.redeem(db, raw=raw, purpose=TokenPurpose.RESET)
    assert err.value.reason == "used"


def test_an_expired_link_says_so(db, make_user):
    user = make_user(Role.PROVIDER)
    raw = _issue(db, user, lifetime=timedelta(minutes=5))
    with pytest.raises(LinkError) as err:
        tokens.check(db, raw=raw, purpose=TokenPurpose.RESET, now=utcnow() + timedelta(hours=1))
    assert err.value.reason == "expired"
    assert "Ask for a new one" in str(err.value)


@pytest.mark.parametrize("raw", ["", "x", "a" * 500, "ünïcode-token", "abc\x00def"])
def test_tampered_or_malformed_links_are_invalid(db, make_user, raw):
    _issue(db, make_user(Role.PROVIDER))
    with pytest.raises(LinkError) as err:
        tokens.check(db, raw=raw, purpose=TokenPurpose.RESET)
    assert err.value.reason == "invalid"


def test_a_link_made_for_something_else_is_invalid(db, make_user):
    raw = _issue(db, make_user(Role.PROVIDER), purpose=TokenPurpose.INVITE)
    with pytest.raises(LinkError) as err:
        tokens.check(db, raw=raw, purpose=TokenPurpose.RESET)
    assert err.value.reason == "invalid"


def test_cancelled_links_stop_working_and_are_counted(db, make_user):
    user = make_user(Role.PROVIDER)
    first, second = _issue(db, user), _issue(db, user)
    assert tokens.cancel_all(db, user_id=user.id) == 2
    db.commit()
    for raw in (first, second):
        with pytest.raises(LinkError) as err:
            tokens.check(db, raw=raw, purpose=TokenPurpose.RESET)
        assert err.value.reason == "cancelled"
    assert tokens.open_link(db, user_id=user.id, purpose=TokenPurpose.RESET) is None
    since = utcnow() - timedelta(hours=1)
    assert tokens.recent_count(db, user_id=user.id, purpose=TokenPurpose.RESET, since=since) == 2
