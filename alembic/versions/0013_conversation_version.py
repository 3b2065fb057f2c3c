"""conversation version: a counter of who-has-it and state changes, and who made the last one (a reply written
against an older version that someone else changed asks before it goes)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 05:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversation") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("changed_by_operator_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_conversation_changed_by_operator", "operator", ["changed_by_operator_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("conversation") as batch:
        batch.drop_constraint("fk_conversation_changed_by_operator", type_="foreignkey")
        batch.drop_column("changed_by_operator_id")
        batch.drop_column("version")
