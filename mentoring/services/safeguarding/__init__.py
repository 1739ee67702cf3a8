"""Safeguarding: concerns about families and allegations against mentors, handled by the
designated safeguarding lead (cases, chronology, status), suspension and the outcome
(allegations), and the daily escalations (daily)."""

from mentoring.services.safeguarding.allegations import open_allegations
from mentoring.services.safeguarding.cases import (
    NOTE_KINDS,
    Raised,
    add_entry,
    add_from_raiser,
    close,
    decide,
    outcomes_for,
    raise_allegation,
    raise_concern,
    record_referral,
    triage,
)
from mentoring.services.safeguarding.daily import run_safeguarding_daily

__all__ = [
    "NOTE_KINDS",
    "Raised",
    "add_entry",
    "add_from_raiser",
    "close",
    "decide",
    "open_allegations",
    "outcomes_for",
    "raise_allegation",
    "raise_concern",
    "record_referral",
    "run_safeguarding_daily",
    "triage",
]
