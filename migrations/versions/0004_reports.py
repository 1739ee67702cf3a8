"""Reports: indexes for counting a district's families by referral date, a match's latest
contact, and mentors by home district, stage and status.

The same indexes are declared at the end of ``mentoring/models.py``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("ix_family_district_referred_on", "family", ["district_id", "referred_on"]),
    ("ix_contact_log_match_contact_on", "contact_log", ["match_id", "contact_on"]),
    ("ix_mentor_district_stage_status", "mentor", ["home_district_id", "stage", "status"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
