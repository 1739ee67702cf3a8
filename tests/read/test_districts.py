"""The district pages' read models: list, page and form choices."""

from __future__ import annotations

from mentoring.models import DistrictTarget, Role
from mentoring.read import districts
from mentoring.services.districts import current_programme_year


def test_district_list_names_neighbours_and_counts_progress(db, world):
    page = districts.district_list(
        session=db, district_ids={world.dartford.id, world.maidstone.id}, programme_year=2026
    )
    assert [d.name for d in page.districts] == ["Dartford", "Maidstone"]
    assert page.neighbours[world.dartford.id] == ["Gravesham"]
    assert page.neighbours[world.maidstone.id] == []
    assert page.progress[world.dartford.id].target == 40


def test_district_page_lists_years_with_a_target_and_this_year(db, world, make_user):
    coordinator = make_user(Role.COORDINATOR, districts=[world.dartford])
    db.add(DistrictTarget(district_id=world.dartford.id, programme_year=2019, target_families=9))
    db.commit()
    page = districts.district_page(session=db, district_id=world.dartford.id)
    assert page.coordinators == [coordinator.name]
    assert page.neighbours == ["Gravesham"]
    this_year = current_programme_year()
    assert page.years == sorted({2026, 2019, this_year}, reverse=True)
    assert page.by_year[2019].target == 9
    assert page.labels[2019] == "2019/20"


def test_district_choices_leave_the_district_out_and_name_coordinators(db, world, make_user):
    coordinator = make_user(Role.COORDINATOR, districts=[world.dartford])
    make_user(Role.PROVIDER)
    choices = districts.district_choices(session=db, district_id=world.dartford.id)
    assert [name for _id, name in choices.neighbours] == ["Gravesham", "Maidstone"]
    assert choices.coordinators == [(coordinator.id, f"{coordinator.name} ({coordinator.email})")]
    links = districts.district_links(session=db, district_id=world.dartford.id)
    assert links.neighbour_ids == {world.gravesham.id}
    assert links.coordinator_ids == {coordinator.id}
