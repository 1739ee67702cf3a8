"""Becoming and stopping being matchable, and stages moving on by themselves.

After any change to a mentor's records (and each day, for everyone) the gate is checked
again: a mentor who passes gets ``matchable_since``; one who stops passing loses it, their
slot-holding matches end (the families wait again, needing a handover) and the
coordinators of those families' districts are told, once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from mentoring.models import (
    EndReason,
    Family,
    Match,
    Mentor,
    MentorStatus,
    PipelineStage,
    Reference,
    Role,
    utcnow,
)
from mentoring.services.common.dates import long_date
from mentoring.services.common.endings import release_matches
from mentoring.services.common.holding import HOLDING
from mentoring.services.common.notify import (
    Outbox,
    coordinators_by_district,
    link,
    notify,
    users_of_role,
)
from mentoring.services.vetting.facts import (
    MentorInfo,
    check_gate,
    chunks,
    current_policy,
    evaluate_all,
    load_facts,
    saved_id,
)
from mentoring.services.vetting.gate import GateResult
from mentoring.services.vetting.trail import audit_mentor

STAGE_ORDER = [s.value for s in PipelineStage]


def refresh_matchable(
    *,
    session: Session,
    mentor_ids: Collection[int],
    on: date,
    outbox: Outbox,
    actor_id: int | None = None,
) -> dict[int, GateResult]:
    """Re-check the gate for mentors whose records changed; record and tell any change."""
    facts, infos = load_facts(session=session, mentor_ids=mentor_ids)
    results = evaluate_all(session=session, facts=facts, on=on, policy=current_policy())
    apply_changes(
        session=session, results=results, infos=infos, on=on, outbox=outbox, actor_id=actor_id
    )
    return results


def apply_changes(
    *,
    session: Session,
    results: Mapping[int, GateResult],
    infos: Mapping[int, MentorInfo],
    on: date,
    outbox: Outbox,
    actor_id: int | None = None,
) -> tuple[list[int], list[int], int]:
    """Set or clear ``matchable_since``; tell about lapses. Return (became, lapsed, told)."""
    became = [m for m, r in results.items() if r.matchable and infos[m].matchable_since is None]
    lapsed = {
        m: r for m, r in results.items() if not r.matchable and infos[m].matchable_since is not None
    }
    for ids, value in ((became, on), (sorted(lapsed), None)):
        for some in chunks(ids):
            session.exec(
                sa.update(Mentor)
                .where(col(Mentor.id).in_(some))
                .values(matchable_since=value)
                .execution_options(synchronize_session="fetch")
            )
    for mid in became:
        audit_mentor(session, "mentor.matchable", infos[mid], actor_id=actor_id, on=on.isoformat())
    told = _tell_about_lapses(session, lapsed, infos, on=on, outbox=outbox, actor_id=actor_id)
    _release_lapsed(session, lapsed, infos, on=on, actor_id=actor_id)
    return became, sorted(lapsed), told


def _families_held(session: Session, mentor_ids: Collection[int]) -> dict[int, list[Family]]:
    """Return, per mentor, the families whose slots they hold (by family reference)."""
    families: dict[int, list[Family]] = defaultdict(list)
    for some in chunks(mentor_ids):
        for mid, family in session.exec(
            select(Match.mentor_id, Family)
            .join(Family, col(Family.id) == Match.family_id)
            .where(col(Match.mentor_id).in_(some), col(Match.status).in_(HOLDING))
            .order_by(col(Family.reference))
        ).all():
            families[mid].append(family)
    return families


def _lapsed_items(result: GateResult) -> str:
    """Name what lapsed, for coordinators: the items not done, but not the stage."""
    return (
        ", ".join(
            i.label.removeprefix("Training: ")
            + (" training" if i.key.startswith("training:") else "")
            for i in result.checklist
            if not i.done and i.key != "stage"
        )
        or "vetting"
    )


def _tell_about_lapses(
    session: Session,
    lapsed: dict[int, GateResult],
    infos: Mapping[int, MentorInfo],
    *,
    on: date,
    outbox: Outbox,
    actor_id: int | None,
) -> int:
    """Tell coordinators (and provider staff) about mentors who stopped being matchable.

    Coordinators of the districts where the mentor has families (matches holding a slot)
    get an urgent notification and an email without names or reasons. Returns how many
    coordinators were told.
    """
    if not lapsed:
        return 0
    families = _families_held(session, lapsed)
    coordinators = coordinators_by_district(
        session, {f.district_id for rows in families.values() for f in rows}
    )
    emails = {saved_id(u.id): u.email for users in coordinators.values() for u in users}
    told_mentors: dict[int, list[str]] = defaultdict(list)  # coordinator -> mentor refs
    providers = [saved_id(u.id) for u in users_of_role(session, Role.PROVIDER)]
    for mid in sorted(lapsed):
        info, result = infos[mid], lapsed[mid]
        rows = families.get(mid, [])
        by_user: dict[int, list[str]] = defaultdict(list)
        for family in rows:
            for user in coordinators.get(family.district_id, ()):
                by_user[saved_id(user.id)].append(family.reference)
        for user_id, refs in by_user.items():
            notify(
                session,
                [user_id],
                kind="mentor_not_matchable",
                urgent=True,
                message=(
                    f"{info.reference} {info.name} can no longer be matched from "
                    f"{long_date(on)} (lapsed: {_lapsed_items(result)}). Their matches have "
                    "ended; these families are back on the waiting list, needing a handover: "
                    f"{', '.join(refs)}."
                ),
                link=link("coordination.matches"),
            )
            told_mentors[user_id].append(info.reference)
        notify(
            session,
            providers,
            kind="mentor_not_matchable",
            urgent=bool(rows),
            message=(
                f"{info.reference} {info.name} can no longer be matched from "
                f"{long_date(on)}: {'; '.join(result.reasons)}"
            ),
            link=link("mentors.mentor", mentor_id=mid),
        )
        audit_mentor(
            session,
            "mentor.not_matchable",
            info,
            actor_id=actor_id,
            missing=result.missing,
            on=on.isoformat(),
            coordinators_told=sorted(by_user),
        )
    for user_id, refs in told_mentors.items():
        outbox.add(emails[user_id], "mentor_not_matchable", refs=refs, on=long_date(on))
    return len(told_mentors)


def _release_lapsed(
    session: Session,
    lapsed: Mapping[int, GateResult],
    infos: Mapping[int, MentorInfo],
    *,
    on: date,
    actor_id: int | None,
) -> None:
    """End the matches of mentors who stopped being matchable: an uncleared mentor never
    keeps a family. The families wait again, flagged "needs handover" (coordinators were
    told by `_tell_about_lapses`)."""
    left = (MentorStatus.WITHDRAWN.value, MentorStatus.REJECTED.value)
    reasons = {
        mid: EndReason.MENTOR_LEFT.value
        if infos[mid].status in left
        else EndReason.MENTOR_NOT_MATCHABLE.value
        for mid in lapsed
    }
    release_matches(session, reasons, actor_id=actor_id, on=on, notify_coordinators=False)


def advance_stage(
    *, session: Session, mentor: Mentor, on: date, actor_id: int | None
) -> str | None:
    """Move an active mentor on through the stages their records complete.

    A mentor whose every check and mandatory module is done and in date moves on to ready
    at once: the stage never says "Training" when nothing is left to do. Returns the new
    stage's value if it moved.
    """
    if mentor.status != MentorStatus.ACTIVE.value or mentor.stage == PipelineStage.READY.value:
        return None
    mentor_id = saved_id(mentor.id)
    result = check_gate(session=session, mentor_id=mentor_id, on=on)
    done = {i.key for i in result.checklist if i.done}
    has_referee = (
        session.exec(select(Reference.id).where(Reference.mentor_id == mentor_id)).first()
        is not None
    )
    steps = {
        PipelineStage.APPLIED.value: has_referee,
        PipelineStage.REFERENCES.value: "references" in done,
        PipelineStage.DBS.value: "dbs" in done,
        PipelineStage.INTERVIEW.value: "interview" in done,
        PipelineStage.TRAINING.value: not result.blocking(ignore={"stage"}),
    }
    start = stage = mentor.stage
    while steps.get(stage):
        stage = STAGE_ORDER[STAGE_ORDER.index(stage) + 1]
    if stage == start:
        return None
    mentor.stage = stage
    mentor.stage_changed_at = utcnow()
    mentor.updated_at = utcnow()
    session.add(mentor)
    session.flush()  # the gate reads the stage on the connection, past the ORM
    audit_mentor(
        session,
        "mentor.stage",
        mentor,
        actor_id=actor_id,
        from_stage=start,
        to_stage=stage,
        automatic=True,
    )
    return stage
