"""reporting events by day: a short period's response and resolution times read from the days it covers; the map's
index holds only the locations citizens sent (not the pins the town hall sends)

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02 02:00:00

(0010 is the canned responses' migration on another branch: where both are merged, this one follows it.)
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["tenant_id", "local_day", "kind", "first", "operator_id", "office_bucket", "bucket", "channel_id"]


LOCATION_COLUMNS = ["tenant_id", "created_at", "channel_id", "latitude", "longitude"]


def _location_index(where: str) -> None:
    op.drop_index("ix_message_location", table_name="message")
    op.create_index(
        "ix_message_location",
        "message",
        LOCATION_COLUMNS,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    op.create_index("ix_reporting_event_day", "reporting_event", COLUMNS)
    _location_index("latitude IS NOT NULL AND direction = 'in'")


def downgrade() -> None:
    _location_index("latitude IS NOT NULL")
    op.drop_index("ix_reporting_event_day", table_name="reporting_event")
