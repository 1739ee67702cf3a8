"""Forms for provider staff: applications, vetting records, stages, import.

The DBS form has no field for the certificate's content or a scan, by design: the DBS Code
of Practice does not allow keeping them (see README, "DBS information").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from mentoring.forms import (
    AppForm,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    choice_list,
)
from mentoring.models import (
    Availability,
    DbsDecision,
    DbsLevel,
    DbsResult,
    InterviewOutcome,
    MentorKind,
    MentorStatus,
    PipelineStage,
)
from mentoring.numbers import is_number
from mentoring.reference import LANGUAGES


class DayMonthYearField(DateField):  # WTForms has no type hints
    """A GOV.UK date input (day, month, year) with the design system's error messages."""

    widget = GovDateInput()
    raw_data: list[str] | None
    data: date | None

    def __init__(
        self, label: str = "", validators: Any = None, *, what: str = "date", **kwargs: Any
    ) -> None:
        kwargs.setdefault("format", "%d %m %Y")
        kwargs.setdefault("description", "For example, 27 3 2026")
        super().__init__(label, validators, **kwargs)
        self.what = what

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        if self.raw_data is not None and formdata is not None and len(self.raw_data) != 3:
            # The widget shows day, month and year: keep three parts even when some are missing.
            self.raw_data = ([*self.raw_data] + ["", "", ""])[:3]

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        parts = [v.strip() for v in valuelist[:3]] + [""] * (3 - len(valuelist[:3]))
        if not any(parts):
            self.data = None
            return
        names = ["a day", "a month", "a year"]
        missing = [names[i] for i, part in enumerate(parts) if not part]
        if missing:
            self.data = None
            raise ValueError(f"The {self.what} must include {' and '.join(missing)}")
        if not all(is_number(p) for p in parts) or len(parts[2]) != 4:
            self.data = None
            raise ValueError(f"The {self.what} must be a real date, like 27 3 2026")
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self.data = None
            raise ValueError(f"The {self.what} must be a real date") from None


def _date_required(message: str) -> Callable[[Any, Any], None]:
    def check(_form: Any, field: Any) -> None:
        if field.data is None and not field.errors:
            raise ValidationError(message)

    return check


def _text(
    label: str, *, max_length: int, required: str | None = None, description: str | None = None
) -> Any:
    """A GOV.UK text input: required (with the message given) or optional, of a length."""
    first = InputRequired(message=required) if required else Optional()
    extra = {"description": description} if description else {}
    return StringField(
        label, widget=GovTextInput(), validators=[first, Length(max=max_length)], **extra
    )


GENDER_CHOICES = [
    ("female", "Female"),
    ("male", "Male"),
    ("non_binary", "Non-binary"),
    ("prefer_not_to_say", "Prefer not to say"),
]
AVAILABILITY_CHOICES = [(a.value, a.label) for a in Availability]
CAPACITY_CHOICES = [
    ("1", "1 family"),
    ("2", "2 families"),
    ("3", "3 families"),
    ("4", "4 families"),
]


