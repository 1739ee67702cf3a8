"""The family page's read model: what it shows, in queries that do not grow with the record."""

import sqlalchemy as sa
from sqlmodel import Session

from mentoring import audit
from mentoring.models import (
    FamilyEvent,
    FamilyEventKind,
    FamilyOutcome,
    Match,
    MatchStatus,
    Role,
    Slot,
    utcnow,
)
from mentoring.read.families import access_log, family_record
from mentoring.services.users import to_signed_in
from tests.factories import ready_family, vetted_mentor


def _selects(app, fn):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = app.extensions["db_engine"]
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        result = fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return result, len(statements)


def _grow(db, family, mentor, n):
    today = utcnow().date()
    for i in range(n):
        db.add(
            FamilyEvent(
                family_id=family.id,
                kind=FamilyEventKind.ENGAGEMENT.value,
                value="contacted",
                happened_on=today,
                reason=f"Call {i}",
            )
        )
        db.add(
            Match(
                family_id=family.id,
                mentor_id=mentor.id,
                slot=Slot.ROLE_MODEL.value,
                status=MatchStatus.ENDED.value,
            )
        )
    db.add(
        FamilyOutcome(
            family_id=family.id, outcome="school_attendance", achieved_on=today, evidence="School"
        )
    )
    db.commit()


def test_family_page_queries_do_not_grow_with_history_or_matches(app, db, world, make_user):
    user = to_signed_in(session=db, user=make_user(Role.COORDINATOR, districts=[world.dartford]))
    family = ready_family(db, world.dartford)
    mentor = vetted_mentor(db, world.dartford)
    engine = app.extensions["db_engine"]

    def page():
        with app.app_context(), Session(engine, expire_on_commit=False) as session:
            loaded = session.get(type(family), family.id)
            return family_record(session=session, family=loaded, user=user, on=utcnow().date())

    before, few = _selects(app, page)
    _grow(db, family, mentor, 12)
    after, many = _selects(app, page)
    assert many == few
    assert len(after.history) == len(before.history) + 12
    assert len(after.matches) == 12
    assert after.held == []
    assert [o.label for o in after.outcomes] == ["School attendance restored"]
    assert after.problems == []


def test_access_log_names_who_and_which_fields(app, db, world, make_user):
    admin = make_user(Role.ADMIN)
    family = ready_family(db, world.dartford)
    audit.record(
        db,
        "family.update",
        object_type="family",
        object_id=family.id,
        actor_id=admin.id,
        actor_role="admin",
        fields=["adults"],
    )
    db.commit()
    lines = access_log(session=db, family_id=family.id)
    assert [(line.who, line.action, line.fields) for line in lines] == [
        (admin.name, "family.update", ["adults"])
    ]
