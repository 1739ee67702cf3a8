"""Matching in the service: the engine's input and output, and stored runs."""

from mentoring.services.matching.engine_io import (
    KIND_SLOT,
    EngineInput,
    build_input,
    engine_families,
    engine_mentors,
    handover_history,
    pair_rule_problems,
    proposal_problems,
)
from mentoring.services.matching.recruitment import plan_recruitment
from mentoring.services.matching.runs import replay, run_matching, summarise_unmatched

__all__ = [
    "KIND_SLOT",
    "EngineInput",
    "build_input",
    "engine_families",
    "engine_mentors",
    "handover_history",
    "pair_rule_problems",
    "plan_recruitment",
    "proposal_problems",
    "replay",
    "run_matching",
    "summarise_unmatched",
]
