"""operator sessions expire when idle: last_seen_at

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 00:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import citymes_app.models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("operator_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", citymes_app.models.UTCDateTime(timezone=True), nullable=True))
    # Sessions open during the upgrade count as last seen when they were opened.
    op.execute("UPDATE operator_session SET last_seen_at = created_at")
    with op.batch_alter_table("operator_session", schema=None) as batch_op:
        batch_op.alter_column("last_seen_at", existing_type=citymes_app.models.UTCDateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("operator_session", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
