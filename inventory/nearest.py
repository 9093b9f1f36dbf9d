"""Which warehouse a reservation draws on first: the seller's own virtual stock, then the pool nearest the buyer.

``pool_ranking(destination)`` orders every warehouse for one destination country: those in
that country first, then by great-circle distance from the country's centre to the
warehouse (its own coordinates, else its country's centre), then by id. The reservation
services pass the order to PostgreSQL as an array, so the hot path stays one statement,
and store the reason for each choice on the allocation. Rankings are cached per process
for ``CACHE_SECONDS``: a warehouse's new coordinates count within a minute.
"""

import time
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .geography import COUNTRY_CENTRES, great_circle_km, warehouse_position
from .models import Warehouse

CACHE_SECONDS = 60
_cache: dict[str, tuple[float, "PoolRanking"]] = {}


@dataclass(frozen=True)
class PoolRanking:
    """Warehouse ids in preference order, and per position why a pool or a virtual row there is chosen."""

    destination: str
    warehouse_ids: tuple[int, ...]
    pool_reasons: tuple[str, ...]
    virtual_reasons: tuple[str, ...]

    def position(self, warehouse_id: int) -> int:
        """0 for the first choice; warehouses created since the ranking was cached come last."""
        try:
            return self.warehouse_ids.index(warehouse_id)
        except ValueError:
            return len(self.warehouse_ids)

    def reason(self, warehouse_id: int, *, is_virtual: bool) -> str:
        position = self.position(warehouse_id)
        if position == len(self.warehouse_ids):
            return ""
        return (self.virtual_reasons if is_virtual else self.pool_reasons)[position]


def pool_ranking(destination: str = "") -> PoolRanking:
    destination = (destination or "").strip().upper()
    now = time.monotonic()
    cached = _cache.get(destination)
    if cached is not None and cached[0] > now:
        return cached[1]
    ranking = _rank(destination)
    _cache[destination] = (now + CACHE_SECONDS, ranking)
    return ranking


def pool_ranking_forget() -> None:
    """Drop the cached rankings (tests; after bulk edits of warehouse coordinates)."""
    _cache.clear()


def _rank(destination: str) -> PoolRanking:
    centre = COUNTRY_CENTRES.get(destination)
    ranked = []
    for pk, code, country, latitude, longitude in Warehouse.objects.values_list(
        "id", "code", "country", "latitude", "longitude"
    ):
        position = warehouse_position(country, latitude, longitude)
        km = great_circle_km(centre, position) if centre and position else None
        elsewhere = bool(destination) and country.upper() != destination
        ranked.append(((elsewhere, km is None, km or 0.0, pk), pk, code, km))
    ranked.sort()
    pool_reasons, virtual_reasons = [], []
    for number, (_key, _pk, code, km) in enumerate(ranked, start=1):
        virtual_reasons.append(_("the seller's own virtual stock at %(code)s") % {"code": code})
        values = {"code": code, "destination": destination, "rank": number, "km": round(km or 0)}
        if not destination:
            pool_reasons.append(_("pool warehouse %(code)s (the order names no destination country)") % values)
        elif km is None:
            pool_reasons.append(_("pool warehouse %(code)s: distance to %(destination)s unknown") % values)
        elif number == 1:
            pool_reasons.append(_("nearest pool warehouse to %(destination)s: %(code)s %(km)s km") % values)
        else:
            pool_reasons.append(
                _("pool warehouse no. %(rank)s nearest to %(destination)s: %(code)s %(km)s km") % values
            )
    return PoolRanking(
        destination=destination,
        warehouse_ids=tuple(pk for _key, pk, _code, _km in ranked),
        pool_reasons=tuple(pool_reasons),
        virtual_reasons=tuple(virtual_reasons),
    )
