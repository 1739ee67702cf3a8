"""Authenticator codes and recovery codes (services/accounts/two_factor.py)."""

from datetime import timedelta

import pytest

from mentoring.models import Role, utcnow
from mentoring.services.accounts import two_factor


def test_a_sealed_secret_opens_only_with_the_same_key():
    secret = two_factor.new_secret()
    sealed = two_factor.seal(secret, secret_key="k" * 40)
    assert secret not in sealed
    assert two_factor.unseal(sealed, secret_key="k" * 40) == secret
    assert two_factor.unseal(sealed, secret_key="other" * 10) is None


def test_a_code_is_accepted_one_step_either_side_of_now_and_not_further():
    secret = two_factor.new_secret()
    now = utcnow()
    for seconds in (-30, 0, 30):
        code = two_factor.code_for(secret, at=now + timedelta(seconds=seconds))
        assert two_factor.matching_step(secret, code, at=now) is not None
    stale = two_factor.code_for(secret, at=now - timedelta(minutes=5))
    if stale != two_factor.code_for(secret, at=now):  # 1 in a million they coincide
        assert two_factor.matching_step(secret, stale, at=now) is None


def test_a_code_never_works_twice():
    secret = two_factor.new_secret()
    now = utcnow()
    code = two_factor.code_for(secret, at=now)
    step = two_factor.matching_step(secret, code, at=now)
    assert step is not None
    assert two_factor.matching_step(secret, code, at=now, after=step) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_codes_that_are_not_six_digits_are_refused(code):
    assert two_factor.matching_step(two_factor.new_secret(), code) is None


def test_the_qr_code_is_an_inline_svg_of_the_otpauth_address():
    uri = two_factor.provisioning_uri(two_factor.new_secret(), email="a@example.org", issuer="Kent")
    assert uri.startswith("otpauth://totp/") and "issuer=Kent" in uri
    svg = two_factor.qr_svg(uri)
    assert svg.startswith("<svg") and "<title>" in svg


def test_recovery_codes_are_shown_once_stored_hashed_and_work_once(db, make_user):
    user = make_user(Role.ADMIN)
    codes = two_factor.new_recovery_codes(db, user=user)
    db.commit()
    assert len(codes) == 10 and len(set(codes)) == 10
    assert two_factor.recovery_codes_left(db, user_id=user.id) == 10
    assert two_factor.use_recovery_code(db, user=user, code=codes[0].lower().replace("-", " "))
    db.commit()
    assert not two_factor.use_recovery_code(db, user=user, code=codes[0])
    assert not two_factor.use_recovery_code(db, user=user, code="AAAA-BBBB-CCCC-DDDD")
    assert two_factor.recovery_codes_left(db, user_id=user.id) == 9
    # New codes replace the old ones.
    two_factor.new_recovery_codes(db, user=user)
    db.commit()
    assert not two_factor.use_recovery_code(db, user=user, code=codes[1])
