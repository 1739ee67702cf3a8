"""Command-line interface: `flask --app mentoring ...`.

The demo commands import the ``demo`` package when they run: the service itself never
imports it.
"""

from __future__ import annotations

import click
from alembic import command
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from mentoring import audit
from mentoring.db import get_session
from mentoring.exceptions import UserError
from mentoring.migrate import alembic_config, downgrade, upgrade
from mentoring.models import Role
from mentoring.security import DEMO_PASSWORD
from mentoring.services.users import create_user

db_cli = AppGroup("db", help="Apply or undo database migrations.")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to a revision."""
    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database upgraded to {revision}.")


@db_cli.command("downgrade")
@click.option(
    "--revision", default="-1", show_default=True, help="Target revision ('base': empty)."
)
def db_downgrade(revision: str) -> None:
    """Undo migrations down to a revision."""
    downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database downgraded to {revision}.")


@db_cli.command("current")
def db_current() -> None:
    """Show the database's current revision."""
    command.current(alembic_config(current_app.config["DATABASE_URL"]))


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True, help="Sign-in email address.")
@click.option("--name", required=True, help="Full name.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="admin, provider, coordinator or mentor.",
)
@click.option(
    "--district",
    "districts",
    multiple=True,
    help="A district code (coordinators; repeat for several).",
)
@click.option("--mentor", "mentor_reference", help="The mentor's reference (mentor accounts).")
@click.password_option(
    "--password",
    envvar="MENTORING_NEW_PASSWORD",
    help="At least 12 characters, not a common one (or MENTORING_NEW_PASSWORD).",
)
def create_user_command(
    email: str,
    name: str,
    role: str,
    districts: tuple[str, ...],
    mentor_reference: str | None,
    password: str,
) -> None:
    """Create a user who can sign in."""
    try:
        user = create_user(
            session=get_session(),
            email=email,
            name=name,
            password=password,
            role=Role(role),
            district_codes=list(districts),
            mentor_reference=mentor_reference,
            via="cli",
        )
    except UserError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Created {role} {user.email}.")


@click.command("demo-data")
@with_appcontext
@click.option("--seed", default=2026, show_default=True, help="Random seed.")
@click.option("--families", default=600, show_default=True, help="Number of families.")
@click.option("--mentors", default=150, show_default=True, help="Number of mentors.")
def demo_data_command(seed: int, families: int, mentors: int) -> None:
    """Load the demo data set (Kent's districts, mentors, families, accounts) if not there."""
    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException(
            "demo-data is refused in production: it would create accounts with a published "
            "password. Create the first administrator with create-user instead."
        )
    from demo.data import demo_accounts, load_demo_data

    if families < 0 or mentors < 0:
        raise click.ClickException("--families and --mentors must be 0 or more")
    created = load_demo_data(get_session(), seed=seed, families=families, mentors=mentors)
    click.echo("Demo data loaded." if created else "Demo data already present; nothing changed.")
    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for email, label in demo_accounts():
        click.echo(f"  {label:<34} {email}")


@click.command("demo-accounts")
@with_appcontext
def demo_accounts_command() -> None:
    """Print the demo sign-ins."""
    from demo.data import demo_accounts

    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for email, label in demo_accounts():
        click.echo(f"  {label:<34} {email}")


audit_cli = AppGroup("audit", help="The audit log's hash chain (tamper evidence).")


@audit_cli.command("seal")
def audit_seal_command() -> None:
    """Chain the audit events not yet sealed (the daily job does this too)."""
    count, head = audit.seal(get_session())
    click.echo(f"Sealed {count} audit events. Chain head: {head or '(empty)'}")


@audit_cli.command("verify")
def audit_verify_command() -> None:
    """Recompute the chain; exit 1 at the first event changed, missing or out of order."""
    check = audit.verify(get_session())
    if not check.ok:
        raise click.ClickException(f"{check.problem} (after {check.checked} good entries)")
    click.echo(
        f"The audit chain holds: {check.checked} entries checked, "
        f"{check.unsealed} newer entries not sealed yet."
    )


@click.command("subject-access")
@click.option("--mentor", "mentor", help="A mentor's or role model's reference, like M-0042")
@click.option("--family", "family", help="A family's reference, like DAR-0042")
@click.option("--user", "user", help="A member of staff's email address")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="A folder")
@with_appcontext
def subject_access_command(
    mentor: str | None, family: str | None, user: str | None, out: str
) -> None:
    """Export everything held about one person as HTML and JSON (a subject access request)."""
    import json
    from pathlib import Path

    from mentoring.admin.subject_access_views import render_document
    from mentoring.exceptions import InvalidInput, NotFound
    from mentoring.services.dataprotection import subject_access

    given = [(k, v) for k, v in (("mentor", mentor), ("family", family), ("user", user)) if v]
    if len(given) != 1:
        raise click.ClickException("Give exactly one of --mentor, --family or --user")
    kind, reference = given[0]
    try:
        doc = subject_access(session=get_session(), kind=kind, reference=reference, actor_id=None)
    except (InvalidInput, NotFound) as err:
        raise click.ClickException(err.message) from None
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"subject-access-{doc.kind}-{doc.reference.replace('@', '-at-')}"
    with current_app.test_request_context():
        Path(f"{stem}.html").write_text(render_document(doc))
    Path(f"{stem}.json").write_text(json.dumps(doc.as_json(), indent=2))
    for path in (Path(f"{stem}.html"), Path(f"{stem}.json")):
        path.chmod(0o600)
    click.echo(f"Written {stem}.html and {stem}.json ({len(doc.sections)} sections).")


def init_app(app: Flask) -> None:
    app.cli.add_command(subject_access_command)
    app.cli.add_command(db_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(demo_accounts_command)
