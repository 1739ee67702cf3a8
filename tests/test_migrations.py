"""Migrations: the only way the schema is made; they match the models both ways."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from mentoring.migrate import downgrade, upgrade


def _diff(url: str) -> list:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    return diff


def test_upgrade_to_head_matches_the_models(database_url):
    # database_url is already migrated to head by the fixture.
    assert _diff(database_url) == []


def test_downgrade_to_base_then_upgrade_again(database_url):
    downgrade(database_url, "base")
    engine = sa.create_engine(database_url)
    tables = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert tables == set()
    upgrade(database_url, "head")
    assert _diff(database_url) == []


def test_migration_inserts_the_needs_taxonomy_and_training_modules(db):
    from sqlmodel import select

    from mentoring.models import Need, TrainingModule

    needs = {n.code for n in db.exec(select(Need)).all()}
    assert {"debt_money", "school_attendance", "domestic_abuse"} <= needs
    modules = db.exec(select(TrainingModule)).all()
    assert {m.code for m in modules if m.mandatory} == {
        "safeguarding",
        "boundaries",
        "information_sharing",
        "mentoring_skills",
    }
    da = next(m for m in modules if m.code == "domestic_abuse_awareness")
    assert da.unlocks_need_id is not None
