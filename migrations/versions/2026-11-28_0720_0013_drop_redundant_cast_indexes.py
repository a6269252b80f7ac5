"""drop the participation index that the unique constraints already cover

Every cast inserts a participation row. `ix_participation_process_id` indexed
process_id alone, which both unique constraints (process_id, person_key) and
(process_id, access_code_id) already lead with: an index maintained on every cast
that no query needs.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 07:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.drop_index("ix_participation_process_id")


def downgrade() -> None:
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.create_index("ix_participation_process_id", ["process_id"], unique=False)
