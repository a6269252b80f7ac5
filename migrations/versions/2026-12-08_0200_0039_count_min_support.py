"""count_min_support: the least support a project needs to be funded (votes:1 by default)

Revision ID: 0039
Revises: 0034
Create Date: 2026-12-08 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0039"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pb_process", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "count_min_support", sa.String(length=20), nullable=False, server_default="votes:1"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("pb_process", schema=None) as batch_op:
        batch_op.drop_column("count_min_support")
