"""Background jobs: matching runs, imports, emails and the daily job outside the web
request, with their progress; and the job workers' heartbeats.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 15:45:14.312526
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('worker_heartbeat',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('background_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('lock_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('progress_label', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('heartbeat_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name='ck_background_job_status'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_background_job_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_background_job_status'), ['status'], unique=False)
        batch_op.create_index('uq_background_job_lock_live', ['lock_key'], unique=True, sqlite_where=sa.text("status IN ('queued', 'running') AND lock_key IS NOT NULL"), postgresql_where=sa.text("status IN ('queued', 'running') AND lock_key IS NOT NULL"))



def downgrade() -> None:
    with op.batch_alter_table('background_job', schema=None) as batch_op:
        batch_op.drop_index('uq_background_job_lock_live', sqlite_where=sa.text("status IN ('queued', 'running') AND lock_key IS NOT NULL"), postgresql_where=sa.text("status IN ('queued', 'running') AND lock_key IS NOT NULL"))
        batch_op.drop_index(batch_op.f('ix_background_job_status'))
        batch_op.drop_index(batch_op.f('ix_background_job_kind'))

    op.drop_table('background_job')
    op.drop_table('worker_heartbeat')
