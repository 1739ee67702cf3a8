"""What the provider's pages (and the public application page) share: errors beside their
fields, the application form's choices and data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlmodel import Session

from mentoring.db import get_session
from mentoring.exceptions import ServiceError, VettingError
from mentoring.forms import choice_list
from mentoring.mentors.forms import BoardFilterForm
from mentoring.models import Role
from mentoring.numbers import is_number, parse_id
from mentoring.read.mentors import application_choices, district_choices
from mentoring.services.mentors import (
    BOARD_FILTERS,
    ApplicationData,
    MentorFilters,
    application_errors,
)

STAFF = (Role.PROVIDER, Role.ADMIN)


def db() -> Session:
    """The request's database session."""
    return get_session()


def actor_id() -> int:
    """The signed-in user's id (every provider page needs a signed-in user)."""
    return int(current_user.id)


def user_name() -> str:
    """The signed-in user's name."""
    return str(current_user.name)


def show_errors(form: Any, err: ServiceError, fallback: str) -> None:
    """Put a service error beside its field (or the fallback field)."""
    for name, message in (err.errors or {fallback: str(err)}).items():
        field = getattr(form, name, None)
        if field is None or not hasattr(field, "errors"):
            field = getattr(form, fallback)
        field.errors = [*field.errors, message]


def submit(
    form: Any, save: Callable[[], object], *, fallback: str, message: str, to: str
) -> ResponseReturnValue | None:
    """On a valid POST, save; then flash the message and redirect, or show the errors.

    Returns the redirect, or None when the form is to be shown (again).
    """
    if not form.validate_on_submit():
        return None
    try:
        save()
    except VettingError as err:
        show_errors(form, err, fallback)
        return None
    flash(message, "success")
    return redirect(to)


def count(n: int, noun: str) -> str:
    """'1 mentor', '2 mentors'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def prepare_application_form(form: Any) -> None:
    """Fill the choices of an application form from the database."""
    choices = application_choices(session=db())
    form.home_district.choices = choice_list([("", "Select a district"), *choices.districts])
    form.travel_districts.choices = choice_list(choices.districts)
    form.skills.choices = choice_list(choices.needs)


def application_data(form: Any) -> ApplicationData:
    """Turn a submitted application form into ApplicationData."""
    languages = list(form.languages.data or [])
    if form.other_languages.data:
        languages.append(form.other_languages.data)
    consent = getattr(form, "consent", None)
    family = getattr(form, "former_family_reference", None)
    capacity = form.capacity.data
    return ApplicationData(
        first_name=form.first_name.data or "",
        last_name=form.last_name.data or "",
        email=form.email.data or "",
        phone=form.phone.data or "",
        postcode=form.postcode.data or "",
        home_district_id=parse_id(form.home_district.data),
        travel_district_ids=[
            i for d in form.travel_districts.data or [] if (i := parse_id(d)) is not None
        ],
        availability=list(form.availability.data or []),
        languages=languages,
        skill_codes=list(form.skills.data or []),
        experience=form.experience.data or "",
        gender=form.gender.data or None,
        capacity=int(capacity) if is_number(str(capacity)) else None,
        kind=form.kind.data or "",
        former_family_reference=(family.data or "") if family is not None else "",
        consent=bool(consent.data) if consent is not None else False,
    )


def add_service_errors(form: Any, *, staff: bool, mentor_id: int | None = None) -> None:
    """Run the service's checks on a form that failed its own, so all problems show at once."""
    errors = application_errors(
        session=db(), data=application_data(form), staff=staff, mentor_id=mentor_id
    )
    if mentor_id is not None:
        errors.pop("consent", None)
    errors.pop("stage", None)
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and not field.errors:
            field.errors = [*field.errors, message]


def board_filters() -> tuple[BoardFilterForm, MentorFilters]:
    """Read the board's filters from the query string (for the board and its export)."""
    form = BoardFilterForm(formdata=request.args)
    form.district.choices = choice_list([("", "All districts"), *district_choices(session=db())])
    form.stage.choices = choice_list(BOARD_FILTERS)
    stage = request.args.get("stage", "")
    filters = MentorFilters(
        district_id=parse_id(request.args.get("district", "")),
        stage=stage if stage in {v for v, _ in BOARD_FILTERS} else "",
        kind=request.args.get("kind", ""),
        q=(request.args.get("q", "") or "")[:100],
    )
    return form, filters
