"""The vetting gate on plain data (`mentoring/services/vetting/gate.py`): no database."""

from __future__ import annotations

from datetime import date

import pytest

from mentoring.models import MentorStatus, PipelineStage
from mentoring.services import vetting
from mentoring.services.vetting import (
    DbsFacts,
    InterviewFacts,
    MentorFacts,
    ModuleFacts,
    ReferenceFacts,
    VettingPolicy,
    add_months,
    evaluate_gate,
)

ON = date(2026, 3, 3)


MODULES = [
    ModuleFacts(1, "safeguarding", "Safeguarding children and adults", 36, True),
    ModuleFacts(2, "boundaries", "Boundaries and confidentiality", 36, True),
    ModuleFacts(3, "information_sharing", "Information sharing and data protection", 12, True),
    ModuleFacts(4, "mentoring_skills", "Mentoring skills", None, True),
    ModuleFacts(
        5, "domestic_abuse_awareness", "Domestic abuse awareness", 24, False, True, "domestic_abuse"
    ),
]


def facts(**changes) -> MentorFacts:
    """A mentor who passes every check on ON, with some facts changed."""
    base = {
        "mentor_id": 1,
        "stage": PipelineStage.READY.value,
        "status": MentorStatus.ACTIVE.value,
        "references": (
            ReferenceFacts(True, date(2025, 6, 1)),
            ReferenceFacts(True, date(2025, 6, 2)),
        ),
        "dbs_checks": (DbsFacts(1, "enhanced_children", date(2024, 1, 10), "clear"),),
        "interviews": (InterviewFacts(date(2025, 7, 1), "passed"),),
        "training": {
            1: (date(2025, 8, 1),),
            2: (date(2025, 8, 1),),
            3: (date(2025, 8, 1),),
            4: (date(2025, 8, 1),),
        },
    }
    base.update(changes)
    return MentorFacts(**base)


def gate(f: MentorFacts, on: date = ON, policy: VettingPolicy | None = None):
    return evaluate_gate(f, MODULES, on=on, policy=policy)


def test_fully_vetted_ready_mentor_is_matchable():
    result = gate(facts())
    assert result.matchable
    assert result.reasons == []
    assert all(item.done for item in result.checklist)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"references": (ReferenceFacts(True, date(2025, 6, 1)), ReferenceFacts(None, None))},
            "Only 1 of 2 satisfactory references",
        ),
        (
            {
                "references": (
                    ReferenceFacts(True, date(2025, 6, 1)),
                    ReferenceFacts(False, date(2025, 6, 9)),
                )
            },
            "Only 1 of 2 satisfactory references",
        ),
        ({"references": ()}, "No satisfactory references (needs 2)"),
        ({"dbs_checks": ()}, "No DBS check recorded"),
        (
            {"dbs_checks": (DbsFacts(1, "enhanced_children", date(2023, 3, 3), "clear"),)},
            "DBS check expired on 3 March 2026",
        ),
        (
            {"dbs_checks": (DbsFacts(1, "enhanced_children", date(2025, 1, 1), "disclosed"),)},
            "DBS check is waiting for a risk-assessment decision",
        ),
        (
            {
                "dbs_checks": (
                    DbsFacts(
                        1, "enhanced_children", date(2025, 1, 1), "disclosed", "do_not_proceed"
                    ),
                )
            },
            "DBS check not cleared",
        ),
        (
            {"dbs_checks": (DbsFacts(1, "enhanced_adults", date(2025, 1, 1), "clear"),)},
            "DBS check does not include the children's barred list",
        ),
        ({"interviews": ()}, "No passed suitability interview"),
        (
            {"interviews": (InterviewFacts(date(2025, 7, 1), "failed"),)},
            "No passed suitability interview",
        ),
        (
            {"training": {1: (date(2025, 8, 1),), 2: (date(2025, 8, 1),), 4: (date(2025, 8, 1),)}},
            "Mandatory training missing: Information sharing and data protection",
        ),
        (
            {
                "training": {
                    1: (date(2025, 8, 1),),
                    2: (date(2025, 8, 1),),
                    3: (date(2025, 3, 3),),
                    4: (date(2025, 8, 1),),
                }
            },
            "Mandatory training expired on 3 March 2026: Information sharing and data protection",
        ),
        ({"status": "paused"}, "Paused"),
        ({"status": "withdrawn"}, "Withdrawn from the pipeline"),
        ({"status": "rejected"}, "Not accepted as a mentor"),
        ({"stage": "training"}, "Not marked ready (at the Training stage)"),
    ],
)
def test_mentor_missing_one_item_is_not_matchable(changes, reason):
    result = gate(facts(**changes))
    assert not result.matchable
    assert result.reasons == [reason]


