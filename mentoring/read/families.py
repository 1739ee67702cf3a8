"""What the family pages show: a family's record, its access log, the forms' choices.

The view has already loaded the family through `load_visible` (a coordinator's own
districts, every district for an administrator); these only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from mentoring.models import (
    AuditEvent,
    Availability,
    Criterion,
    District,
    Engagement,
    Family,
    FamilyEvent,
    FamilyEventKind,
    FamilyOutcome,
    Match,
    MatchStatus,
    Mentor,
    Need,
    Outcome,
    Slot,
    User,
)
from mentoring.services.common.holding import HOLDING
from mentoring.services.common.scope import Viewer, can_see_district, visible_district_ids
from mentoring.services.families import (
    CONSENT_LABELS,
    ENGAGEMENT_LABELS,
    GENDER_LABELS,
    TRANCHE_LABELS,
    Eligibility,
    FamilyDetails,
    FamilyFilters,
    FamilyRow,
    TurnedAround,
    assess_eligibility,
    assess_turned_around,
    engagement_since,
    family_criteria,
    family_days_waiting,
    family_need_codes,
    family_outcomes,
    held_matches,
    list_families,
    mentoring_is_offered,
    offer_explained,
    phase2_min_criteria,
    readiness_problems,
    tracking_until,
)

ACCESS_LOG_LIMIT = 500
STATUS_LABELS = {s.value: s.value.capitalize() for s in MatchStatus}
CRITERION_LABELS = {c.value: c.label for c in Criterion}
OUTCOME_LABELS = {o.value: o.label for o in Outcome}


# ---------------------------------------------------------------------------
# Choices for the forms
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictOption:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class NeedOption:
    code: str
    name: str


@dataclass(frozen=True)
class Choices:
    """The districts a user may choose (their own) and the needs taxonomy."""

    districts: list[DistrictOption]
    needs: list[NeedOption]


def choices(*, session: Session, user: Viewer) -> Choices:
    """Return the user's districts, by name, and every need, in the taxonomy's order."""
    ids = sorted(visible_district_ids(user))
    districts = session.exec(
        select(District).where(col(District.id).in_(ids)).order_by(col(District.name))
    ).all()
    needs = session.exec(select(Need).order_by(col(Need.sort_order), col(Need.name))).all()
    return Choices(
        districts=[DistrictOption(d.id, d.code, d.name) for d in districts if d.id is not None],
        needs=[NeedOption(n.code, n.name) for n in needs],
    )


def referral_search(*, session: Session, user: Viewer, search: str) -> list[FamilyRow]:
    """Find the user's families whose reference looks like ``search`` (the first ten)."""
    if not search:
        return []
    return list_families(
        session=session, user=user, filters=FamilyFilters(reference=search), per_page=10
    ).rows


def family_details(*, session: Session, family: Family) -> FamilyDetails:
    """Return a family's details as the edit form shows them."""
    if family.id is None:
        raise ValueError("the family has not been saved yet")
    return FamilyDetails.of(family, family_need_codes(session=session, family_id=family.id))


# ---------------------------------------------------------------------------
# The family's page
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionLine:
    code: str
    label: str
    evidence_date: date
    evidence_source: str
    recorded_by: str


@dataclass(frozen=True)
class OutcomeLine:
    code: str
    label: str
    achieved_on: date
    evidence: str


@dataclass(frozen=True)
class MatchLine:
    match_id: int
    mentor_reference: str
    slot: str
    status: str
    status_label: str
    started_on: date | None
    ended_on: date | None
    holds_slot: bool


@dataclass(frozen=True)
class HistoryLine:
    happened_on: date
    what: str
    reason: str
    by: str


@dataclass(frozen=True)
class ReferralLine:
    id: int
    reference: str
    referred_on: date
    exited_on: date | None


@dataclass(frozen=True)
class FamilyRecord:
    """Everything a family's page shows."""

    family: Family
    district_name: str
    tranche_label: str
    engagement_label: str
    engagement_since: date
    gender_label: str
    need_names: list[str]
    availability_names: list[str]
    criteria: list[CriterionLine]
    eligibility: Eligibility
    outcomes: list[OutcomeLine]
    turned: TurnedAround
    problems: list[str]
    matches: list[MatchLine]
    held: list[MatchLine]
    mentor_held: bool
    consent_mentoring_by: str
    consent_sharing_by: str
    history: list[HistoryLine]
    earlier: list[ReferralLine]
    later: list[ReferralLine]
    days_waiting: int
    tracking_until: date | None
    tracked_now: bool
    offered: bool
    offer_label: str
    steps: list[SetupStep]


