// The locations citizens sent, on a Leaflet map (react-leaflet). The server gathers them by place (cells of about
// 500 m); Leaflet.markercluster (through react-leaflet-cluster) gathers those places again by zoom level, so the town
// seen whole shows a few numbered clusters that split as one zooms in. Markers are CSS circles (`L.divIcon`), sized by
// how many locations they hold, so no marker images are needed; a cluster shows the sum of its places' locations. With
// no tile URL the pins sit on a plain background (the map works with no tile server reachable); with one, its tiles
// are drawn beneath.
import { useEffect } from "react";
import L from "leaflet";
import { MapContainer, Marker, TileLayer, Tooltip, useMap } from "react-leaflet";
import MarkerClusterGroup from "react-leaflet-cluster";
import "leaflet/dist/leaflet.css";
import "react-leaflet-cluster/dist/assets/MarkerCluster.css";

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

function circleIcon(diameter, label, className) {
  return L.divIcon({
    html: `<span>${label}</span>`,
    className,
    iconSize: [diameter, diameter],
  });
}

function pinIcon(pin) {
  return circleIcon(pin.radius * 2, "", "map-pin");
}

// A cluster: the locations of its places added up (not the number of places), in a circle growing with them.
function clusterIcon(cluster) {
  const locations = cluster.getAllChildMarkers().reduce((sum, marker) => sum + (marker.options.locations || 1), 0);
  const diameter = Math.min(64, 26 + 6 * Math.log10(locations) * 3);
  return circleIcon(diameter, String(locations), "map-cluster");
}

const STYLE = `
.map-pin, .map-cluster { border-radius: 50%; display: flex; align-items: center; justify-content: center; }
.map-pin { background: rgba(20, 184, 166, 0.45); border: 1.5px solid #0d9488; }
.map-cluster { background: rgba(13, 148, 136, 0.8); border: 3px solid rgba(20, 184, 166, 0.35);
  background-clip: padding-box; color: white; font: 600 12px/1 var(--default-font-family, sans-serif); }
`;

export function LocationsMap({ pins = [], tilesUrl = "", attribution = "", ...rest }) {
  return (
    <MapContainer
      center={DEFAULT_CENTER}
      zoom={13}
      minZoom={3}
      maxZoom={18} // the cluster layer needs it, and with no tile layer nothing else sets it
      scrollWheelZoom={false}
      style={{ width: "100%", height: "100%", background: "var(--gray-3)", borderRadius: "var(--radius-3)" }}
      {...rest}
    >
      <style>{STYLE}</style>
      {tilesUrl ? <TileLayer url={tilesUrl} attribution={attribution} /> : null}
      <FitToPins pins={pins} />
      <MarkerClusterGroup iconCreateFunction={clusterIcon} showCoverageOnHover={false} maxClusterRadius={48}>
        {pins.map((pin) => (
          <Marker
            key={`${pin.latitude},${pin.longitude}`}
            position={[pin.latitude, pin.longitude]}
            icon={pinIcon(pin)}
            locations={pin.count}
          >
            <Tooltip>{`${pin.count} location${pin.count === 1 ? "" : "s"}`}</Tooltip>
          </Marker>
        ))}
      </MarkerClusterGroup>
    </MapContainer>
  );
}
