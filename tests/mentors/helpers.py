"""Helpers for the provider's pages and the public application: form data, the outbox."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from mentoring.models import Mentor
from tests.factories import refresh


def _day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


def _application(world, **changes):
    data = {
        "first_name": "Robin",
        "last_name": "Hart",
        "email": "Robin.Hart@Example.org",
        "phone": "07700 900982",
        "postcode": "da1 1aa",
        "home_district": str(world.dartford.id),
        "travel_districts": [str(world.gravesham.id), str(world.dartford.id)],
        "availability": ["weekday_evening", "weekend"],
        "languages": ["English"],
        "other_languages": "Tamil",
        "skills": ["parenting", "school_attendance"],
        "experience": "School governor; raised three children.",
        "gender": "female",
        "capacity": "2",
        "kind": "volunteer",
        "adult": "y",
        "consent": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _outbox(app) -> list[str]:
    folder = Path(app.config["MAIL_OUTBOX"])
    return [p.read_text() for p in folder.glob("*.eml")] if folder.exists() else []


def _applicant(db, world) -> Mentor:
    mentor = Mentor(
        reference="M-0500",
        first_name="Robin",
        last_name="Hart",
        email="robin@example.org",
        postcode="DA1 1AA",
        home_district_id=world.dartford.id,
        languages=["English"],
        availability=["weekend"],
    )
    db.add(mentor)
    db.commit()
    return mentor


def _stage(db, mentor_id: int) -> str:
    refresh(db)
    return db.get(Mentor, mentor_id).stage
