"""A large invented data set for the reports' benchmark: `flask --app mentoring load-volume`."""

from __future__ import annotations

import click
from flask import current_app

from mentoring.db import get_session
from mentoring.reports import bp


@bp.cli.command("load-volume")
@click.option("--families", default=50_000, show_default=True, help="Number of families.")
@click.option("--mentors", default=10_000, show_default=True, help="Number of mentors.")
@click.option("--years", default=3, show_default=True, help="Programme years to spread over.")
@click.option("--seed", default=7, show_default=True, help="Random seed.")
def load_volume_command(families: int, mentors: int, years: int, seed: int) -> None:
    """Load invented families, mentors, matches and results in bulk (an empty database only)."""
    from demo.volume import VolumeError, load_volume  # the runtime never imports demo

    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("load-volume makes invented data: not in production")
    session = get_session()
    try:
        summary = load_volume(
            session,
            families=families,
            mentors=mentors,
            years=years,
            seed=seed,
            progress=lambda message: click.echo(message, err=True),
        )
    except VolumeError as err:
        session.rollback()
        raise click.ClickException(str(err)) from None
    click.echo(str(summary))
