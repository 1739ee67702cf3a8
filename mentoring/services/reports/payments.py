"""Payment by results: the rates, and the fees a number of families implies (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from mentoring.services.reports.settings import setting


@dataclass(frozen=True)
class PaymentRates:
    """Payment-by-results rates in whole pounds."""

    attachment_fee: int = 3200
    result_fee: int = 700
    max_per_family: int = 4000

    @property
    def per_attachment(self) -> int:
        """The attachment fee a family earns (never more than the cap)."""
        return max(0, min(self.attachment_fee, self.max_per_family))

    @property
    def per_result(self) -> int:
        """The result payment a family earns: what the cap leaves after the attachment fee."""
        return max(0, min(self.result_fee, self.max_per_family - self.per_attachment))


def payment_rates() -> PaymentRates:
    """Return the configured rates (``PBR_ATTACHMENT_FEE``, ``PBR_RESULT_FEE``, ...)."""
    default = PaymentRates()
    return PaymentRates(
        attachment_fee=setting("PBR_ATTACHMENT_FEE", default.attachment_fee),
        result_fee=setting("PBR_RESULT_FEE", default.result_fee),
        max_per_family=setting("PBR_MAX_PER_FAMILY", default.max_per_family),
    )


@dataclass(frozen=True)
class Payments:
    attachment: int
    results: int

    @property
    def total(self) -> int:
        return self.attachment + self.results


def payments(*, attached: int, results: int, rates: PaymentRates) -> Payments:
    """Work out the fees for families attached and the result payments for those turned around.

    ``results`` counts families both attached and turned around, so no family earns more
    than ``rates.max_per_family``.
    """
    if results > attached:
        raise ValueError("result payments are only for families attached to the programme")
    return Payments(attachment=attached * rates.per_attachment, results=results * rates.per_result)
