"""sites and proposals

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:14:49.060633
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("translations", sa.JSON(), nullable=False),
        sa.Column("equity_assessment", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("ballot_number", sa.Integer(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_proposal_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["process_id"], ["pb_process.id"], name=op.f("fk_proposal_process_id_pb_process")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal")),
        sa.CheckConstraint("cost_cents > 0", name=op.f("ck_proposal_cost_positive")),
        sa.CheckConstraint(
            "status IN ('draft', 'approved', 'returned')", name=op.f("ck_proposal_status_known")
        ),
        sa.CheckConstraint(
            "(status = 'approved') = (ballot_number IS NOT NULL)",
            name=op.f("ck_proposal_ballot_number_iff_approved"),
        ),
        sa.UniqueConstraint(
            "process_id", "ballot_number", name=op.f("uq_proposal_process_id_ballot_number")
        ),
    )
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_process_id"), ["process_id"], unique=False)

    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("formal", sa.Boolean(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("neighborhood", sa.String(length=120), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_id"], ["pb_process.id"], name=op.f("fk_site_process_id_pb_process")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
        sa.CheckConstraint("kind IN ('event', 'voting_site')", name=op.f("ck_site_kind_known")),
    )
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_process_id"), ["process_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_process_id"))

    op.drop_table("site")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_process_id"))

    op.drop_table("proposal")
