"""Text-message reminders to mentors through GOV.UK Notify, with the mentor's consent and
when it was given.

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-03 16:59:53.653715
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0011'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('mentor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_reminders', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('text_reminders_consent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('mentor', schema=None) as batch_op:
        batch_op.drop_column('text_reminders_consent_at')
        batch_op.drop_column('text_reminders')

