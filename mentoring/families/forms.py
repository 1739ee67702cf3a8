"""Forms for families: the record, eligibility, consent, engagement, results, import, filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from mentoring.forms import (
    AppForm,
    CountField,
    DateInputField,
    DateRequired,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    choice_list,
)
from mentoring.models import Availability, Criterion, Engagement, Family, Outcome
from mentoring.read.families import Choices, CriterionLine, OutcomeLine
from mentoring.reference import LANGUAGES
from mentoring.services.families import (
    CONSENT_FIELDS,
    ENGAGEMENT_LABELS,
    GENDER_LABELS,
    MENTOR_FILTERS,
    TRANCHE_LABELS,
    ConsentChange,
    FamilyDetails,
    FamilyFilters,
)


def _count(label: str) -> CountField:
    return CountField(
        label,
        validators=[
            Optional(),
            NumberRange(min=0, max=20, message=f"Enter a number from 0 to 20 for {label.lower()}"),
        ],
    )


YES_NO = choice_list([("yes", "Yes"), ("no", "No")])


class FamilyForm(AppForm):
    """Add a family or change its details."""

    district = SelectField(
        "District",
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the family's district")],
    )
    previous_reference = StringField(
        "Reference of an earlier referral (if the family was supported before)",
        description="For example, DAR-0012. Leave blank for a first referral.",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=16)],
    )
    referred_on = DateInputField(
        "Date of referral",
        description="For example, 27 3 2026",
        validators=[DateRequired("Enter the date of referral")],
    )
    tranche = RadioField(
        "Tranche",
        description=(
            "Volunteer mentoring is offered to tranche 3. A tranche 1 or 2 family is offered "
            "it only if you choose to offer it below."
        ),
        widget=GovRadioInput(),
        choices=choice_list([*TRANCHE_LABELS.items(), ("", "Not decided yet")]),
        default="",
        validators=[Optional()],
    )
    mentoring_offered = RadioField(
        "Offer volunteer mentoring?",
        widget=GovRadioInput(),
        choices=choice_list(
            [
                ("", "By tranche (offered to tranche 3)"),
                ("yes", "Offer volunteer mentoring to this family"),
                ("no", "Do not offer volunteer mentoring"),
            ]
        ),
        default="",
        validators=[Optional()],
    )
    key_worker_name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[Length(max=120)],
    )
    key_worker_agency = StringField("Agency", widget=GovTextInput(), validators=[Length(max=120)])
    key_worker_contact = StringField(
        "Email address or phone number",
        widget=GovTextInput(),
        validators=[Length(max=254)],
    )
    shared_first_names = StringField(
        "First names the family agreed to share with their mentor",
        description="Shown only on this family's page and to their mentor, never in lists.",
        widget=GovTextInput(),
        validators=[Length(max=200)],
    )
    adults = CountField(
        "Adults",
        validators=[
            InputRequired(message="Enter the number of adults"),
            NumberRange(min=0, max=20, message="Enter a number from 0 to 20 for adults"),
        ],
    )
    children_0_4 = _count("Children aged 0 to 4")
    children_5_10 = _count("Children aged 5 to 10")
    children_11_15 = _count("Children aged 11 to 15")
    children_16_18 = _count("Children aged 16 to 18")
    languages = SelectMultipleField(
        "Languages spoken",
        widget=GovCheckboxesInput(),
        choices=choice_list((x, x) for x in LANGUAGES),
        validators=[Optional()],
    )
    availability = SelectMultipleField(
        "When the family is available",
        widget=GovCheckboxesInput(),
        choices=choice_list((a.value, a.label) for a in Availability),
        validators=[Optional()],
    )
    needs = SelectMultipleField(
        "Needs",
        description="Select all that apply. Mentors are matched on these.",
        widget=GovCheckboxesInput(),
        choices=[],
        validators=[Optional()],
    )
    wants_role_model = RadioField(
        "Would the family like a former-participant role model as well?",
        widget=GovRadioInput(),
        choices=YES_NO,
        default="no",
        validators=[InputRequired(message="Select yes if the family wants a role model")],
    )
    gender_preference = RadioField(
        "Mentor's gender",
        widget=GovRadioInput(),
        choices=choice_list([("", "No preference"), *GENDER_LABELS.items()]),
        default="",
        validators=[Optional()],
    )
    gender_required = BooleanField(
        "The gender is a requirement, not only a wish", widget=GovCheckboxInput()
    )
    language_preference = SelectField(
        "Mentor's language",
        widget=GovSelect(),
        choices=choice_list([("", "No preference"), *((x, x) for x in LANGUAGES)]),
        default="",
        validators=[Optional()],
    )
    language_required = BooleanField(
        "The language is a requirement, not only a wish", widget=GovCheckboxInput()
    )
    risk_domestic_abuse = BooleanField(
        "Domestic abuse: only a mentor trained in domestic abuse awareness",
        widget=GovCheckboxInput(),
    )
    risk_no_lone_visits = BooleanField("No lone visits", widget=GovCheckboxInput())
    safety_notes = TextAreaField(
        "Other safety notes",
        description="Shown to the assigned mentor. Do not write anything they do not need.",
        widget=GovTextArea(),
        validators=[Length(max=1000)],
    )
    agreed_goals = TextAreaField(
        "Goals agreed with the family",
        widget=GovTextArea(),
        validators=[Length(max=2000)],
    )
    submit = SubmitField("Save family", widget=GovSubmitInput())

    def prepare(self, choices: Choices, *, with_district: bool) -> None:
        """Offer the needs, and the user's districts when adding a family."""
        self.needs.choices = choice_list((n.code, n.name) for n in choices.needs)
        if with_district:
            districts = choices.districts
            self.district.choices = choice_list(
                ([("", "Choose a district")] if len(districts) > 1 else [])
                + [(d.id, d.name) for d in districts]
            )
        else:
            del self.district
            del self.previous_reference

    def set_details(self, details: FamilyDetails) -> None:
        """Fill the form from a FamilyDetails (for editing)."""
        for name in (
            "key_worker_name",
            "key_worker_agency",
            "key_worker_contact",
            "shared_first_names",
            "adults",
            "children_0_4",
            "children_5_10",
            "children_11_15",
            "children_16_18",
            "languages",
            "availability",
            "risk_domestic_abuse",
            "risk_no_lone_visits",
            "safety_notes",
            "agreed_goals",
            "gender_required",
            "language_required",
            "referred_on",
        ):
            getattr(self, name).data = getattr(details, name)
        self.needs.data = list(details.need_codes)
        self.tranche.data = str(details.tranche) if details.tranche else ""
        self.mentoring_offered.data = (
            ""
            if details.mentoring_offered is None
            else "yes"
            if details.mentoring_offered
            else "no"
        )
        self.wants_role_model.data = "yes" if details.wants_role_model else "no"
        self.gender_preference.data = details.gender_preference or ""
        self.language_preference.data = details.language_preference or ""

    def details(self) -> FamilyDetails:
        """Return the form's values as a family's details (once the form is valid)."""
        referred_on = self.referred_on.data
        if referred_on is None:
            raise ValueError("the form has no referral date: validate it first")
        return FamilyDetails(
            referred_on=referred_on,
            tranche=int(self.tranche.data) if self.tranche.data else None,
            mentoring_offered={"yes": True, "no": False}.get(self.mentoring_offered.data or ""),
            key_worker_name=self.key_worker_name.data or "",
            key_worker_agency=self.key_worker_agency.data or "",
            key_worker_contact=self.key_worker_contact.data or "",
            shared_first_names=self.shared_first_names.data or "",
            adults=self.adults.data or 0,
            children_0_4=self.children_0_4.data or 0,
            children_5_10=self.children_5_10.data or 0,
            children_11_15=self.children_11_15.data or 0,
            children_16_18=self.children_16_18.data or 0,
            languages=list(self.languages.data or []),
            availability=list(self.availability.data or []),
            need_codes=list(self.needs.data or []),
            wants_role_model=self.wants_role_model.data == "yes",
            gender_preference=self.gender_preference.data or None,
            gender_required=bool(self.gender_required.data),
            language_preference=self.language_preference.data or None,
            language_required=bool(self.language_required.data),
            risk_domestic_abuse=bool(self.risk_domestic_abuse.data),
            risk_no_lone_visits=bool(self.risk_no_lone_visits.data),
            safety_notes=self.safety_notes.data or "",
            agreed_goals=self.agreed_goals.data or "",
        )


