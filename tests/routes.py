"""Helpers for tests that walk the URL map."""

from __future__ import annotations

from typing import Any


def url_value(rule: Any, name: str, ids: dict[str, Any] | None = None) -> Any:
    """A value for a URL parameter: the first choice of an any() converter, else the id
    given for that name, else 1."""
    items = getattr(rule._converters.get(name), "items", None)
    return sorted(items)[0] if items else (ids or {}).get(name, 1)
