"""The outcomes and payment by results page."""

from __future__ import annotations

import re
from datetime import date

from mentoring.models import (
    FamilyOutcome,
    Role,
)
from tests.factories import ready_family


def test_outcomes_page_applies_the_configured_rates_and_says_the_cap_bites(
    app, client, db, world, make_user, sign_in
):
    app.config.update(PBR_ATTACHMENT_FEE=3500, PBR_RESULT_FEE=800, PBR_MAX_PER_FAMILY=4000)
    for n in range(6):
        family = ready_family(db, world.dartford)
        family.referred_on = date(2026, 6, 1)
        db.add(family)
        if n < 5:  # all three problems addressed: turned around
            for outcome in ("offending_stopped", "school_attendance", "work_pathway"):
                db.add(
                    FamilyOutcome(
                        family_id=family.id,
                        outcome=outcome,
                        achieved_on=date(2026, 9, 1),
                        evidence="x",
                    )
                )
    db.commit()
    sign_in(make_user(Role.ADMIN))
    html = client.get("/reports/outcomes?year=2026").get_data(as_text=True)
    assert "Attachment fees (£3,500 each)" in html
    assert "Result payments (£500 each)" in html
    assert "takes the payments down to £3,500 attachment and £500 result" in html
    payments = re.search(r'data-testid="outcomes-payments".*?</table>', html, re.S).group(0)
    row = re.search(r">Dartford</th>(.*?)</tr>", payments, re.S).group(1)
    cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells == ["6", "£21,000", "5", "£2,500", "£23,500"]
