"""Forms for districts: code and name, neighbours, coordinators, targets."""

from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange

from mentoring.forms import AppForm, CountField, GovSubmitInput, GovTextInput, checkboxes


class DistrictForm(AppForm):
    code = StringField(
        "Code",
        description="2 to 8 capital letters, like DAR. New family references start with it; "
        "families keep the references they have.",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter a district code"), Length(max=8)],
    )
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the district's name"), Length(max=80)],
    )
    mash_phone = StringField(
        "Children's services front door (MASH) phone number",
        description="Shown to anyone raising a safeguarding concern when a child or adult is "
        'in immediate danger, after "Call 999 now". For example, 03000 41 11 11',
        widget=GovTextInput(),
        validators=[Length(max=40, message="Keep the phone number to 40 characters")],
    )
    neighbours = checkboxes(
        "Neighbouring districts",
        description="Mentors may travel to neighbouring districts. Neighbours are kept both "
        "ways round.",
    )
    coordinators = checkboxes(
        "Coordinators", description="They see and change this district's families."
    )
    submit = SubmitField("Save district", widget=GovSubmitInput())


class TargetForm(AppForm):
    programme_year = CountField(
        "Programme year starting in April",
        message="Enter the year the programme year starts, like 2026",
        validators=[
            InputRequired(message="Enter the year the programme year starts, like 2026"),
            NumberRange(min=2000, max=2100, message="Enter a year from 2000 to 2100"),
        ],
    )
    target_families = CountField(
        "Target (families)",
        message="Enter the target as a whole number, like 40",
        validators=[
            InputRequired(message="Enter the target number of families"),
            NumberRange(min=0, max=100_000, message="Enter a target from 0 to 100,000"),
        ],
    )
    submit = SubmitField("Save target", widget=GovSubmitInput())


class RemoveTargetForm(AppForm):
    submit = SubmitField("Remove", widget=GovSubmitInput())
