"""The command line: create-user, demo-data, db."""

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from demo.data import DEMO_PASSWORD
from mentoring.models import (
    CoordinatorDistrict,
    District,
    DistrictNeighbour,
    Family,
    Mentor,
    MentorKind,
    PipelineStage,
    User,
)
from mentoring.security import verify_password

GOOD = "lantern-meadow-copper-77"


def test_create_coordinator_with_districts(runner, db, world):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Co@Example.org",
            "--name",
            "Co Ordinator",
            "--role",
            "coordinator",
            "--district",
            "DAR",
            "--district",
            "gra",
            "--password",
            GOOD,
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.exec(select(User).where(User.email == "co@example.org")).one()
    assert verify_password(user.password_hash, GOOD)
    codes = db.exec(
        select(District.code)
        .join(CoordinatorDistrict, CoordinatorDistrict.district_id == District.id)
        .where(CoordinatorDistrict.user_id == user.id)
    ).all()
    assert sorted(codes) == ["DAR", "GRA"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "coordinator"], "needs at least one district"),
        (["--role", "coordinator", "--district", "XXX"], "no district with code XXX"),
        (["--role", "admin", "--district", "DAR"], "only coordinators have districts"),
        (["--role", "mentor"], "needs the mentor's reference"),
        (["--role", "mentor", "--mentor", "M-9999"], "no mentor with reference M-9999"),
        (["--role", "admin", "--password", "short"], "12 characters"),
        (["--role", "admin", "--password", "password12345"], "too common"),
        (["--role", "wizard"], "Invalid value for '--role'"),
    ],
)
def test_create_user_errors_are_clear_and_exit_non_zero(runner, db, world, args, message):
    if "--password" not in args:
        args = [*args, "--password", GOOD]
    result = runner.invoke(args=["create-user", "--email", "x@example.org", "--name", "X", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert db.exec(select(User)).all() == []  # nothing half-saved


def test_create_user_refuses_a_duplicate_email(runner, world):
    args = [
        "create-user",
        "--email",
        "a@example.org",
        "--name",
        "A",
        "--role",
        "admin",
        "--password",
        GOOD,
    ]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_demo_data_loads_kent_and_is_idempotent(runner, db):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert "Demo data loaded." in result.output
    assert DEMO_PASSWORD in result.output
    assert "coordinator@example.org" in result.output

    districts = db.exec(select(District)).all()
    assert len(districts) == 12
    dartford = next(d for d in districts if d.code == "DAR")
    neighbours = db.exec(
        select(DistrictNeighbour).where(DistrictNeighbour.district_id == dartford.id)
    ).all()
    assert len(neighbours) == 2
    mentors = db.exec(select(func.count()).select_from(Mentor)).one()
    role_models = db.exec(
        select(func.count()).select_from(Mentor).where(Mentor.kind == MentorKind.ROLE_MODEL)
    ).one()
    families = db.exec(select(func.count()).select_from(Family)).one()
    assert mentors == 150
    assert 15 <= role_models <= 30
    assert 550 <= families <= 650
    stages = set(db.exec(select(Mentor.stage)).all())
    assert stages == {s.value for s in PipelineStage}
    tranches = set(db.exec(select(Family.tranche)).all())
    assert tranches == {1, 2, 3}
    users = db.exec(select(User.role)).all()
    assert {"admin", "provider", "coordinator", "mentor"} <= set(users)

    again = runner.invoke(args=["demo-data"])
    assert again.exit_code == 0
    assert "already present" in again.output
    assert db.exec(select(func.count()).select_from(Mentor)).one() == 150


def test_demo_accounts_sign_in(runner, client):
    runner.invoke(args=["demo-data", "--families", "20", "--mentors", "10"])
    response = client.post(
        "/sign-in", data={"email": "mentor@example.org", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


def test_the_safeguarding_lead_is_a_demo_sign_in(runner, client):
    listed = runner.invoke(args=["demo-accounts"]).output
    assert "Designated safeguarding lead" in listed and "safeguarding@example.org" in listed
    runner.invoke(args=["demo-data", "--families", "20", "--mentors", "10"])
    response = client.post(
        "/sign-in", data={"email": "safeguarding@example.org", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert "Safeguarding cases" in client.get("/").get_data(as_text=True)


def test_db_downgrade_and_upgrade_commands(runner, app):
    assert runner.invoke(args=["db", "downgrade", "--revision", "base"]).exit_code == 0
    engine = sa.create_engine(app.config["DATABASE_URL"])
    assert "family" not in sa.inspect(engine).get_table_names()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0
    assert "family" in sa.inspect(engine).get_table_names()
    engine.dispose()


def test_demo_data_is_refused_in_production_and_writes_nothing(app, runner, db):
    from sqlmodel import select

    from mentoring.models import User

    app.config["ENV_NAME"] = "production"
    result = runner.invoke(args=["demo-data", "--families", "5", "--mentors", "3"])
    assert result.exit_code != 0
    assert "refused in production" in result.output
    assert db.exec(select(User)).all() == []
