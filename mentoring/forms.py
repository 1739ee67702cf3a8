"""Shared form pieces: GOV.UK widgets for WTForms fields."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Field, IntegerField, SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import NumberRange, Optional, StopValidation

from mentoring.csvutil import CONTROL
from mentoring.numbers import is_number

__all__ = [
    "AppForm",
    "CountField",
    "DateInputField",
    "DateRequired",
    "checkboxes",
    "choice_list",
    "GovCheckboxInput",
    "GovCheckboxesInput",
    "GovDateInput",
    "GovFileInput",
    "GovPasswordInput",
    "GovRadioInput",
    "GovSelect",
    "GovSubmitInput",
    "GovTextArea",
    "GovTextInput",
]


# Control characters (a NUL byte, escape codes): never meaningful in an answer, and
# PostgreSQL refuses a NUL in text. Tab, new line and carriage return are allowed.
TEXT_FIELDS = frozenset(
    {
        "StringField",
        "TextAreaField",
        "EmailField",
        "PasswordField",
        "SearchField",
        "TelField",
        "URLField",
        "HiddenField",
    }
)
CONTROL_MESSAGE = (
    "This answer contains characters that cannot be saved (such as a null byte). "
    "Remove them and try again."
)


class AppForm(FlaskForm):
    """Base form: CSRF from Flask-WTF, and one cleaning layer for every answer.

    Surrounding spaces are trimmed from every answer but a password, before any check,
    so an answer of only spaces is an empty answer. Control characters are refused with
    a message beside the field.
    """

    class Meta:
        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            data = super().wrap_formdata(form, formdata)  # type: ignore[misc]  # FlaskForm.Meta
            if data is None:
                return None
            passwords = {n for n, f in form._fields.items() if f.type == "PasswordField"}
            cleaned: MultiDict[str, Any] = MultiDict()
            for key, value in data.items(multi=True):
                if isinstance(value, str) and key not in passwords:
                    value = value.strip()
                cleaned.add(key, value)
            return cleaned

        def bind_field(self, form: Any, unbound_field: Any, options: Any) -> Any:
            filters = unbound_field.kwargs.get("filters", [])
            if (
                unbound_field.field_class.__name__ in TEXT_FIELDS
                and _refuse_controls not in filters
            ):
                unbound_field.kwargs["filters"] = [*filters, _refuse_controls]
            return unbound_field.bind(form=form, **options)


def _refuse_controls(value: Any) -> Any:
    if isinstance(value, str) and CONTROL.search(value):
        raise ValueError(CONTROL_MESSAGE)
    return value


def choice_list(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Turn (value, label) pairs into WTForms choices."""
    return [SelectChoice(value=str(value), label=label) for value, label in pairs]


class DateInputField(Field):
    """A GOV.UK date input (day, month, year) that explains what is wrong with a date."""

    widget = GovDateInput()
    raw_data: list[str] | None

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(formdata, data=data, extra_filters=extra_filters)
        # The widget expects exactly day, month and year; anything else renders empty boxes.
        if self.raw_data is not None and len(self.raw_data) != 3:
            self.raw_data = None

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if len(valuelist) != 3:
            return
        day, month, year = (v.strip() for v in valuelist)
        if not (day or month or year):
            return
        missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing)}")
        if not (is_number(day) and is_number(month) and is_number(year)) or len(year) != 4:
            raise ValueError(f"{self.label.text} must be a real date, like 27 3 2026")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{self.label.text} must be a real date, like 27 3 2026") from None

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if isinstance(self.data, date) else ""


class DateRequired:
    """Require a date input: all three boxes empty is missing; a part-filled date says what is
    wrong itself (WTForms' InputRequired looks only at the day box)."""

    field_flags = {"required": True}

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        if field.raw_data and any(str(v).strip() for v in field.raw_data):
            return
        field.errors[:] = []
        raise StopValidation(self.message)


class CountField(IntegerField):
    """A small whole number typed into a short box; blank means 0."""

    def __init__(self, label: str | None = None, message: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("widget", GovTextInput())
        kwargs.setdefault("validators", [Optional(), NumberRange(min=0, max=20)])
        super().__init__(label, **kwargs)
        self.message = message or f"Enter {str(label).lower()} as a whole number, like 2"

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        if not is_number(text):
            self.data = None
            raise ValueError(self.message)
        self.data = int(text)


def show_errors(form: Any, err: Exception, *, fallback: str) -> None:
    """Put a service's error messages beside the fields they name (or the fallback field).

    `mentoring.exceptions.ServiceError` carries ``errors`` (field: message); any other
    error's message goes beside ``fallback``.
    """
    errors: dict[str, str] = dict(getattr(err, "errors", None) or {}) or {fallback: str(err)}
    for name, message in errors.items():
        field = form._fields.get(name) or form._fields[fallback]
        if message not in field.errors:
            field.errors = [*field.errors, message]


def checkboxes(label: str, description: str = "") -> Any:
    """Return an optional field of tick boxes (GOV.UK checkboxes) whose choices the view sets."""
    return SelectMultipleField(
        label,
        description=description,
        widget=GovCheckboxesInput(),
        choices=[],
        validators=[Optional()],
    )


class ImportConfirmForm(AppForm):
    """Confirm a checked CSV file's import (families or mentors)."""

    keep_duplicates = BooleanField(
        "Import the rows that look like duplicates too", widget=GovCheckboxInput()
    )
    submit = SubmitField("Import", widget=GovSubmitInput())
