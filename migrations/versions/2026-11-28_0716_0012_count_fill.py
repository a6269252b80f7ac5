"""count_fill (skip or stop at the first project that no longer fits), count_exclusive

Revision ID: 0012
Revises: 0006
Create Date: 2026-11-28 07:16:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0012"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pb_process", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("count_fill", sa.String(length=10), nullable=False, server_default="skip")
        )
        batch_op.add_column(
            sa.Column("count_exclusive", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("pb_process", schema=None) as batch_op:
        batch_op.drop_column("count_exclusive")
        batch_op.drop_column("count_fill")
