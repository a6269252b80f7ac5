"""proposal.cost_lines, source_updated_at, translated_at: costed lines and stale
translations; the status 'submitted' (sent by the delegates for approval)

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-28 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


STATUSES = "status IN ('draft', 'approved', 'returned')"
WITH_SUBMITTED = "status IN ('draft', 'submitted', 'approved', 'returned')"


def upgrade() -> None:
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_proposal_status_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_proposal_status_known"), WITH_SUBMITTED)
        # [{"description": ..., "amount_cents": ...}]; cost_cents is kept equal to their sum.
        batch_op.add_column(sa.Column("cost_lines", sa.JSON(), nullable=True))
        # When the source text (title, summary, location, equity answers) last changed.
        batch_op.add_column(
            sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=True)
        )
        # {"es": "2026-...", ...}: when each translation last changed.
        batch_op.add_column(sa.Column("translated_at", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.execute("UPDATE proposal SET status = 'draft' WHERE status = 'submitted'")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_proposal_status_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_proposal_status_known"), STATUSES)
        batch_op.drop_column("translated_at")
        batch_op.drop_column("source_updated_at")
        batch_op.drop_column("cost_lines")
