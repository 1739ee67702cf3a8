"""Reports: district dashboards, the county overview, outcomes and payment by results, the
mentor programme; anonymised CSV exports of each; recruitment planning."""

from flask import Blueprint

from mentoring.models import Role
from mentoring.templating import add_nav_item

# cli_group=None: the blueprint's command (load-volume) sits at the top level.
bp = Blueprint("reports", __name__, cli_group=None)

add_nav_item(
    "Reports", "reports.index", {Role.ADMIN, Role.COORDINATOR, Role.PROVIDER, Role.SAFEGUARDING}
)
add_nav_item("Recruitment", "reports.recruitment", {Role.ADMIN, Role.COORDINATOR, Role.PROVIDER})

from mentoring.reports import cli, recruitment_views, safeguarding, views  # noqa: E402,F401
