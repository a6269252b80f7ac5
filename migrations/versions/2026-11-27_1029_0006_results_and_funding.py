"""results and funding

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 10:29:10.629847
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "official_result",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("ballots_counted", sa.Integer(), nullable=False),
        sa.Column("ballots_sha256", sa.String(length=64), nullable=False),
        sa.Column("ballots_file", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_id"], ["pb_process.id"], name=op.f("fk_official_result_process_id_pb_process")
        ),
        sa.PrimaryKeyConstraint("process_id", name=op.f("pk_official_result")),
    )
    op.create_table(
        "project_award",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_id"], ["pb_process.id"], name=op.f("fk_project_award_process_id_pb_process")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_project_award_proposal_id_proposal")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_project_award_updated_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_award")),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_project_award_amount_positive")),
        sa.CheckConstraint(
            "status IN ('awarded', 'in_progress', 'completed')",
            name=op.f("ck_project_award_status_known"),
        ),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_project_award_proposal_id")),
    )
    with op.batch_alter_table("project_award", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_award_process_id"), ["process_id"], unique=False
        )

    with op.batch_alter_table("pb_process", schema=None) as batch_op:
        batch_op.add_column(sa.Column("count_seats", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pb_process", schema=None) as batch_op:
        batch_op.drop_column("count_seats")

    with op.batch_alter_table("project_award", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_award_process_id"))

    op.drop_table("project_award")
    op.drop_table("official_result")
