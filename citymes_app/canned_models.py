"""The canned responses' table: texts an operator inserts in a reply by typing `/` and a shortcut
(`core.canned_responses`). Import it from `citymes_app.models`, which loads this module once its own tables are
defined."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from citymes_app.models import UTCDateTime, utcnow

MAX_SHORTCUT_LENGTH = 32
MAX_CANNED_TEXT_LENGTH = 4096  # Telegram's longest text message


class CannedResponse(SQLModel, table=True):
    """A text of one organisation that its operators insert with `/shortcut`, its placeholders (`{name}`...) filled
    in for the conversation at hand. Administrators edit them; who changed one last, and when, is kept."""

    __tablename__ = "canned_response"
    __table_args__ = (UniqueConstraint("tenant_id", "shortcut"),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key="tenant.id", index=True)
    shortcut: str = Field(max_length=MAX_SHORTCUT_LENGTH)  # lowercase letters, digits and dashes, without the "/"
    text: str = Field(max_length=MAX_CANNED_TEXT_LENGTH)
    updated_by: int | None = Field(default=None, foreign_key="operator.id")  # None: the command line or the demo
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
