"""Months and dates as people read them (mentoring/services/common/dates.py)."""

from datetime import date

import pytest

from mentoring.services.common.dates import add_months, long_date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 4, 1), 12, date(2027, 4, 1)),
        (date(2026, 4, 1), -36, date(2023, 4, 1)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


def test_long_date_has_no_leading_zero():
    assert long_date(date(2026, 3, 3)) == "3 March 2026"
