"""site.translations, criterion.translations, pb_process.idea_rate_limit

Translatable site and criterion names (shown to residents and delegates in their
language), and the per-process limit on online ideas per address (None: no limit).

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-28 09:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("site", "criterion"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("translations", sa.JSON(), nullable=False, server_default="{}")
            )
    with op.batch_alter_table("pb_process", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idea_rate_limit", sa.Integer(), nullable=True))
    # Existing processes keep the limit they had (20 an hour); organizers may lift it.
    op.execute("UPDATE pb_process SET idea_rate_limit = 20")


def downgrade() -> None:
    with op.batch_alter_table("pb_process", schema=None) as batch_op:
        batch_op.drop_column("idea_rate_limit")
    for table in ("criterion", "site"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("translations")
