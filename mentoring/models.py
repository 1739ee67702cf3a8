"""The data model for the whole domain, in SQLModel.

Timestamps are timezone-aware UTC (``utcnow()``; timestamptz on PostgreSQL);
dates are plain dates. Enumerated values
are stored as short strings and checked by CHECK constraints, so SQLite and
PostgreSQL hold the same schema without native enum types.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel, col


def utcnow() -> datetime:
    """Return the current time in UTC (aware)."""
    return datetime.now(UTC)


UK_TIME = ZoneInfo("Europe/London")


def service_today() -> date:
    """Return today's date in the UK, where the service's people are: the one "today"."""
    return datetime.now(UK_TIME).date()


class StrEnum(enum.StrEnum):
    """A string enumeration whose members print as their value.

    A member may carry the label people read: ``DBS = "dbs", "DBS check"``; without one,
    the label is the value in words ("do_not_proceed" is "Do not proceed").
    """

    _label: str

    def __new__(cls, value: str, label: str = "") -> StrEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]

    @property
    def label(self) -> str:
        return self._label or self.value.replace("_", " ").capitalize()


def _check(column: str, enum_cls: type[StrEnum], name: str) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in enum_cls.values())
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=name)


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _json_dict() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# ---------------------------------------------------------------------------
# Enumerations
# ---------------------------------------------------------------------------


class Role(StrEnum):
    ADMIN = "admin", "Administrator"
    PROVIDER = "provider", "Provider staff"
    COORDINATOR = "coordinator", "District coordinator"
    SAFEGUARDING = "safeguarding", "Designated safeguarding lead"
    MENTOR = "mentor", "Mentor"


# Staff are everyone but mentors: two-factor sign-in is required of them in production.
STAFF_ROLES = frozenset(r.value for r in Role if r is not Role.MENTOR)


class TokenPurpose(StrEnum):
    INVITE = "invite"
    RESET = "reset"


class SignInMethod(StrEnum):
    PASSWORD = "password"  # noqa: S105 - the name of a method, not a password
    TWO_FACTOR = "two_factor"
    RECOVERY_CODE = "recovery_code"
    SINGLE_SIGN_ON = "single_sign_on"


class MentorKind(StrEnum):
    VOLUNTEER = "volunteer", "Volunteer mentor"
    ROLE_MODEL = "role_model", "Former-participant role model"


class PipelineStage(StrEnum):
    APPLIED = "applied", "Applied"
    REFERENCES = "references", "References"
    DBS = "dbs", "DBS check"
    INTERVIEW = "interview", "Interview"
    TRAINING = "training", "Training"
    READY = "ready", "Ready"


class MentorStatus(StrEnum):
    """Whether a mentor is moving through the pipeline or has left it."""

    ACTIVE = "active"
    PAUSED = "paused"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"


class Availability(StrEnum):
    WEEKDAY_DAYTIME = "weekday_daytime", "Weekday daytimes"
    WEEKDAY_EVENING = "weekday_evening", "Weekday evenings"
    WEEKEND = "weekend", "Weekends"


class ApplicationSource(StrEnum):
    WEB = "web"
    PHONE = "phone"
    STAFF = "staff"


class DbsLevel(StrEnum):
    ENHANCED_CHILDREN = "enhanced_children", "Enhanced with children's barred list"
    ENHANCED_ADULTS = "enhanced_adults", "Enhanced with adults' barred list"
    ENHANCED_BOTH = "enhanced_both", "Enhanced with children's and adults' barred lists"


class DbsResult(StrEnum):
    CLEAR = "clear", "Clear"
    DISCLOSED = "disclosed", "Information disclosed"


class DbsDecision(StrEnum):
    PROCEED = "proceed"
    DO_NOT_PROCEED = "do_not_proceed"


class InterviewOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    DEFERRED = "deferred"


class Criterion(StrEnum):
    """The programme's identification criteria (phase 1 and phase 2)."""

    CRIME_ASB = "crime_asb", "Crime or anti-social behaviour"
    EDUCATION = "education", "Exclusion or persistent truancy"
    WORKLESSNESS = "worklessness", "Worklessness"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic violence and abuse"
    HEALTH = "health", "Health problems"
    CHILDREN_NEED_HELP = "children_need_help", "Children who need help or protection"


