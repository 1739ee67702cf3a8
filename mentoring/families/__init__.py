"""Families of a coordinator's districts: record, eligibility, consent, engagement, results."""

from flask import Blueprint

from mentoring.models import Role
from mentoring.templating import add_nav_item

bp = Blueprint("families", __name__)

add_nav_item("Families", "families.index", {Role.ADMIN, Role.COORDINATOR}, before="admin.districts")

from mentoring.families import views  # noqa: E402,F401