@dataclass(frozen=True)
class SetupStep:
    """One step of adding a family, in the task list: done or not, and where to do it."""

    title: str
    endpoint: str
    done: bool
    hint: str


def setup_steps(family: Family, *, criteria: int, eligible: bool) -> list[SetupStep]:
    """The four steps of adding a family: details, criteria, consent, engagement."""
    consents = [family.consent_mentoring, family.consent_sharing]
    recorded = family.consent_mentoring_on is not None or family.consent_sharing_on is not None
    return [
        SetupStep("Details, needs and risks", "families.edit", True, "Referral, household, needs"),
        SetupStep(
            "Criteria and evidence",
            "families.eligibility",
            criteria > 0,
            ("Eligible" if eligible else "Not eligible") if criteria else "No criteria yet",
        ),
        SetupStep(
            "Consent",
            "families.consent",
            all(consents) or recorded,
            "Both consents given"
            if all(consents)
            else ("Recorded, not both given" if recorded else "Mentoring and information sharing"),
        ),
        SetupStep(
            "Contact and engagement",
            "families.engagement",
            family.engagement != Engagement.IDENTIFIED.value,
            ENGAGEMENT_LABELS[family.engagement],
        ),
    ]


def _outcome_line(o: FamilyOutcome) -> OutcomeLine:
    return OutcomeLine(
        o.outcome, OUTCOME_LABELS.get(o.outcome, o.outcome), o.achieved_on, o.evidence
    )


def _names(session: Session, user_ids: set[int | None]) -> dict[int, str]:
    ids = sorted(i for i in user_ids if i)
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all()
    return {uid: name for uid, name in rows if uid is not None}


def _matches(session: Session, family_id: int) -> list[MatchLine]:
    rows = session.exec(
        select(Match, Mentor.reference)
        .join(Mentor, col(Mentor.id) == col(Match.mentor_id))
        .where(col(Match.family_id) == family_id)
        .order_by(col(Match.created_at).desc())
    ).all()
    return [
        MatchLine(
            match_id=m.id,
            mentor_reference=reference,
            slot=m.slot,
            status=m.status,
            status_label=STATUS_LABELS.get(m.status, m.status),
            started_on=m.started_on,
            ended_on=m.ended_on,
            holds_slot=m.status in HOLDING,
        )
        for m, reference in rows
        if m.id is not None
    ]


def _history(session: Session, family_id: int) -> list[HistoryLine]:
    """The family's consent and engagement history, newest first, with who recorded it."""
    rows = session.exec(
        select(FamilyEvent, User.name)
        .join(User, col(User.id) == col(FamilyEvent.recorded_by_id), isouter=True)
        .where(col(FamilyEvent.family_id) == family_id)
        .order_by(col(FamilyEvent.happened_on).desc(), col(FamilyEvent.id).desc())
    ).all()
    out = []
    for event, name in rows:
        if event.kind == FamilyEventKind.ENGAGEMENT.value:
            what = ENGAGEMENT_LABELS.get(event.value, event.value)
        else:
            label = CONSENT_LABELS[FamilyEventKind(event.kind)]
            what = f"{label[0].upper()}{label[1:]} {event.value}"
        out.append(HistoryLine(event.happened_on, what, event.reason, name or ""))
    return out


def _referral(family: Family) -> ReferralLine | None:
    if family.id is None:
        return None
    return ReferralLine(family.id, family.reference, family.referred_on, family.exited_on)


def _related(
    session: Session, family: Family, user: Viewer
) -> tuple[list[ReferralLine], list[ReferralLine]]:
    """The earlier referrals of this family and the later ones, those the user may see."""
    earlier: list[ReferralLine] = []
    seen = {family.id}
    current = family
    while current.previous_family_id and current.previous_family_id not in seen:
        previous = session.get(Family, current.previous_family_id)
        if previous is None:
            break
        seen.add(previous.id)
        line = _referral(previous)
        if line is not None and can_see_district(user, previous.district_id):
            earlier.append(line)
        current = previous
    later = [
        line
        for f in session.exec(
            select(Family)
            .where(col(Family.previous_family_id) == family.id)
            .order_by(col(Family.id))
        ).all()
        if can_see_district(user, f.district_id) and (line := _referral(f)) is not None
    ]
    return earlier, later


