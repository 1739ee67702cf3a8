"""Forms for running and deciding matches."""

from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from mentoring.forms import (
    AppForm,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    choice_list,
)
from mentoring.models import Slot
from mentoring.services.common.endings import END_REASON_LABELS, ENDING_CHECKLIST


class RunForm(AppForm):
    scope = SelectField(
        "Districts to match",
        description="Mentors travel between neighbouring districts, so matching several "
        "districts at once can place more families.",
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the districts to match")],
    )
    submit = SubmitField("Find mentors", widget=GovSubmitInput())


class RejectForm(AppForm):
    reason = StringField(
        "Why are you rejecting this proposal?",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a reason for rejecting the proposal"),
            Length(max=500),
        ],
    )
    submit = SubmitField("Reject", widget=GovSubmitInput())


class BulkForm(AppForm):
    proposals = SelectMultipleField("Proposals", choices=[], validators=[Optional()])
    action = HiddenField()
    reason = StringField(
        "Reason (for rejecting)", widget=GovTextInput(), validators=[Optional(), Length(max=500)]
    )


class AssignForm(AppForm):
    family = SelectField(
        "Family",
        widget=GovSelect(),
        validators=[InputRequired(message="Choose a family")],
    )
    slot = RadioField(
        "Slot",
        widget=GovRadioInput(),
        choices=choice_list(
            [
                (Slot.MENTOR.value, "Mentor (volunteer)"),
                (Slot.ROLE_MODEL.value, "Role model (former participant)"),
            ]
        ),
        default=Slot.MENTOR.value,
        validators=[InputRequired(message="Choose the slot")],
    )
    mentor = StringField(
        "Mentor reference",
        description="For example, M-0007. The assignment is checked against the same rules as "
        "the optimiser's proposals.",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the mentor's reference"), Length(max=12)],
    )
    submit = SubmitField("Assign and offer to the mentor", widget=GovSubmitInput())


class EndForm(AppForm):
    reason = RadioField(
        "Why is the match ending?",
        widget=GovRadioInput(),
        choices=choice_list(END_REASON_LABELS.items()),
        validators=[InputRequired(message="Choose why the match is ending")],
    )
    checklist = SelectMultipleField(
        "Planned ending",
        description="Tick what has been done.",
        widget=GovCheckboxesInput(),
        choices=choice_list(ENDING_CHECKLIST),
        validators=[Optional()],
    )
    notes = TextAreaField(
        "Notes for the file (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=1000)],
    )
    submit = SubmitField("End the match", widget=GovSubmitInput())


class ConfirmForm(AppForm):
    """A button with CSRF protection."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
