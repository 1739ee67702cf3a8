"""Proposals (issue 22, point 8): weaknesses apart from strengths and weak matches flagged,
reject buttons that look like what they do, and a double click that starts one run."""

from sqlmodel import select

from matching import read_explanation
from mentoring.models import BackgroundJob, Match, MatchingRun, Role
from tests.factories import matching_run as _run
from tests.factories import proposals as _proposals
from tests.factories import ready_family, vetted_mentor


def test_an_explanation_reads_as_strengths_and_weaknesses():
    reading = read_explanation(
        [
            "Priority 420: tranche 3, waiting 4 weeks, 3 criteria met",
            "Covers none of the family's 2 needs",
            "Lives in DAR, the family's district (+30 points)",
            "No availability in common",
            "Mentor's families after this run: 1 of 2",
        ]
    )
    assert reading.strengths == ("Lives in DAR, the family's district (+30 points)",)
    assert reading.weaknesses == (
        "Covers none of the family's 2 needs",
        "No availability in common",
    )
    assert len(reading.context) == 2
    assert reading.weak
    good = read_explanation(
        ["Covers 1 of 1 need: housing (+40 points)", "Is not female, the family's wish"]
    )
    assert not good.weak and good.weaknesses == ("Is not female, the family's wish",)


def test_a_proposal_covering_none_of_the_needs_is_flagged_weak(
    client, sign_in, app, db, world, coordinator
):
    vetted_mentor(db, world.dartford, skills=("parenting",))
    family = ready_family(db, world.dartford, needs=("housing",))
    run = _run(db, app, world, coordinator)
    proposal = _proposals(db, run)[0]
    assert proposal.family_id == family.id
    sign_in(coordinator)
    for url in (f"/matching/runs/{run.id}", f"/matching/matches/{proposal.id}"):
        page = client.get(url).get_data(as_text=True)
        assert 'data-testid="weak-match"' in page, url
        weaknesses = page.split('data-testid="weaknesses"')[1].split("</ul>")[0]
        assert "Covers none of the family" in weaknesses
        strengths = page.split('data-testid="strengths"')[1].split("</ul>")[0]
        assert "Covers none" not in strengths


def test_a_good_proposal_is_not_flagged_and_reject_buttons_are_warnings(
    client, sign_in, app, db, world, coordinator
):
    vetted_mentor(db, world.dartford)
    ready_family(db, world.dartford)
    run = _run(db, app, world, coordinator)
    sign_in(coordinator)
    page = client.get(f"/matching/runs/{run.id}").get_data(as_text=True)
    assert 'data-testid="weak-match"' not in page
    assert 'data-testid="strengths"' in page
    for label in ("Reject selected", "Reject<span"):
        button = page.split(label)[0].rsplit("<button", 1)[1]
        assert "govuk-button--warning" in button and "govuk-button--secondary" not in button
    assert page.count('data-prevent-double-click="true"') >= 3
    index = client.get("/matching/").get_data(as_text=True)
    find = index.split(">\n  Find mentors")[0].rsplit("<button", 1)[1]
    assert 'data-prevent-double-click="true"' in find


def test_a_second_press_while_a_run_starts_follows_the_first(
    client, sign_in, db, world, coordinator, make_user
):
    lock_key = f"matching:{world.dartford.id}"
    job = BackgroundJob(
        kind="matching_run", params={}, lock_key=lock_key, created_by_id=coordinator.id
    )
    db.add(job)
    db.commit()
    sign_in(coordinator)
    response = client.post("/matching/", data={"scope": str(world.dartford.id)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/jobs/{job.id}")
    assert db.exec(select(MatchingRun)).all() == []
    # Someone else's run of the same districts is explained, not followed.
    other = make_user(Role.COORDINATOR, districts=[world.dartford])
    sign_in(other)
    page = client.post("/matching/", data={"scope": str(world.dartford.id)})
    assert page.status_code == 200
    assert "already waiting or running" in page.get_data(as_text=True)
    assert db.exec(select(Match)).all() == []
