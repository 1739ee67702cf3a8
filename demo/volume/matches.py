"""The volume data set's matches: some ended, the families mentors have now, and contacts."""
# ruff: noqa: S311

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from demo.volume.bulk import Writer, next_id, template, utc
from demo.volume.families import FamilyInfo
from demo.volume.mentors import MentorInfo
from mentoring.models import ContactKind, ContactLog, EndReason, Match, MatchStatus, Slot


def _match(
    base: dict[str, Any], match_id: int, family_id: int, mentor_id: int, slot: str, start: date
) -> dict[str, Any]:
    """A match that started on a day (active unless ended later)."""
    row = dict(base)
    row.update(
        id=match_id,
        family_id=family_id,
        mentor_id=mentor_id,
        slot=slot,
        status=MatchStatus.ACTIVE.value,
        explanation={},
        created_at=utc(start),
        offered_at=utc(start),
        answered_at=utc(start),
        started_on=start,
        ending_checklist={},
    )
    return row


def _contact(contact_id: int, match_id: int, day: date, kind: str, minutes: int) -> dict[str, Any]:
    return {
        "id": contact_id,
        "match_id": match_id,
        "contact_on": day,
        "kind": kind,
        "duration_minutes": minutes,
        "note": "",
        "recorded_by_id": None,
        "created_at": utc(day),
    }


def add_matches(
    writer: Writer,
    session: Session,
    rng: random.Random,
    today: date,
    mentors: list[MentorInfo],
    families: FamilyInfo,
) -> None:
    """Give ready mentors ended and active matches with the families of their district."""
    base = template(Match, family_id=0, mentor_id=0, slot="mentor")
    match_id = next_id(session, Match)
    contact_id = next_id(session, ContactLog)
    pools = {d: list(rows) for d, rows in families.engaged.items()}
    for pool in pools.values():
        rng.shuffle(pool)
    held: set[tuple[int, str]] = set()
    reasons = [r.value for r in EndReason]
    kinds = [k.value for k in ContactKind]

    def contacts(match: int, start: date, until: date, number: int) -> Iterator[dict[str, Any]]:
        nonlocal contact_id
        for k in range(number):
            day = start + timedelta(days=rng.randint(5, 12) * (k + 1))
            if day > until:
                return
            contact_id += 1
            yield _contact(contact_id - 1, match, day, rng.choice(kinds), 60)

    for mentor in mentors:
        if not mentor.ready_active or mentor.matchable_since is None:
            continue
        slot = Slot.MENTOR.value if mentor.kind == "volunteer" else Slot.ROLE_MODEL.value
        pool = pools.get(mentor.district_id, [])
        # Matches that ended, then the families the mentor has now.
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            if not pool:
                break
            family_id, _wants, consent_on = pool.pop()
            start = max(consent_on, mentor.matchable_since) + timedelta(days=rng.randint(5, 60))
            end = start + timedelta(days=rng.randint(30, 240))
            if end >= today:
                continue
            row = _match(base, match_id, family_id, mentor.id, slot, start)
            row.update(
                status=MatchStatus.ENDED.value,
                ended_on=end,
                end_reason=rng.choices(reasons, [50, 20, 12, 3, 10, 5])[0],
            )
            writer.add(Match, row)
            for contact in contacts(match_id, start, end, rng.randint(2, 6)):
                writer.add(ContactLog, contact)
            match_id += 1
        for _ in range(rng.randint(0, mentor.capacity)):
            candidates = [f for f in pool[-20:] if slot == "mentor" or f[1]]
            if not candidates:
                break
            family_id, _wants, consent_on = candidates[-1]
            pool.remove(candidates[-1])
            if (family_id, slot) in held:
                continue
            held.add((family_id, slot))
            start = min(
                today,
                max(consent_on, mentor.matchable_since) + timedelta(days=rng.randint(5, 60)),
            )
            writer.add(Match, _match(base, match_id, family_id, mentor.id, slot, start))
            # Most mentors keep in touch: a contact every week or two up to recently.
            recent = max(start, today - timedelta(days=rng.choice([2, 5, 9, 12, 20, 40, 90])))
            for contact in contacts(match_id, start, recent, rng.randint(1, 6)):
                writer.add(ContactLog, contact)
            if recent > start:
                contact_id += 1
                writer.add(
                    ContactLog, _contact(contact_id - 1, match_id, recent, rng.choice(kinds), 45)
                )
            match_id += 1
