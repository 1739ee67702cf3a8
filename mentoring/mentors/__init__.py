"""Provider staff: recruitment, vetting and training of mentors, and keeping them in date."""

from flask import Blueprint

from mentoring.models import Role
from mentoring.templating import add_nav_item

# cli_group=None: the blueprint's commands (send-reminders) sit at the top level.
bp = Blueprint("mentors", __name__, cli_group=None)

add_nav_item("Mentors", "mentors.board", {Role.PROVIDER, Role.ADMIN})
add_nav_item("Keeping in date", "mentors.keeping_in_date", {Role.PROVIDER, Role.ADMIN})

from mentoring.mentors import (  # noqa: E402,F401
    account_views,
    import_views,
    training_views,
    vetting_views,
    views,
)
