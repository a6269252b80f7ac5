"""publishing: a process is a draft until an organizer publishes it; the official result
is public from the moment an organizer sets (issue 20, "Publishing, not just counting")

Existing processes and existing official results stay public: they are migrated as
published (a process when it was created, a result when it was counted).

Revision ID: 0037
Revises: 0035
Create Date: 2026-12-08 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0037"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pb_process") as batch:
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("official_result") as batch:
        batch.add_column(sa.Column("publish_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE pb_process SET published_at = created_at")
    op.execute("UPDATE official_result SET publish_at = computed_at")


def downgrade() -> None:
    with op.batch_alter_table("official_result") as batch:
        batch.drop_column("publish_at")
    with op.batch_alter_table("pb_process") as batch:
        batch.drop_column("published_at")
