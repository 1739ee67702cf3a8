"""Forms for mentors."""

from wtforms import IntegerField, RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from mentoring.forms import (
    AppForm,
    DateInputField,
    DateRequired,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    choice_list,
)
from mentoring.models import ContactKind

CONTACT_KINDS = [
    (ContactKind.VISIT.value, "Visit"),
    (ContactKind.PHONE.value, "Phone or video call"),
    (ContactKind.ACTIVITY.value, "Activity together"),
    (ContactKind.OTHER.value, "Other"),
]


class OfferForm(AppForm):
    decision = RadioField(
        "Will you mentor this family?",
        widget=GovRadioInput(),
        choices=choice_list([("accept", "Yes, I accept"), ("decline", "No, I decline")]),
        validators=[InputRequired(message="Choose whether you accept or decline")],
    )
    reason = TextAreaField(
        "If you decline, tell the coordinator why",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=500)],
    )
    submit = SubmitField("Send my answer", widget=GovSubmitInput())


class ContactForm(AppForm):
    contact_on = DateInputField(
        "Date of the contact",
        description="For example, 27 3 2026",
        validators=[DateRequired("Enter the date of the contact as day, month and year")],
    )
    kind = RadioField(
        "Kind of contact",
        widget=GovRadioInput(),
        choices=choice_list(CONTACT_KINDS),
        validators=[InputRequired(message="Choose the kind of contact")],
    )
    duration_minutes = IntegerField(
        "How long, in minutes",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter how long the contact lasted, in minutes"),
            NumberRange(min=1, max=720, message="Enter a number of minutes from 1 to 720"),
        ],
    )
    note = TextAreaField(
        "Short note (optional)",
        description="What you did and anything the coordinator should know. Do not write "
        "safeguarding concerns here: raise them with the button on the family's page.",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=1000, message="Keep the note to 1,000 characters")],
    )
    submit = SubmitField("Record contact", widget=GovSubmitInput())
