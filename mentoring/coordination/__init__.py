"""Coordinators: matching runs, proposals, hand assignment, monitoring and endings."""

from flask import Blueprint

bp = Blueprint("coordination", __name__)

from mentoring.coordination import views  # noqa: E402,F401
