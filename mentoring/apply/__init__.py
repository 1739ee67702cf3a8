"""The public "Volunteer as a mentor" application: no sign-in, throttled per address."""

from flask import Blueprint

bp = Blueprint("apply", __name__)

from mentoring.apply import views  # noqa: E402,F401
