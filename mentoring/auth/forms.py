"""Forms for signing in and for your account: passwords, two-factor codes, invitations."""

from typing import Any

from wtforms import EmailField, PasswordField, RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from mentoring.forms import (
    AppForm,
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
    choice_list,
)

HOW_TO_CHOOSE = "12 characters or more. Three or four random words are strong and easy to remember."


def _password(label: str, missing: str, description: str = "") -> Any:
    return PasswordField(
        label,
        description=description,
        widget=GovPasswordInput(),
        validators=[InputRequired(message=missing), Length(max=256)],
    )


def _email(description: str = "") -> Any:
    return EmailField(
        "Email address",
        description=description,
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address"), Length(max=254)],
    )


def _code(label: str, description: str, longest: int, too_long: str) -> Any:
    return StringField(
        label,
        description=description,
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the code from your authenticator app"),
            Length(max=longest, message=too_long),
        ],
    )


class SignInForm(AppForm):
    email = _email()
    password = _password("Password", "Enter your password")
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ChoosePasswordForm(AppForm):
    """Choose a password: on accepting an invitation, or from a reset link."""

    password = _password("Create a password", "Enter a password", HOW_TO_CHOOSE)
    confirm = _password("Confirm your password", "Enter the password again")
    submit = SubmitField("Save password", widget=GovSubmitInput())


class ChangePasswordForm(ChoosePasswordForm):
    """Change your own password: the current one first."""

    current = _password("Current password", "Enter your current password")
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ForgottenPasswordForm(AppForm):
    email = _email("We will send a link to reset your password to this address.")
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class CodeForm(AppForm):
    """A code from the authenticator app, or a recovery code."""

    code = _code(
        "Code from your authenticator app",
        "The 6 digits your app shows now. Lost your phone? Enter one of your recovery codes "
        "instead.",
        40,
        "Enter the 6-digit code or a recovery code",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SetUpCodeForm(AppForm):
    code = _code("Enter the 6-digit code your app shows", "", 20, "Enter the 6-digit code")
    submit = SubmitField("Confirm and continue", widget=GovSubmitInput())


class TextRemindersForm(AppForm):
    """A mentor's own choice about text-message reminders."""

    texts = RadioField(
        "Send me text-message reminders about my checks and training",
        description="To the mobile number your mentoring provider has for you. You can "
        "change your mind at any time.",
        widget=GovRadioInput(),
        choices=choice_list([("yes", "Yes, text me too"), ("no", "No, email only")]),
        validators=[InputRequired(message="Choose whether to get text reminders")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