PHASE1_CRITERIA = (Criterion.CRIME_ASB, Criterion.EDUCATION, Criterion.WORKLESSNESS)


class Tranche(enum.IntEnum):
    COMPLEX = 1
    MANAGEABLE = 2
    CHAOTIC = 3


class Engagement(StrEnum):
    IDENTIFIED = "identified"
    CONTACTED = "contacted"
    ENGAGED = "engaged"
    DECLINED = "declined"
    EXITED = "exited"


class FamilyEventKind(StrEnum):
    """What a family's history entry records: a consent given or withdrawn, or engagement."""

    CONSENT_MENTORING = "consent_mentoring"
    CONSENT_SHARING = "consent_sharing"
    ENGAGEMENT = "engagement"


class Outcome(StrEnum):
    SCHOOL_ATTENDANCE = "school_attendance", "School attendance restored"
    OFFENDING_STOPPED = "offending_stopped", "Offending and anti-social behaviour stopped"
    INTO_WORK = "into_work", "Adult into work"
    WORK_PATHWAY = "work_pathway", "Adult on a pathway to work"
    DOMESTIC_ABUSE_REDUCED = "domestic_abuse_reduced", "Domestic abuse reduced"
    HEALTH_IMPROVED = "health_improved", "Health problems addressed"
    CHILDREN_SAFER = "children_safer", "Children no longer need help or protection"


class Slot(StrEnum):
    MENTOR = "mentor"
    ROLE_MODEL = "role_model"


class MatchStatus(StrEnum):
    """The lifecycle of a match: proposed by a run (or by hand) to ended."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ACTIVE = "active"
    ENDED = "ended"


# A family's slot is held while a match is in one of these states.
SLOT_HOLDING_STATUSES = (MatchStatus.APPROVED, MatchStatus.ACCEPTED, MatchStatus.ACTIVE)


class EndReason(StrEnum):
    GOALS_MET = "goals_met", "Goals met"
    FAMILY_WITHDREW = "family_withdrew", "Family withdrew"
    MENTOR_LEFT = "mentor_left", "Mentor left"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    MOVED_AWAY = "moved_away", "Family moved away"
    MENTOR_NOT_MATCHABLE = "mentor_not_matchable", "Mentor no longer cleared to mentor"


class ContactKind(StrEnum):
    VISIT = "visit"
    PHONE = "phone"
    ACTIVITY = "activity"
    OTHER = "other"


class RunStatus(StrEnum):
    RUNNING = "running"
    OPTIMAL = "optimal"
    FAILED = "failed"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ConcernStatus(StrEnum):
    """A safeguarding case: open (awaiting triage), triaged, then referred, monitoring or
    no further action, then closed with an outcome and a reason."""

    OPEN = "open", "Open: awaiting triage"
    TRIAGED = "triaged", "Triaged"
    REFERRED = "referred", "Referred"
    MONITORING = "monitoring", "Monitoring"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    CLOSED = "closed", "Closed"


class ConcernSubject(StrEnum):
    """Whom a concern is about: someone in a family, or a mentor (an allegation)."""

    FAMILY = "family", "A child or adult in a family"
    MENTOR = "mentor", "An allegation against a mentor, or their conduct"


class ConcernCategory(StrEnum):
    NEGLECT = "neglect", "Neglect"
    PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
    EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    CRIMINAL_EXPLOITATION = "criminal_exploitation", "Criminal exploitation"
    SEXUAL_EXPLOITATION = "sexual_exploitation", "Sexual exploitation"
    SELF_HARM = "self_harm", "Self-harm or suicide risk"
    RADICALISATION = "radicalisation", "Radicalisation"
    OTHER = "other", "Other"


class ConcernOutcome(StrEnum):
    """How a case closed: the first six for a family, the last five for an allegation."""

    CHILD_PROTECTION = "child_protection", "Child protection enquiry"
    CHILD_IN_NEED = "child_in_need", "Child in need assessment"
    EARLY_HELP = "early_help", "Early help offered"
    POLICE_ACTION = "police_action", "Police action"
    ADVICE_GIVEN = "advice_given", "Advice and support given"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    SUBSTANTIATED = "substantiated", "Substantiated"
    UNSUBSTANTIATED = "unsubstantiated", "Unsubstantiated"
    UNFOUNDED = "unfounded", "Unfounded"
    FALSE = "false", "False"
    MALICIOUS = "malicious", "Malicious"


FAMILY_OUTCOMES = tuple(list(ConcernOutcome)[:6])
ALLEGATION_OUTCOMES = tuple(list(ConcernOutcome)[6:])


class EntryKind(StrEnum):
    """An entry in a safeguarding case's chronology (append-only)."""

    TRIAGE = "triage", "Triage decision"
    ADVICE = "advice", "Advice given"
    REFERRAL = "referral", "Referral"
    STRATEGY_MEETING = "strategy_meeting", "Strategy meeting"
    FEEDBACK = "feedback", "Feedback to the person who raised it"
    FURTHER_INFORMATION = "further_information", "Further information"
    STATUS = "status", "Status changed"
    OUTCOME = "outcome", "Outcome"
    ACTION = "action", "Recorded by the service"


