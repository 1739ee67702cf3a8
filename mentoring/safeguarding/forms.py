"""Forms for safeguarding: raising a concern, and the lead's entries and decisions."""

from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from mentoring.forms import (
    AppForm,
    DateInputField,
    DateRequired,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
    choice_list,
)
from mentoring.models import ConcernCategory, ConcernStatus, ReferralAgency
from mentoring.services.safeguarding import NOTE_KINDS

YES_NO = choice_list([("yes", "Yes"), ("no", "No")])


class DangerForm(AppForm):
    immediate_danger = RadioField(
        "Is a child or adult in immediate danger now?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired(message="Say whether someone is in immediate danger now")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ConcernForm(AppForm):
    category = RadioField(
        "What kind of concern is it?",
        widget=GovRadioInput(),
        choices=choice_list((c.value, c.label) for c in ConcernCategory),
        validators=[InputRequired(message="Choose what kind of concern it is")],
    )
    details = TextAreaField(
        "What did you see or hear?",
        description="In your own words, and the words people used. Write facts, not "
        "opinions. You cannot change this afterwards: add later facts as updates.",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Describe what you saw or were told, in your own words"),
            Length(max=4000, message="Keep it to 4,000 characters; add more later as an update"),
        ],
    )
    happened_when = StringField(
        "When did it happen, or when were you told?",
        description="For example, Tuesday 3 December at about 4pm",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Say when it happened or when you were told"),
            Length(max=200, message="Keep when it happened to 200 characters"),
        ],
    )
    people_involved = TextAreaField(
        "Who is involved?",
        description="The child or adult you are worried about, and anyone else there.",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Say who is involved: the child or adult, and anyone else"),
            Length(max=500, message="Keep who is involved to 500 characters"),
        ],
    )
    submit = SubmitField("Raise the concern now", widget=GovSubmitInput())


class TriageForm(AppForm):
    decision = TextAreaField(
        "Triage decision",
        description="What you decided, and why.",
        widget=GovTextArea(),
        validators=[InputRequired(message="Write the triage decision"), Length(max=4000)],
    )
    submit = SubmitField("Record triage", widget=GovSubmitInput())


class ReferralForm(AppForm):
    agency = RadioField(
        "Referred to",
        widget=GovRadioInput(),
        choices=choice_list((a.value, a.label) for a in ReferralAgency),
        validators=[InputRequired(message="Choose who it was referred to")],
    )
    reference = StringField(
        "Their reference",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the reference they gave"),
            Length(max=60, message="Keep the reference to 60 characters"),
        ],
    )
    referred_on = DateInputField(
        "Date of the referral",
        description="For example, 27 3 2026",
        validators=[DateRequired("Enter the date of the referral as day, month and year")],
    )
    notes = TextAreaField(
        "Notes (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=4000)]
    )
    submit = SubmitField("Record referral", widget=GovSubmitInput())


class EntryForm(AppForm):
    kind = RadioField(
        "What are you recording?",
        widget=GovRadioInput(),
        choices=choice_list((k.value, k.label) for k in NOTE_KINDS),
        validators=[InputRequired(message="Choose what you are recording")],
    )
    text = TextAreaField(
        "What happened",
        widget=GovTextArea(),
        validators=[InputRequired(message="Write what you are recording"), Length(max=4000)],
    )
    submit = SubmitField("Add to the chronology", widget=GovSubmitInput())


class DecisionForm(AppForm):
    status = RadioField(
        "Decision",
        widget=GovRadioInput(),
        choices=choice_list(
            (s.value, s.label) for s in (ConcernStatus.MONITORING, ConcernStatus.NO_FURTHER_ACTION)
        ),
        validators=[InputRequired(message="Choose monitoring or no further action")],
    )
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[InputRequired(message="Give the reason for the decision"), Length(max=4000)],
    )
    submit = SubmitField("Record decision", widget=GovSubmitInput())


class CloseForm(AppForm):
    outcome = RadioField(
        "Outcome",
        widget=GovRadioInput(),
        choices=[],
        validators=[InputRequired(message="Choose the outcome")],
    )
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[InputRequired(message="Give the reason for the outcome"), Length(max=2000)],
    )
    submit = SubmitField("Close the case", widget=GovSubmitInput())


class FindMentorForm(AppForm):
    reference = StringField(
        "Mentor reference",
        description="For example, M-0001",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the mentor's reference"), Length(max=12)],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class LaterFactForm(AppForm):
    text = TextAreaField(
        "What have you learned since?",
        description="In your own words. It is added to your concern; what you wrote before "
        "stays as it is.",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Write what you have learned since"),
            Length(max=4000, message="Keep it to 4,000 characters"),
        ],
    )
    submit = SubmitField("Add to my concern", widget=GovSubmitInput())
