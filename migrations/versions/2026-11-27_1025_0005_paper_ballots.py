"""paper ballots

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:25:31.971118
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "paper_rules",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("overvote", sa.String(length=20), nullable=False),
        sa.Column("skipped_rank", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_id"], ["pb_process.id"], name=op.f("fk_paper_rules_process_id_pb_process")
        ),
        sa.PrimaryKeyConstraint("process_id", name=op.f("pk_paper_rules")),
    )
    op.create_table(
        "paper_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("declared_sheets", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["user_account.id"],
            name=op.f("fk_paper_batch_closed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_paper_batch_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["process_id"], ["pb_process.id"], name=op.f("fk_paper_batch_process_id_pb_process")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_paper_batch_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_batch")),
        sa.CheckConstraint(
            "status IN ('open', 'closed', 'excluded')", name=op.f("ck_paper_batch_status_known")
        ),
        sa.CheckConstraint(
            "declared_sheets BETWEEN 1 AND 10000", name=op.f("ck_paper_batch_declared_range")
        ),
    )
    with op.batch_alter_table("paper_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_batch_process_id"), ["process_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_paper_batch_site_id"), ["site_id"], unique=False)

    op.create_table(
        "paper_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("sheet", sa.Integer(), nullable=False),
        sa.Column("pass_number", sa.Integer(), nullable=False),
        sa.Column("marks", sa.JSON(), nullable=False),
        sa.Column("blank", sa.Boolean(), nullable=False),
        sa.Column("unreadable", sa.Boolean(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["paper_batch.id"], name=op.f("fk_paper_entry_batch_id_paper_batch")
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["user_account.id"],
            name=op.f("fk_paper_entry_entered_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_entry")),
        sa.CheckConstraint("pass_number IN (1, 2)", name=op.f("ck_paper_entry_two_passes")),
        sa.UniqueConstraint(
            "batch_id",
            "sheet",
            "pass_number",
            name=op.f("uq_paper_entry_batch_id_sheet_pass_number"),
        ),
    )
    with op.batch_alter_table("paper_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_entry_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "paper_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["paper_batch.id"], name=op.f("fk_paper_import_batch_id_paper_batch")
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["user_account.id"],
            name=op.f("fk_paper_import_imported_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_import")),
        sa.UniqueConstraint("batch_id", "sha256", name=op.f("uq_paper_import_batch_id_sha256")),
    )
    with op.batch_alter_table("paper_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_import_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "paper_sheet",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("sheet", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("marks", sa.JSON(), nullable=True),
        sa.Column("blank", sa.Boolean(), nullable=False),
        sa.Column("unreadable", sa.Boolean(), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolution_reason", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["paper_batch.id"], name=op.f("fk_paper_sheet_batch_id_paper_batch")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["user_account.id"],
            name=op.f("fk_paper_sheet_resolved_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("batch_id", "sheet", name=op.f("pk_paper_sheet")),
        sa.CheckConstraint(
            "state IN ('pending', 'settled', 'disputed')", name=op.f("ck_paper_sheet_state_known")
        ),
    )


def downgrade() -> None:
    op.drop_table("paper_sheet")
    with op.batch_alter_table("paper_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_import_batch_id"))

    op.drop_table("paper_import")
    with op.batch_alter_table("paper_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_entry_batch_id"))

    op.drop_table("paper_entry")
    with op.batch_alter_table("paper_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_batch_site_id"))
        batch_op.drop_index(batch_op.f("ix_paper_batch_process_id"))

    op.drop_table("paper_batch")
    op.drop_table("paper_rules")
