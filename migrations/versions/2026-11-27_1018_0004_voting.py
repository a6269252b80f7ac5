"""voting: rules, access codes, participation, secret ballots, receipts, kiosks

The ballot and receipt tables are WITHOUT ROWID on SQLite and keyed by random values:
no hidden insertion order that could be joined back to a voter.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-27 10:18:12.329429
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_code_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_access_code_batch_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["pb_process.id"],
            name=op.f("fk_access_code_batch_process_id_pb_process"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_code_batch")),
        sa.UniqueConstraint(
            "process_id", "label", name=op.f("uq_access_code_batch_process_id_label")
        ),
    )
    with op.batch_alter_table("access_code_batch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_access_code_batch_process_id"), ["process_id"], unique=False
        )

    op.create_table(
        "ballot_receipt",
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_id"], ["pb_process.id"], name=op.f("fk_ballot_receipt_process_id_pb_process")
        ),
        sa.PrimaryKeyConstraint("receipt_hash", name=op.f("pk_ballot_receipt")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("ballot_receipt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ballot_receipt_process_id"), ["process_id"], unique=False
        )

    op.create_table(
        "voting_rules",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("credential", sa.String(length=10), nullable=False),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("postal_codes", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "credential IN ('code', 'identity', 'both')",
            name=op.f("ck_voting_rules_credential_known"),
        ),
        sa.CheckConstraint(
            "min_age IS NULL OR min_age BETWEEN 0 AND 130",
            name=op.f("ck_voting_rules_min_age_range"),
        ),
        sa.ForeignKeyConstraint(
            ["process_id"], ["pb_process.id"], name=op.f("fk_voting_rules_process_id_pb_process")
        ),
        sa.PrimaryKeyConstraint("process_id", name=op.f("pk_voting_rules")),
    )
    op.create_table(
        "access_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["access_code_batch.id"],
            name=op.f("fk_access_code_batch_id_access_code_batch"),
        ),
        sa.ForeignKeyConstraint(
            ["process_id"], ["pb_process.id"], name=op.f("fk_access_code_process_id_pb_process")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_access_code_code_hash")),
    )
    with op.batch_alter_table("access_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_code_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_code_process_id"), ["process_id"], unique=False)

    op.create_table(
        "ballot",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("ranking", sa.JSON(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("cast_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "(channel = 'online') = (site_id IS NULL)", name=op.f("ck_ballot_site_iff_in_person")
        ),
        sa.CheckConstraint(
            "channel IN ('online', 'kiosk', 'paper')", name=op.f("ck_ballot_channel_known")
        ),
        sa.ForeignKeyConstraint(
            ["process_id"], ["pb_process.id"], name=op.f("fk_ballot_process_id_pb_process")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_ballot_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ballot_process_id"), ["process_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ballot_site_id"), ["site_id"], unique=False)

    op.create_table(
        "kiosk_ticket",
        sa.Column("ticket_hash", sa.String(length=64), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["process_id"], ["pb_process.id"], name=op.f("fk_kiosk_ticket_process_id_pb_process")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_kiosk_ticket_site_id_site")
        ),
        sa.PrimaryKeyConstraint("ticket_hash", name=op.f("pk_kiosk_ticket")),
    )
    with op.batch_alter_table("kiosk_ticket", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kiosk_ticket_process_id"), ["process_id"], unique=False
        )

    op.create_table(
        "poll_worker_site",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["user_account.id"],
            name=op.f("fk_poll_worker_site_assigned_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_poll_worker_site_site_id_site")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_poll_worker_site_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("site_id", "user_id", name=op.f("pk_poll_worker_site")),
    )
    with op.batch_alter_table("poll_worker_site", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_worker_site_user_id"), ["user_id"], unique=False)

    op.create_table(
        "participation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(length=64), nullable=True),
        sa.Column("access_code_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(channel = 'online') = (site_id IS NULL)",
            name=op.f("ck_participation_site_iff_in_person"),
        ),
        sa.CheckConstraint(
            "channel IN ('online', 'kiosk', 'paper')", name=op.f("ck_participation_channel_known")
        ),
        sa.CheckConstraint(
            "person_key IS NOT NULL OR access_code_id IS NOT NULL",
            name=op.f("ck_participation_has_credential"),
        ),
        sa.ForeignKeyConstraint(
            ["access_code_id"],
            ["access_code.id"],
            name=op.f("fk_participation_access_code_id_access_code"),
        ),
        sa.ForeignKeyConstraint(
            ["process_id"], ["pb_process.id"], name=op.f("fk_participation_process_id_pb_process")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_participation_site_id_site")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participation")),
        sa.UniqueConstraint(
            "process_id", "access_code_id", name=op.f("uq_participation_process_id_access_code_id")
        ),
        sa.UniqueConstraint(
            "process_id", "person_key", name=op.f("uq_participation_process_id_person_key")
        ),
    )
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participation_process_id"), ["process_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participation_process_id"))

    op.drop_table("participation")
    with op.batch_alter_table("poll_worker_site", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_worker_site_user_id"))

    op.drop_table("poll_worker_site")
    with op.batch_alter_table("kiosk_ticket", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kiosk_ticket_process_id"))

    op.drop_table("kiosk_ticket")
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ballot_site_id"))
        batch_op.drop_index(batch_op.f("ix_ballot_process_id"))

    op.drop_table("ballot")
    with op.batch_alter_table("access_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_code_process_id"))
        batch_op.drop_index(batch_op.f("ix_access_code_batch_id"))

    op.drop_table("access_code")
    op.drop_table("voting_rules")
    with op.batch_alter_table("ballot_receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ballot_receipt_process_id"))

    op.drop_table("ballot_receipt")
    with op.batch_alter_table("access_code_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_code_batch_process_id"))

    op.drop_table("access_code_batch")
