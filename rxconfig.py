"""Reflex configuration of CityMes.

No `db_url` here on purpose: the app's database comes from CITYMES_DATABASE_URL (citymes_app.core.config), and
with a db_url Reflex would run its own Alembic check against our alembic.ini.
"""

import reflex as rx

from citymes_app.styles import THEME

config = rx.Config(
    app_name="citymes_app",
    telemetry_enabled=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=THEME)],
    disable_plugins=[rx.plugins.SitemapPlugin],
    show_built_with_reflex=False,
)
