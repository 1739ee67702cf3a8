"""Template globals: navigation by role, the CSP nonce, formatting filters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, g, request, url_for
from flask_login import current_user

from mentoring.models import Role

# (label, endpoint, roles that see it). Only pages that exist are listed.
NAVIGATION: list[tuple[str, str, frozenset[str]]] = [
    ("Home", "main.home", frozenset(r.value for r in Role)),
    ("Districts", "admin.districts", frozenset({Role.ADMIN.value, Role.COORDINATOR.value})),
    ("Users", "admin.users", frozenset({Role.ADMIN.value})),
    ("Find mentors", "coordination.index", frozenset({Role.ADMIN.value, Role.COORDINATOR.value})),
    ("Matches", "coordination.matches", frozenset({Role.ADMIN.value, Role.COORDINATOR.value})),
]


def add_nav_item(label: str, endpoint: str, roles: set[Role], *, before: str | None = None) -> None:
    """Add a navigation entry for the given roles (blueprints call this when registered)."""
    entry = (label, endpoint, frozenset(r.value for r in roles))
    if any(e[1] == endpoint for e in NAVIGATION):
        return
    if before:
        for i, existing in enumerate(NAVIGATION):
            if existing[1] == before:
                NAVIGATION.insert(i, entry)
                return
    NAVIGATION.append(entry)


def navigation() -> list[dict[str, Any]]:
    """Return the service navigation items for the signed-in user's role."""
    if not current_user.is_authenticated:
        return []
    items: list[dict[str, Any]] = []
    for label, endpoint, roles in NAVIGATION:
        if current_user.role not in roles:
            continue
        href = url_for(endpoint)
        within = (
            endpoint != "main.home"
            and request.blueprint is not None
            and request.path.startswith(href)
            and href != "/"
        )
        items.append(
            {"text": label, "href": href, "active": request.endpoint == endpoint, "within": within}
        )
    # Only one item is current: the exact page, or else the deepest section holding it.
    if not any(i["active"] for i in items):
        sections = [i for i in items if i["within"]]
        if sections:
            max(sections, key=lambda i: len(i["href"]))["active"] = True
    for item in items:
        del item["within"]
    return items


def format_date(value: date | datetime | None, fmt: str = "%-d %B %Y") -> str:
    if value is None:
        return ""
    return value.strftime(fmt)


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%-d %B %Y, %H:%M")


def init_app(app: Flask) -> None:
    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "csp_nonce": g.get("csp_nonce", ""),
            "service_name": app.config["SERVICE_NAME"],
            "organisation_name": app.config["ORGANISATION_NAME"],
            "navigation_items": navigation(),
            "role_labels": {r.value: r.label for r in Role},
        }

    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
