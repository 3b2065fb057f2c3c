"""reporting events by day: a short period's response and resolution times read from the days it covers

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02 02:00:00

(0010 is the canned responses' migration on another branch: where both are merged, this one follows it.)
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["tenant_id", "local_day", "kind", "first", "operator_id", "office_bucket", "bucket", "channel_id"]


def upgrade() -> None:
    op.create_index("ix_reporting_event_day", "reporting_event", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_reporting_event_day", table_name="reporting_event")