def _criterion_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for criterion in Criterion:
        code = criterion.value
        fields[code] = BooleanField(
            f"The family meets this criterion: {criterion.label.lower()}",
            widget=GovCheckboxInput(),
        )
        fields[f"{code}_date"] = DateInputField("Date of the evidence")
        fields[f"{code}_source"] = StringField(
            "Source of the evidence",
            description="For example, police data or school attendance records",
            widget=GovTextInput(),
            validators=[Optional(), Length(max=200)],
        )
    return fields


class _CriteriaBase(AppForm):
    programme_phase = RadioField(
        "Programme phase",
        widget=GovRadioInput(),
        choices=choice_list(
            [
                ("1", "Phase 1: crime, education and worklessness"),
                ("2", "Phase 2: the six headline problems"),
            ]
        ),
        validators=[InputRequired(message="Choose the programme phase")],
    )
    discretion_reason = TextAreaField(
        "Local discretion: why is the family also a concern to the council or partners?",
        description="Needed in phase 1 when the family meets two of the three criteria.",
        widget=GovTextArea(),
        validators=[Length(max=1000)],
    )
    submit = SubmitField("Save criteria", widget=GovSubmitInput())

    def fill(self, family: Family, criteria: list[CriterionLine]) -> None:
        """Show the phase, discretion reason and criteria recorded for a family."""
        self.programme_phase.data = str(family.programme_phase)
        self.discretion_reason.data = family.discretion_reason
        for line in criteria:
            self[line.code].data = True
            self[f"{line.code}_date"].data = line.evidence_date
            self[f"{line.code}_source"].data = line.evidence_source

    def evidence(self) -> dict[str, tuple[date | None, str]]:
        """Return each criterion ticked, with its evidence date and source."""
        return {
            c.value: (self[f"{c.value}_date"].data, self[f"{c.value}_source"].data or "")
            for c in Criterion
            if self[c.value].data
        }


