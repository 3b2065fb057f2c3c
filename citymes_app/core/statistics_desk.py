"""The statistics dashboard's use cases: the filters' choices and the figures for a tenant (manager and
administrator roles are checked by the caller, on the server, before it asks)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from citymes_app.core import figures_query
from citymes_app.core.figures import Choices, Dashboard, Filters


@dataclass
class StatisticsDesk:
    engine: Engine

    async def choices(self, *, tenant_id: int) -> Choices:
        """The channels, platforms and operators a tenant's dashboard can be filtered by, and its today."""
        return await asyncio.to_thread(self._read, figures_query.choices, tenant_id)

    async def dashboard(self, *, tenant_id: int, filters: Filters) -> Dashboard:
        """Every figure for `filters` (read from the hourly counts and reporting events: hundreds of rows)."""
        return await asyncio.to_thread(self._read, figures_query.dashboard, tenant_id, filters)

    def _read(self, query, tenant_id: int, *args: object):  # noqa: ANN001, ANN202
        with Session(self.engine) as session:
            return query(session, tenant_id, *args)
