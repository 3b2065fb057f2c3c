"""The browser tests' clean-up: what a failing test changed in the demo data is put back (no browser needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from citymes_app.core import keywords, tenants
from citymes_app.core.db import make_engine, migrate
from citymes_app.models import Keyword, KeywordChange
from tests.e2e.support import Site, demo_data_restored
from tests.helpers import KEYWORDS_CSV


def keyword_tables(engine: Engine) -> tuple[list[tuple], list[tuple]]:
    with Session(engine) as session:
        rows = [(k.id, k.keyword, k.response, k.featured, k.position, k.updated_at) for k in session.exec(select(Keyword))]
        history = [(c.id, c.keyword, c.action) for c in session.exec(select(KeywordChange))]
    return sorted(rows), sorted(history)


def test_a_test_that_fails_half_way_leaves_the_keywords_as_it_found_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        tenant = tenants.add_tenant(session, slug="demo", name="Vila Demo", languages="ca,es,en")
        assert keywords.import_keywords_csv(session, tenant=tenant, content=KEYWORDS_CSV).ok
        session.commit()
    found = keyword_tables(engine)
    site = Site(url="", simulator_url="", bot_token="", log_path=tmp_path, database_url=url)

    with pytest.raises(AssertionError), demo_data_restored(site, "keyword", "keyword_change"), Session(engine) as session:
        horaris, horarios = session.exec(select(Keyword).order_by(col(Keyword.id))).all()
        horaris.response, horaris.featured = "Una resposta nova", False
        session.add(horaris)
        session.delete(horarios)
        tenant_id = horaris.tenant_id
        session.add(Keyword(tenant_id=tenant_id, keyword="BIBLIO", normalized="biblio", response="De 10 a 20 h."))
        session.add(KeywordChange(tenant_id=tenant_id, keyword="BIBLIO", action="created"))
        session.commit()
        assert keyword_tables(engine) == found, "the test fails after changing the demo data"

    assert keyword_tables(engine) == found
    engine.dispose()
