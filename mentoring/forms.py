"""Shared form pieces: GOV.UK widgets for WTForms fields."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms.fields.choices import SelectChoice

__all__ = [
    "AppForm",
    "choice_list",
    "GovCheckboxInput",
    "GovCheckboxesInput",
    "GovDateInput",
    "GovPasswordInput",
    "GovRadioInput",
    "GovSelect",
    "GovSubmitInput",
    "GovTextArea",
    "GovTextInput",
]


class AppForm(FlaskForm):
    """Base form: CSRF from Flask-WTF, values stripped of surrounding spaces."""

    class Meta:
        def bind_field(self, form, unbound_field, options):  # type: ignore[no-untyped-def]
            filters = unbound_field.kwargs.get("filters", [])
            if _strip not in filters and unbound_field.field_class.__name__ in {
                "StringField",
                "TextAreaField",
                "EmailField",
            }:
                unbound_field.kwargs["filters"] = [*filters, _strip]
            return unbound_field.bind(form=form, **options)


def _strip(value):  # type: ignore[no-untyped-def]
    return value.strip() if isinstance(value, str) else value


def choice_list(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Turn (value, label) pairs into WTForms choices."""
    return [SelectChoice(value=str(value), label=label) for value, label in pairs]
