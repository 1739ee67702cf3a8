"""Forms for administrators: inviting and changing people."""

from wtforms import EmailField, RadioField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length

from mentoring.forms import (
    AppForm,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
    checkboxes,
    choice_list,
)
from mentoring.models import STAFF_ROLES, Role

STAFF_CHOICES = choice_list((r.value, r.label) for r in Role if r.value in STAFF_ROLES)


class PersonForm(AppForm):
    """A member of staff's name, role and districts (for a change)."""

    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the person's name"), Length(max=120)],
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=STAFF_CHOICES,
        validators=[InputRequired(message="Select a role")],
    )
    districts = checkboxes("Districts (coordinators only)")
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class InviteForm(PersonForm):
    """Invite a member of staff: they choose their own password from the email."""

    email = EmailField(
        "Email address",
        description="The invitation goes here. They choose their own password.",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter an email address"),
            Email(message="Enter an email address in the correct format, like name@example.org"),
            Length(max=254),
        ],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class ConfirmForm(AppForm):
    submit = SubmitField("Confirm", widget=GovSubmitInput())
