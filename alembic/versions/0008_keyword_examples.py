"""keyword examples: questions as citizens write them, which the matcher learns a keyword from

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("keyword") as batch:
        batch.add_column(sa.Column("examples", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("keyword") as batch:
        batch.drop_column("examples")
