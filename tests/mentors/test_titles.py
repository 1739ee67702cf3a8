"""Page titles of a mentor's sub-pages name the mentor (issue 22, point 10), as family
pages name the family: two mentors' pages never share a title."""

import re

from sqlmodel import select

from mentoring.models import DbsCheck
from tests.factories import vetted_mentor

SUB_PAGES = [
    "edit",
    "ready",
    "stage",
    "status",
    "references/new",
    "dbs/new",
    "interviews/new",
    "training/new",
]


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_every_mentor_sub_page_title_names_the_mentor(client, db, world, staff):
    first = vetted_mentor(db, world.dartford)
    second = vetted_mentor(db, world.dartford)
    second.first_name, second.last_name = "Sam", "Other"
    db.add(second)
    db.commit()
    dbs = db.exec(select(DbsCheck).where(DbsCheck.mentor_id == first.id)).first()
    pages = [*SUB_PAGES, f"dbs/{dbs.id}", f"dbs/{dbs.id}/decision", f"dbs/{dbs.id}/status-check"]
    for page in pages:
        response = client.get(f"/mentors/{first.id}/{page}")
        assert response.status_code == 200, page
        title = _title(response.get_data(as_text=True))
        assert f"{first.first_name} {first.last_name}" in title, (page, title)
        if not page.startswith("dbs/"):
            other = _title(client.get(f"/mentors/{second.id}/{page}").get_data(as_text=True))
            assert other != title and "Sam Other" in other, page
