"""Administration: users and districts."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from mentoring.admin import audit_views, district_views, views  # noqa: E402,F401
