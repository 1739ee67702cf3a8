"""Who may see what: the one district-scope rule, and the one loader that applies it.

Administrators see every district; coordinators see the districts they are given
(`SignedInUser.district_ids` is loaded once per request, all districts for an
administrator); everyone else sees no district's records. A mentor sees only the
matches they hold. `load_visible` answers `NotFound` for a record the user may not see,
the same as for one that does not exist, so nothing tells which it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sqlmodel import Session

from mentoring.exceptions import NotFound
from mentoring.models import (
    ConcernSubject,
    District,
    Family,
    Match,
    MatchingRun,
    Role,
    SafeguardingConcern,
)
from mentoring.numbers import parse_id

T = TypeVar("T")


class Viewer(Protocol):
    """What scope needs of a user (`mentoring.services.users.SignedInUser` is one)."""

    @property
    def id(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def district_ids(self) -> frozenset[int]: ...
    @property
    def mentor_id(self) -> int | None: ...


DISTRICT_ROLES = frozenset({Role.ADMIN.value, Role.COORDINATOR.value})


def visible_district_ids(user: Viewer) -> frozenset[int]:
    """Return the districts whose families the user may see."""
    if getattr(user, "role", None) in DISTRICT_ROLES:
        return frozenset(user.district_ids)
    return frozenset()


def can_see_district(user: Viewer, district_id: int | None) -> bool:
    """Tell whether a user may see a district's records."""
    return district_id is not None and district_id in visible_district_ids(user)


def _family_visible(session: Session, family: Family, user: Viewer) -> bool:
    return can_see_district(user, family.district_id)


def _match_visible(session: Session, match: Match, user: Viewer) -> bool:
    if user.role == Role.MENTOR.value:
        return user.mentor_id is not None and match.mentor_id == user.mentor_id
    family = session.get(Family, match.family_id)
    return family is not None and can_see_district(user, family.district_id)


def _run_visible(session: Session, run: MatchingRun, user: Viewer) -> bool:
    # A run over several districts (an administrator's county-wide run) is visible to each
    # of their coordinators, who see and decide only their own districts' proposals.
    return bool(set(run.district_ids) & visible_district_ids(user))


def _concern_visible(session: Session, concern: SafeguardingConcern, user: Viewer) -> bool:
    """Need-to-know: the designated safeguarding lead sees every case; an allegation
    against a mentor only they and provider staff; a family's concern only the coordinators
    of its district. A mentor never loads a case (they see their own concerns' status in
    a list); nor do administrators."""
    if user.role == Role.SAFEGUARDING.value:
        return True
    if concern.subject == ConcernSubject.MENTOR.value:
        return user.role == Role.PROVIDER.value
    if user.role != Role.COORDINATOR.value or concern.match_id is None:
        return False
    match = session.get(Match, concern.match_id)
    return match is not None and _match_visible(session, match, user)


def _district_visible(session: Session, district: District, user: Viewer) -> bool:
    return can_see_district(user, district.id)


_RULES: dict[type, Callable[[Session, Any, Viewer], bool]] = {
    Family: _family_visible,
    Match: _match_visible,
    MatchingRun: _run_visible,
    SafeguardingConcern: _concern_visible,
    District: _district_visible,
}


def may_see(session: Session, row: Any, user: Viewer) -> bool:
    """Tell whether the user may see a row (of a kind with a scope rule)."""
    rule = _RULES.get(type(row))
    if rule is None:
        raise TypeError(f"no scope rule for {type(row).__name__}")
    return rule(session, row, user)


def load_visible(model: type[T], row_id: Any, user: Viewer, *, session: Session) -> T:
    """Load a row the user may see; raise `NotFound` if it is missing or out of scope."""
    if model not in _RULES:
        raise TypeError(f"no scope rule for {model.__name__}")
    number = parse_id(row_id)
    row = session.get(model, number) if number is not None else None
    if row is None or not may_see(session, row, user):
        raise NotFound("Page not found")
    return row
