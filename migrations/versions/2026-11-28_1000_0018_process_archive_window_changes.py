"""pb_process.archived_at, and voting_window_change: the window moved during voting

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-28 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pb_process", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "voting_window_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("old_closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("new_closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("old_opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("new_opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_voting_window_change_actor_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["pb_process.id"],
            name=op.f("fk_voting_window_change_process_id_pb_process"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_window_change")),
    )
    with op.batch_alter_table("voting_window_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voting_window_change_process_id"), ["process_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("voting_window_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voting_window_change_process_id"))
    op.drop_table("voting_window_change")
    with op.batch_alter_table("pb_process", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
