"""Distances on the Earth's surface, shared by the content checker and the nearest-place search."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two WGS84 points given in decimal degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def in_bbox(lat: float, lon: float, bbox: list[float]) -> bool:
    """Whether the point lies in ``[west, south, east, north]``."""
    west, south, east, north = bbox
    return west <= lon <= east and south <= lat <= north


def osm_link(lat: float, lon: float, zoom: int = 17) -> str:
    """An OpenStreetMap address that opens the map with a marker on the point."""
    return f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map={zoom}/{lat:.5f}/{lon:.5f}"
