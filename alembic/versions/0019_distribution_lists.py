"""distribution lists: an organisation's lists with their name, description and join / leave phrases per language
(each phrase, as citizens type it, unique in the organisation: `list_phrase`), the current subscriptions per citizen, list and channel,
and the append-only history of consent

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from citymes_app.models import UTCDateTime

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "distribution_list",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_distribution_list_tenant_id", "distribution_list", ["tenant_id"])
    op.create_table(
        "list_wording",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("list_id", sa.Integer(), sa.ForeignKey("distribution_list.id"), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("join_phrase", sa.String(length=40), nullable=False),
        sa.Column("leave_phrase", sa.String(length=40), nullable=False),
        sa.Column("join_key", sa.String(length=120), nullable=False),
        sa.Column("leave_key", sa.String(length=120), nullable=False),
        sa.UniqueConstraint("list_id", "language"),
    )
    op.create_index("ix_list_wording_tenant_id", "list_wording", ["tenant_id"])
    op.create_index("ix_list_wording_list_id", "list_wording", ["list_id"])
    op.create_index("ix_list_wording_join_key", "list_wording", ["tenant_id", "join_key"])
    op.create_index("ix_list_wording_leave_key", "list_wording", ["tenant_id", "leave_key"])
    op.create_table(
        "list_phrase",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("list_id", sa.Integer(), sa.ForeignKey("distribution_list.id"), nullable=False),
        sa.Column("phrase_key", sa.String(length=120), nullable=False),
        sa.Column("joining", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("tenant_id", "phrase_key", name="uq_list_phrase_tenant_key"),
    )
    op.create_index("ix_list_phrase_list_id", "list_phrase", ["list_id"])
    op.create_table(
        "list_subscription",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("list_id", sa.Integer(), sa.ForeignKey("distribution_list.id"), nullable=False),
        sa.Column("citizen_id", sa.Integer(), sa.ForeignKey("citizen.id"), nullable=False),
        sa.Column("channel_id", sa.Integer(), sa.ForeignKey("channel.id"), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("operator_id", sa.Integer(), sa.ForeignKey("operator.id"), nullable=True),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("list_id", "citizen_id", "channel_id"),
    )
    op.create_index("ix_list_subscription_tenant_id", "list_subscription", ["tenant_id"])
    op.create_index("ix_list_subscription_list_id", "list_subscription", ["list_id"])
    op.create_index("ix_list_subscription_citizen_id", "list_subscription", ["citizen_id"])
    op.create_table(
        "list_consent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("list_id", sa.Integer(), sa.ForeignKey("distribution_list.id"), nullable=False),
        sa.Column("citizen_id", sa.Integer(), sa.ForeignKey("citizen.id"), nullable=False),
        sa.Column("channel_id", sa.Integer(), sa.ForeignKey("channel.id"), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("operator_id", sa.Integer(), sa.ForeignKey("operator.id"), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_list_consent_tenant_id", "list_consent", ["tenant_id"])
    op.create_index("ix_list_consent_citizen_id", "list_consent", ["citizen_id"])
    op.create_index("ix_list_consent_list_at", "list_consent", ["list_id", "at"])


def downgrade() -> None:
    op.drop_table("list_consent")
    op.drop_table("list_subscription")
    op.drop_table("list_phrase")
    op.drop_table("list_wording")
    op.drop_table("distribution_list")
