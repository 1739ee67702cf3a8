"""The days a report covers: a programme year or a date range (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from mentoring.exceptions import PeriodError
from mentoring.models import UK_TIME
from mentoring.services.common.dates import long_date
from mentoring.services.districts import programme_year_dates, programme_year_label

# A range longer than this is refused (a typing slip, like 2062 for 2026).
MAX_RANGE_DAYS = 366 * 10
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


@dataclass(frozen=True)
class Period:
    """The days a report covers, first and last included."""

    start: date
    end: date
    programme_year: int | None = None

    @property
    def label(self) -> str:
        dates = f"{long_date(self.start)} to {long_date(self.end)}"
        if self.programme_year is not None:
            return f"programme year {programme_year_label(self.programme_year)} ({dates})"
        return dates

    @property
    def short_label(self) -> str:
        """The period in few words: 2026/27, or 1 May 2026 to 30 June 2026."""
        if self.programme_year is not None:
            return programme_year_label(self.programme_year)
        return f"{long_date(self.start)} to {long_date(self.end)}"

    @property
    def slug(self) -> str:
        """A name for files: 2026-27, or 2026-05-01-to-2026-06-30."""
        if self.programme_year is not None:
            return programme_year_label(self.programme_year).replace("/", "-")
        return f"{self.start.isoformat()}-to-{self.end.isoformat()}"

    def query_args(self) -> dict[str, Any]:
        """Return the query-string arguments that ask for this period again."""
        if self.programme_year is not None:
            return {"year": self.programme_year}
        return {
            "start": [str(self.start.day), str(self.start.month), str(self.start.year)],
            "end": [str(self.end.day), str(self.end.month), str(self.end.year)],
        }

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """Return the period as UTC times: from midnight (UK) on the first day to the next
        midnight after the last."""
        start = datetime.combine(self.start, time(), tzinfo=UK_TIME).astimezone(UTC)
        end = datetime.combine(self.end + timedelta(days=1), time(), tzinfo=UK_TIME)
        return start, end.astimezone(UTC)


def programme_year_period(year: int) -> Period:
    """Return a programme year as a period."""
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise PeriodError("year", "Select a programme year from the list")
    first, last = programme_year_dates(year)
    return Period(first, last, programme_year=year)


def date_range_period(start: date | None, end: date | None) -> Period:
    """Return a date range as a period; say which date is wrong if it cannot be one."""
    if start is None:
        raise PeriodError("start", "Enter the first date of the period, like 1 4 2026")
    if end is None:
        raise PeriodError("end", "Enter the last date of the period, like 31 3 2027")
    if start.year < EARLIEST_YEAR:
        raise PeriodError("start", f"The first date must be in {EARLIEST_YEAR} or later")
    if end.year > LATEST_YEAR:
        raise PeriodError("end", f"The last date must be in {LATEST_YEAR} or earlier")
    if end < start:
        raise PeriodError("end", "The last date must be the same as or after the first date")
    if (end - start).days > MAX_RANGE_DAYS:
        raise PeriodError("end", "The period must be 10 years or shorter")
    return Period(start, end)
