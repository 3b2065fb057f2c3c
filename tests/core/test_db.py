"""The database engine: the URL forms an installation is given."""

from __future__ import annotations

from sqlalchemy import text

from citymes_app.core.db import make_engine


def test_a_postgresql_url_as_hosting_providers_give_it_connects_with_psycopg_3(postgres_url: str) -> None:
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://", 1)
    for url in (plain, plain.replace("postgresql://", "postgres://", 1)):
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                assert connection.execute(text("SELECT 1")).scalar_one() == 1
            assert engine.dialect.driver == "psycopg"
        finally:
            engine.dispose()
