"""Reports: district dashboards, the county overview, outcomes and payment by results, and
the mentor programme. Every figure is counted in SQL (GROUP BY), a fixed number of queries
for any number of districts and families.

The modules: ``period`` (the days a report covers), ``families`` (the period's families),
``now`` (today's mentors, checks due and contact), ``figures`` (a district's dashboard and
county row), ``outcomes`` and ``payments`` (payment by results), ``mentor_programme``,
``anonymise`` (small numbers), ``turned_around`` and ``sql`` (the SQL they share).

What the figures mean (the README's "Reports" section says the same):

Period
  A programme year (1 April to 31 March, ``districts.programme_year_dates``) or a date
  range. Family figures count the families *referred* in the period, as they stand today:
  the same families a district's target counts (``districts.progress``). Mentor programme
  figures count the mentors who *applied* in the period. Matches ended and days to a match
  count matches that ended, or families whose first match started, in the period.
  "Now" figures (mentors by stage, checks expiring, matches without recent contact,
  mentors' load) are today's, whatever the period.

Families
  identified: referred in the period; engaged: worked with (engaged or exited, as
  ``progress`` counts them); turned around: the programme's results rule
  (``families.assess_turned_around``, here in SQL and tested against it).

Families now (``now.families_now``, whenever referred; the home page shows the same)
  open: identified, contacted or engaged and not exited; with a mentor: open, and a
  mentor's match holds the slot (``matched_clause``); waiting: ready for matching with no
  mentor (``families.ready_clause`` and not ``matched_clause``, the "Waiting for a mentor"
  list); not ready: the other open families. Open = with a mentor + waiting + not ready.

Payment by results
  An attachment fee for each family worked with; a result payment for each of those turned
  around; together at most the cap a family (rates from ``PBR_ATTACHMENT_FEE``,
  ``PBR_RESULT_FEE``, ``PBR_MAX_PER_FAMILY``; defaults from the minutes: £3,200, £700,
  £4,000). The cap comes off the result payment.

Small numbers
  Counts from 1 to ``SMALL_NUMBER_THRESHOLD`` - 1 (default 5) show as "<5" in every export
  and on screen for districts whose families the viewer may not see; money worked out from
  a suppressed count shows as "less than" the threshold's worth, and an average or median of
  fewer families or mentors than the threshold is not shown. Zero is shown as 0.
"""

from mentoring.services.reports.anonymise import small_number_threshold, suppress
from mentoring.services.reports.families import (
    DaysToMatch,
    FamilyCounts,
    days_to_match,
    family_counts,
    outcome_counts,
    targets,
)
from mentoring.services.reports.figures import DistrictFigures, district_figures, total_figures
from mentoring.services.reports.mentor_programme import (
    EndedCount,
    FunnelStage,
    MentorProgramme,
    mentor_programme,
)
from mentoring.services.reports.now import (
    FAMILIES_NOW_MEASURES,
    ContactCounts,
    ExpiringCounts,
    FamiliesNow,
    MentorCounts,
    contact_counts,
    expiring_counts,
    families_now,
    last_day_due_by,
    mentor_counts,
)
from mentoring.services.reports.outcomes import OutcomeRow, outcomes_report, total_outcomes
from mentoring.services.reports.payments import PaymentRates, Payments, payment_rates, payments
from mentoring.services.reports.period import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    MAX_RANGE_DAYS,
    Period,
    date_range_period,
    programme_year_period,
)
from mentoring.services.reports.safeguarding import SafeguardingFigures, safeguarding_figures
from mentoring.services.reports.settings import no_contact_days
from mentoring.services.reports.turned_around import turned_around_clause

__all__ = [
    "SafeguardingFigures",
    "safeguarding_figures",
    "FAMILIES_NOW_MEASURES",
    "FamiliesNow",
    "families_now",
    "EARLIEST_YEAR",
    "LATEST_YEAR",
    "MAX_RANGE_DAYS",
    "ContactCounts",
    "DaysToMatch",
    "DistrictFigures",
    "EndedCount",
    "ExpiringCounts",
    "FamilyCounts",
    "FunnelStage",
    "MentorCounts",
    "MentorProgramme",
    "OutcomeRow",
    "PaymentRates",
    "Payments",
    "Period",
    "contact_counts",
    "date_range_period",
    "days_to_match",
    "district_figures",
    "expiring_counts",
    "family_counts",
    "last_day_due_by",
    "mentor_counts",
    "mentor_programme",
    "no_contact_days",
    "outcome_counts",
    "outcomes_report",
    "payment_rates",
    "payments",
    "programme_year_period",
    "small_number_threshold",
    "suppress",
    "targets",
    "total_figures",
    "total_outcomes",
    "turned_around_clause",
]
