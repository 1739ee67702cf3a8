"""Vetting: whether a mentor may be matched on a date, and everything that changes it.

- `gate.py`: the rule on plain data (`evaluate_gate`, `unlocked_needs`, `VettingPolicy`);
- `facts.py`: the facts loaded from rows (`check_gate`, `gate_results`,
  `matchable_mentor_ids`, `mentor_unlocked_needs`, `current_policy`);
- `matchable.py`: becoming and stopping being matchable (`refresh_matchable`), stages
  moving on by themselves;
- `records.py`: recording references, DBS checks, decisions, status checks, interviews
  and training, through one skeleton;
- `catalogue.py`: the training modules;
- `keeping.py`: keeping in date (`expiring_items`) and the reminders;
- `daily.py`: the daily job (`run_daily_checks`).

Policy comes from the app's configuration (defaults in brackets):
``DBS_RECHECK_MONTHS`` (36) a DBS check is in date for this long after issue;
``DBS_STATUS_CHECK_MONTHS`` (12) for Update Service subscribers, a status check keeps it in
date for this long after the check; ``DBS_ACCEPTED_LEVELS`` (enhanced_children,
enhanced_both) levels that clear a mentor to work with families; ``VETTING_REMINDER_DAYS``
(60) how far ahead reminders go; ``DBS_RATIONALE_PURGE_MONTHS`` (6) after a risk-assessment
decision its rationale is cleared (the decision itself is kept).
"""

from mentoring.services.common.dates import add_months, long_date
from mentoring.services.vetting.catalogue import save_module
from mentoring.services.vetting.daily import DailySummary, purge_dbs_rationales, run_daily_checks
from mentoring.services.vetting.facts import (
    MentorInfo,
    check_gate,
    current_policy,
    dbs_facts,
    gate_results,
    load_facts,
    load_modules,
    matchable_mentor_ids,
    mentor_unlocked_needs,
    saved_id,
)
from mentoring.services.vetting.gate import (
    CheckItem,
    DbsFacts,
    GateResult,
    InterviewFacts,
    MentorFacts,
    ModuleFacts,
    ReferenceFacts,
    VettingPolicy,
    current_dbs,
    dbs_due_on,
    evaluate_gate,
    latest_completion,
    training_expires_on,
    unlocked_needs,
)
from mentoring.services.vetting.keeping import ExpiringItem, expiring_items, milestone_for
from mentoring.services.vetting.matchable import advance_stage, refresh_matchable
from mentoring.services.vetting.records import (
    dbs_errors,
    locked_mentor,
    normalise_certificate_number,
    record_dbs_decision,
    record_interview,
    record_status_check,
    record_training,
    save_dbs_check,
    save_reference,
)
from mentoring.services.vetting.trail import audit_mentor

__all__ = [
    "CheckItem",
    "DailySummary",
    "DbsFacts",
    "ExpiringItem",
    "GateResult",
    "InterviewFacts",
    "MentorFacts",
    "MentorInfo",
    "ModuleFacts",
    "ReferenceFacts",
    "VettingPolicy",
    "add_months",
    "advance_stage",
    "audit_mentor",
    "check_gate",
    "current_dbs",
    "current_policy",
    "dbs_due_on",
    "dbs_errors",
    "dbs_facts",
    "evaluate_gate",
    "expiring_items",
    "gate_results",
    "latest_completion",
    "load_facts",
    "load_modules",
    "locked_mentor",
    "long_date",
    "matchable_mentor_ids",
    "mentor_unlocked_needs",
    "milestone_for",
    "normalise_certificate_number",
    "purge_dbs_rationales",
    "record_dbs_decision",
    "record_interview",
    "record_status_check",
    "record_training",
    "refresh_matchable",
    "run_daily_checks",
    "save_dbs_check",
    "save_module",
    "save_reference",
    "saved_id",
    "training_expires_on",
    "unlocked_needs",
]
