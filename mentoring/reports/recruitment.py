"""The Recruitment page's figures, from a stored plan: the steps in words, the coverage
chart, the families served counted by district and need, the mentors to train, the CSV.

Everything here is worked out from the plan (a background job's result); there are no
queries and no people: recruits are profiles, families are counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from matching.policy import join_words, label
from mentoring.read.recruitment import StoredPlan
from mentoring.reports.charts import Chart, Row, Series, Value, bar_chart
from mentoring.services.reports import suppress

KIND_NAMES = {"volunteer": "Volunteer mentor", "role_model": "Role model (former participant)"}
MODULE_NAMES = {"domestic_abuse": "Domestic abuse"}
CSV_HEADER = [
    "action",
    "step",
    "kind",
    "home_district",
    "travel_districts",
    "skills",
    "languages",
    "availability",
    "gender",
    "domestic_abuse_trained",
    "capacity",
    "mentor",
    "families_newly_matched",
    "slots_filled",
    "priority_covered",
]


@dataclass(frozen=True)
class StepRow:
    number: int
    kind: str
    home: str
    description: str
    families: int
    slots_filled: int
    priority_covered: int


@dataclass(frozen=True)
class TrainRow:
    mentor: str
    module: str
    families: int
    districts: str
    slots_filled: int


@dataclass(frozen=True)
class CountRow:
    label: str
    count: int | str  # "<5" where small numbers are suppressed


@dataclass(frozen=True)
class PlanView:
    before_slots: int
    waiting_families: int
    steps: list[StepRow]
    chart: Chart
    by_district: list[CountRow]
    by_need: list[CountRow]
    train: list[TrainRow]
    targeted: list[str]  # district names where the plan recruits (home districts)
    district_names: str


def _district(plan: StoredPlan, code: str) -> str:
    return plan.names.get(code, code)


def describe(profile: dict[str, Any], plan: StoredPlan) -> str:
    """A recruit's profile in words: where, what, when, who."""
    parts = [f"lives in {_district(plan, profile['home_district'])}"]
    if profile["travel_districts"]:
        travel = join_words(_district(plan, d) for d in profile["travel_districts"])
        parts.append(f"travels to {travel}")
    if profile["skills"]:
        parts.append(f"helps with {join_words(label(s) for s in profile['skills'])}")
    if profile["languages"]:
        parts.append(f"speaks {join_words(profile['languages'])}")
    if profile["availability"]:
        parts.append(f"free {join_words(label(a) for a in profile['availability'])}")
    if profile["gender"]:
        parts.append(label(profile["gender"]))
    if profile["domestic_abuse_trained"]:
        parts.append("trained for domestic abuse")
    families = profile["capacity"]
    parts.append(f"takes {families} {'family' if families == 1 else 'families'}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def _sorted_counts(counts: Counter[str], name: Any, threshold: int | None) -> list[CountRow]:
    ranked = sorted(((name(k), v) for k, v in counts.items() if v), key=lambda r: (-r[1], r[0]))
    return [CountRow(k, suppress(v, threshold) if threshold else v) for k, v in ranked]


def present(plan: StoredPlan, *, threshold: int | None = None) -> PlanView:
    """Turn a stored plan into what the page shows; with a `threshold`, counts of families
    by district and by need below it are shown as "<threshold" (for viewers who may not see
    those districts' families)."""
    data = plan.plan
    before = data["before"]
    steps = []
    districts: Counter[str] = Counter()
    needs: Counter[str] = Counter()
    for i, step in enumerate(data["steps"], start=1):
        served = step["served"]
        districts.update(served["districts"])
        needs.update(served["needs"])
        steps.append(
            StepRow(
                number=i,
                kind=KIND_NAMES[step["profile"]["kind"]],
                home=_district(plan, step["profile"]["home_district"]),
                description=describe(step["profile"], plan),
                families=served["families"],
                slots_filled=step["slots_filled"],
                priority_covered=step["priority_covered"],
            )
        )
    rows = [Row("Now", [Value(before["slots_filled"], f"{before['slots_filled']:,}")])]
    rows += [
        Row(
            f"{s.number} {'recruit' if s.number == 1 else 'recruits'}",
            [Value(s.slots_filled, f"{s.slots_filled:,}")],
        )
        for s in steps
    ]
    chart = bar_chart(
        chart_id="coverage-chart",
        title="Family slots filled against recruits",
        description="Family slots the optimiser can fill now and with each number of "
        "recruits from the plan; the same figures are in the table below.",
        series=[Series("Family slots filled")],
        rows=rows,
    )
    train = [
        TrainRow(
            mentor=u["mentor"],
            module=MODULE_NAMES.get(u["module"], label(u["module"])),
            families=u["served"]["families"],
            districts=join_words(_district(plan, d) for d in sorted(u["served"]["districts"])),
            slots_filled=u["slots_filled"],
        )
        for u in data["upskill"]
    ]
    homes = sorted({s["profile"]["home_district"] for s in data["steps"]})
    names = [plan.names[c] for c in plan.names if plan.ids.get(c) in data["district_ids"]]
    everywhere = len(names) == len(plan.names) > 1
    return PlanView(
        before_slots=before["slots_filled"],
        waiting_families=data["waiting"]["families"],
        steps=steps,
        chart=chart,
        by_district=_sorted_counts(districts, lambda c: _district(plan, c), threshold),
        by_need=_sorted_counts(needs, label, threshold),
        train=train,
        targeted=[_district(plan, c) for c in homes],
        district_names="All districts" if everywhere else join_words(sorted(names)),
    )


def csv_rows(plan: StoredPlan) -> list[list[Any]]:
    """The plan as CSV rows (`CSV_HEADER`): each recruit, then each mentor to train."""
    out: list[list[Any]] = []
    for i, step in enumerate(plan.plan["steps"], start=1):
        p = step["profile"]
        out.append(
            [
                "recruit",
                i,
                p["kind"],
                _district(plan, p["home_district"]),
                "; ".join(_district(plan, d) for d in p["travel_districts"]),
                "; ".join(label(s) for s in p["skills"]),
                "; ".join(p["languages"]),
                "; ".join(label(a) for a in p["availability"]),
                p["gender"] or "",
                "yes" if p["domestic_abuse_trained"] else "no",
                p["capacity"],
                "",
                step["served"]["families"],
                step["slots_filled"],
                step["priority_covered"],
            ]
        )
    for u in plan.plan["upskill"]:
        out.append(
            ["train", "", "", "", "", "", "", "", "", "", "", u["mentor"]]
            + [u["served"]["families"], u["slots_filled"], u["priority_covered"]]
        )
    return out
