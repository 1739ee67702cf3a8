"""Forms for administrators."""

from wtforms import (
    EmailField,
    PasswordField,
    RadioField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, InputRequired, Length, Optional

from mentoring.forms import (
    AppForm,
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
    checkboxes,
    choice_list,
)
from mentoring.models import Role


class UserForm(AppForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the person's name"), Length(max=120)],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter an email address"),
            Email(message="Enter an email address in the correct format, like name@example.org"),
            Length(max=254),
        ],
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=choice_list((r.value, r.label) for r in Role),
        validators=[InputRequired(message="Select a role")],
    )
    districts = checkboxes("Districts (coordinators only)")
    mentor_reference = StringField(
        "Mentor reference (mentor accounts only)",
        description="For example, M-0007",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=12)],
    )
    password = PasswordField(
        "Temporary password",
        description="At least 12 characters. Three random words work well.",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter a temporary password")],
    )
    submit = SubmitField("Create user", widget=GovSubmitInput())
