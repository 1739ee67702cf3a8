"""CSV cells that spreadsheets would run are escaped (`mentoring/csvutil.py`)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from mentoring.csvutil import safe_cell, write_csv


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+44 7700 900982", "'+44 7700 900982"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("Plain text", "Plain text"),
        (None, ""),
        (3, "3"),
        (True, "yes"),
        (date(2026, 3, 3), "2026-03-03"),
    ],
)
def test_safe_cell_escapes_formulas(value, cell):
    assert safe_cell(value) == cell


def test_write_csv_escapes_every_cell_and_quotes_properly():
    text = write_csv([["=1+1", 'Say "hi", ok']], ["name", "note"])
    assert list(csv.reader(io.StringIO(text))) == [["name", "note"], ["'=1+1", 'Say "hi", ok']]
