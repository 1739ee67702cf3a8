"""The reports' settings from the app's configuration, with their defaults."""

from __future__ import annotations

from flask import current_app, has_app_context


def setting(name: str, default: int) -> int:
    """Return a whole-number setting of the app, or the default outside an app."""
    if has_app_context():
        return int(current_app.config.get(name, default))
    return default


def no_contact_days() -> int:
    """Return the days without contact after which an active match needs attention
    (``MONITOR_NO_CONTACT_DAYS``, as on the Matches page; default 14)."""
    return max(1, setting("MONITOR_NO_CONTACT_DAYS", 14))
