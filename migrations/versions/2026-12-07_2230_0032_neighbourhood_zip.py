"""neighbourhood_zip: the ZIP codes of each neighbourhood of the reference population, and
participation.neighborhood: where an online voter's typed ZIP places them (not the ZIP)

Revision ID: 0032
Revises: 0029
Create Date: 2026-12-07 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "neighbourhood_zip",
        sa.Column("process_id", sa.Integer(), nullable=False),
        sa.Column("zip_code", sa.String(length=20), nullable=False),
        sa.Column("neighborhood", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["process_id"],
            ["pb_process.id"],
            name=op.f("fk_neighbourhood_zip_process_id_pb_process"),
        ),
        sa.PrimaryKeyConstraint("process_id", "zip_code", name=op.f("pk_neighbourhood_zip")),
    )
    op.add_column("participation", sa.Column("neighborhood", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("participation") as batch:
        batch.drop_column("neighborhood")
    op.drop_table("neighbourhood_zip")
