"""Family references: numbered per district, never taken twice; scope when adding."""

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from mentoring.db import write_transaction
from mentoring.exceptions import FamilyError
from mentoring.models import Family, Role, utcnow
from mentoring.services.families import FamilyDetails, create_family, next_reference
from tests.factories import ready_family
from tests.services.families.helpers import signed_in as _signed_in


def _details(**overrides):
    values = {"referred_on": utcnow().date() - timedelta(days=3), "adults": 1}
    values.update(overrides)
    return FamilyDetails(**values)


def test_references_are_numbered_per_district(app, db, world, make_user):
    coordinator = _signed_in(
        db, make_user(Role.COORDINATOR, districts=[world.dartford, world.maidstone])
    )
    with app.test_request_context():
        refs = [
            create_family(
                session=db, user=coordinator, district_id=d.id, details=_details()
            ).reference
            for d in (world.dartford, world.dartford, world.maidstone)
        ]
    assert refs == ["DAR-0001", "DAR-0002", "MAI-0001"]


def test_reference_skips_numbers_already_taken(app, db, world):
    ready_family(db, world.dartford)  # DAR-0001, made outside the service
    world.dartford.next_family_number = 1
    db.add(world.dartford)
    db.commit()
    with app.app_context(), write_transaction(db):
        assert next_reference(session=db, district_id=world.dartford.id) == "DAR-0002"


def test_families_added_at_the_same_time_get_different_references(app, db, world, make_user):
    coordinator = _signed_in(db, make_user(Role.COORDINATOR, districts=[world.dartford]))
    engine = app.extensions["db_engine"]
    refs, errors = [], []

    def add():
        try:
            with app.test_request_context(), Session(engine, expire_on_commit=False) as session:
                family = create_family(
                    session=session,
                    user=coordinator,
                    district_id=world.dartford.id,
                    details=_details(),
                )
                refs.append(family.reference)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=add) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(refs) == [f"DAR-{n:04d}" for n in range(1, 9)]


def test_family_outside_the_users_districts_cannot_be_created(app, db, world, make_user):
    coordinator = _signed_in(db, make_user(Role.COORDINATOR, districts=[world.dartford]))
    with app.test_request_context(), pytest.raises(FamilyError) as err:
        create_family(
            session=db, user=coordinator, district_id=world.maidstone.id, details=_details()
        )
    assert err.value.field == "district"
    assert db.exec(select(Family)).all() == []
