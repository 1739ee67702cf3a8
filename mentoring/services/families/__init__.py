"""Families: the programme's rules, readiness for matching, and the family record.

- `rules`: the rules for one family, pure (eligibility, turned around, readiness,
  days waiting, tracking, labels); the rules themselves are written out there.
- `clauses`: the same rules as SQL, and the families ready for matching.
- `details`: a family's household, needs, preferences and risks, checked.
- `record`: references, adding and changing a family, criteria, results.
- `consent`: consent given or withdrawn, and engagement.
- `lists`: filtered pages of families and the anonymised export.
- `csv_import`: families from a CSV file, with a report by row and column;
  `upload`: the same as a job, with a preview and a warning about duplicates.

Other contexts import the names below from this package.
"""

from mentoring.services.families.clauses import (
    OPEN_ENGAGEMENT,
    eligible_clause,
    matched_clause,
    matching_ready_family_ids,
    offered_clause,
    open_clause,
    ready_clause,
    waiting_since,
)
from mentoring.services.families.consent import (
    ConsentChange,
    ConsentResult,
    change_engagement,
    record_consent,
    record_consents,
)
from mentoring.services.families.csv_import import (
    IMPORT_COLUMNS,
    ImportProblem,
    ImportReport,
    ParsedFamily,
    import_families,
    import_template,
    parse_family_csv,
)
from mentoring.services.families.details import (
    FamilyDetails,
    family_need_codes,
    validate_details,
)
from mentoring.services.families.lists import (
    EXPORT_HEADER,
    MENTOR_FILTERS,
    FamilyFilters,
    FamilyPage,
    FamilyRow,
    export_rows,
    list_families,
)
from mentoring.services.families.record import (
    allocate_reference,
    create_family,
    family_criteria,
    family_outcomes,
    find_visible_by_reference,
    held_matches,
    next_reference,
    record_criteria,
    record_outcome,
    remove_outcome,
    update_family,
)
from mentoring.services.families.rules import (
    CONSENT_FIELDS,
    CONSENT_LABELS,
    ENGAGEMENT_LABELS,
    GENDER_LABELS,
    MENTORING_TRANCHE,
    RESULTS_FOR,
    TRACKING_MONTHS,
    TRANCHE_LABELS,
    Eligibility,
    TurnedAround,
    assess_eligibility,
    assess_turned_around,
    engagement_since,
    family_days_waiting,
    mentoring_is_offered,
    offer_explained,
    phase2_min_criteria,
    readiness_problems,
    tracking_until,
)
from mentoring.services.families.upload import check_upload, import_upload

__all__ = [
    "check_upload",
    "import_upload",
    "OPEN_ENGAGEMENT",
    "CONSENT_FIELDS",
    "CONSENT_LABELS",
    "ENGAGEMENT_LABELS",
    "EXPORT_HEADER",
    "GENDER_LABELS",
    "IMPORT_COLUMNS",
    "MENTORING_TRANCHE",
    "MENTOR_FILTERS",
    "RESULTS_FOR",
    "TRACKING_MONTHS",
    "TRANCHE_LABELS",
    "ConsentChange",
    "ConsentResult",
    "Eligibility",
    "FamilyDetails",
    "FamilyFilters",
    "FamilyPage",
    "FamilyRow",
    "ImportProblem",
    "ImportReport",
    "ParsedFamily",
    "TurnedAround",
    "allocate_reference",
    "assess_eligibility",
    "assess_turned_around",
    "change_engagement",
    "create_family",
    "eligible_clause",
    "export_rows",
    "family_criteria",
    "family_days_waiting",
    "family_need_codes",
    "family_outcomes",
    "find_visible_by_reference",
    "held_matches",
    "import_families",
    "import_template",
    "list_families",
    "matched_clause",
    "matching_ready_family_ids",
    "mentoring_is_offered",
    "next_reference",
    "offer_explained",
    "offered_clause",
    "open_clause",
    "parse_family_csv",
    "phase2_min_criteria",
    "readiness_problems",
    "ready_clause",
    "record_consent",
    "record_consents",
    "record_criteria",
    "record_outcome",
    "remove_outcome",
    "engagement_since",
    "tracking_until",
    "update_family",
    "validate_details",
    "waiting_since",
]
