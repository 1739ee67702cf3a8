"""The audit log's hash chain (mentoring/audit.py): sealed, verified, and tampering found."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from mentoring import audit
from mentoring.models import AuditEvent, utcnow


def _events(db, n, *, age=timedelta(hours=1)):
    for i in range(n):
        db.add(
            AuditEvent(
                action="family.view",
                object_type="family",
                object_id=i + 1,
                details={"i": i},
                at=utcnow() - age,
            )
        )
    db.commit()


def _tamper(db, sql):
    """Change the log behind the service's back (the triggers refuse it otherwise)."""
    engine = db.get_bind()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
            conn.execute(sa.text(sql))
            conn.execute(sa.text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
        else:
            conn.execute(sa.text("DROP TRIGGER audit_event_no_update"))
            conn.execute(sa.text("DROP TRIGGER audit_event_no_delete"))
            conn.execute(sa.text(sql))
    db.expire_all()


def test_sealed_events_verify_and_new_ones_wait_for_their_seal(app, db):
    _events(db, 7)
    _events(db, 2, age=timedelta(0))  # too recent: an open transaction may sit below them
    count, head = audit.seal(db)
    assert count == 7 and len(head) == 64
    check = audit.verify(db)
    assert check.ok and check.checked == 7 and check.unsealed == 2
    assert audit.seal(db)[0] == 0  # nothing sealed twice


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("UPDATE audit_event SET details = '{\"i\": 99}' WHERE id = 3", "entry 3 was changed"),
        ("UPDATE audit_event SET action = 'nothing' WHERE id = 5", "entry 5 was changed"),
        ("DELETE FROM audit_event WHERE id = 4", "entry 4 is missing"),
    ],
)
def test_verify_names_the_first_changed_or_missing_entry(app, db, runner, sql, problem):
    _events(db, 6)
    audit.seal(db)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    _tamper(db, sql)
    check = audit.verify(db)
    assert not check.ok and problem in check.problem
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert problem in result.output


def test_an_entry_slipped_in_below_the_seals_is_found(app, db):
    _events(db, 3)
    audit.seal(db)
    _tamper(
        db,
        "INSERT INTO audit_event (id, at, actor_role, action, object_type, details, ip_address) "
        "VALUES (0, '2026-01-01 00:00:00', 'system', 'forged', '', '{}', '')",
    )
    assert "entry 0 was added out of order" in audit.verify(db).problem


def test_the_daily_job_seals_the_log(app, db, runner):
    _events(db, 4)
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "audit: 4 audit events sealed" in result.output
    assert audit.verify(db).checked == 4
