"""Payment by results: the rates from the minutes, the cap, and the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from mentoring.config import ConfigError, load_config
from mentoring.services import reports


def test_payment_by_results_uses_the_minutes_rates_by_default():
    rates = reports.PaymentRates()
    assert (rates.attachment_fee, rates.result_fee, rates.max_per_family) == (3200, 700, 4000)
    paid = reports.payments(attached=10, results=4, rates=rates)
    assert (paid.attachment, paid.results, paid.total) == (32_000, 2_800, 34_800)


def test_the_cap_comes_off_the_result_payment():
    rates = reports.PaymentRates(attachment_fee=3500, result_fee=800, max_per_family=4000)
    assert (rates.per_attachment, rates.per_result) == (3500, 500)
    paid = reports.payments(attached=3, results=2, rates=rates)
    assert (paid.attachment, paid.results) == (10_500, 1_000)
    # No family earns more than the cap, even when both payments go over it.
    assert paid.total <= 3 * 4000


def test_an_attachment_fee_above_the_cap_is_cut_to_it_and_leaves_no_result_payment():
    rates = reports.PaymentRates(attachment_fee=5000, result_fee=700, max_per_family=4000)
    assert (rates.per_attachment, rates.per_result) == (4000, 0)
    assert reports.payments(attached=2, results=2, rates=rates).total == 8000


def test_results_without_attachment_are_refused():
    with pytest.raises(ValueError, match="attached"):
        reports.payments(attached=1, results=2, rates=reports.PaymentRates())


def test_payment_rates_and_threshold_come_from_the_environment(tmp_path: Path):
    config = load_config(
        tmp_path,
        {
            "PBR_ATTACHMENT_FEE": "£2,800",
            "PBR_RESULT_FEE": "1200",
            "PBR_MAX_PER_FAMILY": "4000",
            "SMALL_NUMBER_THRESHOLD": "10",
        },
    )
    assert config["PBR_ATTACHMENT_FEE"] == 2800
    assert config["PBR_RESULT_FEE"] == 1200
    assert config["SMALL_NUMBER_THRESHOLD"] == 10
    defaults = load_config(tmp_path, {})
    assert (defaults["PBR_ATTACHMENT_FEE"], defaults["PBR_RESULT_FEE"]) == (3200, 700)
    assert (defaults["PBR_MAX_PER_FAMILY"], defaults["SMALL_NUMBER_THRESHOLD"]) == (4000, 5)
    with pytest.raises(ConfigError, match="PBR_RESULT_FEE must be a whole number"):
        load_config(tmp_path, {"PBR_RESULT_FEE": "seven hundred"})
    with pytest.raises(ConfigError, match="SMALL_NUMBER_THRESHOLD"):
        load_config(tmp_path, {"SMALL_NUMBER_THRESHOLD": "0"})
