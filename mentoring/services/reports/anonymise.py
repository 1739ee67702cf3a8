"""Small numbers: the threshold below which a count is not shown as it is."""

from __future__ import annotations

from mentoring.services.reports.settings import setting


def small_number_threshold() -> int:
    """Return the smallest count shown as it is in anonymised output (default 5)."""
    return max(1, setting("SMALL_NUMBER_THRESHOLD", 5))


def suppress(value: int, threshold: int) -> int | str:
    """Return a count for anonymised output: 1 to threshold - 1 become "<threshold"."""
    if 0 < value < threshold:
        return f"<{threshold}"
    return value
