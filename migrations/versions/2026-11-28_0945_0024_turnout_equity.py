"""turnout equity: reference population per neighbourhood, the anonymous survey

Revision ID: 0024
Revises: 0020
Create Date: 2026-11-28 09:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _process_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["process_id"], ["pb_process.id"], name=op.f(f"fk_{table}_process_id_pb_process")
    )


def upgrade() -> None:
    op.create_table(
        "reference_population",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("neighborhood", sa.String(length=120), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "population >= 0", name=op.f("ck_reference_population_population_not_negative")
        ),
        _process_fk("reference_population"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_population")),
        sa.UniqueConstraint(
            "process_id",
            "neighborhood",
            name=op.f("uq_reference_population_process_id_neighborhood"),
        ),
    )
    op.create_index(
        op.f("ix_reference_population_process_id"), "reference_population", ["process_id"]
    )
    op.create_table(
        "survey_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        _process_fk("survey_question"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_question")),
    )
    op.create_index(op.f("ix_survey_question_process_id"), "survey_question", ["process_id"])
    op.create_table(
        "survey_answer",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("age_band", sa.String(length=20), nullable=True),
        sa.Column("neighborhood", sa.String(length=120), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        _process_fk("survey_answer"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answer")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_survey_answer_process_id"), "survey_answer", ["process_id"])
    op.create_table(
        "survey_token_spent",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_survey_token_spent")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("survey_token_spent")
    op.drop_index(op.f("ix_survey_answer_process_id"), table_name="survey_answer")
    op.drop_table("survey_answer")
    op.drop_index(op.f("ix_survey_question_process_id"), table_name="survey_question")
    op.drop_table("survey_question")
    op.drop_index(op.f("ix_reference_population_process_id"), table_name="reference_population")
    op.drop_table("reference_population")
