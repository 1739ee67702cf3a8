"""Mentors from application to ready.

- `applications.py`: a volunteer's details and the rules they must meet;
- `records.py`: new applications, changed details;
- `pipeline.py`: marking ready (only when the vetting gate passes), stages and status;
- `lists.py`: the board's filters as SQL, and the CSV export;
- `importing.py`: the CSV import, checked row by row.
"""

from mentoring.exceptions import NotReadyError, VettingError
from mentoring.services.common.dates import long_date
from mentoring.services.mentors.applications import (
    STAGES_BEFORE_READY,
    ApplicationData,
    application_errors,
    known_values,
    normalise_postcode,
)
from mentoring.services.mentors.importing import (
    CSV_COLUMNS,
    IMPORT_HELP,
    ImportReport,
    ImportRow,
    check_upload,
    import_mentors,
    import_upload,
    parse_import,
    template_csv,
)
from mentoring.services.mentors.lists import (
    BOARD_FILTERS,
    GENDER_LABELS,
    STATUS_LABELS,
    MentorFilters,
    days_since,
    export_csv,
    mentor_conditions,
)
from mentoring.services.mentors.pipeline import change_stage, change_status, mark_ready
from mentoring.services.mentors.records import (
    application_from_mentor,
    create_mentor,
    load_mentor,
    update_mentor,
)

__all__ = [
    "BOARD_FILTERS",
    "CSV_COLUMNS",
    "GENDER_LABELS",
    "IMPORT_HELP",
    "STAGES_BEFORE_READY",
    "STATUS_LABELS",
    "ApplicationData",
    "ImportReport",
    "ImportRow",
    "MentorFilters",
    "NotReadyError",
    "VettingError",
    "application_errors",
    "application_from_mentor",
    "change_stage",
    "change_status",
    "create_mentor",
    "days_since",
    "export_csv",
    "import_mentors",
    "known_values",
    "load_mentor",
    "long_date",
    "mark_ready",
    "mentor_conditions",
    "normalise_postcode",
    "parse_import",
    "check_upload",
    "import_upload",
    "template_csv",
    "update_mentor",
]
