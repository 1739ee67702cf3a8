"""CSV helpers: cells that spreadsheets cannot run as formulas, and one way to write files.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a tab or carriage return) as a formula: "CSV injection". Every exported cell goes
through :func:`safe_cell`, which puts a single quote in front of such values so they show
as text. Every imported cell goes through :func:`clean_text`: trimmed, and without the
control characters (a NUL byte, say) that a database refuses and no person typed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters a form refuses and an import removes (tab, newline and return are text).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """An imported cell as text: control characters removed, then trimmed."""
    return CONTROL.sub("", value).strip()


def safe_cell(value: Any) -> str:
    """Turn a value into a CSV cell that a spreadsheet shows as text, never as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        text = value.isoformat(timespec="seconds")
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, int | float):
        # Numbers are safe as they are (a negative number is not a formula).
        return str(value)
    else:
        text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> str:
    """Write a header and rows as CSV text (every cell escaped with :func:`safe_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
