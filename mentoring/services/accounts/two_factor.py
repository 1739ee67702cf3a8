"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and recovery codes.

The secret is stored encrypted (Fernet, with a key derived from ``SECRET_KEY``); a code
is accepted within one 30-second step either side of now, and never twice: the step of
the last code accepted is kept, and only a later step is accepted after it. Recovery
codes are 80 random bits each, shown once and stored as SHA-256 digests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlmodel import Session, col, select

from mentoring.models import RecoveryCode, User, utcnow

RECOVERY_CODES = 10
# Base32 without the easily confused 0, 1, 8 and 9 is Crockford-like enough to read aloud.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ234567"
_CODE_CHARS = 16  # 16 of 30 symbols: about 78 bits
STEP_SECONDS = 30


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"mentor-match two-factor"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    """A new authenticator secret (base32, 160 bits)."""
    return pyotp.random_base32(length=32)


def seal(secret: str, *, secret_key: str) -> str:
    """Encrypt a secret for storing."""
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def unseal(sealed: str, *, secret_key: str) -> str | None:
    """Decrypt a stored secret, or None if it cannot be (the key changed)."""
    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def provisioning_uri(secret: str, *, email: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The QR code for an address, as an inline SVG element (made here, not fetched)."""
    svg: str = segno.make(uri, error="m").svg_inline(
        scale=5, dark="#0b0c0c", light="#ffffff", title="QR code for your authenticator app"
    )
    return svg


def format_secret(secret: str) -> str:
    """The secret in groups of four, for typing in by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def clean_code(code: str) -> str:
    """A code as typed, without spaces or dashes, upper case."""
    return "".join(ch for ch in code if ch.isalnum()).upper()


def matching_step(
    secret: str, code: str, *, at: datetime | None = None, after: int | None = None
) -> int | None:
    """Return the time step a six-digit code belongs to (now, or one step either side),
    if it is later than ``after``; else None."""
    code = clean_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = int((at or utcnow()).timestamp()) // STEP_SECONDS
    for step in (now_step - 1, now_step, now_step + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def code_for(secret: str, *, at: datetime | None = None) -> str:
    """The current code for a secret (what the person's app shows; used by tests)."""
    return pyotp.TOTP(secret).at(int((at or utcnow()).timestamp()))


def _digest(code: str) -> str:
    return hashlib.sha256(clean_code(code).encode()).hexdigest()


def new_recovery_codes(session: Session, *, user: User) -> list[str]:
    """Replace a user's recovery codes with 10 new ones; return them (shown once)."""
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all():
        session.delete(old)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_CHARS))
        codes.append("-".join(raw[i : i + 4] for i in range(0, _CODE_CHARS, 4)))
        session.add(RecoveryCode(user_id=user.id or 0, code_hash=_digest(raw)))
    return codes


def use_recovery_code(session: Session, *, user: User, code: str) -> bool:
    """Use one of a user's recovery codes (once); tell whether it was one."""
    cleaned = clean_code(code)
    if len(cleaned) != _CODE_CHARS:
        return False
    row = session.exec(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(cleaned),
            col(RecoveryCode.used_at).is_(None),
        )
    ).first()
    if row is None:
        return False
    row.used_at = utcnow()
    session.add(row)
    return True


def recovery_codes_left(session: Session, *, user_id: int) -> int:
    """How many unused recovery codes a user has."""
    return len(
        session.exec(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None)
            )
        ).all()
    )
