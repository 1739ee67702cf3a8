"""Families: a per-family offer of mentoring, and the history of consent and engagement.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("family", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mentoring_offered", sa.Boolean(), nullable=True))

    op.create_table(
        "family_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('consent_mentoring', 'consent_sharing', 'engagement')",
            name="ck_family_event_kind",
        ),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("family_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_family_event_family_id"), ["family_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("family_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_event_family_id"))
    op.drop_table("family_event")
    with op.batch_alter_table("family", schema=None) as batch_op:
        batch_op.drop_column("mentoring_offered")
