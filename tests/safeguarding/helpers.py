"""Arranging safeguarding cases for tests."""

from __future__ import annotations

from typing import Any

from mentoring.models import Role

RAISED = {
    "category": "neglect",
    "details": "The youngest said there was no food in the house since Friday.",
    "happened_when": "Tuesday afternoon",
    "people_involved": "The youngest child, aged 6",
}


def dsl(make_user: Any) -> Any:
    return make_user(Role.SAFEGUARDING, email="dsl@example.org")


def raise_as_mentor(client: Any, match_id: int, *, danger: str = "no", **fields: str) -> Any:
    """Post the second step of the raise journey as the signed-in mentor."""
    return client.post(
        f"/my/families/{match_id}/concern?danger={danger}", data={**RAISED, **fields}
    )
