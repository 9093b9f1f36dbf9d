"""Where countries and warehouses are: approximate country centres and great-circle distances.

Reservations draw on the pool warehouse nearest to the order's destination country; a
warehouse without coordinates of its own stands at its country's centre.
"""

import math
from decimal import Decimal

EARTH_RADIUS_KM = 6371.0

# ISO 3166-1 alpha-2 -> (latitude, longitude) of the country's approximate geographic centre, in degrees,
# rounded (hand-written; precise enough to rank warehouses continents apart, not neighbours).
# Add a country here, or give the warehouse its own coordinates in the admin.
COUNTRY_CENTRES: dict[str, tuple[float, float]] = {
    "AE": (24.0, 54.0),
    "AR": (-34.0, -64.0),
    "AT": (47.3, 13.3),
    "AU": (-27.0, 133.0),
    "BD": (24.0, 90.0),
    "BE": (50.8, 4.0),
    "BR": (-10.0, -55.0),
    "CA": (60.0, -95.0),
    "CH": (47.0, 8.0),
    "CL": (-30.0, -71.0),
    "CN": (35.0, 105.0),
    "CO": (4.0, -72.0),
    "CZ": (49.8, 15.5),
    "DE": (51.0, 9.0),
    "DK": (56.0, 10.0),
    "EG": (27.0, 30.0),
    "ES": (40.0, -4.0),
    "FI": (64.0, 26.0),
    "FR": (46.0, 2.0),
    "GB": (54.0, -2.0),
    "GR": (39.0, 22.0),
    "HK": (22.3, 114.2),
    "HU": (47.0, 20.0),
    "ID": (-5.0, 120.0),
    "IE": (53.0, -8.0),
    "IL": (31.5, 34.8),
    "IN": (20.0, 77.0),
    "IT": (42.8, 12.8),
    "JP": (36.0, 138.0),
    "KE": (1.0, 38.0),
    "KR": (37.0, 127.5),
    "MA": (32.0, -5.0),
    "MX": (23.0, -102.0),
    "MY": (2.5, 112.5),
    "NG": (10.0, 8.0),
    "NL": (52.5, 5.8),
    "NO": (62.0, 10.0),
    "NZ": (-41.0, 174.0),
    "PE": (-10.0, -76.0),
    "PH": (13.0, 122.0),
    "PK": (30.0, 70.0),
    "PL": (52.0, 20.0),
    "PT": (39.5, -8.0),
    "RO": (46.0, 25.0),
    "RU": (60.0, 100.0),
    "SA": (25.0, 45.0),
    "SE": (62.0, 15.0),
    "SG": (1.4, 103.8),
    "TH": (15.0, 100.0),
    "TR": (39.0, 35.0),
    "TW": (23.5, 121.0),
    "UA": (49.0, 32.0),
    "US": (38.0, -97.0),
    "VN": (16.2, 107.8),
    "ZA": (-29.0, 24.0),
}


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance between two (latitude, longitude) points in degrees, over the Earth's surface (haversine)."""
    lat1, lon1, lat2, lon2 = (math.radians(v) for v in (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def warehouse_position(country: str, latitude: Decimal | None, longitude: Decimal | None) -> tuple[float, float] | None:
    """The warehouse's own coordinates, else its country's centre, else None (unknown)."""
    if latitude is not None and longitude is not None:
        return float(latitude), float(longitude)
    return COUNTRY_CENTRES.get(country.upper())
