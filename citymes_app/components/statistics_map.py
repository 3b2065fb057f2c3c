"""The map of the locations citizens sent: Leaflet through react-leaflet (pinned), wrapped as a Reflex component.

The React side lives next to this module (`statistics_map.jsx`): circles sized by how many locations the server
gathered at each place (`core.figures.Pin`), clustered again by zoom level (Leaflet.markercluster), tiles only when
`CITYMES_MAP_TILES_URL` is set, so the map works with no tile server reachable. Leaflet touches `window`, hence a
component that is not rendered on the server.
"""

from __future__ import annotations

import reflex as rx

from citymes_app.components.statistics_charts import panel
from citymes_app.state.language import t, tn
from citymes_app.state.statistics_state import StatisticsState

_SOURCE = rx.asset("statistics_map.jsx", shared=True)
MAP_HEIGHT = "380px"


class LocationsMap(rx.NoSSRComponent):
    """`LocationsMap` of `statistics_map.jsx`."""

    library = _SOURCE.importable_path
    tag = "LocationsMap"
    is_default = False
    lib_dependencies: list[str] = [
        "leaflet@1.9.4",
        "react-leaflet@5.0.0",
        "@react-leaflet/core@3.0.0",
        "leaflet.markercluster@1.5.3",
        "react-leaflet-cluster@4.1.3",
    ]

    pins: rx.Var[list]
    tiles_url: rx.Var[str]
    attribution: rx.Var[str]


def locations_map() -> rx.Component:
    """The panel with the map, how many places it shows, and its CSV."""
    S = StatisticsState
    note = rx.cond(
        S.pins.length() > 0,
        rx.text(
            tn(
                "{n} place; a larger circle gathers more locations; zoom in to split a numbered cluster.",
                "{n} places; a larger circle gathers more locations; zoom in to split a numbered cluster.",
                S.pins.length(),
            ),
            size="1",
            color_scheme="gray",
        ),
        rx.text(t("No citizen sent a location in this period."), size="1", color_scheme="gray"),
    )
    return panel(
        t("Locations citizens sent"),
        "map-pin",
        "locations",
        note,
        rx.box(
            LocationsMap.create(pins=S.pins, tiles_url=S.tiles_url, attribution=S.tiles_attribution),
            height=MAP_HEIGHT,
            width="100%",
            id="locations-map",
        ),
    )
