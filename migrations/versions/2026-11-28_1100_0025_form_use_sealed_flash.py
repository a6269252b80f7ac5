"""form_use (a form sent once) and sealed_flash (what a page's next GET shows, sealed)

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-28 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_use",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("made_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_form_use")),
    )
    op.create_index(op.f("ix_form_use_used_at"), "form_use", ["used_at"])
    op.create_table(
        "sealed_flash",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sealed_flash")),
    )
    op.create_index(op.f("ix_sealed_flash_expires_at"), "sealed_flash", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sealed_flash_expires_at"), table_name="sealed_flash")
    op.drop_table("sealed_flash")
    op.drop_index(op.f("ix_form_use_used_at"), table_name="form_use")
    op.drop_table("form_use")
