"""snooze and labels: a conversation snoozed until a time, and an organisation's labels on its conversations

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 05:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from citymes_app.models import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversation") as batch:
        batch.add_column(sa.Column("snoozed_until", UTCDateTime(), nullable=True))
    op.create_table(
        "label",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("tenant_id", "name"),
    )
    op.create_index("ix_label_tenant_id", "label", ["tenant_id"])
    op.create_table(
        "conversation_label",
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversation.id"), primary_key=True),
        sa.Column("label_id", sa.Integer(), sa.ForeignKey("label.id"), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenant.id"), nullable=False),
    )
    op.create_index("ix_conversation_label_label_id", "conversation_label", ["label_id"])
    op.create_index("ix_conversation_label_tenant_id", "conversation_label", ["tenant_id"])


def downgrade() -> None:
    op.drop_table("conversation_label")
    op.drop_table("label")
    with op.batch_alter_table("conversation") as batch:
        batch.drop_column("snoozed_until")