class ReferralAgency(StrEnum):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    MASH = "mash", "MASH (children's services front door)"
    POLICE = "police", "Police"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    LADO = "lado", "LADO (local authority designated officer)"
    DBS = "dbs", "DBS barring referral"


# ---------------------------------------------------------------------------
# Districts and people
# ---------------------------------------------------------------------------


class District(SQLModel, table=True):
    """A district with its own local project and target."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=8, unique=True, index=True)
    name: str = Field(max_length=80, unique=True)
    county: str = Field(default="Kent", max_length=80)
    next_family_number: int = Field(default=1)
    # The children's services front door (MASH): shown when someone is in immediate danger.
    mash_phone: str = Field(default="", max_length=40)


class DistrictNeighbour(SQLModel, table=True):
    """A pair of neighbouring districts, stored both ways round."""

    __tablename__ = "district_neighbour"
    __table_args__ = (sa.CheckConstraint("district_id <> neighbour_id", name="ck_neighbour_self"),)

    district_id: int = Field(foreign_key="district.id", primary_key=True, ondelete="CASCADE")
    neighbour_id: int = Field(foreign_key="district.id", primary_key=True, ondelete="CASCADE")


class DistrictTarget(SQLModel, table=True):
    """The number of families a district aims to work with in a programme year."""

    __tablename__ = "district_target"
    __table_args__ = (
        sa.UniqueConstraint("district_id", "programme_year", name="uq_target_district_year"),
        sa.CheckConstraint("target_families >= 0", name="ck_target_nonnegative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    district_id: int = Field(foreign_key="district.id", index=True, ondelete="CASCADE")
    programme_year: int = Field(description="The year the programme year starts (April)")
    target_families: int


class User(SQLModel, table=True):
    """Someone who signs in: admin, provider staff, coordinator or mentor."""

    __tablename__ = "user_account"
    __table_args__ = (_check("role", Role, "ck_user_role"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=20)
    is_enabled: bool = Field(default=True)
    session_version: int = Field(default=1)
    # Failed sign-ins from addresses this account has never signed in from, and the lock
    # they set (longer each time: `lockouts`); an address it has used has its own count
    # (`SignInLock`), so strangers cannot lock the owner out.
    failed_sign_ins: int = Field(default=0)
    locked_until: datetime | None = None
    lockouts: int = Field(default=0)
    last_sign_in_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # Invited people have no password until they accept (activated_at is then set).
    activated_at: datetime | None = None
    deactivated_at: datetime | None = None
    # Two-factor sign-in: the authenticator secret, encrypted (`services/accounts/two_factor`);
    # the time step of the last code accepted, so no code works twice.
    totp_secret: str | None = Field(default=None, max_length=255)
    totp_enabled_at: datetime | None = None
    totp_last_step: int | None = Field(default=None, sa_type=sa.BigInteger)

    @property
    def is_invited(self) -> bool:
        """Invited and not yet accepted: there is no password to sign in with."""
        return not self.password_hash

    mentor_id: int | None = Field(
        default=None,
        sa_column=Column(
            sa.Integer,
            sa.ForeignKey(
                "mentor.id", name="fk_user_account_mentor_id", ondelete="SET NULL", use_alter=True
            ),
            unique=True,
            nullable=True,
        ),
    )


class CoordinatorDistrict(SQLModel, table=True):
    """A coordinator's district: they see and change only these districts' families."""

    __tablename__ = "coordinator_district"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    district_id: int = Field(foreign_key="district.id", primary_key=True, ondelete="CASCADE")


class Need(SQLModel, table=True):
    """One entry in the shared taxonomy: a family's need and a mentor's skill."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=80)
    description: str = Field(default="", max_length=400)
    specialist: bool = Field(default=False)
    sort_order: int = Field(default=0)


