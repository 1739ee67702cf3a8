"""Safeguarding: the designated safeguarding lead's cases, raising concerns and
allegations, and the chronology."""

from flask import Blueprint

from mentoring.models import Role
from mentoring.templating import add_nav_item

bp = Blueprint("safeguarding", __name__)
add_nav_item(
    "Safeguarding", "safeguarding.cases", {Role.SAFEGUARDING, Role.PROVIDER, Role.COORDINATOR}
)
add_nav_item("Your concerns", "mentor.concerns", {Role.MENTOR})

from mentoring.safeguarding import views  # noqa: E402,F401
