"""An allegation against a mentor: suspended at once (gate fails, matches paused), then
reinstated or removed by the outcome."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from mentoring.exceptions import SafeguardingError
from mentoring.models import (
    AuditEvent,
    Family,
    Match,
    Mentor,
    Notification,
    Role,
    SafeguardingConcern,
)
from mentoring.services.safeguarding import (
    Raised,
    close,
    raise_allegation,
    record_referral,
    run_safeguarding_daily,
    triage,
)
from mentoring.services.vetting import run_daily_checks
from mentoring.services.vetting.facts import check_gate, matchable_mentor_ids
from tests.factories import active_match
from tests.safeguarding.helpers import RAISED, dsl


def _suspended(app, db, world, coordinator, make_user):  # type: ignore[no-untyped-def]
    lead = dsl(make_user)
    mentor, family, match = active_match(app, db, world, coordinator)
    mentor_user = make_user(Role.MENTOR, mentor_id=mentor.id)
    with app.test_request_context():
        allegation = raise_allegation(
            session=db, mentor_id=mentor.id, actor_id=lead.id, raised=Raised(**RAISED)
        )
    db.expire_all()
    return lead, mentor, family, match, mentor_user, allegation


def _to_outcome(app, db, lead, allegation, outcome):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        triage(session=db, concern_id=allegation.id, actor_id=lead.id, decision="To the LADO")
        with pytest.raises(SafeguardingError, match="LADO"):
            close(
                session=db, concern_id=allegation.id, actor_id=lead.id, outcome=outcome, reason="r"
            )
        record_referral(
            session=db,
            concern_id=allegation.id,
            actor_id=lead.id,
            agency="lado",
            reference="LADO-2026-31",
            on=date.today(),
        )
        close(
            session=db,
            concern_id=allegation.id,
            actor_id=lead.id,
            outcome=outcome,
            reason="The LADO's strategy meeting decided",
        )
    db.expire_all()


def test_an_allegation_suspends_the_mentor_and_pauses_their_matches(
    app, db, world, coordinator, make_user
):
    _lead, mentor, family, match, mentor_user, allegation = _suspended(
        app, db, world, coordinator, make_user
    )
    today = date.today()
    result = check_gate(session=db, mentor_id=mentor.id, on=today)
    assert not result.matchable and "Suspended" in result.reasons[0]
    assert mentor.id not in matchable_mentor_ids(session=db, on=today)
    match = db.get(Match, match.id)
    assert match.status == "active" and match.paused_on == today  # the family keeps its place
    note = db.exec(select(Notification).where(Notification.user_id == coordinator.id)).one()
    assert note.urgent and family.reference in note.message and "cover" in note.message
    assert "allegation" not in note.message.lower()
    assert not db.exec(select(Notification).where(Notification.user_id == mentor_user.id)).all()
    # The daily vetting check does not end the paused match.
    with app.app_context():
        run_daily_checks(session=db, on=today + timedelta(days=1))
    db.expire_all()
    assert db.get(Match, match.id).status == "active"
    assert allegation.reference.startswith("SG-")


def test_an_unfounded_allegation_reinstates_the_mentor_and_the_match_resumes(
    app, db, world, coordinator, make_user
):
    lead, mentor, _family, match, _user, allegation = _suspended(
        app, db, world, coordinator, make_user
    )
    _to_outcome(app, db, lead, allegation, "unfounded")
    assert db.get(Match, match.id).paused_on is None
    assert db.get(Mentor, mentor.id).matchable_since is not None
    assert check_gate(session=db, mentor_id=mentor.id, on=date.today()).matchable
    decision = db.exec(select(AuditEvent).where(AuditEvent.action == "mentor.reinstate")).one()
    assert decision.details["decision"] == "unfounded" and decision.actor_id == lead.id


def test_a_substantiated_allegation_removes_the_mentor_and_reminds_the_dbs_referral(
    app, db, world, coordinator, make_user
):
    lead, mentor, family, match, _user, allegation = _suspended(
        app, db, world, coordinator, make_user
    )
    _to_outcome(app, db, lead, allegation, "substantiated")
    mentor = db.get(Mentor, mentor.id)
    assert mentor.status == "withdrawn" and allegation.reference in mentor.status_reason
    ended = db.get(Match, match.id)
    assert ended.status == "ended"
    assert db.get(Family, family.id).needs_handover
    tomorrow = date.today() + timedelta(days=1)
    with app.test_request_context():
        assert run_safeguarding_daily(session=db, on=tomorrow).dbs_reminded == 1
        assert run_safeguarding_daily(session=db, on=tomorrow).dbs_reminded == 0
        record_referral(
            session=db,
            concern_id=allegation.id,
            actor_id=lead.id,
            agency="dbs",
            reference="DBS-BAR-1",
            on=date.today(),
        )
        later = tomorrow + timedelta(days=1)
        assert run_safeguarding_daily(session=db, on=later).dbs_reminded == 0
    db.expire_all()
    assert db.get(SafeguardingConcern, allegation.id).dbs_referred_on == date.today()


def test_a_mentor_removed_for_a_substantiated_allegation_cannot_be_reactivated(
    app, db, world, coordinator, make_user
):
    from mentoring.exceptions import VettingError
    from mentoring.services.mentors.pipeline import change_status

    lead, mentor, _family, _match, _user, allegation = _suspended(
        app, db, world, coordinator, make_user
    )
    _to_outcome(app, db, lead, allegation, "substantiated")
    with app.test_request_context(), pytest.raises(VettingError, match="cannot be reactivated"):
        change_status(
            session=db,
            mentor_id=mentor.id,
            status="active",
            reason="",
            actor_id=lead.id,
            on=date.today(),
        )
    db.expire_all()
    assert db.get(Mentor, mentor.id).status == "withdrawn"
