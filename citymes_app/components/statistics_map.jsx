// The locations citizens sent, on a Leaflet map (react-leaflet): one vector circle per place the server gathered,
// its size growing with how many locations it holds, so no marker images are needed. With no tile URL the pins sit
// on a plain background (the map works with no tile server reachable); with one, its tiles are drawn beneath.
import { useEffect } from "react";
import { CircleMarker, MapContainer, TileLayer, Tooltip, useMap } from "react-leaflet";
import "leaflet/dist/leaflet.css";

const DEFAULT_CENTER = [41.5381, 2.4445];

function FitToPins({ pins }) {
  const map = useMap();
  const key = pins.map((pin) => `${pin.latitude},${pin.longitude}`).join(";");
  useEffect(() => {
    if (pins.length > 0) {
      map.fitBounds(
        pins.map((pin) => [pin.latitude, pin.longitude]),
        { padding: [32, 32], maxZoom: 15 },
      );
    }
  }, [key]);
  return null;
}

export function LocationsMap({ pins = [], tilesUrl = "", attribution = "", ...rest }) {
  return (
    <MapContainer
      center={DEFAULT_CENTER}
      zoom={13}
      scrollWheelZoom={false}
      style={{ width: "100%", height: "100%", background: "var(--gray-3)", borderRadius: "var(--radius-3)" }}
      {...rest}
    >
      {tilesUrl ? <TileLayer url={tilesUrl} attribution={attribution} /> : null}
      <FitToPins pins={pins} />
      {pins.map((pin) => (
        <CircleMarker
          key={`${pin.latitude},${pin.longitude}`}
          center={[pin.latitude, pin.longitude]}
          radius={pin.radius}
          pathOptions={{ color: "#0d9488", weight: 1.5, fillColor: "#14b8a6", fillOpacity: 0.45 }}
          className="map-pin"
        >
          <Tooltip>{`${pin.count} location${pin.count === 1 ? "" : "s"}`}</Tooltip>
        </CircleMarker>
      ))}
    </MapContainer>
  );
}
