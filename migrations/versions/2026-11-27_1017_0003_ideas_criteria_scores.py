"""ideas, criteria, delegate scores, proposal-idea links, idea submission counter

Existing processes get the four RMAPI criteria, as new ones do when created.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:17:03.835977
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# RMAPI's delegate criteria (a copy: migrations never import app code).
DEFAULT_CRITERIA = [
    ("Need", "Is the need high?"),
    ("Feasibility", "How feasible is the project?"),
    ("Equity", "How equitable is the project?"),
    (
        "Guiding principles",
        "How well does it fit the guiding principles (addressing structural racism, "
        "addressing trauma, building community)?",
    ),
]


def upgrade() -> None:
    op.create_table(
        "idea_submission_counter",
        sa.Column("client_address", sa.String(length=100), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submissions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "client_address", "window_start", name=op.f("pk_idea_submission_counter")
        ),
    )
    op.create_table(
        "criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.CheckConstraint("weight > 0", name=op.f("ck_criterion_weight_positive")),
        sa.CheckConstraint("position > 0", name=op.f("ck_criterion_position_positive")),
        sa.ForeignKeyConstraint(
            ["process_id"], ["pb_process.id"], name=op.f("fk_criterion_process_id_pb_process")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criterion")),
        sa.UniqueConstraint(
            "process_id", "position", name=op.f("uq_criterion_process_id_position")
        ),
    )
    with op.batch_alter_table("criterion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_criterion_process_id"), ["process_id"], unique=False)

    op.create_table(
        "idea",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("neighborhood", sa.String(length=120), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("contact_name", sa.String(length=120), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("moderation_reason", sa.Text(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)",
            name=op.f("ck_idea_merged_iff_target"),
        ),
        sa.CheckConstraint("merged_into_id <> id", name=op.f("ck_idea_not_merged_into_itself")),
        sa.CheckConstraint("channel IN ('online', 'paper')", name=op.f("ck_idea_channel_known")),
        sa.CheckConstraint(
            "status IN ('visible', 'hidden', 'merged')", name=op.f("ck_idea_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["idea.id"], name=op.f("fk_idea_merged_into_id_idea")
        ),
        sa.ForeignKeyConstraint(
            ["process_id"], ["pb_process.id"], name=op.f("fk_idea_process_id_pb_process")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_idea_site_id_site")),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["user_account.id"],
            name=op.f("fk_idea_submitted_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea")),
    )
    with op.batch_alter_table("idea", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_process_id"), ["process_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_idea_site_id"), ["site_id"], unique=False)

    op.create_table(
        "delegate_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delegate_id"],
            ["user_account.id"],
            name=op.f("fk_delegate_score_delegate_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["idea.id"], name=op.f("fk_delegate_score_idea_id_idea")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegate_score")),
        sa.UniqueConstraint(
            "idea_id", "delegate_id", name=op.f("uq_delegate_score_idea_id_delegate_id")
        ),
    )
    with op.batch_alter_table("delegate_score", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delegate_score_delegate_id"), ["delegate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_delegate_score_idea_id"), ["idea_id"], unique=False)

    op.create_table(
        "proposal_idea",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["idea.id"], name=op.f("fk_proposal_idea_idea_id_idea")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposal.id"], name=op.f("fk_proposal_idea_proposal_id_proposal")
        ),
        sa.PrimaryKeyConstraint("proposal_id", "idea_id", name=op.f("pk_proposal_idea")),
    )
    with op.batch_alter_table("proposal_idea", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_idea_idea_id"), ["idea_id"], unique=False)

    op.create_table(
        "criterion_score",
        sa.Column("delegate_score_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.CheckConstraint("value BETWEEN 1 AND 5", name=op.f("ck_criterion_score_value_1_to_5")),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["criterion.id"],
            name=op.f("fk_criterion_score_criterion_id_criterion"),
        ),
        sa.ForeignKeyConstraint(
            ["delegate_score_id"],
            ["delegate_score.id"],
            name=op.f("fk_criterion_score_delegate_score_id_delegate_score"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "delegate_score_id", "criterion_id", name=op.f("pk_criterion_score")
        ),
    )
    criterion = sa.table(
        "criterion",
        sa.column("process_id", sa.Integer),
        sa.column("position", sa.Integer),
        sa.column("name", sa.String),
        sa.column("description", sa.Text),
        sa.column("weight", sa.Integer),
    )
    process = sa.table("pb_process", sa.column("id", sa.Integer))
    for position, (name, description) in enumerate(DEFAULT_CRITERIA, start=1):
        op.execute(
            criterion.insert().from_select(
                ["process_id", "position", "name", "description", "weight"],
                sa.select(
                    process.c.id,
                    sa.literal(position),
                    sa.literal(name),
                    sa.literal(description),
                    sa.literal(1),
                ),
            )
        )


def downgrade() -> None:
    op.drop_table("criterion_score")
    with op.batch_alter_table("proposal_idea", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_idea_idea_id"))

    op.drop_table("proposal_idea")
    with op.batch_alter_table("delegate_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegate_score_idea_id"))
        batch_op.drop_index(batch_op.f("ix_delegate_score_delegate_id"))

    op.drop_table("delegate_score")
    with op.batch_alter_table("idea", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_site_id"))
        batch_op.drop_index(batch_op.f("ix_idea_process_id"))

    op.drop_table("idea")
    with op.batch_alter_table("criterion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_criterion_process_id"))

    op.drop_table("criterion")
    op.drop_table("idea_submission_counter")
