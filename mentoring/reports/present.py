"""Report figures as table cells, for the page and for CSV files alike.

A :class:`Presenter` turns numbers into cells. An anonymised one (every export, and on
screen any district the viewer may not see) shows counts from 1 to the threshold less one
as "<5", money worked out from such a count as "less than" five families' worth, and no
percentage, average or median that would give such a count away or rests on fewer than
five families or mentors. Zero is shown as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Cell:
    """One cell: what the page shows, what the CSV file holds, and how it sorts."""

    text: str
    csv: Any
    sort: float | str
    numeric: bool = True
    suppressed: bool = False
    href: str | None = None


def _number(value: int) -> str:
    return f"{value:,}"


def pounds(value: int) -> str:
    """Money in whole pounds, as people write it: £3,200."""
    return f"£{value:,}"


@dataclass(frozen=True)
class Presenter:
    """Makes cells, suppressing small numbers when ``anonymised``."""

    anonymised: bool
    threshold: int = 5

    def _small(self, count: int) -> bool:
        return self.anonymised and 0 < count < self.threshold

    @property
    def marker(self) -> str:
        return f"<{self.threshold}"

    def _hidden(self, sort: float = -1) -> Cell:
        return Cell("–", "", sort, suppressed=True)

    def text(self, value: str) -> Cell:
        return Cell(value, value, value.lower(), numeric=False)

    def count(self, value: int) -> Cell:
        """A count of families, mentors or matches."""
        if self._small(value):
            # Sorts between 0 and the threshold, without telling 1 from 4.
            return Cell(self.marker, self.marker, self.threshold / 2, suppressed=True)
        return Cell(_number(value), value, value)

    def plain(self, value: int | None) -> Cell:
        """A number that counts no one (a target, a rate): never suppressed."""
        if value is None:
            return Cell("–", "", -1)
        return Cell(_number(value), value, value)

    def money(self, amount: int, *, count: int, each: int) -> Cell:
        """Money worked out as ``count`` times ``each``."""
        if self._small(count):
            below = self.threshold * each
            return Cell(f"less than {pounds(below)}", f"<{below}", below / 2, suppressed=True)
        return Cell(pounds(amount), amount, amount)

    def percent(self, part: int, whole: int | None) -> Cell:
        """``part`` as a percentage of ``whole`` (hidden when it would give ``part`` away)."""
        if not whole:
            return Cell("–", "", -1)
        if self._small(part):
            return self._hidden()
        value = round(100 * part / whole)
        return Cell(f"{value}%", value, value)

    def average(self, value: float | None, *, of: int, unit: str = "", decimals: int = 0) -> Cell:
        """An average or median of ``of`` families or mentors."""
        if value is None:
            return Cell("–", "", -1)
        if self.anonymised and of < self.threshold:
            return self._hidden()
        rounded = round(value, decimals) if decimals else round(value)
        return Cell(f"{rounded:,}{unit}", rounded, value)
