"""Sign-in form."""

from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length

from mentoring.forms import AppForm, GovPasswordInput, GovSubmitInput, GovTextInput


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
