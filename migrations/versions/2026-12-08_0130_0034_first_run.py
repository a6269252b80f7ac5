"""first_run: the one-time setup page made the first organizer (issue 20)

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-08 01:30:00

Empty here: the setup page writes the one row (id 1) with the first organizer, in one
transaction (app/users/service.py create_first_organizer).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "first_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organizer_id", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organizer_id"],
            ["user_account.id"],
            name=op.f("fk_first_run_organizer_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_first_run")),
    )


def downgrade() -> None:
    # An older code has no setup page: the accounts stay, the record of the setup goes.
    op.drop_table("first_run")
