"""Vetting: a record of the reminders sent about checks and training that are due.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vetting_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("item", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("milestone", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["mentor_id"], ["mentor.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "mentor_id", "item", "due_on", "milestone", name="uq_vetting_reminder_once"
        ),
    )
    with op.batch_alter_table("vetting_reminder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vetting_reminder_mentor_id"), ["mentor_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("vetting_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vetting_reminder_mentor_id"))
    op.drop_table("vetting_reminder")
