"""How fast each SKU sells right now, and the units that sell while a sale reaches every channel.

A marketplace that sold a unit the hub has not heard of yet, or whose new quantity is still on
its way, can sell that unit again: about ``rate x in-flight seconds`` units of a SKU are always
in that state. Below the low-stock threshold the split holds them back (``inventory.allocation``).

- rate: units reserved for the SKU over the last ``RATE_WINDOW_SECONDS`` (ledger movements),
  per second, so a rush counts within seconds of its start;
- in-flight seconds: detection p95 + push p95 as the sync engine last measured them
  (``in_flight_seconds_record``, from the adaptive-buffer refresh), ``DEFAULT_IN_FLIGHT_SECONDS``
  until then.
"""

import math
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from .enums import MovementKind
from .models import Movement

RATE_WINDOW_SECONDS = 10
DEFAULT_IN_FLIGHT_SECONDS = 3.0
IN_FLIGHT_CACHE_KEY = "allocation:in-flight-seconds"


def recent_rates(sku_ids) -> dict[int, float]:
    """Units reserved per second over the last window, by SKU (SKUs that sold nothing are absent)."""
    since = timezone.now() - timedelta(seconds=RATE_WINDOW_SECONDS)
    rows = (
        Movement.objects.filter(created_at__gte=since, kind=MovementKind.RESERVATION, stock__sku_id__in=sku_ids)
        .values_list("stock__sku_id")
        .annotate(units=Sum("reserved_delta"))
        .order_by()
    )
    return {sku_id: units / RATE_WINDOW_SECONDS for sku_id, units in rows if units > 0}


def skus_sold_within(seconds: float) -> set[int]:
    """SKUs with a reservation in the last ``seconds``: their hold-back may still be changing."""
    since = timezone.now() - timedelta(seconds=seconds)
    return set(
        Movement.objects.filter(created_at__gte=since, kind=MovementKind.RESERVATION)
        .values_list("stock__sku_id", flat=True)
        .distinct()
    )


def in_flight_seconds() -> float:
    seconds = cache.get(IN_FLIGHT_CACHE_KEY)
    return DEFAULT_IN_FLIGHT_SECONDS if seconds is None else float(seconds)


def in_flight_seconds_record(seconds: float) -> None:
    """Store the measured detection + push time (kept a day; the default returns if nothing measures it)."""
    cache.set(IN_FLIGHT_CACHE_KEY, max(0.0, seconds), timeout=86400)


def in_flight_units(rate: float, seconds: float) -> int:
    return math.ceil(rate * seconds - 1e-9)
