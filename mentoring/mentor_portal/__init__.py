"""Mentors: their offers, their families, contacts and safeguarding concerns."""

from flask import Blueprint

bp = Blueprint("mentor", __name__)

from mentoring.mentor_portal import views  # noqa: E402,F401