# ---------------------------------------------------------------------------
# Mentors and vetting
# ---------------------------------------------------------------------------


class Mentor(SQLModel, table=True):
    """A volunteer mentor or former-participant role model, from application on."""

    __table_args__ = (
        _check("kind", MentorKind, "ck_mentor_kind"),
        _check("stage", PipelineStage, "ck_mentor_stage"),
        _check("status", MentorStatus, "ck_mentor_status"),
        _check("source", ApplicationSource, "ck_mentor_source"),
        sa.CheckConstraint("capacity BETWEEN 1 AND 4", name="ck_mentor_capacity"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=12, unique=True)
    kind: str = Field(default=MentorKind.VOLUNTEER.value, max_length=20)
    first_name: str = Field(max_length=80)
    last_name: str = Field(max_length=80)
    email: str = Field(max_length=254)
    phone: str = Field(default="", max_length=40)
    # Text-message reminders (GOV.UK Notify) only with the mentor's own consent, and when.
    text_reminders: bool = Field(default=False)
    text_reminders_consent_at: datetime | None = None
    postcode: str = Field(default="", max_length=10)
    home_district_id: int = Field(foreign_key="district.id", index=True)
    capacity: int = Field(default=1)
    gender: str | None = Field(default=None, max_length=20)
    languages: list[str] = _json_list()
    availability: list[str] = _json_list()
    experience: str = Field(default="", max_length=2000)
    stage: str = Field(default=PipelineStage.APPLIED.value, max_length=20, index=True)
    stage_changed_at: datetime = Field(default_factory=utcnow)
    status: str = Field(default=MentorStatus.ACTIVE.value, max_length=20)
    status_reason: str = Field(default="", max_length=500)
    source: str = Field(default=ApplicationSource.WEB.value, max_length=10)
    applied_at: datetime = Field(default_factory=utcnow)
    consent_to_checks_at: datetime | None = None
    former_family_id: int | None = Field(default=None, foreign_key="family.id", ondelete="SET NULL")
    matchable_since: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class MentorTravelDistrict(SQLModel, table=True):
    """A district (besides home) that a mentor will travel to."""

    __tablename__ = "mentor_travel_district"

    mentor_id: int = Field(foreign_key="mentor.id", primary_key=True, ondelete="CASCADE")
    district_id: int = Field(foreign_key="district.id", primary_key=True, ondelete="CASCADE")


class MentorSkill(SQLModel, table=True):
    """A need from the shared taxonomy that the mentor has skills or experience in."""

    __tablename__ = "mentor_skill"

    mentor_id: int = Field(foreign_key="mentor.id", primary_key=True, ondelete="CASCADE")
    need_id: int = Field(foreign_key="need.id", primary_key=True)


class MentorConflict(SQLModel, table=True):
    """A declared conflict of interest: the mentor knows this family."""

    __tablename__ = "mentor_conflict"

    mentor_id: int = Field(foreign_key="mentor.id", primary_key=True, ondelete="CASCADE")
    family_id: int = Field(foreign_key="family.id", primary_key=True, ondelete="CASCADE")
    declared_at: datetime = Field(default_factory=utcnow)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class Reference(SQLModel, table=True):
    """A referee for a mentor: two satisfactory references are needed."""

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="mentor.id", index=True, ondelete="CASCADE")
    referee_name: str = Field(max_length=120)
    referee_contact: str = Field(default="", max_length=254)
    relationship_to_mentor: str = Field(default="", max_length=120)
    requested_on: date | None = None
    received_on: date | None = None
    satisfactory: bool | None = None
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow)


class DbsCheck(SQLModel, table=True):
    """A DBS check, recorded as the DBS Code of Practice allows: no content, no scans."""

    __tablename__ = "dbs_check"
    __table_args__ = (
        _check("level", DbsLevel, "ck_dbs_level"),
        _check("result", DbsResult, "ck_dbs_result"),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('proceed', 'do_not_proceed')", name="ck_dbs_decision"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="mentor.id", index=True, ondelete="CASCADE")
    level: str = Field(max_length=30)
    certificate_number: str = Field(max_length=12)
    issue_date: date
    result: str = Field(max_length=20)
    decision: str | None = Field(default=None, max_length=20)
    decision_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    decision_at: datetime | None = None
    decision_rationale: str = Field(default="", max_length=1000)
    update_service_subscribed: bool = Field(default=False)
    last_status_check_on: date | None = None
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow)


