"""Administration: users and districts."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from mentoring.admin import (  # noqa: E402,F401
    audit_views,
    district_views,
    subject_access_views,
    views,
)
