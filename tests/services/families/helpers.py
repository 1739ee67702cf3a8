"""Shared by the family service tests: criteria codes, a short eligibility call, users."""

from mentoring.services.families import assess_eligibility
from mentoring.services.users import to_signed_in

CRIME, EDUCATION, WORK = "crime_asb", "education", "worklessness"
DA, HEALTH, CHILDREN = "domestic_abuse", "health", "children_need_help"


def assess(criteria, phase=1, discretion="", minimum=2):
    return assess_eligibility(
        criteria=set(criteria),
        phase=phase,
        discretion_reason=discretion,
        phase2_min_criteria=minimum,
    )


def signed_in(db, user):
    return to_signed_in(session=db, user=user)
