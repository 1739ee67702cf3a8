"""Family lists: filters, one page of a list, and the anonymised export (fixed queries)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from mentoring.exceptions import OutOfScope
from mentoring.models import (
    District,
    Family,
    FamilyCriterion,
    FamilyNeed,
    FamilyOutcome,
    Need,
    service_today,
)
from mentoring.services.common.scope import Viewer, visible_district_ids
from mentoring.services.families.clauses import (
    eligible_clause,
    matched_clause,
    open_clause,
    ready_clause,
    waiting_since,
)
from mentoring.services.families.details import COUNT_FIELDS
from mentoring.services.families.rules import (
    CRITERION_ORDER,
    OUTCOME_ORDER,
    assess_turned_around,
    days_waiting,
    engagement_since,
    family_days_waiting,
    offered,
    phase2_min_criteria,
    tracking_until,
)

MENTOR_FILTERS = {
    "waiting": "Waiting",
    "matched": "Has a mentor",
    "not_ready": "Not ready",
}


@dataclass
class FamilyFilters:
    """What a family list is narrowed to."""

    district_id: int | None = None
    tranche: int | None = None
    need: str | None = None
    engagement: str | None = None
    mentor: str | None = None
    min_days_waiting: int | None = None
    reference: str = ""
    sort: str = "reference"

    def as_args(self) -> dict[str, str]:
        """Return the filters as query-string arguments (for links and pagination)."""
        out = {
            "district": self.district_id,
            "tranche": self.tranche,
            "need": self.need,
            "engagement": self.engagement,
            "mentor": self.mentor,
            "waiting": self.min_days_waiting,
            "reference": self.reference,
            "sort": self.sort if self.sort != "reference" else None,
        }
        return {k: str(v) for k, v in out.items() if v not in (None, "")}


def _filtered(*, user: Viewer, filters: FamilyFilters, on: date, phase2_min: int) -> list[Any]:
    """Return the WHERE conditions for a user's family list."""
    districts = visible_district_ids(user)
    if filters.district_id is not None:
        if filters.district_id not in districts:
            raise OutOfScope
        districts = frozenset({filters.district_id})
    conditions: list[Any] = [col(Family.district_id).in_(sorted(districts))]
    if filters.tranche is not None:
        conditions.append(col(Family.tranche) == filters.tranche)
    if filters.engagement:
        conditions.append(col(Family.engagement) == filters.engagement)
    if filters.need:
        conditions.append(
            sa.exists()
            .where(
                col(FamilyNeed.family_id) == col(Family.id),
                col(FamilyNeed.need_id) == col(Need.id),
                col(Need.code) == filters.need,
            )
            .correlate(Family)
        )
    # The same definitions as the figures on the home page and the reports
    # (``reports.families_now``): with a mentor and not ready count open families.
    if filters.mentor == "matched":
        conditions.extend([open_clause(), matched_clause()])
    elif filters.mentor == "waiting":
        conditions.extend([ready_clause(phase2_min), ~matched_clause()])
    elif filters.mentor == "not_ready":
        conditions.extend([open_clause(), ~ready_clause(phase2_min), ~matched_clause()])
    if filters.min_days_waiting is not None:
        conditions.append(waiting_since() <= on - timedelta(days=filters.min_days_waiting))
    if filters.reference.strip():
        fragment = filters.reference.strip().upper().replace("%", "").replace("_", "")
        conditions.append(col(Family.reference).like(f"%{fragment}%"))
    return conditions


@dataclass
class FamilyRow:
    """One line of a family list: pseudonymous, no names."""

    id: int
    reference: str
    district: str
    tranche: int | None
    engagement: str
    needs: list[str]
    ready: bool
    matched: bool
    days_waiting: int
    referred_on: date


@dataclass
class FamilyPage:
    """One page of a family list, with the counts for pagination."""

    rows: list[FamilyRow]
    total: int
    page: int
    pages: int
    per_page: int


