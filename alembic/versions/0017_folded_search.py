"""folded search and label colours: the citizen's name and each message's text stored without accents and casefolded,
for the inbox search ("cami" finds "Camí"), on PostgreSQL with trigram indexes for its `LIKE '%…%'`; and a colour for
each label (cyan, as every chip was)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from citymes_app.models import folded

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL_CHUNK = 5000


def _backfill(table: str, source: str, target: str) -> None:
    """Fold what is already stored, a chunk of rows at a time (the folding is Python's, the same as on insert)."""
    connection = op.get_bind()
    rows = sa.table(table, sa.column("id", sa.Integer()), sa.column(source, sa.Text()), sa.column(target, sa.Text()))
    last = 0
    while True:
        chunk = connection.execute(
            sa.select(rows.c.id, rows.c[source]).where(rows.c.id > last).order_by(rows.c.id).limit(BACKFILL_CHUNK)
        ).all()
        if not chunk:
            return
        changed = [{"row": row_id, "value": folded(value)} for row_id, value in chunk if value]
        if changed:
            connection.execute(
                rows.update().where(rows.c.id == sa.bindparam("row")).values({target: sa.bindparam("value")}), changed
            )
        last = chunk[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("citizen") as batch:
        batch.add_column(sa.Column("search_name", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("message") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("label") as batch:
        batch.add_column(sa.Column("color", sa.String(length=16), nullable=False, server_default="cyan"))
    _backfill("citizen", "display_name", "search_name")
    _backfill("message", "text", "search_text")
    if op.get_bind().dialect.name == "postgresql":
        # Trigram indexes answer `LIKE '%words%'` (three characters or more) without reading every message.
        # pg_trgm is a trusted extension: the database's owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_message_search_text ON message USING gin (search_text gin_trgm_ops)")
        op.execute("CREATE INDEX ix_citizen_search_name ON citizen USING gin (search_name gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_citizen_search_name")
        op.execute("DROP INDEX IF EXISTS ix_message_search_text")
    with op.batch_alter_table("label") as batch:
        batch.drop_column("color")
    with op.batch_alter_table("message") as batch:
        batch.drop_column("search_text")
    with op.batch_alter_table("citizen") as batch:
        batch.drop_column("search_name")