CriteriaForm = type("CriteriaForm", (_CriteriaBase,), _criterion_fields())


CONSENT_CHOICES = choice_list(
    [("given", "Yes, consent given"), ("not_given", "No, or consent withdrawn")]
)


class ConsentForm(AppForm):
    consent_mentoring = RadioField(
        "Has the family consented to mentoring?",
        widget=GovRadioInput(),
        choices=CONSENT_CHOICES,
        validators=[InputRequired(message="Select whether the family consented to mentoring")],
    )
    consent_mentoring_on = DateInputField("Date consent to mentoring was given or withdrawn")
    consent_mentoring_reason = StringField(
        "Note (optional)",
        description="For example, how consent was withdrawn",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=500)],
    )
    consent_sharing = RadioField(
        "Has the family consented to information sharing?",
        widget=GovRadioInput(),
        choices=CONSENT_CHOICES,
        validators=[
            InputRequired(message="Select whether the family consented to information sharing")
        ],
    )
    consent_sharing_on = DateInputField(
        "Date consent to information sharing was given or withdrawn"
    )
    consent_sharing_reason = StringField(
        "Note (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=500)]
    )
    submit = SubmitField("Save consent", widget=GovSubmitInput())

    def fill(self, family: Family) -> None:
        """Show the family's consents as recorded."""
        for name in CONSENT_FIELDS.values():
            self[name].data = "given" if getattr(family, name) else "not_given"
            self[f"{name}_on"].data = getattr(family, f"{name}_on")

    def changes(self) -> list[ConsentChange]:
        """Return both consents as the form records them."""
        return [
            ConsentChange(
                kind=kind,
                given=self[name].data == "given",
                on=self[f"{name}_on"].data,
                reason=self[f"{name}_reason"].data or "",
            )
            for kind, name in CONSENT_FIELDS.items()
        ]