def list_families(
    *,
    session: Session,
    user: Viewer,
    filters: FamilyFilters,
    page: int = 1,
    per_page: int = 50,
    on: date | None = None,
) -> FamilyPage:
    """Return one page of the families a user may see, filtered (a fixed number of queries)."""
    on = on or service_today()
    phase2_min = phase2_min_criteria()
    conditions = _filtered(user=user, filters=filters, on=on, phase2_min=phase2_min)
    total = session.exec(select(sa.func.count()).select_from(Family).where(*conditions)).one()
    pages = max(1, -(-int(total) // per_page))
    page = min(max(1, page), pages)
    order: list[Any] = (
        [waiting_since().asc(), col(Family.reference)]
        if filters.sort == "waiting"
        else [col(District.name), col(Family.number)]
    )
    rows = session.exec(
        select(
            Family,
            District.name,
            ready_clause(phase2_min).label("ready"),
            matched_clause().label("matched"),
        )
        .join(District, col(District.id) == col(Family.district_id))
        .where(*conditions)
        .order_by(*order)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    ids = [f.id for f, *_ in rows if f.id is not None]
    needs = _need_names(session, ids)
    return FamilyPage(
        rows=[
            FamilyRow(
                id=f.id,
                reference=f.reference,
                district=name,
                tranche=f.tranche,
                engagement=f.engagement,
                needs=needs.get(f.id, []),
                ready=bool(ready),
                matched=bool(matched),
                days_waiting=family_days_waiting(f, on),
                referred_on=f.referred_on,
            )
            for f, name, ready, matched in rows
            if f.id is not None
        ],
        total=int(total),
        page=page,
        pages=pages,
        per_page=per_page,
    )


def _need_names(session: Session, family_ids: list[int]) -> dict[int, list[str]]:
    if not family_ids:
        return {}
    out: dict[int, list[str]] = defaultdict(list)
    for fid, name in session.exec(
        select(FamilyNeed.family_id, Need.name)
        .join(Need, col(Need.id) == col(FamilyNeed.need_id))
        .where(col(FamilyNeed.family_id).in_(family_ids))
        .order_by(col(Need.sort_order), col(Need.name))
    ).all():
        out[fid].append(name)
    return out


# ---------------------------------------------------------------------------
# The anonymised export
# ---------------------------------------------------------------------------

EXPORT_HEADER = [
    "reference",
    "district",
    "programme_phase",
    "tranche",
    "mentoring_offered",
    "referred_on",
    *COUNT_FIELDS,
    "languages",
    "needs",
    "criteria",
    "eligible",
    "wants_role_model",
    "risk_domestic_abuse",
    "risk_no_lone_visits",
    "consent_mentoring",
    "consent_sharing",
    "engagement",
    "engagement_changed_on",
    "ready_for_matching",
    "has_mentor",
    "days_waiting",
    "outcomes",
    "turned_around",
    "exited_on",
    "tracked_until",
    "previous_reference",
]
# The family's own columns the export reads (plain columns, not ORM objects: an export of
# 50,000 families stays quick).
_EXPORT_COLUMNS = (
    "id",
    "reference",
    "district_id",
    "programme_phase",
    "tranche",
    "mentoring_offered",
    "referred_on",
    *COUNT_FIELDS,
    "languages",
    "wants_role_model",
    "risk_domestic_abuse",
    "risk_no_lone_visits",
    "consent_mentoring",
    "consent_mentoring_on",
    "consent_sharing",
    "engagement",
    "engagement_changed_on",
    "exited_on",
)


def _codes_by_family(session: Session, statement: Any) -> dict[int, list[str]]:
    """Group (family id, code) rows by family, in the statement's order."""
    out: dict[int, list[str]] = defaultdict(list)
    for fid, code in session.connection().execute(statement).all():
        out[fid].append(code)
    return out


def export_rows(
    *, session: Session, user: Viewer, filters: FamilyFilters, on: date | None = None
) -> Iterator[list[Any]]:
    """Yield the anonymised export of a user's filtered families (no names, contacts or notes).

    References are pseudonymous; key-worker details, shared first names, safety notes,
    goals, discretion reasons, evidence sources and history reasons are left out.
    """
    on = on or service_today()
    phase2_min = phase2_min_criteria()
    conditions = _filtered(user=user, filters=filters, on=on, phase2_min=phase2_min)
    ids = select(Family.id).where(*conditions)
    codes = dict(session.exec(select(District.id, District.code)).all())
    needs = _codes_by_family(
        session,
        sa.select(col(FamilyNeed.family_id), col(Need.code))
        .join(Need, col(Need.id) == col(FamilyNeed.need_id))
        .where(col(FamilyNeed.family_id).in_(ids))
        .order_by(col(Need.sort_order)),
    )
    criteria = _codes_by_family(
        session,
        sa.select(col(FamilyCriterion.family_id), col(FamilyCriterion.criterion)).where(
            col(FamilyCriterion.family_id).in_(ids)
        ),
    )
    outcomes = _codes_by_family(
        session,
        sa.select(col(FamilyOutcome.family_id), col(FamilyOutcome.outcome)).where(
            col(FamilyOutcome.family_id).in_(ids)
        ),
    )
    previous = aliased(Family)
    statement = (
        sa.select(
            *(getattr(Family, name) for name in _EXPORT_COLUMNS),
            eligible_clause(phase2_min).label("eligible"),
            ready_clause(phase2_min).label("ready"),
            matched_clause().label("matched"),
            col(previous.reference).label("previous_reference"),
        )
        .join(previous, col(previous.id) == col(Family.previous_family_id), isouter=True)
        .where(*conditions)
        .order_by(col(Family.district_id), col(Family.number))
    )
    for f in session.connection().execute(statement).mappings():
        met = set(criteria.get(f["id"], []))
        results = set(outcomes.get(f["id"], []))
        turned = assess_turned_around(criteria=met, outcomes=results, phase=f["programme_phase"])
        until = tracking_until(f["exited_on"])
        yield [
            f["reference"],
            codes.get(f["district_id"], ""),
            f["programme_phase"],
            f["tranche"] or "",
            _yes_no(offered(mentoring_offered=f["mentoring_offered"], tranche=f["tranche"])),
            f["referred_on"].isoformat(),
            *(f[name] for name in COUNT_FIELDS),
            ";".join(f["languages"] or []),
            ";".join(needs.get(f["id"], [])),
            ";".join(sorted(met, key=lambda c: CRITERION_ORDER.get(c, 99))),
            _yes_no(bool(f["eligible"])),
            _yes_no(f["wants_role_model"]),
            _yes_no(f["risk_domestic_abuse"]),
            _yes_no(f["risk_no_lone_visits"]),
            _yes_no(f["consent_mentoring"]),
            _yes_no(f["consent_sharing"]),
            f["engagement"],
            engagement_since(
                engagement=f["engagement"],
                changed_on=f["engagement_changed_on"],
                exited_on=f["exited_on"],
            ).isoformat(),
            _yes_no(bool(f["ready"])),
            _yes_no(bool(f["matched"])),
            days_waiting(
                consent_mentoring=f["consent_mentoring"],
                consent_mentoring_on=f["consent_mentoring_on"],
                referred_on=f["referred_on"],
                on=on,
            ),
            ";".join(sorted(results, key=lambda o: OUTCOME_ORDER.get(o, 99))),
            _yes_no(turned.achieved),
            f["exited_on"].isoformat() if f["exited_on"] else "",
            until.isoformat() if until else "",
            f["previous_reference"] or "",
        ]


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"
