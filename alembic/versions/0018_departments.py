"""departments: an organisation's departments ("Via pública", "Serveis socials"), their names unique in it whatever
the case (a casefolded copy of the name, unique per organisation), and the department a conversation is with (and the
version of the conversation at which it last changed)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from citymes_app.models import UTCDateTime

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "department",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenant.id"), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("name_key", sa.String(length=180), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False, server_default=""),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("tenant_id", "name_key", name="uq_department_tenant_name_key"),
    )
    op.create_index("ix_department_tenant_id", "department", ["tenant_id"])
    with op.batch_alter_table("conversation") as batch:
        batch.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("department_version", sa.Integer(), nullable=False, server_default="0"))
        batch.create_foreign_key("fk_conversation_department", "department", ["department_id"], ["id"])
        batch.create_index("ix_conversation_department_id", ["department_id"])


def downgrade() -> None:
    with op.batch_alter_table("conversation") as batch:
        batch.drop_index("ix_conversation_department_id")
        batch.drop_constraint("fk_conversation_department", type_="foreignkey")
        batch.drop_column("department_version")
        batch.drop_column("department_id")
    op.drop_table("department")
