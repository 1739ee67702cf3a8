"""Reference data every installation has: the needs taxonomy and default training modules.

The initial migration inserts these rows; this module is the one place they are defined.
"""

from __future__ import annotations

# (code, name, description, specialist)
NEEDS: list[tuple[str, str, str, bool]] = [
    ("debt_money", "Debt and money management", "Rent arrears, debts, budgeting", False),
    ("work_training", "Work and training", "Getting into work, training or volunteering", False),
    ("school_attendance", "School attendance", "Children attending school regularly", False),
    ("parenting", "Parenting", "Routines, boundaries, confidence as a parent", False),
    ("housing", "Housing", "Keeping a tenancy, moving, conditions at home", False),
    ("alcohol_drugs", "Alcohol and drugs", "Support to reduce use and reach services", False),
    ("health", "Health and wellbeing", "Physical and mental health, reaching the GP", False),
    (
        "domestic_abuse",
        "Domestic abuse",
        "Needs specialist support: only mentors trained in domestic abuse awareness",
        True,
    ),
]

# (code, name, validity in months or None, mandatory, need code it unlocks or None)
TRAINING_MODULES: list[tuple[str, str, int | None, bool, str | None]] = [
    ("safeguarding", "Safeguarding children and adults", 36, True, None),
    ("boundaries", "Boundaries and confidentiality", 36, True, None),
    ("information_sharing", "Information sharing and data protection", 12, True, None),
    ("mentoring_skills", "Mentoring skills", None, True, None),
    ("domestic_abuse_awareness", "Domestic abuse awareness", 24, False, "domestic_abuse"),
    ("money_debt", "Money and debt advice", 36, False, "debt_money"),
]

LANGUAGES = [
    "English",
    "Polish",
    "Romanian",
    "Lithuanian",
    "Urdu",
    "Punjabi",
    "Nepali",
    "Bengali",
    "Turkish",
    "Arabic",
    "Portuguese",
    "British Sign Language",
]
