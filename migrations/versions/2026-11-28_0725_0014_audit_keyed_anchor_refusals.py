"""audit: keyed hash scheme, published chain head, anonymous refusal counters

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 06:40:00

Existing audit entries keep scheme 1 (plain SHA-256): their hashes cannot be redone
with the key here, and should not be, since a rewrite would erase what they prove.
New entries are scheme 2 (HMAC), and the first covers the last unkeyed hash.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scheme", sa.SmallInteger(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("official_result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audit_head", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("audit_head_seq", sa.BigInteger(), nullable=True))
    op.create_table(
        "refusal_count",
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=120), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "kind", name=op.f("pk_refusal_count")),
    )


def downgrade() -> None:
    # Keyed entries cannot be verified by the older code: downgrading loses that check.
    op.drop_table("refusal_count")
    with op.batch_alter_table("official_result", schema=None) as batch_op:
        batch_op.drop_column("audit_head_seq")
        batch_op.drop_column("audit_head")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_column("scheme")
