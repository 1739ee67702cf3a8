"""The reports' period filter (a programme year, or a date range: a GET form), and the
choice of districts for a recruitment plan."""

from __future__ import annotations

from typing import Any

from wtforms import Field, SelectField, SubmitField
from wtforms.validators import InputRequired, Optional, ValidationError

from mentoring.exceptions import PeriodError
from mentoring.forms import AppForm, DateInputField, GovSelect, GovSubmitInput, choice_list
from mentoring.numbers import is_number
from mentoring.services.districts import current_programme_year, programme_year_label
from mentoring.services.reports import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    Period,
    date_range_period,
    programme_year_period,
)

FIRST_YEAR_LISTED = 2012  # the programme began in 2012/13


def year_choices() -> list[Any]:
    """Programme years from the programme's start to next year, latest first."""
    this = current_programme_year()
    return choice_list(
        (year, programme_year_label(year))
        for year in range(this + 1, min(FIRST_YEAR_LISTED, this) - 1, -1)
    )


class PeriodForm(AppForm):
    """A programme year, or (when either date is given) the days between two dates."""

    class Meta:
        csrf = False

    year = SelectField(
        "Programme year",
        widget=GovSelect(),
        validators=[Optional()],
        validate_choice=False,
        description="1 April to 31 March",
    )
    start = DateInputField("From", description="For example, 1 4 2026")
    end = DateInputField("To", description="For example, 30 6 2026")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year.choices = year_choices()
        self.period: Period | None = None

    def validate_year(self, field: Any) -> None:
        if field.data in (None, ""):
            return
        if (
            not is_number(str(field.data), max_digits=4)
            or not EARLIEST_YEAR <= int(field.data) <= LATEST_YEAR
        ):
            raise ValidationError("Select a programme year from the list")

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the fields, then work out the period (``self.period``)."""
        if not super().validate(extra_validators):
            return False
        try:
            if (
                self.start.raw_data
                and any(self.start.raw_data)
                or (self.end.raw_data and any(self.end.raw_data))
            ):
                self.period = date_range_period(self.start.data, self.end.data)
            else:
                year = int(self.year.data) if self.year.data else current_programme_year()
                self.year.data = str(year)
                self.period = programme_year_period(year)
        except PeriodError as err:
            fields: dict[str, Field] = {"start": self.start, "end": self.end}
            field = fields.get(err.field or "", self.year)
            field.errors = [*field.errors, str(err)]
            return False
        return True


class RecruitmentForm(AppForm):
    """The districts to plan recruitment for."""

    scope = SelectField(
        "Districts to plan for",
        description="Mentors travel to neighbouring districts, so a plan over several "
        "districts can place recruits where they serve more families.",
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the districts to plan for")],
    )
    submit = SubmitField("Plan recruitment", widget=GovSubmitInput())
