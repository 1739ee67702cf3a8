"""Forms for signing in and for your account: passwords, two-factor codes, invitations."""

from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from mentoring.forms import AppForm, GovPasswordInput, GovSubmitInput, GovTextInput

HOW_TO_CHOOSE = "12 characters or more. Three or four random words are strong and easy to remember."


class SignInForm(AppForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password"), Length(max=256)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ChoosePasswordForm(AppForm):
    """Choose a password: on accepting an invitation, or from a reset link."""

    password = PasswordField(
        "Create a password",
        description=HOW_TO_CHOOSE,
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter a password"), Length(max=256)],
    )
    confirm = PasswordField(
        "Confirm your password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter the password again"), Length(max=256)],
    )
    submit = SubmitField("Save password", widget=GovSubmitInput())


class ChangePasswordForm(ChoosePasswordForm):
    """Change your own password: the current one first."""

    current = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your current password"), Length(max=256)],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


class ForgottenPasswordForm(AppForm):
    email = EmailField(
        "Email address",
        description="We will send a link to reset your password to this address.",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address"), Length(max=254)],
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class CodeForm(AppForm):
    """A code from the authenticator app, or a recovery code."""

    code = StringField(
        "Code from your authenticator app",
        description="The 6 digits your app shows now. Lost your phone? Enter one of your "
        "recovery codes instead.",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the code from your authenticator app"),
            Length(max=40, message="Enter the 6-digit code or a recovery code"),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class SetUpCodeForm(AppForm):
    code = StringField(
        "Enter the 6-digit code your app shows",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the code from your authenticator app"),
            Length(max=20, message="Enter the 6-digit code"),
        ],
    )
    submit = SubmitField("Confirm and continue", widget=GovSubmitInput())
