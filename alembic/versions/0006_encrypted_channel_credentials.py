"""encrypted channel credentials

Channel credentials (bot tokens, access tokens, app secrets, verify tokens) were stored as plain JSON; from here on
the column holds a Fernet token (see `citymes_app.core.vault`). Upgrading seals every existing row with the first
key of CITYMES_ENCRYPTION_KEYS; downgrading opens them back into plain JSON. A database without channels needs no
key to migrate.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 00:50:00.000000
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from citymes_app.core import vault

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

channel = sa.table("channel", sa.column("id", sa.Integer()), sa.column("credentials", sa.Text()))


def _rewrite(convert) -> None:  # noqa: ANN001
    connection = op.get_bind()
    for channel_id, stored in connection.execute(sa.select(channel.c.id, channel.c.credentials)).all():
        connection.execute(sa.update(channel).where(channel.c.id == channel_id).values(credentials=convert(stored)))


def _seal(stored: str | dict | None) -> str:
    credentials = json.loads(stored) if isinstance(stored, str) else stored
    return vault.seal(credentials or {})


def upgrade() -> None:
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.alter_column(
            "credentials",
            existing_type=sa.JSON(),
            type_=sa.Text(),
            existing_nullable=False,
            postgresql_using="credentials::text",
        )
    _rewrite(_seal)


def downgrade() -> None:
    _rewrite(lambda stored: json.dumps(vault.open_sealed(stored)))
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.alter_column(
            "credentials",
            existing_type=sa.Text(),
            type_=sa.JSON(),
            existing_nullable=False,
            postgresql_using="credentials::json",
        )
