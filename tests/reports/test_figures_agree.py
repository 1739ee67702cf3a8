"""Every page that shows a family figure agrees (issue 22, point 3), on the demo data.

The home page, each district dashboard, the county overview and both CSV files show the
families now from one definition (``reports.families_now``); open families add up to
those with a mentor, waiting and not ready; and an exited family has one exit date.
"""

import csv
import html as html_lib
import io
import re

from sqlmodel import select

from demo.data import load_demo_data
from mentoring.models import District, Engagement, Family, Role
from mentoring.services.reports import FAMILIES_NOW_MEASURES

LABELS = [label for _key, label in FAMILIES_NOW_MEASURES]


def _text(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip())


def _table(html: str, test_id: str) -> tuple[list[str], list[list[str]]]:
    table = re.search(rf'data-testid="{test_id}".*?</table>', html, re.S).group(0)
    head = [_text(h) for h in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", table, re.S)]
    body = table.split("<tbody", 1)[1].split("</tbody>")[0]
    rows = [
        [_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]
    return head, rows


def _home(client) -> dict[str, list[int]]:
    head, rows = _table(client.get("/").get_data(as_text=True), "district-summary")
    assert head == ["District", *LABELS]
    return {r[0]: [int(c.replace(",", "")) for c in r[1:]] for r in rows}


def _agrees(exact: int, shown: str) -> bool:
    """A CSV figure: exact, or "<5" for 1 to 4."""
    return shown == str(exact) if not shown.startswith("<") else 0 < exact < 5


def test_home_dashboard_county_and_csv_agree_on_the_demo_data(client, db, sign_in, make_user):
    load_demo_data(db)
    districts = {d.name: d for d in db.exec(select(District)).all()}
    sign_in(make_user(Role.ADMIN))
    home = _home(client)
    assert set(home) == set(districts)
    for name, (open_, matched, waiting, not_ready) in home.items():
        assert open_ == matched + waiting + not_ready, name
    assert sum(v[0] for v in home.values()) > 0 and sum(v[1] for v in home.values()) > 0

    # Each district's dashboard, on screen and in its CSV file.
    for name, figures in home.items():
        district = districts[name]
        page = client.get(f"/reports/districts/{district.id}").get_data(as_text=True)
        _head, rows = _table(page, "dashboard-families-now")
        assert {r[0]: int(r[1].replace(",", "")) for r in rows} == dict(
            zip(LABELS, figures, strict=True)
        )
        download = client.get(f"/reports/districts/{district.id}/download").get_data(as_text=True)
        now = {
            r["Measure"]: r["Value"]
            for r in csv.DictReader(io.StringIO(download))
            if r["Section"] == "Families now"
        }
        assert list(now) == LABELS
        assert all(_agrees(n, now[label]) for label, n in zip(LABELS, figures, strict=True)), (
            name,
            now,
        )

    # The county overview, on screen and in its CSV file.
    head, rows = _table(client.get("/reports/county").get_data(as_text=True), "county-overview")
    head = [re.sub(r"[ ▲▼]*, sort \w+$", "", h) for h in head]
    at = [head.index(label) for label in LABELS]
    county = {r[0]: [int(r[i].replace(",", "")) for i in at] for r in rows}
    assert county == home
    download = client.get("/reports/county/download").get_data(as_text=True)
    for r in csv.DictReader(io.StringIO(download)):
        shown = [r[f"Families now: {label}"] for label in LABELS]
        assert all(_agrees(n, s) for n, s in zip(home[r["District"]], shown, strict=True)), r[
            "District"
        ]

    # A coordinator's home shows the same figures for their districts.
    dartford, gravesham = districts["Dartford"], districts["Gravesham"]
    sign_in(make_user(Role.COORDINATOR, districts=[dartford, gravesham]))
    assert _home(client) == {n: home[n] for n in ("Dartford", "Gravesham")}
    # And the family lists have as many families as the figures say.
    for i, mentor in [(1, "matched"), (2, "waiting"), (3, "not_ready")]:
        listed = client.get(
            "/families/", query_string={"mentor": mentor, "district": dartford.id}
        ).get_data(as_text=True)
        total = re.search(r"(\d+) famil(?:y|ies)", _text(listed.split("<caption", 1)[1]))
        assert int(total.group(1)) == home["Dartford"][i], mentor


def test_an_exited_family_has_one_exit_date(client, db, sign_in, make_user):
    load_demo_data(db, families=200, mentors=40)
    exited = db.exec(select(Family).where(Family.engagement == Engagement.EXITED.value)).all()
    assert exited
    sign_in(make_user(Role.ADMIN))
    for family in exited[:5]:
        page = _text(client.get(f"/families/{family.id}").get_data(as_text=True))
        since = re.search(r"Exited since (\d+ \w+ \d{4})", page).group(1)
        on = re.search(r"Exited on (\d+ \w+ \d{4})", page).group(1)
        assert since == on, family.reference
