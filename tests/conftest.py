"""Shared fixtures: an app on a fresh database per test, on SQLite and PostgreSQL.

The schema is always made by the Alembic migrations: once per test session into a
template (a SQLite file, or a PostgreSQL database per xdist worker), then each test
gets a copy of the SQLite file, or the PostgreSQL database emptied back to the
migrated state.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from mentoring import create_app
from mentoring.migrate import upgrade
from mentoring.models import (
    CoordinatorDistrict,
    District,
    DistrictNeighbour,
    DistrictTarget,
    Role,
    User,
)
from mentoring.security import hash_password

PASSWORD = "correct-horse-battery-staple-42"

_PG_BASE = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if _PG_BASE else [])


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _pg_url(database: str) -> str:
    assert _PG_BASE
    url = sa.make_url(_PG_BASE).set(drivername="postgresql+psycopg", database=database)
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database for this xdist worker, migrated to head."""
    # Named after TEST_DATABASE_URL's database, so separate checkouts can share a server.
    base = sa.make_url(_PG_BASE or "").database or "test"
    name = f"{base}_{re.sub(r'[^a-z0-9]', '', _worker().lower())}"
    admin = sa.create_engine(_pg_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = _pg_url(name)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _reset_postgres(url: str) -> None:
    """Empty every table except the reference data the migration inserted."""
    engine = sa.create_engine(url)
    keep = {"alembic_version", "need", "training_module"}
    tables = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in keep]
    with engine.begin() as conn:
        conn.execute(
            sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        )
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database for one test (SQLite, and PostgreSQL when configured)."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.sqlite"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database")
    _reset_postgres(url)
    return url


@pytest.fixture
def app_config() -> dict[str, object]:
    """Settings over the tests' own, for the factory: a test module may override this."""
    return {}


@pytest.fixture
def app(database_url: str, tmp_path: Path, app_config: dict[str, object]):  # type: ignore[no-untyped-def]
    """The app on a fresh database; CSRF off (tests of CSRF turn it on)."""
    app = create_app(
        {
            "TESTING": True,
            "ENV_NAME": "testing",
            "SECRET_KEY": "test-secret-key-" + "x" * 32,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
            "WTF_CSRF_ENABLED": False,
            **app_config,
        }
    )
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def db(app) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    """A session on the test database, for arranging and checking rows."""
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        yield session


@dataclass
class World:
    """Districts for tests: Dartford and Gravesham are neighbours; Maidstone is apart."""

    dartford: District
    gravesham: District
    maidstone: District


@pytest.fixture
def world(db: Session) -> World:
    districts = {}
    for code, name in [("DAR", "Dartford"), ("GRA", "Gravesham"), ("MAI", "Maidstone")]:
        district = District(code=code, name=name)
        db.add(district)
        districts[code] = district
    db.flush()
    db.add(DistrictNeighbour(district_id=districts["DAR"].id, neighbour_id=districts["GRA"].id))
    db.add(DistrictNeighbour(district_id=districts["GRA"].id, neighbour_id=districts["DAR"].id))
    for code, target in [("DAR", 40), ("GRA", 60), ("MAI", 80)]:
        db.add(
            DistrictTarget(
                district_id=districts[code].id, programme_year=2026, target_families=target
            )
        )
    db.commit()
    return World(districts["DAR"], districts["GRA"], districts["MAI"])


_HASH = None


def _password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


@pytest.fixture
def make_user(db: Session):  # type: ignore[no-untyped-def]
    """Create a user of a role (coordinators with district ids)."""

    def _make(
        role: Role,
        *,
        email: str | None = None,
        districts: list[District] | None = None,
        mentor_id: int | None = None,
    ) -> User:
        n = len(db.exec(select(User)).all()) + 1
        user = User(
            email=email or f"{role.value}{n}@example.org",
            name=f"Test {role.label} {n}",
            password_hash=_password_hash(),
            role=role.value,
            mentor_id=mentor_id,
        )
        db.add(user)
        db.flush()
        for district in districts or []:
            db.add(CoordinatorDistrict(user_id=user.id, district_id=district.id))
        db.commit()
        return user

    return _make


@pytest.fixture
def coordinator(make_user, world):  # type: ignore[no-untyped-def]
    """A coordinator of Dartford and Gravesham (a test module may define its own)."""
    return make_user(Role.COORDINATOR, districts=[world.dartford, world.gravesham])


@pytest.fixture
def sign_in(client):  # type: ignore[no-untyped-def]
    """Sign a user in through the sign-in form."""

    def _sign_in(user: User, password: str = PASSWORD, test_client=None):  # type: ignore[no-untyped-def]
        c = test_client or client
        with c.session_transaction() as flask_session:
            flask_session.clear()  # whoever was signed in on this client is signed out
        response = c.post("/sign-in", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    return _sign_in