def family_record(*, session: Session, family: Family, user: Viewer, on: date) -> FamilyRecord:
    """Assemble a family's page.

    The queries do not grow with the family's history, criteria, results or matches; an
    earlier referral costs one more.
    """
    if family.id is None:
        raise ValueError("the family has not been saved yet")
    district = session.get(District, family.district_id)
    codes = set(family_need_codes(session=session, family_id=family.id))
    need_names = [
        n.name
        for n in session.exec(select(Need).order_by(col(Need.sort_order), col(Need.name))).all()
        if n.code in codes
    ]
    criteria = family_criteria(session=session, family_id=family.id)
    outcomes = family_outcomes(session=session, family_id=family.id)
    met = {c.criterion for c in criteria}
    phase2_min = phase2_min_criteria()
    names = _names(
        session,
        {
            family.consent_mentoring_by_id,
            family.consent_sharing_by_id,
            *(c.recorded_by_id for c in criteria),
        },
    )
    matches = _matches(session, family.id)
    held = [m for m in matches if m.holds_slot]
    earlier, later = _related(session, family, user)
    until = tracking_until(family.exited_on)
    eligibility = assess_eligibility(
        criteria=met,
        phase=family.programme_phase,
        discretion_reason=family.discretion_reason,
        phase2_min_criteria=phase2_min,
    )
    return FamilyRecord(
        family=family,
        district_name=district.name if district else "",
        tranche_label=TRANCHE_LABELS.get(family.tranche or 0, "Not decided yet"),
        engagement_label=ENGAGEMENT_LABELS[family.engagement],
        engagement_since=engagement_since(
            engagement=family.engagement,
            changed_on=family.engagement_changed_on,
            exited_on=family.exited_on,
        ),
        gender_label=GENDER_LABELS.get(
            family.gender_preference or "", family.gender_preference or ""
        ),
        need_names=need_names,
        availability_names=[
            Availability(a).label for a in family.availability if a in Availability.values()
        ],
        criteria=[
            CriterionLine(
                code=c.criterion,
                label=CRITERION_LABELS.get(c.criterion, c.criterion),
                evidence_date=c.evidence_date,
                evidence_source=c.evidence_source,
                recorded_by=names.get(c.recorded_by_id or 0, ""),
            )
            for c in criteria
        ],
        eligibility=eligibility,
        outcomes=[_outcome_line(o) for o in outcomes],
        turned=assess_turned_around(
            criteria=met, outcomes={o.outcome for o in outcomes}, phase=family.programme_phase
        ),
        problems=readiness_problems(family=family, criteria=met, phase2_min=phase2_min),
        matches=matches,
        held=held,
        mentor_held=any(m.slot == Slot.MENTOR.value for m in held),
        consent_mentoring_by=names.get(family.consent_mentoring_by_id or 0, ""),
        consent_sharing_by=names.get(family.consent_sharing_by_id or 0, ""),
        history=_history(session, family.id),
        earlier=earlier,
        later=later,
        days_waiting=family_days_waiting(family, on),
        tracking_until=until,
        tracked_now=bool(family.exited_on and until and until >= on),
        offered=mentoring_is_offered(family),
        offer_label=offer_explained(family),
        steps=setup_steps(family, criteria=len(criteria), eligible=eligibility.eligible),
    )


# ---------------------------------------------------------------------------
# The other pages of one family
# ---------------------------------------------------------------------------


def recorded_criteria(*, session: Session, family_id: int) -> list[CriterionLine]:
    """Return the criteria recorded for a family, for the criteria form."""
    return [
        CriterionLine(
            code=c.criterion,
            label=CRITERION_LABELS.get(c.criterion, c.criterion),
            evidence_date=c.evidence_date,
            evidence_source=c.evidence_source,
            recorded_by="",
        )
        for c in family_criteria(session=session, family_id=family_id)
    ]


def recorded_outcome(*, session: Session, family_id: int, outcome: str) -> OutcomeLine | None:
    """Return one result recorded for a family, if it is there (for the results form)."""
    for o in family_outcomes(session=session, family_id=family_id):
        if o.outcome == outcome:
            return _outcome_line(o)
    return None


def held_by(*, session: Session, family_id: int) -> list[str]:
    """Return the references of the mentors holding the family's slots."""
    return [mentor.reference for _m, mentor in held_matches(session=session, family_id=family_id)]


@dataclass(frozen=True)
class AccessLine:
    at: datetime
    who: str
    role: str
    action: str
    fields: list[str]


def access_log(*, session: Session, family_id: int) -> list[AccessLine]:
    """Return who viewed or changed a family's record, newest first (the last 500)."""
    rows = session.exec(
        select(AuditEvent, User.name)
        .join(User, col(User.id) == col(AuditEvent.actor_id), isouter=True)
        .where(col(AuditEvent.object_type) == "family", col(AuditEvent.object_id) == family_id)
        .order_by(col(AuditEvent.at).desc())
        .limit(ACCESS_LOG_LIMIT)
    ).all()
    return [
        AccessLine(
            at=e.at,
            who=name or "System",
            role=e.actor_role,
            action=e.action,
            fields=list(e.details.get("fields") or []),
        )
        for e, name in rows
    ]
