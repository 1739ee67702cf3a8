"""Keeping in date: the checks and training that expire soon, and the reminders about them.

Reminders go at 60, 30 and 7 days before an item is due, and when it has expired: to the
mentor, and as one digest to provider staff. Each (item, due date, milestone) is sent once
(`VettingReminder`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from mentoring import audit
from mentoring.models import DbsDecision, DbsResult, Mentor, MentorStatus, Role, VettingReminder
from mentoring.services.common.dates import long_date
from mentoring.services.common.notify import Outbox, link, notify, users_of_role
from mentoring.services.vetting.facts import (
    MentorInfo,
    chunks,
    current_policy,
    load_facts,
    load_modules,
    saved_id,
)
from mentoring.services.vetting.gate import (
    MentorFacts,
    ModuleFacts,
    VettingPolicy,
    current_dbs,
    dbs_due_on,
    dbs_uses_status_check,
    latest_completion,
    training_expires_on,
)

ReminderKey = tuple[int, str, date, str]  # mentor id, item, due date, milestone


@dataclass(frozen=True)
class ExpiringItem:
    """A check or training that expires soon or has expired."""

    mentor_id: int
    mentor_reference: str
    mentor_name: str
    mentor_email: str
    home_district_id: int
    stage: str
    status: str
    item: str  # "dbs" or "training:<code>"
    label: str
    due_on: date
    days_left: int  # negative once expired
    status_check: bool = False  # a DBS kept in date by Update Service status checks

    @property
    def expired(self) -> bool:
        return self.days_left <= 0


def _due_dates(
    facts: MentorFacts, modules: list[ModuleFacts], *, on: date, policy: VettingPolicy
) -> list[tuple[str, str, date, bool]]:
    """Return (item, label, due date, kept by status checks) for what can expire."""
    due: list[tuple[str, str, date, bool]] = []
    dbs = current_dbs(facts.dbs_checks, on)
    if dbs is not None and (
        dbs.result == DbsResult.CLEAR.value or dbs.decision == DbsDecision.PROCEED.value
    ):
        by_status_check = dbs.update_service_subscribed and dbs_uses_status_check(dbs, policy)
        label = "DBS Update Service status check" if by_status_check else "DBS check"
        due.append(("dbs", label, dbs_due_on(dbs, policy, on), bool(dbs.update_service_subscribed)))
    for module in modules:
        if not module.active or module.validity_months is None:
            continue
        completed = latest_completion(facts.training.get(module.id, ()), on)
        expires = training_expires_on(completed, module) if completed else None
        if expires is not None:
            due.append((f"training:{module.code}", f"Training: {module.name}", expires, False))
    return due


def _items_for(
    facts: MentorFacts,
    info: MentorInfo,
    modules: list[ModuleFacts],
    *,
    on: date,
    within_days: int,
    policy: VettingPolicy,
) -> list[ExpiringItem]:
    horizon = on + timedelta(days=within_days)
    return [
        ExpiringItem(
            mentor_id=info.id,
            mentor_reference=info.reference,
            mentor_name=info.name,
            mentor_email=info.email,
            home_district_id=info.home_district_id,
            stage=info.stage,
            status=info.status,
            item=item,
            label=label,
            due_on=due,
            days_left=(due - on).days,
            status_check=status_check,
        )
        for item, label, due, status_check in _due_dates(facts, modules, on=on, policy=policy)
        if due <= horizon
    ]


def expiring_items(*, session: Session, on: date, within_days: int = 60) -> list[ExpiringItem]:
    """List the checks and training that expire within the days given, or have expired.

    Only mentors still with the provider (active or paused) are listed; the soonest first.
    """
    facts, infos = load_facts(
        session=session,
        where=[col(Mentor.status).in_([MentorStatus.ACTIVE.value, MentorStatus.PAUSED.value])],
    )
    modules = load_modules(session=session)
    policy = current_policy()
    items: list[ExpiringItem] = []
    for mid, f in facts.items():
        items += _items_for(f, infos[mid], modules, on=on, within_days=within_days, policy=policy)
    return sorted(items, key=lambda i: (i.due_on, i.mentor_reference, i.item))


def milestone_for(days_left: int) -> str:
    """Which reminder an item is due: 60, 30 or 7 days ahead, or expired."""
    if days_left <= 0:
        return "expired"
    if days_left <= 7:
        return "7"
    if days_left <= 30:
        return "30"
    return "60"


def _sent(session: Session, mentor_ids: set[int]) -> set[ReminderKey]:
    """Return the reminders already sent to these mentors."""
    sent: set[ReminderKey] = set()
    for some in chunks(mentor_ids):
        for mentor_id, item, due_on, milestone in session.exec(
            select(
                col(VettingReminder.mentor_id),
                col(VettingReminder.item),
                col(VettingReminder.due_on),
                col(VettingReminder.milestone),
            ).where(col(VettingReminder.mentor_id).in_(some))
        ).all():
            sent.add((mentor_id, item, due_on, milestone))
    return sent


def _text_numbers(session: Session, mentor_ids: set[int]) -> dict[int, str]:
    """The phone numbers of the mentors who asked for text-message reminders."""
    rows = session.exec(
        select(Mentor.id, Mentor.phone).where(
            col(Mentor.id).in_(sorted(mentor_ids)),
            col(Mentor.text_reminders).is_(True),
            Mentor.phone != "",
        )
    ).all()
    return {mentor_id: phone for mentor_id, phone in rows if mentor_id is not None}


def send_reminders(*, session: Session, on: date, policy: VettingPolicy, outbox: Outbox) -> int:
    """Queue each reminder due today (once), and one digest for provider staff."""
    items = expiring_items(session=session, on=on, within_days=policy.reminder_days)
    if not items:
        return 0
    sent = _sent(session, {i.mentor_id for i in items})
    texts = _text_numbers(session, {i.mentor_id for i in items})
    new: list[ExpiringItem] = []
    for item in items:
        key = (item.mentor_id, item.item, item.due_on, milestone_for(item.days_left))
        if key in sent:
            continue
        sent.add(key)
        session.add(
            VettingReminder(
                mentor_id=item.mentor_id,
                item=item.item,
                due_on=item.due_on,
                milestone=key[3],
                sent_on=on,
            )
        )
        outbox.add(
            item.mentor_email,
            "vetting_reminder",
            key=key,
            first_name=item.mentor_name.split(" ")[0],
            when=long_date(item.due_on),
            item=item,
            module=item.label.removeprefix("Training: "),
        )
        outbox.add_text(
            texts.get(item.mentor_id),
            "vetting_reminder",
            when=long_date(item.due_on),
            item=item,
            module=item.label.removeprefix("Training: "),
        )
        new.append(item)
    if new:
        _tell_providers(session, new, outbox=outbox)
        audit.record(session, "vetting.reminders", count=len(new), on=on.isoformat())
    return len(new)


def _tell_providers(session: Session, items: list[ExpiringItem], *, outbox: Outbox) -> None:
    lines = [
        f"- {i.mentor_reference} {i.mentor_name}: {i.label}, "
        + (f"expired on {long_date(i.due_on)}" if i.expired else f"due {long_date(i.due_on)}")
        for i in items
    ]
    providers = users_of_role(session, Role.PROVIDER)
    notify(
        session,
        [saved_id(p.id) for p in providers],
        kind="keeping_in_date",
        message=f"{len(items)} checks or training need renewing soon or have expired.",
        link=link("mentors.keeping_in_date"),
    )
    for provider in providers:
        outbox.add(provider.email, "vetting_digest", lines=lines)