class Interview(SQLModel, table=True):
    """A suitability interview."""

    __table_args__ = (_check("outcome", InterviewOutcome, "ck_interview_outcome"),)

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="mentor.id", index=True, ondelete="CASCADE")
    held_on: date
    interviewers: str = Field(max_length=200)
    outcome: str = Field(max_length=20)
    notes: str = Field(default="", max_length=2000)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow)


class TrainingModule(SQLModel, table=True):
    """A training module; mandatory ones gate matching, specialist ones unlock needs."""

    __tablename__ = "training_module"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    validity_months: int | None = Field(default=None, description="None: never expires")
    mandatory: bool = Field(default=False)
    unlocks_need_id: int | None = Field(default=None, foreign_key="need.id")
    active: bool = Field(default=True)


class TrainingRecord(SQLModel, table=True):
    """A mentor's completion of a training module."""

    __tablename__ = "training_record"

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="mentor.id", index=True, ondelete="CASCADE")
    module_id: int = Field(foreign_key="training_module.id", index=True)
    completed_on: date
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow)


class VettingReminder(SQLModel, table=True):
    """A reminder sent about a check or training that is due: each one is sent once."""

    __tablename__ = "vetting_reminder"
    __table_args__ = (
        sa.UniqueConstraint(
            "mentor_id", "item", "due_on", "milestone", name="uq_vetting_reminder_once"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="mentor.id", index=True, ondelete="CASCADE")
    item: str = Field(max_length=60, description="dbs, or training:<module code>")
    due_on: date
    milestone: str = Field(max_length=10, description="60, 30 or 7 days before, or expired")
    sent_on: date


# ---------------------------------------------------------------------------
# Families
# ---------------------------------------------------------------------------


class Family(SQLModel, table=True):
    """A family in the programme, known by a pseudonymous reference."""

    __table_args__ = (
        sa.UniqueConstraint("district_id", "number", name="uq_family_district_number"),
        _check("engagement", Engagement, "ck_family_engagement"),
        sa.CheckConstraint("tranche IS NULL OR tranche BETWEEN 1 AND 3", name="ck_family_tranche"),
        sa.CheckConstraint("programme_phase IN (1, 2)", name="ck_family_phase"),
        sa.CheckConstraint(
            "adults >= 0 AND children_0_4 >= 0 AND children_5_10 >= 0 "
            "AND children_11_15 >= 0 AND children_16_18 >= 0",
            name="ck_family_counts",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=16, unique=True)
    district_id: int = Field(foreign_key="district.id", index=True)
    number: int
    programme_phase: int = Field(default=2)
    key_worker_name: str = Field(default="", max_length=120)
    key_worker_agency: str = Field(default="", max_length=120)
    key_worker_contact: str = Field(default="", max_length=254)
    shared_first_names: str = Field(default="", max_length=200)
    adults: int = Field(default=1)
    children_0_4: int = Field(default=0)
    children_5_10: int = Field(default=0)
    children_11_15: int = Field(default=0)
    children_16_18: int = Field(default=0)
    languages: list[str] = _json_list()
    availability: list[str] = _json_list()
    tranche: int | None = Field(default=None)
    # Volunteer mentoring is offered to tranche 3 by default; a coordinator may offer it
    # to another tranche (True) or withhold it (False). None: decided by the tranche.
    mentoring_offered: bool | None = Field(default=None)
    wants_role_model: bool = Field(default=False)
    gender_preference: str | None = Field(default=None, max_length=20)
    gender_required: bool = Field(default=False)
    language_preference: str | None = Field(default=None, max_length=40)
    language_required: bool = Field(default=False)
    risk_domestic_abuse: bool = Field(default=False)
    risk_no_lone_visits: bool = Field(default=False)
    safety_notes: str = Field(default="", max_length=1000)
    agreed_goals: str = Field(default="", max_length=2000)
    discretion_reason: str = Field(default="", max_length=1000)
    consent_mentoring: bool = Field(default=False)
    consent_mentoring_on: date | None = None
    consent_mentoring_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    consent_sharing: bool = Field(default=False)
    consent_sharing_on: date | None = None
    consent_sharing_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    engagement: str = Field(default=Engagement.IDENTIFIED.value, max_length=20, index=True)
    engagement_changed_on: date = Field(default_factory=service_today)
    referred_on: date = Field(default_factory=service_today)
    exited_on: date | None = None
    needs_handover: bool = Field(default=False)
    previous_family_id: int | None = Field(
        default=None, foreign_key="family.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class FamilyNeed(SQLModel, table=True):
    """A need of a family, from the shared taxonomy."""

    __tablename__ = "family_need"

    family_id: int = Field(foreign_key="family.id", primary_key=True, ondelete="CASCADE")
    need_id: int = Field(foreign_key="need.id", primary_key=True)


class FamilyCriterion(SQLModel, table=True):
    """A programme criterion the family meets, with the date and source of the evidence."""

    __tablename__ = "family_criterion"
    __table_args__ = (
        sa.UniqueConstraint("family_id", "criterion", name="uq_family_criterion"),
        _check("criterion", Criterion, "ck_family_criterion"),
    )

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True, ondelete="CASCADE")
    criterion: str = Field(max_length=30)
    evidence_date: date
    evidence_source: str = Field(max_length=200)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow)


class FamilyOutcome(SQLModel, table=True):
    """A result the programme pays for, with its date and evidence."""

    __tablename__ = "family_outcome"
    __table_args__ = (
        sa.UniqueConstraint("family_id", "outcome", name="uq_family_outcome"),
        _check("outcome", Outcome, "ck_family_outcome"),
    )

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True, ondelete="CASCADE")
    outcome: str = Field(max_length=30)
    achieved_on: date
    evidence: str = Field(max_length=500)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow)


