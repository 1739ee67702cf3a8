"""Whole numbers typed by people or sent in URLs, checked before `int()` sees them.

`str.isdigit()` alone is not enough: it accepts digits such as "²" that `int()`
refuses, and numbers too large for a database id. Every parse of a number from a
form, a query string or a file goes through here.
"""

from __future__ import annotations

MAX_ID = 2**31 - 1  # the largest id (and URL number) the databases store in an INTEGER


def is_number(text: object, *, max_digits: int = 9) -> bool:
    """Tell whether text is a plain whole number (ASCII digits, at most `max_digits`)."""
    return (
        isinstance(text, str) and 0 < len(text) <= max_digits and text.isascii() and text.isdigit()
    )


def parse_id(text: object) -> int | None:
    """Return a positive id from text, or None if it is not one."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text if 0 < text <= MAX_ID else None
    if not is_number(text, max_digits=10):
        return None
    value = int(str(text))
    return value if 0 < value <= MAX_ID else None