class EngagementForm(AppForm):
    engagement = RadioField(
        "Where is the family now?",
        widget=GovRadioInput(),
        choices=choice_list((e.value, ENGAGEMENT_LABELS[e.value]) for e in Engagement),
        validators=[InputRequired(message="Select where the family is now")],
    )
    on = DateInputField(
        "Date of the change",
        description="For example, 27 3 2026",
        validators=[DateRequired("Enter the date of the change")],
    )
    reason = StringField(
        "Note (optional)",
        description="For example, why the family declined. Not included in exports.",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=500)],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class OutcomeForm(AppForm):
    outcome = SelectField(
        "Result",
        widget=GovSelect(),
        choices=choice_list([("", "Choose a result"), *((o.value, o.label) for o in Outcome)]),
        validators=[InputRequired(message="Choose a result")],
    )
    achieved_on = DateInputField(
        "Date achieved",
        description="For example, 27 3 2026",
        validators=[DateRequired("Enter the date the result was achieved")],
    )
    evidence = StringField(
        "Evidence",
        description="For example, school attendance records for the summer term",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the evidence for the result"), Length(max=500)],
    )
    submit = SubmitField("Save result", widget=GovSubmitInput())

    def fill(self, outcome: str, recorded: OutcomeLine | None) -> None:
        """Show a result, with its date and evidence if it is recorded already."""
        self.outcome.data = outcome
        if recorded is not None:
            self.achieved_on.data = recorded.achieved_on
            self.evidence.data = recorded.evidence


class ConfirmForm(AppForm):
    """An empty form: a button with its CSRF token."""

    submit = SubmitField("Remove", widget=GovSubmitInput())


class ImportForm(AppForm):
    file = FileField(
        "CSV file of families",
        description="Up to 5,000 families, UTF-8, with the template's column names.",
        widget=GovFileInput(),
        validators=[
            FileRequired(message="Choose a CSV file"),
            FileAllowed(["csv"], message="The file must be a CSV file"),
        ],
    )
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class FilterForm(AppForm):
    """The family list's filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    district = SelectField("District", widget=GovSelect(), validators=[Optional()])
    tranche = SelectField(
        "Tranche",
        widget=GovSelect(),
        choices=choice_list([("", "Any"), ("1", "1"), ("2", "2"), ("3", "3")]),
        validators=[Optional()],
    )
    need = SelectField("Need", widget=GovSelect(), validators=[Optional()])
    engagement = SelectField(
        "Engagement",
        widget=GovSelect(),
        choices=choice_list([("", "Any"), *ENGAGEMENT_LABELS.items()]),
        validators=[Optional()],
    )
    mentor = SelectField(
        "Mentor",
        widget=GovSelect(),
        choices=choice_list([("", "Any"), *MENTOR_FILTERS.items()]),
        validators=[Optional()],
    )
    waiting = CountField(
        "Waiting at least (days)",
        message="Enter the days waiting as a whole number, like 30",
        validators=[Optional(), NumberRange(min=0, max=3650, message="Enter 0 to 3650 days")],
    )
    reference = StringField(
        "Reference", widget=GovTextInput(), validators=[Optional(), Length(max=16)]
    )
    sort = SelectField(
        "Order",
        widget=GovSelect(),
        choices=choice_list([("reference", "District and reference"), ("waiting", "Longest wait")]),
        validators=[Optional()],
    )

    def prepare(self, choices: Choices) -> None:
        """Offer the user's districts and the needs."""
        self.district.choices = choice_list(
            [("", "All your districts"), *((d.id, d.name) for d in choices.districts)]
        )
        self.need.choices = choice_list([("", "Any"), *((n.code, n.name) for n in choices.needs)])

    def filters(self) -> FamilyFilters:
        """Return the filters asked for (none if any value is not valid)."""
        if not self.validate():
            return FamilyFilters()
        return FamilyFilters(
            district_id=int(self.district.data) if self.district.data else None,
            tranche=int(self.tranche.data) if self.tranche.data else None,
            need=self.need.data or None,
            engagement=self.engagement.data or None,
            mentor=self.mentor.data or None,
            min_days_waiting=self.waiting.data,
            reference=self.reference.data or "",
            sort=self.sort.data or "reference",
        )


__all__ = [
    "ConfirmForm",
    "ConsentForm",
    "CriteriaForm",
    "EngagementForm",
    "FamilyForm",
    "FilterForm",
    "GENDER_LABELS",
    "ImportForm",
    "OutcomeForm",
]