def test_disclosed_dbs_cleared_after_risk_assessment_is_matchable():
    dbs = DbsFacts(1, "enhanced_both", date(2025, 1, 1), "disclosed", "proceed")
    assert gate(facts(dbs_checks=(dbs,))).matchable


def test_dbs_expires_three_years_after_issue_by_default():
    dbs = DbsFacts(1, "enhanced_children", date(2023, 3, 4), "clear")
    f = facts(dbs_checks=(dbs,))
    assert gate(f, on=date(2026, 3, 3)).matchable
    expired = gate(f, on=date(2026, 3, 4))
    assert expired.reasons == ["DBS check expired on 4 March 2026"]


def test_update_service_status_check_within_a_year_keeps_dbs_in_date():
    dbs = DbsFacts(1, "enhanced_children", date(2021, 1, 10), "clear", None, True, date(2025, 9, 1))
    f = facts(dbs_checks=(dbs,))
    assert gate(f, on=date(2026, 3, 3)).matchable
    lapsed = gate(f, on=date(2026, 9, 1))
    assert lapsed.reasons[0] == "DBS Update Service status check overdue since 1 September 2026"


def test_a_newer_dbs_check_replaces_an_older_one():
    old = DbsFacts(1, "enhanced_children", date(2022, 1, 1), "clear")
    refused = DbsFacts(2, "enhanced_children", date(2025, 6, 1), "disclosed", "do_not_proceed")
    assert not gate(facts(dbs_checks=(old, refused))).matchable
    renewed = DbsFacts(3, "enhanced_children", date(2025, 12, 1), "clear")
    expired_old = DbsFacts(1, "enhanced_children", date(2022, 1, 1), "clear")
    assert gate(facts(dbs_checks=(expired_old, renewed))).matchable


def test_dbs_policy_comes_from_configuration():
    policy = VettingPolicy.from_config(
        {"DBS_RECHECK_MONTHS": "24", "DBS_ACCEPTED_LEVELS": "enhanced_adults"}
    )
    dbs = DbsFacts(1, "enhanced_adults", date(2024, 3, 1), "clear")
    assert gate(facts(dbs_checks=(dbs,)), policy=policy).reasons == [
        "DBS check expired on 1 March 2026"
    ]
    fresh = DbsFacts(1, "enhanced_adults", date(2025, 3, 1), "clear")
    assert gate(facts(dbs_checks=(fresh,)), policy=policy).matchable


def test_training_counts_only_once_completed():
    late = {
        1: (date(2026, 4, 1),),
        2: (date(2025, 8, 1),),
        3: (date(2025, 8, 1),),
        4: (date(2025, 8, 1),),
    }
    assert gate(facts(training=late)).reasons == [
        "Mandatory training missing: Safeguarding children and adults"
    ]


def test_a_refresher_renews_expired_training():
    refreshed = {
        1: (date(2022, 1, 1), date(2025, 2, 1)),
        2: (date(2025, 8, 1),),
        3: (date(2025, 8, 1),),
        4: (date(2019, 1, 1),),
    }
    assert gate(facts(training=refreshed)).matchable


def test_retired_mandatory_module_is_not_needed():
    retired = [m if m.id != 3 else ModuleFacts(3, m.code, m.name, 12, True, False) for m in MODULES]
    f = facts(training={1: (date(2025, 8, 1),), 2: (date(2025, 8, 1),), 4: (date(2025, 8, 1),)})
    assert evaluate_gate(f, retired, on=ON).matchable


def test_status_is_the_first_reason():
    result = gate(facts(status="paused", interviews=()))
    assert result.reasons == ["Paused", "No passed suitability interview"]


def test_specialist_training_unlocks_needs_only_while_in_date():
    f = facts(training={5: (date(2024, 3, 10),)})
    assert vetting.unlocked_needs(f, MODULES, on=date(2026, 3, 9)) == {"domestic_abuse"}
    assert vetting.unlocked_needs(f, MODULES, on=date(2026, 3, 10)) == set()


def test_add_months_keeps_the_day_where_the_month_allows():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 8, 31), -6) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 3), 36) == date(2029, 3, 3)


def test_the_next_step_is_the_status_first_then_the_checklist_in_order():
    from mentoring.services.vetting.gate import CheckItem, GateResult

    def result(*items: CheckItem) -> GateResult:
        return GateResult(False, [], list(items))

    refs = CheckItem("references", "References", False, "", "No references")
    dbs = CheckItem("dbs", "DBS", False, "", "No DBS")
    paused = CheckItem("status", "Active", False, "Paused", "Paused")
    assert result(refs, dbs).next_item == refs
    assert result(refs, dbs, paused).next_item == paused
    assert GateResult(True, [], [CheckItem("dbs", "DBS", True, "")]).next_item is None
