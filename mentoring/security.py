"""Passwords, role guards, sign-in throttling and security headers."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from threading import Lock
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, current_app, g, request
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


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Return why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if len(password) > 256:
        return "Password must be 256 characters or fewer"
    result = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])
    if result["score"] < 3:
        return "Password is too common or easy to guess: use three or more random words"
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
    """Fixed-window counters in Redis, shared by every worker."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2)

    def hit(self, key: str, window: int) -> int:
        pipe = self._redis.pipeline()
        pipe.incr(f"mentor-match:{key}")
        pipe.expire(f"mentor-match:{key}", window, nx=True)
        count, _ = pipe.execute()
        return int(count)

    def count(self, key: str) -> int:
        value = self._redis.get(f"mentor-match:{key}")
        return int(value) if value else 0

    def reset(self, key: str) -> None:
        self._redis.delete(f"mentor-match:{key}")


def init_throttle(app: Flask) -> None:
    """Choose the counter store: Redis when REDIS_URL is set, else memory."""
    url = app.config.get("REDIS_URL")
    app.extensions["throttle"] = RedisCounter(url) if url else MemoryCounter()


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
