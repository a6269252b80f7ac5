"""cast_rate: ballots per hour, channel and client address (made-up identities at speed)

Revision ID: 0029
Revises: 0027
Create Date: 2026-12-07 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cast_rate",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("casts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_id"], ["pb_process.id"], name=op.f("fk_cast_rate_process_id_pb_process")
        ),
        sa.PrimaryKeyConstraint(
            "process_id", "hour", "channel", "address", name=op.f("pk_cast_rate")
        ),
    )


def downgrade() -> None:
    op.drop_table("cast_rate")
