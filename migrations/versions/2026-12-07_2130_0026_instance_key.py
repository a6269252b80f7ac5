"""instance_key: the fingerprint of the database's secret key and where its chain is keyed from

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 21:30:00

Empty here: the migration does not hold the key. The first start (or the first keyed
audit entry) writes the one row (app/audit.py, claim_key).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "instance_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("keyed_from", sa.BigInteger(), nullable=False),
        sa.Column("seal", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_key")),
    )


def downgrade() -> None:
    # The older code neither writes nor checks the record: a later upgrade finds the
    # chain's keyed entries and records the key again at the next start.
    op.drop_table("instance_key")