class ApplicationFields(AppForm):
    """The volunteer's details, shared by the public page and the staff form."""

    first_name = _text("First name", max_length=80, required="Enter the first name")
    last_name = _text("Last name", max_length=80, required="Enter the last name")
    email = _text("Email address", max_length=254, required="Enter an email address")
    phone = _text("Telephone number (optional)", max_length=40)
    postcode = _text("Postcode", max_length=10, required="Enter a postcode")
    home_district = SelectField(
        "District you live in",
        widget=GovSelect(),
        choices=[],
        validators=[InputRequired(message="Select the district you live in")],
    )
    travel_districts = SelectMultipleField(
        "Other districts you could travel to (optional)",
        widget=GovCheckboxesInput(),
        choices=[],
        validators=[Optional()],
    )
    availability = SelectMultipleField(
        "When are you available?",
        widget=GovCheckboxesInput(),
        choices=choice_list(AVAILABILITY_CHOICES),
        validators=[InputRequired(message="Select when you are available")],
    )
    languages = SelectMultipleField(
        "Languages you speak",
        widget=GovCheckboxesInput(),
        choices=choice_list((lang, lang) for lang in LANGUAGES),
        validators=[Optional()],
    )
    other_languages = _text(
        "Other languages (optional)", max_length=200, description="Separate them with commas"
    )
    skills = SelectMultipleField(
        "Skills and experience you could bring",
        description="Select all that apply, from work, volunteering or your own life.",
        widget=GovCheckboxesInput(),
        choices=[],
        validators=[Optional()],
    )
    experience = TextAreaField(
        "Tell us about your experience (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000, message="Keep this to 2,000 characters")],
    )
    gender = RadioField(
        "Gender (optional)",
        description="Some families ask for a mentor of a particular gender.",
        widget=GovRadioInput(),
        choices=choice_list(GENDER_CHOICES),
        validators=[Optional()],
    )
    capacity = RadioField(
        "How many families could you mentor at once?",
        widget=GovRadioInput(),
        choices=choice_list(CAPACITY_CHOICES),
        default="1",
        validators=[InputRequired(message="Select how many families, from 1 to 4")],
    )
    kind = RadioField(
        "Has your family taken part in the Troubled Families programme?",
        description="People whose families came through the programme can become role "
        "models for other families. They are checked and trained in the same way.",
        widget=GovRadioInput(),
        choices=choice_list(
            [
                (MentorKind.VOLUNTEER.value, "No"),
                (MentorKind.ROLE_MODEL.value, "Yes: I would like to be a role model"),
            ]
        ),
        default=MentorKind.VOLUNTEER.value,
        validators=[InputRequired(message="Select yes or no")],
    )


class PublicApplicationForm(ApplicationFields):
    adult = BooleanField(
        "I am 18 or over",
        widget=GovCheckboxInput(),
        validators=[InputRequired(message="You must be 18 or over to mentor a family")],
    )
    consent = BooleanField(
        "I have read the privacy notice and agree to the checks: two references, an "
        "enhanced DBS check with the barred lists, and a suitability interview",
        widget=GovCheckboxInput(),
        validators=[InputRequired(message="You must agree to the checks to apply")],
    )
    # A field people never see: bots fill it in.
    website = StringField("Leave this empty", validators=[Optional()])
    submit = SubmitField("Send application", widget=GovSubmitInput())


# The staff form speaks of the volunteer in the third person; the public page (the fields'
# own labels) speaks to them. Field: (label, hint or None to keep it, required message).
STAFF_VOICE: dict[str, tuple[str, str | None, str | None]] = {
    "home_district": ("District they live in", None, "Select the district they live in"),
    "travel_districts": ("Other districts they could travel to (optional)", None, None),
    "availability": ("When are they available?", None, "Select when they are available"),
    "languages": ("Languages they speak", None, None),
    "skills": (
        "Skills and experience they could bring",
        "Select all that apply, from work, volunteering or their own life.",
        None,
    ),
    "experience": ("About their experience (optional)", None, None),
    "capacity": ("How many families could they mentor at once?", None, None),
}


def speak_of_them(form: AppForm) -> None:
    """Relabel the shared application fields in the third person (staff record for them)."""
    for name, (label, hint, message) in STAFF_VOICE.items():
        field = form[name]
        field.label.text = label
        if hint is not None:
            field.description = hint
        if message is not None:
            field.validators = [
                InputRequired(message=message) if isinstance(v, InputRequired) else v
                for v in field.validators
            ]


