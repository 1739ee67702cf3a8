"""Accounts: invitations and password resets as single-use hashed links, two-factor
sign-in (an encrypted authenticator secret, hashed recovery codes), each sign-in's time and
address, and when an account was activated or deactivated.

Existing accounts count as activated when they were created.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 14:25:09.020102
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ROLES_BEFORE = "role IN ('admin', 'provider', 'coordinator', 'mentor')"
ROLES_AFTER = "role IN ('admin', 'provider', 'coordinator', 'safeguarding', 'mentor')"


def upgrade() -> None:
    op.create_table('account_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('cancelled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("purpose IN ('invite', 'reset')", name='ck_account_token_purpose'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_token_user_id'), ['user_id'], unique=False)

    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)

    op.create_table('sign_in_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('signed_in_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ip_address', sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.CheckConstraint("method IN ('password', 'two_factor', 'recovery_code', 'single_sign_on')", name='ck_sign_in_method'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sign_in_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_record_user_id'), ['user_id'], unique=False)

    op.create_table('sign_in_lock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ip_address', sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'ip_address', name='uq_sign_in_lock')
    )
    with op.batch_alter_table('sign_in_lock', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_lock_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lockouts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('activated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('deactivated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))

        batch_op.drop_constraint("ck_user_role", type_="check")
        batch_op.create_check_constraint("ck_user_role", ROLES_AFTER)

    op.execute("UPDATE user_account SET activated_at = created_at")
    op.execute(
        "UPDATE user_account SET deactivated_at = created_at WHERE is_enabled = false"
    )


def downgrade() -> None:
    op.execute("DELETE FROM user_account WHERE role = 'safeguarding'")
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint("ck_user_role", type_="check")
        batch_op.create_check_constraint("ck_user_role", ROLES_BEFORE)
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('deactivated_at')
        batch_op.drop_column('activated_at')
        batch_op.drop_column('lockouts')

    with op.batch_alter_table('sign_in_lock', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_lock_user_id'))
    op.drop_table('sign_in_lock')

    with op.batch_alter_table('sign_in_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_record_user_id'))

    op.drop_table('sign_in_record')
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))

    op.drop_table('recovery_code')
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_token_user_id'))

    op.drop_table('account_token')

