"""statistics: daily and hourly counts kept as messages are stored, reporting events (response and resolution times), and
what the counts are rebuilt from (how routing answered each citizen's message, the keyword, the wait's start)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from citymes_app.models import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversation") as batch:
        batch.add_column(sa.Column("awaiting_since", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("first_response_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("message") as batch:
        batch.add_column(sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch.add_column(sa.Column("keyword_id", sa.Integer(), nullable=True))
    op.create_table(
        "daily_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("measure", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "local_day", "measure", "channel_id", "subject"),
    )
    op.create_index(
        "ix_daily_count_read", "daily_count", ["tenant_id", "measure", "local_day", "channel_id", "subject", "count"]
    )
    op.create_table(
        "hourly_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("hour", UTCDateTime(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("local_hour", sa.Integer(), nullable=False),
        sa.Column("measure", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "hour", "measure", "channel_id"),
    )
    op.create_index(
        "ix_hourly_count_day", "hourly_count", ["tenant_id", "measure", "local_day", "local_hour", "channel_id", "count"]
    )
    op.create_table(
        "reporting_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("first", sa.Boolean(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("office_seconds", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("office_bucket", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"]),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_reporting_event_office",
        "reporting_event",
        ["tenant_id", "kind", "first", "operator_id", "office_bucket", "local_day", "channel_id"],
    )
    op.create_index(
        "ix_reporting_event_clock",
        "reporting_event",
        ["tenant_id", "kind", "first", "operator_id", "bucket", "local_day", "channel_id"],
    )
    op.create_index("ix_reporting_event_conversation_id", "reporting_event", ["conversation_id"])
    # Where citizens sent locations from, for the dashboard's map (only messages with a location are in it).
    op.create_index(
        "ix_message_location",
        "message",
        ["tenant_id", "created_at", "channel_id", "latitude", "longitude"],
        sqlite_where=sa.text("latitude IS NOT NULL"),
        postgresql_where=sa.text("latitude IS NOT NULL"),
    )


    op.create_index("ix_unmatched_query_window", "unmatched_query", ["tenant_id", "hour", "channel_id", "normalized"])


def downgrade() -> None:
    op.drop_index("ix_unmatched_query_window", table_name="unmatched_query")
    op.drop_index("ix_message_location", table_name="message")
    op.drop_index("ix_reporting_event_conversation_id", table_name="reporting_event")
    op.drop_index("ix_reporting_event_clock", table_name="reporting_event")
    op.drop_index("ix_reporting_event_office", table_name="reporting_event")
    op.drop_table("reporting_event")
    op.drop_index("ix_hourly_count_day", table_name="hourly_count")
    op.drop_table("hourly_count")
    op.drop_index("ix_daily_count_read", table_name="daily_count")
    op.drop_table("daily_count")
    with op.batch_alter_table("message") as batch:
        batch.drop_column("keyword_id")
        batch.drop_column("outcome")
    with op.batch_alter_table("conversation") as batch:
        batch.drop_column("first_response_at")
        batch.drop_column("awaiting_since")