class StaffApplicationForm(ApplicationFields):
    kind = RadioField(
        "Kind of mentor",
        widget=GovRadioInput(),
        choices=choice_list((k.value, k.label) for k in MentorKind),
        default=MentorKind.VOLUNTEER.value,
        validators=[InputRequired(message="Select the kind of mentor")],
    )
    former_family_reference = _text(
        "Their family's reference, if known (role models only)",
        max_length=16,
        description="For example, DAR-0012. You can add it later.",
    )
    source = RadioField(
        "How did they apply?",
        widget=GovRadioInput(),
        choices=choice_list([("phone", "By phone"), ("staff", "In person or on paper")]),
        default="phone",
        validators=[InputRequired(message="Select how they applied")],
    )
    consent = BooleanField(
        "They are 18 or over, heard the privacy notice and agreed to the checks",
        widget=GovCheckboxInput(),
        validators=[InputRequired(message="Confirm the volunteer agrees to the checks")],
    )
    submit = SubmitField("Save application", widget=GovSubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        speak_of_them(self)


class EditMentorForm(StaffApplicationForm):
    source = HiddenField()
    consent = HiddenField()
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class ReferenceForm(AppForm):
    referee_name = _text("Referee's name", max_length=120, required="Enter the referee's name")
    referee_contact = _text("Referee's email or telephone (optional)", max_length=254)
    relationship = _text(
        "How they know the volunteer (optional)",
        max_length=120,
        description="For example, employer for 4 years",
    )
    requested_on = DayMonthYearField("Date requested (optional)", what="date requested")
    received_on = DayMonthYearField("Date received (optional)", what="date received")
    satisfactory = RadioField(
        "Is the reference satisfactory?",
        widget=GovRadioInput(),
        choices=choice_list(
            [("", "Not received yet"), ("yes", "Yes, satisfactory"), ("no", "No, not satisfactory")]
        ),
        default="",
        validators=[Optional()],
    )
    submit = SubmitField("Save reference", widget=GovSubmitInput())


class DbsForm(AppForm):
    level = RadioField(
        "Level of the check",
        widget=GovRadioInput(),
        choices=choice_list((level.value, level.label) for level in DbsLevel),
        validators=[InputRequired(message="Select the level of the DBS check")],
    )
    certificate_number = StringField(
        "Certificate number",
        description="12 digits, on the top right of the certificate",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the certificate number"), Length(max=20)],
    )
    issue_date = DayMonthYearField(
        "Date of issue",
        what="issue date",
        validators=[_date_required("Enter the issue date")],
    )
    result = RadioField(
        "Result",
        widget=GovRadioInput(),
        choices=choice_list((r.value, r.label) for r in DbsResult),
        validators=[InputRequired(message="Select the result of the check")],
    )
    decision = RadioField(
        "Risk-assessment decision (only when information was disclosed)",
        description="You can record the decision later, once the risk assessment is done.",
        widget=GovRadioInput(),
        choices=choice_list(
            [
                ("", "Not decided yet, or nothing was disclosed"),
                (DbsDecision.PROCEED.value, "Proceed"),
                (DbsDecision.DO_NOT_PROCEED.value, "Do not proceed"),
            ]
        ),
        default="",
        validators=[Optional()],
    )
    decision_rationale = TextAreaField(
        "Short rationale for the decision",
        description="Why the decision was made, in a sentence or two. Do not copy the "
        "certificate's content. This is cleared 6 months after the decision.",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=1000, message="Keep the rationale to 1,000 characters")],
    )
    update_service_subscribed = RadioField(
        "Do they subscribe to the DBS Update Service?",
        widget=GovRadioInput(),
        choices=choice_list([("yes", "Yes"), ("no", "No")]),
        default="no",
        validators=[InputRequired(message="Select yes or no")],
    )
    last_status_check_on = DayMonthYearField(
        "Date of the last online status check (Update Service only)",
        what="date of the last status check",
    )
    submit = SubmitField("Save DBS check", widget=GovSubmitInput())


class DecisionForm(AppForm):
    decision = RadioField(
        "Risk-assessment decision",
        widget=GovRadioInput(),
        choices=choice_list(
            [
                (DbsDecision.PROCEED.value, "Proceed"),
                (DbsDecision.DO_NOT_PROCEED.value, "Do not proceed"),
            ]
        ),
        validators=[InputRequired(message="Select whether to proceed")],
    )
    rationale = TextAreaField(
        "Short rationale",
        description="Why, in a sentence or two. Do not copy the certificate's content. This is "
        "cleared 6 months after the decision.",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter a short rationale for the decision"),
            Length(max=1000, message="Keep the rationale to 1,000 characters"),
        ],
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())


class StatusCheckForm(AppForm):
    checked_on = DayMonthYearField(
        "Date of the status check",
        what="date of the status check",
        validators=[_date_required("Enter the date of the status check")],
    )
    submit = SubmitField("Save status check", widget=GovSubmitInput())


