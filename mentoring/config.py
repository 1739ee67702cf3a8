"""Settings, read from environment variables with safe defaults."""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from mentoring.models import STAFF_ROLES, Role

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A setting is missing or unsafe."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _whole(env: os._Environ[str] | dict[str, str], name: str, default: int, minimum: int) -> int:
    """Read a whole-number setting; refuse anything else with a clear message."""
    raw = (env.get(name) or "").strip().replace(",", "").lstrip("£")
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < minimum:
        raise ConfigError(f"{name} must be a whole number, {minimum} or more, not {raw!r}")
    return int(raw)


def _roles(value: str | None, default: frozenset[str]) -> frozenset[str]:
    """Read a comma-separated list of roles ("" means none); refuse unknown roles."""
    if value is None:
        return default
    roles = frozenset(r.strip().lower() for r in value.split(",") if r.strip())
    unknown = sorted(roles - set(Role.values()))
    if unknown:
        raise ConfigError(
            f"MFA_REQUIRED_ROLES names unknown roles: {', '.join(unknown)} "
            f"(roles are {', '.join(Role.values())})"
        )
    return roles


def _dev_secret_key(instance_path: Path) -> str:
    """Return the development secret key kept in the instance folder, making it once."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


MIN_SECRET_BITS = 128


def estimated_bits(secret: str) -> float:
    """A cautious estimate of a secret's entropy: its length times the Shannon entropy of
    its own characters. 40 × "a" is 0 bits; 64 random hex digits about 250."""
    counts = Counter(secret)
    n = len(secret)
    per_char = -sum(c / n * math.log2(c / n) for c in counts.values()) if n else 0.0
    return n * per_char


def load_config(
    instance_path: Path, environ: os._Environ[str] | dict[str, str] | None = None
) -> dict[str, Any]:
    """Build the configuration mapping from the environment."""
    env = os.environ if environ is None else environ
    environment = env.get("MENTORING_ENV", "development").strip().lower()
    if environment not in {"development", "production", "testing"}:
        raise ConfigError(
            f"MENTORING_ENV must be development, production or testing, not {environment!r}"
        )
    production = environment == "production"

    secret_key = env.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError("SECRET_KEY must be set in production (a long random string).")
        secret_key = _dev_secret_key(instance_path)
    elif production and (len(secret_key) < 32 or estimated_bits(secret_key) < MIN_SECRET_BITS):
        raise ConfigError(
            "SECRET_KEY is too weak for production: use at least 32 random bytes, for example "
            "python3 -c 'import secrets; print(secrets.token_hex(32))'."
        )

    if env.get("NOTIFY_API_KEY") and not env.get("NOTIFY_EMAIL_TEMPLATE_ID"):
        raise ConfigError(
            "NOTIFY_EMAIL_TEMPLATE_ID must be set with NOTIFY_API_KEY: the id of a Notify "
            "email template whose subject is ((subject)) and body ((body))."
        )

    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'mentoring.sqlite'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]

    return {
        "ENV_NAME": environment,
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "REDIS_URL": env.get("REDIS_URL") or None,
        # Proxy hops in front of the service (0: ignore X-Forwarded-* headers entirely)
        "TRUSTED_PROXIES": _whole(env, "TRUSTED_PROXIES", 0, minimum=0),
        # Cookies and sessions
        "SESSION_COOKIE_NAME": "mentor_match_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), default=production),
        "REMEMBER_COOKIE_DURATION": timedelta(hours=12),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), default=production),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "SESSION_IDLE_MINUTES": int(env.get("SESSION_IDLE_MINUTES", "30")),
        # The timeout warning (a modal dialog with "Stay signed in") shows this long before.
        "SESSION_WARNING_SECONDS": int(env.get("SESSION_WARNING_SECONDS", "120")),
        "SESSION_ABSOLUTE_HOURS": int(env.get("SESSION_ABSOLUTE_HOURS", "12")),
        # Request limits
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
        "MAX_FORM_PARTS": 2000,
        # CSRF
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": 3600 * 12,
        # Sign-in throttling
        "SIGNIN_MAX_FAILURES_PER_ACCOUNT": int(env.get("SIGNIN_MAX_FAILURES_PER_ACCOUNT", "5")),
        "SIGNIN_LOCKOUT_MINUTES": int(env.get("SIGNIN_LOCKOUT_MINUTES", "15")),
        "SIGNIN_MAX_PER_ADDRESS": int(env.get("SIGNIN_MAX_PER_ADDRESS", "30")),
        "SIGNIN_ADDRESS_WINDOW_SECONDS": int(env.get("SIGNIN_ADDRESS_WINDOW_SECONDS", "900")),
        "HSTS": production,
        # Families: phase 2 eligibility needs at least this many of the six headline problems
        "FAMILY_PHASE2_MIN_CRITERIA": int(env.get("FAMILY_PHASE2_MIN_CRITERIA", "2")),
        "SERVICE_NAME": "Mentor Match",
        "ORGANISATION_NAME": env.get("ORGANISATION_NAME", "Kent County Council"),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        # Email: SMTP when MAIL_SMTP_HOST is set, else files in the outbox folder
        "MAIL_SMTP_HOST": env.get("MAIL_SMTP_HOST") or None,
        "MAIL_SMTP_PORT": int(env.get("MAIL_SMTP_PORT", "587")),
        "MAIL_SMTP_USER": env.get("MAIL_SMTP_USER") or None,
        "MAIL_SMTP_PASSWORD": env.get("MAIL_SMTP_PASSWORD") or None,
        "MAIL_FROM": env.get("MAIL_FROM", "mentor-match@example.org"),
        "MAIL_OUTBOX": env.get("MAIL_OUTBOX") or str(instance_path / "outbox"),
        # GOV.UK Notify (free for councils): used for email, and for texts, when set
        "NOTIFY_API_KEY": env.get("NOTIFY_API_KEY") or None,
        "NOTIFY_BASE_URL": env.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"),
        "NOTIFY_EMAIL_TEMPLATE_ID": env.get("NOTIFY_EMAIL_TEMPLATE_ID") or None,
        "NOTIFY_SMS_TEMPLATE_ID": env.get("NOTIFY_SMS_TEMPLATE_ID") or None,
        # Matching: monitoring thresholds on the Matches page
        "MONITOR_NO_CONTACT_DAYS": int(env.get("MONITOR_NO_CONTACT_DAYS", "14")),
        "MONITOR_OFFER_DAYS": int(env.get("MONITOR_OFFER_DAYS", "7")),
        # Vetting policy (mentoring/services/vetting.py)
        "DBS_RECHECK_MONTHS": int(env.get("DBS_RECHECK_MONTHS", "36")),
        "DBS_STATUS_CHECK_MONTHS": int(env.get("DBS_STATUS_CHECK_MONTHS", "12")),
        "DBS_ACCEPTED_LEVELS": env.get("DBS_ACCEPTED_LEVELS", "enhanced_children,enhanced_both"),
        "DBS_RATIONALE_PURGE_MONTHS": int(env.get("DBS_RATIONALE_PURGE_MONTHS", "6")),
        "VETTING_REMINDER_DAYS": int(env.get("VETTING_REMINDER_DAYS", "60")),
        "SAFEGUARDING_TRIAGE_HOURS": _whole(env, "SAFEGUARDING_TRIAGE_HOURS", 24, minimum=1),
        # Public "Volunteer as a mentor" applications allowed per address per window
        "APPLY_MAX_PER_ADDRESS": int(env.get("APPLY_MAX_PER_ADDRESS", "5")),
        "APPLY_WINDOW_SECONDS": int(env.get("APPLY_WINDOW_SECONDS", "3600")),
        # Reports: payment-by-results rates in whole pounds (defaults from the minutes) and
        # small-number suppression (counts below this show as "<5" in anonymised output)
        "PBR_ATTACHMENT_FEE": _whole(env, "PBR_ATTACHMENT_FEE", 3200, minimum=0),
        "PBR_RESULT_FEE": _whole(env, "PBR_RESULT_FEE", 700, minimum=0),
        "PBR_MAX_PER_FAMILY": _whole(env, "PBR_MAX_PER_FAMILY", 4000, minimum=0),
        "SMALL_NUMBER_THRESHOLD": _whole(env, "SMALL_NUMBER_THRESHOLD", 5, minimum=1),
        # Accounts: invitation and reset links, two-factor sign-in, single sign-on
        "SERVICE_URL": (env.get("SERVICE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "INVITE_EXPIRY_HOURS": _whole(env, "INVITE_EXPIRY_HOURS", 72, minimum=1),
        "PASSWORD_RESET_MINUTES": _whole(env, "PASSWORD_RESET_MINUTES", 60, minimum=5),
        "PASSWORD_RESET_MAX_PER_ACCOUNT": _whole(env, "PASSWORD_RESET_MAX_PER_ACCOUNT", 3, 1),
        "PASSWORD_RESET_MAX_PER_ADDRESS": _whole(env, "PASSWORD_RESET_MAX_PER_ADDRESS", 10, 1),
        "MFA_REQUIRED_ROLES": _roles(
            env.get("MFA_REQUIRED_ROLES"), STAFF_ROLES if production else frozenset()
        ),
        "OIDC_ISSUER": (env.get("OIDC_ISSUER") or "").rstrip("/") or None,
        "OIDC_CLIENT_ID": env.get("OIDC_CLIENT_ID") or None,
        "OIDC_CLIENT_SECRET": env.get("OIDC_CLIENT_SECRET") or None,
        "OIDC_BUTTON_TEXT": env.get("OIDC_BUTTON_TEXT", "Sign in with your council account"),
        # With single sign-on, the identity provider's own two-factor check stands in for ours
        "OIDC_TRUSTS_MFA": _bool(env.get("OIDC_TRUSTS_MFA"), default=True),
        # Metrics at /metrics need "Authorization: Bearer <METRICS_TOKEN>" (unset: no page)
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        # Errors to Sentry, scrubbed of personal data (mentoring/logs.py)
        "SENTRY_DSN": env.get("SENTRY_DSN") or None,
        # Background jobs (mentoring/jobs): RQ on REDIS_URL, else a thread of this process
        # None: inline when TESTING (each job runs in the request that starts it)
        "JOBS_INLINE": _bool(env["JOBS_INLINE"]) if "JOBS_INLINE" in env else None,
        "JOBS_IN_PROCESS": _bool(env.get("JOBS_IN_PROCESS"), default=False),
        "DAILY_JOB_HOUR": _whole(env, "DAILY_JOB_HOUR", 6, minimum=0),
        "DAILY_JOB_IN_PROCESS": _bool(env.get("DAILY_JOB_IN_PROCESS"), default=True),
        "WORKER_STALE_MINUTES": _whole(env, "WORKER_STALE_MINUTES", 5, minimum=1),
        "TESTING": environment == "testing",
        "DEBUG": False,
    }
