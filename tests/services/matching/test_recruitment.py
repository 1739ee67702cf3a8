"""Recruitment planning in the service: the engine's plan for districts, as counts."""

from __future__ import annotations

import json

from mentoring.models import utcnow
from mentoring.services.matching import plan_recruitment
from tests.factories import ready_family, vetted_mentor


def test_a_plan_counts_the_families_it_serves_and_names_no_family(db, world):
    mentor = vetted_mentor(db, world.dartford, capacity=3)
    families = [ready_family(db, world.dartford, needs=("housing",)) for _ in range(2)]
    families.append(ready_family(db, world.dartford, domestic_abuse=True))
    families += [ready_family(db, world.gravesham, needs=("parenting",)) for _ in range(2)]
    seen: list[str] = []
    plan = plan_recruitment(
        session=db,
        district_ids={world.dartford.id, world.gravesham.id},
        on=utcnow().date(),
        progress=lambda done, total, label: seen.append(label),
    )
    assert seen[:2] == [
        "Reading the mentors and the families waiting",
        "Planning up to 10 recruits",
    ]
    assert seen[2:] == [f"Recruit {n} of 10 chosen" for n in range(1, len(plan["steps"]) + 1)]
    assert plan["before"]["slots_filled"] == 2  # the mentor takes the Dartford families
    assert plan["waiting"]["families"] == 3
    first = plan["steps"][0]
    assert first["profile"]["home_district"] in {"DAR", "GRA"}
    served = sum(s["served"]["families"] for s in plan["steps"])
    assert served == 3 and plan["steps"][-1]["slots_filled"] == 5
    assert sum(plan["waiting"]["districts"].values()) == 3
    # Trained for domestic abuse, the mentor with room would take the family that needs it.
    assert [(u["mentor"], u["module"]) for u in plan["upskill"]] == [
        (mentor.reference, "domestic_abuse")
    ]
    text = json.dumps(plan)
    assert not any(f.reference in text for f in families)
