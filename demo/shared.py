"""What both invented data sets share: Kent's 12 districts and their neighbours, and how
mentors spread over the vetting pipeline."""

from __future__ import annotations

from typing import Protocol

from mentoring.models import MentorStatus, PipelineStage

# code, name, target 2025/26, target 2026/27
DISTRICTS: list[tuple[str, str, int, int]] = [
    ("ASH", "Ashford", 62, 66),
    ("CAN", "Canterbury", 78, 82),
    ("DAR", "Dartford", 40, 40),
    ("DOV", "Dover", 70, 74),
    ("FOL", "Folkestone & Hythe", 64, 68),
    ("GRA", "Gravesham", 58, 60),
    ("MAI", "Maidstone", 80, 81),
    ("SEV", "Sevenoaks", 34, 36),
    ("SWA", "Swale", 92, 96),
    ("THA", "Thanet", 118, 122),
    ("TON", "Tonbridge & Malling", 44, 46),
    ("TUN", "Tunbridge Wells", 38, 40),
]

NEIGHBOURS: dict[str, list[str]] = {
    "ASH": ["CAN", "FOL", "MAI", "SWA", "TUN"],
    "CAN": ["ASH", "DOV", "FOL", "SWA", "THA"],
    "DAR": ["GRA", "SEV"],
    "DOV": ["CAN", "FOL", "THA"],
    "FOL": ["ASH", "CAN", "DOV"],
    "GRA": ["DAR", "SEV", "TON"],
    "MAI": ["ASH", "SWA", "TON", "TUN"],
    "SEV": ["DAR", "GRA", "TON", "TUN"],
    "SWA": ["ASH", "CAN", "MAI"],
    "THA": ["CAN", "DOV"],
    "TON": ["GRA", "MAI", "SEV", "TUN"],
    "TUN": ["ASH", "MAI", "SEV", "TON"],
}


class Saved(Protocol):
    """A row with an id once flushed."""

    id: int | None


def saved_id(row: Saved) -> int:
    """Return a flushed row's id."""
    if row.id is None:  # pragma: no cover - every caller flushes first
        raise RuntimeError(f"{type(row).__name__} was not flushed")
    return row.id


def stage_plan(count: int) -> list[tuple[str, str]]:
    """Spread mentors over the pipeline: most ready, some in each stage, a few off it."""
    plan: list[tuple[str, str]] = []
    shares = [
        (PipelineStage.APPLIED, MentorStatus.ACTIVE, 0.08),
        (PipelineStage.REFERENCES, MentorStatus.ACTIVE, 0.07),
        (PipelineStage.DBS, MentorStatus.ACTIVE, 0.07),
        (PipelineStage.INTERVIEW, MentorStatus.ACTIVE, 0.05),
        (PipelineStage.TRAINING, MentorStatus.ACTIVE, 0.07),
        (PipelineStage.READY, MentorStatus.PAUSED, 0.03),
        (PipelineStage.REFERENCES, MentorStatus.WITHDRAWN, 0.02),
        (PipelineStage.DBS, MentorStatus.REJECTED, 0.01),
    ]
    for stage, status, share in shares:
        plan += [(stage.value, status.value)] * round(count * share)
    plan += [(PipelineStage.READY.value, MentorStatus.ACTIVE.value)] * (count - len(plan))
    return plan[:count]


def district_weights(codes: list[str]) -> list[int]:
    """Weigh districts by their 2026/27 target (60 for a district not in Kent's list)."""
    known = {code: target for code, _name, _prev, target in DISTRICTS}
    return [known.get(code, 60) for code in codes]
