"""Safeguarding: concerns with a category, the case's status flow and outcome, allegations
against mentors (LADO and DBS referrals), an append-only chronology, paused matches and
each district's MASH number.

What was raised is fixed and never deleted: the database refuses a change to a concern's
subject, category or words, any delete of a concern, and any change or delete of an entry
(as it does for the audit log). Acknowledged concerns count as triaged.

Revision ID: 0012_safeguarding
Revises: 0011
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0012_safeguarding'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS_BEFORE = "status IN ('open', 'acknowledged', 'closed')"
STATUS_AFTER = (
    "status IN ('open', 'triaged', 'referred', 'monitoring', 'no_further_action', 'closed')"
)
CATEGORIES = (
    "category IN ('neglect', 'physical_abuse', 'emotional_abuse', 'sexual_abuse', "
    "'domestic_abuse', 'criminal_exploitation', 'sexual_exploitation', 'self_harm', "
    "'radicalisation', 'other')"
)
OUTCOMES = (
    "outcome IS NULL OR outcome IN ('child_protection', 'child_in_need', 'early_help', "
    "'police_action', 'advice_given', 'no_further_action', 'substantiated', "
    "'unsubstantiated', 'unfounded', 'false', 'malicious')"
)
ABOUT = (
    "(subject = 'family' AND match_id IS NOT NULL) "
    "OR (subject = 'mentor' AND mentor_id IS NOT NULL)"
)
ENTRY_KINDS = (
    "kind IN ('triage', 'advice', 'referral', 'strategy_meeting', 'feedback', "
    "'further_information', 'status', 'outcome', 'action')"
)
AGENCIES = (
    "agency IS NULL OR agency IN ('childrens_social_care', 'mash', 'police', "
    "'adult_social_care', 'lado', 'dbs')"
)
FIXED = ("subject", "category", "details", "raised_at", "raised_by_id")


def upgrade() -> None:
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mash_phone', sqlmodel.sql.sqltypes.AutoString(length=40), server_default='', nullable=False))
    with op.batch_alter_table('match', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_on', sa.Date(), nullable=True))

    op.execute("UPDATE safeguarding_concern SET status = 'triaged' WHERE status = 'acknowledged'")
    with op.batch_alter_table('safeguarding_concern', schema=None) as batch_op:
        batch_op.drop_constraint('ck_concern_status', type_='check')
        batch_op.alter_column('acknowledged_by_id', new_column_name='triaged_by_id')
        batch_op.alter_column('acknowledged_at', new_column_name='triaged_at')
        batch_op.alter_column('match_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=10), server_default='family', nullable=False))
        batch_op.add_column(sa.Column('mentor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=30), server_default='other', nullable=False))
        batch_op.add_column(sa.Column('immediate_danger', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('happened_when', sqlmodel.sql.sqltypes.AutoString(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('people_involved', sqlmodel.sql.sqltypes.AutoString(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('escalated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True))
        batch_op.add_column(sa.Column('outcome_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), server_default='', nullable=False))
        batch_op.add_column(sa.Column('closed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('lado_referred_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('lado_reference', sqlmodel.sql.sqltypes.AutoString(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('lado_chased_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('dbs_referred_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('dbs_reminded_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key('fk_safeguarding_concern_mentor_id', 'mentor', ['mentor_id'], ['id'])
        batch_op.create_foreign_key('fk_safeguarding_concern_district_id', 'district', ['district_id'], ['id'])
        batch_op.create_foreign_key('fk_safeguarding_concern_closed_by_id', 'user_account', ['closed_by_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_safeguarding_concern_mentor_id'), ['mentor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safeguarding_concern_district_id'), ['district_id'], unique=False)
        batch_op.create_check_constraint('ck_concern_status', STATUS_AFTER)
        batch_op.create_check_constraint('ck_concern_subject', "subject IN ('family', 'mentor')")
        batch_op.create_check_constraint('ck_concern_category', CATEGORIES)
        batch_op.create_check_constraint('ck_concern_outcome', OUTCOMES)
        batch_op.create_check_constraint('ck_concern_about', ABOUT)
    op.execute(
        "UPDATE safeguarding_concern SET district_id = (SELECT family.district_id FROM match "
        "JOIN family ON family.id = match.family_id WHERE match.id = safeguarding_concern.match_id), "
        "mentor_id = (SELECT match.mentor_id FROM match WHERE match.id = safeguarding_concern.match_id)"
    )

    op.create_table('safeguarding_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('agency', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True),
    sa.Column('agency_reference', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint(ENTRY_KINDS, name='ck_safeguarding_entry_kind'),
    sa.CheckConstraint(AGENCIES, name='ck_safeguarding_entry_agency'),
    sa.ForeignKeyConstraint(['concern_id'], ['safeguarding_concern.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('safeguarding_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safeguarding_entry_concern_id'), ['concern_id'], unique=False)
    _fixed_and_append_only()


def _fixed_and_append_only() -> None:
    """Refuse, in the database: any change or delete of an entry; any delete of a concern;
    a change to what a concern raised."""
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in FIXED)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION safeguarding_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'safeguarding records are append-only'; END; $$"
        )
        op.execute(
            "CREATE TRIGGER safeguarding_entry_no_change BEFORE UPDATE OR DELETE "
            "ON safeguarding_entry FOR EACH ROW EXECUTE FUNCTION safeguarding_append_only()"
        )
        op.execute(
            "CREATE TRIGGER safeguarding_concern_no_delete BEFORE DELETE "
            "ON safeguarding_concern FOR EACH ROW EXECUTE FUNCTION safeguarding_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER safeguarding_concern_fixed BEFORE UPDATE ON safeguarding_concern "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION safeguarding_append_only()"
        )
    else:
        abort = "BEGIN SELECT RAISE(ABORT, 'safeguarding records are append-only'); END"
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER safeguarding_entry_no_{verb.lower()} BEFORE {verb} "
                f"ON safeguarding_entry {abort}"
            )
        op.execute(
            f"CREATE TRIGGER safeguarding_concern_no_delete BEFORE DELETE "
            f"ON safeguarding_concern {abort}"
        )
        op.execute(
            "CREATE TRIGGER safeguarding_concern_fixed BEFORE UPDATE ON safeguarding_concern "
            f"WHEN {changed.replace('IS DISTINCT FROM', 'IS NOT')} {abort}"
        )


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS safeguarding_entry_no_change ON safeguarding_entry")
        op.execute("DROP TRIGGER IF EXISTS safeguarding_concern_no_delete ON safeguarding_concern")
        op.execute("DROP TRIGGER IF EXISTS safeguarding_concern_fixed ON safeguarding_concern")
        op.execute("DROP FUNCTION IF EXISTS safeguarding_append_only()")
    else:
        for name in (
            "safeguarding_entry_no_update",
            "safeguarding_entry_no_delete",
            "safeguarding_concern_no_delete",
            "safeguarding_concern_fixed",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def downgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table('safeguarding_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safeguarding_entry_concern_id'))
    op.drop_table('safeguarding_entry')
    # Allegations have no match: the old table cannot hold them.
    op.execute("DELETE FROM safeguarding_concern WHERE match_id IS NULL")
    op.execute(
        "UPDATE safeguarding_concern SET status = 'acknowledged' "
        "WHERE status IN ('triaged', 'referred', 'monitoring', 'no_further_action')"
    )
    with op.batch_alter_table('safeguarding_concern', schema=None) as batch_op:
        for name in ('ck_concern_about', 'ck_concern_outcome', 'ck_concern_category', 'ck_concern_subject', 'ck_concern_status'):
            batch_op.drop_constraint(name, type_='check')
        batch_op.drop_index(batch_op.f('ix_safeguarding_concern_district_id'))
        batch_op.drop_index(batch_op.f('ix_safeguarding_concern_mentor_id'))
        for name in ('fk_safeguarding_concern_closed_by_id', 'fk_safeguarding_concern_district_id', 'fk_safeguarding_concern_mentor_id'):
            batch_op.drop_constraint(name, type_='foreignkey')
        for column in (
            'dbs_reminded_on', 'dbs_referred_on', 'lado_chased_on', 'lado_reference',
            'lado_referred_on', 'closed_at', 'closed_by_id', 'outcome_reason', 'outcome',
            'escalated_at', 'people_involved', 'happened_when', 'immediate_danger',
            'category', 'district_id', 'mentor_id', 'subject',
        ):
            batch_op.drop_column(column)
        batch_op.alter_column('match_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('triaged_at', new_column_name='acknowledged_at')
        batch_op.alter_column('triaged_by_id', new_column_name='acknowledged_by_id')
        batch_op.create_check_constraint('ck_concern_status', STATUS_BEFORE)
    with op.batch_alter_table('match', schema=None) as batch_op:
        batch_op.drop_column('paused_on')
    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.drop_column('mash_phone')
