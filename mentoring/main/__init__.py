"""Home pages for each role, and the public pages."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from mentoring.main import views  # noqa: E402,F401
