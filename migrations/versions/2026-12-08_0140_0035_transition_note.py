"""phase transitions: the organizer's note acknowledging the count's differences (paper
sheets against check-ins per site, ballots against voters per channel) and the differences
it acknowledges, as the move to funding found them (issue 20)

Revision ID: 0035
Revises: 0039
Create Date: 2026-12-08 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0035"
down_revision: str | None = "0039"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("phase_transition") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("differences", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("phase_transition") as batch:
        batch.drop_column("differences")
        batch.drop_column("note")
