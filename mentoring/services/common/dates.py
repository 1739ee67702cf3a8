"""Dates: whole months and the long form people read."""

from __future__ import annotations

import calendar
from datetime import date
from functools import lru_cache


@lru_cache(maxsize=8192)
def long_date(value: date) -> str:
    """Format a date as people read it: 3 March 2026."""
    return f"{value.day} {value:%B %Y}"


@lru_cache(maxsize=65536)
def add_months(value: date, months: int) -> date:
    """Add (or subtract) whole months, keeping the day where the month allows.

    The month's last day stands in when it is shorter (31 January + 1 month is 28 or
    29 February).
    """
    month_index = value.month - 1 + months
    year, month = value.year + month_index // 12, month_index % 12 + 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)
