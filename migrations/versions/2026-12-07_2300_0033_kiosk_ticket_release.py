"""kiosk tickets: the check-in an unused ticket votes for, when its ballot was opened, and
the process's ticket length (issue 19: release, reissue, the clock from the kiosk)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kiosk_ticket") as batch:
        batch.add_column(sa.Column("participation_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("pb_process") as batch:
        batch.add_column(
            sa.Column("kiosk_ticket_minutes", sa.Integer(), nullable=False, server_default="15")
        )


def downgrade() -> None:
    with op.batch_alter_table("pb_process") as batch:
        batch.drop_column("kiosk_ticket_minutes")
    with op.batch_alter_table("kiosk_ticket") as batch:
        batch.drop_column("opened_at")
        batch.drop_column("participation_id")
