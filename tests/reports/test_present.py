"""Suppression: small counts, and figures worked out from them, in anonymised cells."""

from __future__ import annotations

from mentoring.reports.present import Presenter


def test_counts_from_one_to_four_are_suppressed_and_zero_is_shown():
    p = Presenter(anonymised=True, threshold=5)
    assert [p.count(n).csv for n in range(7)] == [0, "<5", "<5", "<5", "<5", 5, 6]
    assert p.count(3).text == "<5" and p.count(3).suppressed
    # Sorting cannot tell a 1 from a 4.
    assert p.count(1).sort == p.count(4).sort
    exact = Presenter(anonymised=False)
    assert [exact.count(n).csv for n in range(7)] == list(range(7))


def test_figures_worked_out_from_a_small_count_are_suppressed_too():
    p = Presenter(anonymised=True, threshold=5)
    assert p.money(6400, count=2, each=3200).csv == "<16000"
    assert p.money(19200, count=6, each=3200).csv == 19200
    assert p.percent(3, 40).csv == ""  # 3 of a known target would give 3 away
    assert p.percent(10, 40).csv == 25
    assert p.average(12.4, of=4).csv == ""  # an average of four families
    assert p.average(12.4, of=5).csv == 12
    assert p.plain(3).csv == 3  # a target counts no one
