"""Hostile text in every POST form, as a role that may post it: never a 5xx, never half-saved.

Hypothesis draws the values (NUL and other control characters, whitespace only, very long
text, markup, SQL, right-to-left marks, any Unicode) and the test posts them into every
field of every form of the URL map, on the demo data, as the least privileged role the
route allows, on SQLite and on PostgreSQL. A form that answers with its errors (or a 4xx)
must leave every table as it was, but the audit log of who looked at what.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, SQLModel, select

from demo.data import load_demo_data
from mentoring.models import (
    DbsCheck,
    District,
    Family,
    Match,
    MatchStatus,
    Mentor,
    Notification,
    Reference,
    Role,
    SafeguardingConcern,
    TrainingModule,
    User,
)
from mentoring.security import DEMO_PASSWORD, PUBLIC, allowed_roles_for
from mentoring.services import matching as matching_service
from tests.routes import url_value

HOSTILE = st.one_of(
    st.sampled_from(
        [
            "\x00",
            "a\x00b@example.org",
            "   ",
            "\t\r\n",
            "\x1b[31mred\x07",
            "<script>alert(1)</script>",
            "' OR 1=1; DROP TABLE family; --",
            "\u202egnp.exe",
            "x" * 5000,
            "9" * 40,
            "-1",
            "1e309",
            "２０２６",
            "\ufeff",
        ]
    ),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=200),
)
# Tables a refused form may still write: who looked at what, and sign-in attempts.
MAY_CHANGE = {"audit_event", "sign_in_record", "sign_in_lock", "user_account"}
# Posts that end the signed-in session whatever they hold.
SKIP = {"auth.sign_out"}
PREFERENCE = [Role.MENTOR, Role.COORDINATOR, Role.PROVIDER, Role.SAFEGUARDING, Role.ADMIN]
DEMO = {
    Role.ADMIN: "admin@example.org",
    Role.PROVIDER: "provider@example.org",
    Role.COORDINATOR: "coordinator@example.org",
    Role.MENTOR: "mentor@example.org",
    Role.SAFEGUARDING: "safeguarding@example.org",
}
_NAME = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"')
POST_ONLY_FIELDS = ["reason", "note", "details", "action", "selected", "programme_year"]


@dataclass
class Form:
    endpoint: str
    role: str
    url: str
    fields: list[str]


def _role(endpoint: str) -> str:
    allowed = allowed_roles_for(endpoint) or set()
    if PUBLIC in allowed:
        return PUBLIC
    return next(r.value for r in PREFERENCE if r in allowed or r.value in allowed)


def _ids(session: Session, app: Any) -> dict[str, Any]:
    """An object of each kind the demo's coordinator, mentor and provider may act on."""
    coordinator = session.exec(select(User).where(User.email == DEMO[Role.COORDINATOR])).one()
    mentor_user = session.exec(select(User).where(User.email == DEMO[Role.MENTOR])).one()
    dartford = session.exec(select(District).where(District.code == "DAR")).one()
    with app.test_request_context():
        run = matching_service.run_matching(
            session=session, district_ids={dartford.id}, actor_id=coordinator.id
        )
    proposal = session.exec(
        select(Match).where(Match.run_id == run.id, Match.status == MatchStatus.PROPOSED.value)
    ).first()
    own = session.exec(select(Match).where(Match.mentor_id == mentor_user.mentor_id)).all()
    active = next((m for m in own if m.status == MatchStatus.ACTIVE.value), own[0])
    mentor = session.get(Mentor, mentor_user.mentor_id)
    spare = User(email="spare@example.org", name="Spare Person", role="provider", password_hash="x")
    session.add(spare)
    session.commit()
    family = session.exec(select(Family).where(Family.district_id == dartford.id)).first()
    return {
        "family_id": family.id,
        "district_id": dartford.id,
        "year": 2026,
        "code": "school_attendance",
        "token": "t" * 22,
        "job_id": 1,
        "concern_id": (session.exec(select(SafeguardingConcern.id)).first() or 1),
        "run_id": run.id,
        "mentor_id": mentor.id,
        "dbs_id": session.exec(select(DbsCheck.id).where(DbsCheck.mentor_id == mentor.id)).first()
        or 1,
        "reference_id": session.exec(
            select(Reference.id).where(Reference.mentor_id == mentor.id)
        ).first()
        or 1,
        "module_id": session.exec(select(TrainingModule.id)).first(),
        "notification_id": session.exec(select(Notification.id)).first() or 1,
        "user_id": spare.id,
        "action": "resend",
        # the matches: a proposal to decide, the mentor's own active match (or offer)
        "proposal": proposal.id if proposal else 1,
        "match_id": active.id,
    }


def _forms(app: Any, clients: dict[str, Any], ids: dict[str, Any]) -> list[Form]:
    urls = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "POST" not in (rule.methods or ()) or rule.endpoint in SKIP:
                continue
            values = {name: url_value(rule, name, ids) for name in rule.arguments}
            if "proposals" in rule.rule:
                values["match_id"] = ids["proposal"]
            urls.append((rule, url_for(rule.endpoint, **values), _role(rule.endpoint)))
    # Outside that request context: each client's request has its own signed-in user.
    forms = []
    for rule, url, role in urls:
        fields = POST_ONLY_FIELDS
        if "GET" in (rule.methods or ()):
            page = clients[role].get(url).get_data(as_text=True)
            found = [n for n in _NAME.findall(page) if n != "csrf_token"]
            fields = list(dict.fromkeys(found)) or POST_ONLY_FIELDS
        forms.append(Form(rule.endpoint, role, url, fields))
    return forms


def _counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables
            if t.name not in MAY_CHANGE
        }


@pytest.fixture
def estate(app, db):
    """The demo data, a signed-in client per role, and every POST form with its fields."""
    with app.app_context():
        load_demo_data(db, families=60, mentors=20)
    ids = _ids(db, app)
    clients = {PUBLIC: app.test_client()}
    for role, email in DEMO.items():
        client = app.test_client()
        response = client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        clients[role.value] = client
    return app, clients, _forms(app, clients, ids), ids


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=st.lists(HOSTILE, min_size=1, max_size=3))
def test_hostile_text_in_every_post_form_gives_no_5xx_and_no_half_written_row(estate, values):
    app, clients, forms, _ids_ = estate
    engine = app.extensions["db_engine"]
    assert len(forms) > 50
    for form in forms:
        data = {name: values[i % len(values)] for i, name in enumerate(form.fields)}
        before = _counts(engine)
        response = clients[form.role].post(form.url, data=data)
        assert response.status_code < 500, (form.endpoint, data)
        if response.status_code != 302:
            assert _counts(engine) == before, (form.endpoint, response.status_code)
