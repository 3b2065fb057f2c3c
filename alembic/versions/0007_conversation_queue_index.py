"""conversation queue index: the operators' queue read from an index, whatever the number of conversations

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status != 'resolved'")


def upgrade() -> None:
    op.create_index(
        "ix_conversation_queue",
        "conversation",
        ["tenant_id", "awaiting_operator", "last_message_at"],
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_conversation_queue", table_name="conversation")