class FamilyEvent(SQLModel, table=True):
    """A consent given or withdrawn, or an engagement change: the family's history."""

    __tablename__ = "family_event"
    __table_args__ = (_check("kind", FamilyEventKind, "ck_family_event_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=30)
    value: str = Field(max_length=20)
    happened_on: date
    reason: str = Field(default="", max_length=500)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow)


# ---------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------


class MatchingRun(SQLModel, table=True):
    """One run of the optimiser: who ran it, its exact input and its result."""

    __tablename__ = "matching_run"
    __table_args__ = (_check("status", RunStatus, "ck_run_status"),)

    id: int | None = Field(default=None, primary_key=True)
    started_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    district_ids: list[int] = _json_list()
    weights: dict[str, Any] = _json_dict()
    input: dict[str, Any] = _json_dict()
    status: str = Field(default=RunStatus.RUNNING.value, max_length=20)
    build_seconds: float | None = None
    solve_seconds: float | None = None
    objective: dict[str, Any] = _json_dict()
    unmatched: list[Any] = _json_list()
    error: str = Field(default="", max_length=1000)


class Match(SQLModel, table=True):
    """A mentor (or role model) and a family, from proposal to ending."""

    __table_args__ = (
        _check("slot", Slot, "ck_match_slot"),
        _check("status", MatchStatus, "ck_match_status"),
        # A family has at most one mentor and one role model holding each slot.
        sa.Index(
            "uq_match_family_slot_held",
            "family_id",
            "slot",
            unique=True,
            sqlite_where=sa.text("status IN ('approved', 'accepted', 'active')"),
            postgresql_where=sa.text("status IN ('approved', 'accepted', 'active')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    mentor_id: int = Field(foreign_key="mentor.id", index=True)
    slot: str = Field(max_length=20)
    status: str = Field(default=MatchStatus.PROPOSED.value, max_length=20, index=True)
    run_id: int | None = Field(default=None, foreign_key="matching_run.id", index=True)
    score: int | None = None
    explanation: dict[str, Any] = _json_dict()
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = None
    rejection_reason: str = Field(default="", max_length=500)
    offered_at: datetime | None = None
    answered_at: datetime | None = None
    decline_reason: str = Field(default="", max_length=500)
    started_on: date | None = None
    ended_on: date | None = None
    end_reason: str | None = Field(default=None, max_length=30)
    end_notes: str = Field(default="", max_length=1000)
    ending_checklist: dict[str, Any] = _json_dict()
    # Paused while an allegation against the mentor is looked into: still active, so the
    # family keeps its place; cleared when the mentor is reinstated.
    paused_on: date | None = None


class ContactLog(SQLModel, table=True):
    """A contact a mentor had with their family."""

    __tablename__ = "contact_log"
    __table_args__ = (
        _check("kind", ContactKind, "ck_contact_kind"),
        sa.CheckConstraint("duration_minutes >= 0", name="ck_contact_duration"),
    )

    id: int | None = Field(default=None, primary_key=True)
    match_id: int = Field(foreign_key="match.id", index=True)
    contact_on: date
    kind: str = Field(max_length=20)
    duration_minutes: int = Field(default=0)
    note: str = Field(default="", max_length=1000)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)


class SafeguardingConcern(SQLModel, table=True):
    """A safeguarding concern about someone in a family (on a match), or an allegation
    against a mentor; handled by the designated safeguarding lead.

    What was raised is fixed (the database refuses a change to it, and any delete); later
    facts are `SafeguardingEntry` rows. Known to people as its reference, SG-0042.
    """

    __tablename__ = "safeguarding_concern"
    __table_args__ = (
        _check("status", ConcernStatus, "ck_concern_status"),
        _check("subject", ConcernSubject, "ck_concern_subject"),
        _check("category", ConcernCategory, "ck_concern_category"),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ("
            + ", ".join(f"'{v}'" for v in ConcernOutcome.values())
            + ")",
            name="ck_concern_outcome",
        ),
        sa.CheckConstraint(
            "(subject = 'family' AND match_id IS NOT NULL) "
            "OR (subject = 'mentor' AND mentor_id IS NOT NULL)",
            name="ck_concern_about",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(default=ConcernSubject.FAMILY.value, max_length=10)
    match_id: int | None = Field(default=None, foreign_key="match.id", index=True)
    mentor_id: int | None = Field(default=None, foreign_key="mentor.id", index=True)
    district_id: int | None = Field(default=None, foreign_key="district.id", index=True)
    raised_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    raised_at: datetime = Field(default_factory=utcnow)
    category: str = Field(default=ConcernCategory.OTHER.value, max_length=30)
    immediate_danger: bool = Field(default=False)
    happened_when: str = Field(default="", max_length=200)
    people_involved: str = Field(default="", max_length=500)
    details: str = Field(max_length=4000)
    status: str = Field(default=ConcernStatus.OPEN.value, max_length=20)
    triaged_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    triaged_at: datetime | None = None
    escalated_at: datetime | None = None
    outcome: str | None = Field(default=None, max_length=30)
    outcome_reason: str = Field(default="", max_length=2000)
    closed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    closed_at: datetime | None = None
    # Allegations: the LADO referral (due within one working day; chased daily until
    # recorded) and, when substantiated, the DBS barring referral (reminded until made).
    lado_referred_on: date | None = None
    lado_reference: str = Field(default="", max_length=60)
    lado_chased_on: date | None = None
    dbs_referred_on: date | None = None
    dbs_reminded_on: date | None = None

    @property
    def reference(self) -> str:
        """The reference people quote: SG-0042."""
        return f"SG-{self.id or 0:04d}"

    @property
    def is_allegation(self) -> bool:
        return self.subject == ConcernSubject.MENTOR.value


class SafeguardingEntry(SQLModel, table=True):
    """One entry in a case's chronology; append-only (database triggers refuse change)."""

    __tablename__ = "safeguarding_entry"
    __table_args__ = (
        _check("kind", EntryKind, "ck_safeguarding_entry_kind"),
        sa.CheckConstraint(
            "agency IS NULL OR agency IN ("
            + ", ".join(f"'{v}'" for v in ReferralAgency.values())
            + ")",
            name="ck_safeguarding_entry_agency",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    concern_id: int = Field(foreign_key="safeguarding_concern.id", index=True)
    kind: str = Field(max_length=30)
    text: str = Field(default="", max_length=4000)
    agency: str | None = Field(default=None, max_length=30)
    agency_reference: str = Field(default="", max_length=60)
    happened_on: date | None = None
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow)


class Notification(SQLModel, table=True):
    """A message on a user's home page (and, where set, by email)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    kind: str = Field(max_length=40)
    message: str = Field(max_length=500)
    link: str = Field(default="", max_length=200)
    urgent: bool = Field(default=False)
    read_at: datetime | None = None


class AccountToken(SQLModel, table=True):
    """A single-use link sent by email (an invitation or a password reset), stored hashed."""

    __tablename__ = "account_token"
    __table_args__ = (_check("purpose", TokenPurpose, "ck_account_token_purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    cancelled_at: datetime | None = None
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )


class RecoveryCode(SQLModel, table=True):
    """A single-use two-factor recovery code, stored hashed; shown once when made."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = None


class SignInLock(SQLModel, table=True):
    """Failed sign-ins of an account from one address it has signed in from before."""

    __tablename__ = "sign_in_lock"
    __table_args__ = (sa.UniqueConstraint("user_id", "ip_address", name="uq_sign_in_lock"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    ip_address: str = Field(max_length=45)
    failures: int = Field(default=0)
    locked_until: datetime | None = None


class SignInRecord(SQLModel, table=True):
    """A successful sign-in: when, from which address and how (shown on "Your account")."""

    __tablename__ = "sign_in_record"
    __table_args__ = (_check("method", SignInMethod, "ck_sign_in_method"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    signed_in_at: datetime = Field(default_factory=utcnow)
    ip_address: str = Field(default="", max_length=45)
    method: str = Field(max_length=20)


class BackgroundJob(SQLModel, table=True):
    """Work done outside the web request (a matching run, an import, an email, the daily
    job): its progress for the status page, and a clear message if it failed.

    ``lock_key`` names what a job works on (for example the districts of a matching run):
    a partial unique index lets only one queued or running job hold it.
    """

    __tablename__ = "background_job"
    __table_args__ = (
        _check("status", JobStatus, "ck_background_job_status"),
        sa.Index(
            "uq_background_job_lock_live",
            "lock_key",
            unique=True,
            sqlite_where=sa.text("status IN ('queued', 'running') AND lock_key IS NOT NULL"),
            postgresql_where=sa.text("status IN ('queued', 'running') AND lock_key IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, index=True)
    status: str = Field(default=JobStatus.QUEUED.value, max_length=20, index=True)
    lock_key: str | None = Field(default=None, max_length=200)
    # Identifiers only (ids, dates, file tokens): never what people typed about families.
    params: dict[str, Any] = _json_dict()
    result: dict[str, Any] = _json_dict()
    message: str = Field(default="", max_length=500)
    progress_done: int = Field(default=0)
    progress_total: int = Field(default=0)
    progress_label: str = Field(default="", max_length=120)
    attempts: int = Field(default=0)
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    heartbeat_at: datetime | None = None


class WorkerHeartbeat(SQLModel, table=True):
    """The last time each job worker said it was alive (for /readyz)."""

    __tablename__ = "worker_heartbeat"

    name: str = Field(primary_key=True, max_length=120)
    seen_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """An append-only record of who did what (database triggers refuse change)."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    actor_role: str = Field(default="", max_length=20)
    action: str = Field(max_length=60, index=True)
    object_type: str = Field(default="", max_length=40)
    object_id: int | None = None
    district_id: int | None = Field(default=None, foreign_key="district.id")
    details: dict[str, Any] = _json_dict()
    ip_address: str = Field(default="", max_length=45)


class AuditSeal(SQLModel, table=True):
    """The hash chain over the audit log (tamper evidence): each sealed event's hash is
    SHA-256 of the previous seal's hash and the event's fields. Append-only like the log."""

    __tablename__ = "audit_seal"

    # Not a foreign key: a seal outlives a deleted event, which is how the deletion shows.
    event_id: int = Field(primary_key=True)
    hash: str = Field(max_length=64)
    sealed_at: datetime = Field(default_factory=utcnow)


# Indexes the reports' queries need (migration 0004): a district's families by referral
# date; a match's latest contact; mentors by home district, stage and status.
sa.Index(
    "ix_family_district_referred_on",
    col(Family.district_id),
    col(Family.referred_on),
)
sa.Index(
    "ix_contact_log_match_contact_on",
    col(ContactLog.match_id),
    col(ContactLog.contact_on),
)
sa.Index(
    "ix_mentor_district_stage_status",
    col(Mentor.home_district_id),
    col(Mentor.stage),
    col(Mentor.status),
)