class InterviewForm(AppForm):
    held_on = DayMonthYearField(
        "Date of the interview",
        what="date of the interview",
        validators=[_date_required("Enter the date of the interview")],
    )
    interviewers = _text(
        "Interviewers", max_length=200, required="Enter who interviewed the volunteer"
    )
    outcome = RadioField(
        "Outcome",
        widget=GovRadioInput(),
        choices=choice_list((o.value, o.value.capitalize()) for o in InterviewOutcome),
        validators=[InputRequired(message="Select the outcome of the interview")],
    )
    notes = TextAreaField(
        "Notes (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000, message="Keep the notes to 2,000 characters")],
    )
    submit = SubmitField("Save interview", widget=GovSubmitInput())


class TrainingForm(AppForm):
    module = RadioField(
        "Training module",
        widget=GovRadioInput(),
        choices=[],
        validators=[InputRequired(message="Select the training module")],
    )
    completed_on = DayMonthYearField(
        "Date completed",
        what="date completed",
        validators=[_date_required("Enter the date completed")],
    )
    submit = SubmitField("Save training", widget=GovSubmitInput())


class StageForm(AppForm):
    stage = RadioField(
        "Move to stage",
        widget=GovRadioInput(),
        choices=choice_list((s.value, s.label) for s in PipelineStage if s != PipelineStage.READY),
        validators=[InputRequired(message="Select a stage")],
    )
    submit = SubmitField("Change stage", widget=GovSubmitInput())


class StatusForm(AppForm):
    status = RadioField(
        "What do you want to do?",
        widget=GovRadioInput(),
        choices=choice_list(
            [
                (MentorStatus.ACTIVE.value, "Make active again"),
                (MentorStatus.PAUSED.value, "Pause (for example, a break or illness)"),
                (MentorStatus.WITHDRAWN.value, "Withdrawn: they no longer want to mentor"),
                (MentorStatus.REJECTED.value, "Rejected: not suitable to mentor"),
            ]
        ),
        validators=[InputRequired(message="Select what to do")],
    )
    reason = TextAreaField(
        "Reason",
        description="Needed when withdrawn or rejected. Keep it factual and short.",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=500, message="Keep the reason to 500 characters")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class ConfirmForm(AppForm):
    submit = SubmitField("Mark as ready", widget=GovSubmitInput())


class ImportForm(AppForm):
    file = FileField("CSV file of mentors", widget=GovFileInput())
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class ModuleForm(AppForm):
    name = _text("Name", max_length=120, required="Enter the module's name")
    validity_months = IntegerField(
        "Valid for (months)",
        description="Leave empty if it never needs refreshing.",
        widget=GovTextInput(),
        validators=[
            Optional(),
            NumberRange(min=1, max=120, message="Enter a validity from 1 to 120 months"),
        ],
    )
    mandatory = RadioField(
        "Is it mandatory?",
        description="Every mentor needs in-date mandatory training to be matched. Making a "
        "module mandatory stops everyone who has not completed it from being matched.",
        widget=GovRadioInput(),
        choices=choice_list([("yes", "Yes, mandatory"), ("no", "No, optional or specialist")]),
        default="no",
        validators=[InputRequired(message="Select whether the module is mandatory")],
    )
    unlocks_need = SelectField(
        "Specialist: unlocks matches with families who need (optional)",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
    )
    active = RadioField(
        "Is it in use?",
        widget=GovRadioInput(),
        choices=choice_list([("yes", "Yes"), ("no", "No: retired, kept for the records")]),
        default="yes",
        validators=[InputRequired(message="Select whether the module is in use")],
    )
    submit = SubmitField("Save module", widget=GovSubmitInput())


class BoardFilterForm(AppForm):
    """The board's filters: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField("Name, reference or email", widget=GovTextInput(), validators=[Optional()])
    district = SelectField("District", widget=GovSelect(), choices=[], validators=[Optional()])
    stage = SelectField("Stage", widget=GovSelect(), choices=[], validators=[Optional()])
    kind = SelectField(
        "Kind",
        widget=GovSelect(),
        choices=choice_list([("", "All kinds")] + [(k.value, k.label) for k in MentorKind]),
        validators=[Optional()],
    )
    submit = SubmitField("Filter", widget=GovSubmitInput())
