"""Every view of a sensitive page is in the audit log: walking every GET route as each role."""

from __future__ import annotations

from flask import url_for
from sqlmodel import func, select

from mentoring.audit import AUDITED_PAGES
from mentoring.models import AuditEvent
from mentoring.security import PUBLIC, allowed_roles_for
from tests.routes import url_value
from tests.test_hostile_text import estate as estate  # noqa: PLC0414 - the demo estate fixture

# Pages that record their own access, and the action they record.
SELF_AUDITED = {
    "families.show": "family.view",
    "families.export": "family.export",
    "mentor.family": "family.view_as_mentor",
    "coordination.match": "match.view",
    "mentors.export": "mentor.export",
    "safeguarding.cases": "concern.list",
    "safeguarding.case": "concern.view",
    "mentor.concerns": "concern.list_own",
}
SENSITIVE = {**{e: a for e, (a, _t) in AUDITED_PAGES.items()}, **SELF_AUDITED}


def _count(db, action):
    db.rollback()  # a fresh read: the pages wrote through their own sessions
    return db.exec(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    ).one()


def test_every_sensitive_page_each_role_sees_leaves_an_audit_row(estate, db):
    app, clients, _forms, ids = estate
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in (rule.methods or ()) or rule.endpoint not in SENSITIVE:
                continue
            values = {name: url_value(rule, name, ids) for name in rule.arguments}
            roles = {str(r) for r in (allowed_roles_for(rule.endpoint) or set())} - {PUBLIC}
            urls.append((rule.endpoint, url_for(rule.endpoint, **values), roles))
    seen = set()
    for endpoint, url, roles in urls:
        for role in sorted(roles & set(clients)):
            action = SENSITIVE[endpoint]
            before = _count(db, action)
            response = clients[role].get(url)
            if response.status_code != 200:
                continue
            assert _count(db, action) == before + 1, (endpoint, role, action)
            seen.add(endpoint)
    # The demo data reaches most of them (a concern page needs a concern).
    assert len(seen) >= len(SENSITIVE) - 3, sorted(set(SENSITIVE) - seen)
