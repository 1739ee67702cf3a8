"""Passwords, role guards, sign-in throttling and security headers."""

from __future__ import annotations

import gzip
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from threading import Lock
from typing import Any, TypeVar

import redis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, current_app, g, has_app_context, request
from flask_login import current_user
from zxcvbn import zxcvbn

from mentoring.extensions import login_manager
from mentoring.models import Role

F = TypeVar("F", bound=Callable[..., Any])

_hasher = PasswordHasher()  # argon2id with argon2-cffi's defaults (above OWASP's minimum)
# A hash to verify against when the account does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; compare against a dummy hash when there is no account."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether a hash was made with older parameters."""
    return _hasher.check_needs_rehash(password_hash)


DATA = Path(__file__).resolve().parent / "data"
# The demo data's published password (demo/data.py): never accepted for a real account.
DEMO_PASSWORD = "demo-mentor-match-2026"  # noqa: S105 - public, so always refused
SERVICE_WORDS = ("mentor", "match", "mentoring", "password")
COMMON = "Password is too common or easy to guess: use three or more random words"
OWN_WORDS = (
    "Do not build your password from the service's or the organisation's name, or your "
    "own name or email address: use three or more random words"
)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    with gzip.open(DATA / "common-passwords.txt.gz", "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    with gzip.open(DATA / "common-password-words.txt.gz", "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def _words_of(values: Iterable[str]) -> set[str]:
    """The words (4 letters or more) in names, email addresses and the organisation's name."""
    return {w for v in values for w in re.split(r"[^a-z]+", v.lower()) if len(w) >= 4}


def _organisation() -> str:
    return str(current_app.config.get("ORGANISATION_NAME", "")) if has_app_context() else ""


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Return why a new password is not acceptable, or None.

    Refused: under 12 characters; a password on the shipped lists of common and breached
    passwords (`mentoring/data/`), or one of their common words with only digits and
    symbols around it; one built from the service's or organisation's name or the person's
    own name or email (fewer than 8 letters left once those words are taken out); the demo
    password; and anything zxcvbn scores below 3.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if len(password) > 256:
        return "Password must be 256 characters or fewer"
    lowered = password.lower()
    if lowered == DEMO_PASSWORD or lowered in _common_passwords():
        return COMMON
    letters = re.sub(r"[^a-z]", "", lowered)
    if letters in _common_words() and len(letters) >= len(lowered) - 6:
        return COMMON
    inputs = [u for u in user_inputs if u]
    own = _words_of([*inputs, _organisation()]) | set(SERVICE_WORDS)
    remaining = letters
    for word in sorted(own, key=len, reverse=True):
        remaining = remaining.replace(word, "")
    if len(remaining) < 8:
        return OWN_WORDS
    result = zxcvbn(password[:100], user_inputs=[*inputs, *own])
    if result["score"] < 3:
        return COMMON
    return None


# ---------------------------------------------------------------------------
# Role guards: deny by default
# ---------------------------------------------------------------------------

PUBLIC = "__public__"


def roles_allowed(*roles: Role) -> Callable[[F], F]:
    """Allow a view to the signed-in users of these roles only."""
    allowed = frozenset(r.value for r in roles)

    def decorator(view: F) -> F:
        setattr(view, "allowed_roles", allowed)  # noqa: B010 - a mark on the function
        return view

    return decorator


def public(view: F) -> F:
    """Allow a view to everyone, signed in or not."""
    setattr(view, "allowed_roles", frozenset({PUBLIC}))  # noqa: B010 - a mark on the function
    return view


def allowed_roles_for(endpoint: str | None) -> frozenset[str] | None:
    """Return the roles an endpoint allows, or None if it never said."""
    if endpoint is None:
        return None
    if endpoint == "static":
        return frozenset({PUBLIC})
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "allowed_roles", None)


def enforce_roles() -> Any:
    """Refuse any request whose view does not allow the current user (before_request)."""
    if request.endpoint is None:
        return None  # 404 or 405 follows
    allowed = allowed_roles_for(request.endpoint)
    if allowed is None:
        current_app.logger.error("route has no role rule", extra={"endpoint": request.endpoint})
        abort(403)
    if PUBLIC in allowed:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in allowed:
        abort(403)
    return None


# ---------------------------------------------------------------------------
# Per-address throttling (per-account counting lives on the user row)
# ---------------------------------------------------------------------------


class MemoryCounter:
    """Fixed-window counters in this process's memory."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[int, float]] = {}
        self._lock = Lock()

    def hit(self, key: str, window: int) -> int:
        now = time.monotonic()
        with self._lock:
            count, expires = self._data.get(key, (0, now + window))
            if expires <= now:
                count, expires = 0, now + window
            count += 1
            self._data[key] = (count, expires)
            if len(self._data) > 100_000:
                self._data = {k: v for k, v in self._data.items() if v[1] > now}
            return count

    def count(self, key: str) -> int:
        now = time.monotonic()
        with self._lock:
            count, expires = self._data.get(key, (0, now))
            return count if expires > now else 0

    def reset(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)


class RedisCounter:
    """Fixed-window counters in Redis, shared by every worker.

    If Redis cannot be reached, this worker counts in its own memory instead (a little
    weaker: each worker counts apart) and logs a warning at most once a minute, so signing
    in keeps working; /readyz says Redis is degraded.
    """

    def __init__(self, url: str, logger: logging.Logger) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._fallback = MemoryCounter()
        self._logger = logger
        self._warned_at = 0.0

    def _unavailable(self) -> MemoryCounter:
        now = time.monotonic()
        if now - self._warned_at >= 60:
            self._warned_at = now
            self._logger.warning(
                "Redis unavailable: counting sign-ins in this worker",
                extra={"event": "redis_unavailable"},
            )
        return self._fallback

    def hit(self, key: str, window: int) -> int:
        try:
            pipe = self._redis.pipeline()
            pipe.incr(f"mentor-match:{key}")
            pipe.expire(f"mentor-match:{key}", window, nx=True)
            count, _ = pipe.execute()
        except redis.RedisError:
            return self._unavailable().hit(key, window)
        return int(count)

    def count(self, key: str) -> int:
        try:
            value = self._redis.get(f"mentor-match:{key}")
        except redis.RedisError:
            return self._unavailable().count(key)
        return int(value) if value else 0

    def reset(self, key: str) -> None:
        try:
            self._redis.delete(f"mentor-match:{key}")
        except redis.RedisError:
            self._unavailable().reset(key)


def init_throttle(app: Flask) -> None:
    """Choose the counter store: Redis when REDIS_URL is set, else memory."""
    url = app.config.get("REDIS_URL")
    app.extensions["throttle"] = RedisCounter(url, app.logger) if url else MemoryCounter()


def address_throttled(address: str) -> bool:
    """Tell whether an address has failed to sign in too often lately (failures count,
    not successes: see `mentoring.auth.steps.count_address_failure`)."""
    store = current_app.extensions["throttle"]
    return bool(store.count(f"signin:{address}") >= current_app.config["SIGNIN_MAX_PER_ADDRESS"])


# ---------------------------------------------------------------------------
# Security headers
# ---------------------------------------------------------------------------


def make_nonce() -> None:
    """Make this request's CSP nonce (before_request)."""
    g.csp_nonce = secrets.token_urlsafe(16)


def set_security_headers(response: Any) -> Any:
    """Add CSP and the other security headers to every response (after_request)."""
    nonce = g.get("csp_nonce", "")
    csp = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    headers = response.headers
    headers.setdefault("Content-Security-Policy", csp)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static":
        # Pages may hold personal data: never store them, errors included.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response
