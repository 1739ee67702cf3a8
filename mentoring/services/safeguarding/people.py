"""Who is told about a safeguarding case, and how (the messages never carry its words)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from mentoring.models import Role, SafeguardingConcern, User
from mentoring.services.common.notify import Outbox, coordinators_of, link, notify, users_of_role


def safeguarding_leads(session: Session) -> list[User]:
    """Return the enabled designated safeguarding leads."""
    return users_of_role(session, Role.SAFEGUARDING)


def leads_and_managers(session: Session) -> list[User]:
    """Return the safeguarding leads and the provider's managers (provider staff)."""
    return safeguarding_leads(session) + users_of_role(session, Role.PROVIDER)


def case_link(concern: SafeguardingConcern) -> str:
    return link("safeguarding.case", concern_id=concern.id)


def tell(
    session: Session,
    outbox: Outbox,
    users: Iterable[User],
    concern: SafeguardingConcern,
    *,
    kind: str,
    message: str,
    email: str,
    **context: object,
) -> int:
    """Tell people about a case at once: an urgent home-page message and an email, each
    naming the reference only. Return how many people were told."""
    people = {u.id: u for u in users if u.id is not None}
    notify(session, people, kind=kind, message=message, link=case_link(concern), urgent=True)
    for user in people.values():
        outbox.add(user.email, email, reference=concern.reference, **context)
    return len(people)


def district_coordinators(session: Session, concern: SafeguardingConcern) -> list[User]:
    """Return the coordinators of the case's district (none for an allegation)."""
    if concern.is_allegation:
        return []
    return coordinators_of(session, concern.district_id)
