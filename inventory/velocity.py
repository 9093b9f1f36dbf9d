"""How fast each SKU sells right now, and the units that sell while a sale reaches every channel.

A marketplace that sold a unit the hub has not heard of yet, or whose new quantity is still on
its way, can sell that unit again: about ``rate x in-flight seconds`` units of a SKU are always
in that state. Below the low-stock threshold the split holds them back (``inventory.allocation``).

- rate, per platform: units of the SKU in orders the hub stored in the last
  ``RATE_WINDOW_SECONDS``, per second, so a rush counts within seconds of its start (a kit's
  orders count for the kit, not its components);
- in-flight seconds, per platform: its detection p95 + the push p95 as the sync engine last
  measured them (``in_flight_seconds_record``, from the sync sweep), ``DEFAULT_IN_FLIGHT_SECONDS``
  until then: a platform that is pulled every 20 s has many more sales in flight than one
  whose webhooks arrive in a second. When orders stored in the last few seconds took longer
  to reach the hub than that (a backlog of webhooks: ``detection_observe``), the longer time
  counts at once: the sweep's measure would follow it only after many seconds.
"""

import math
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from orders.enums import OrderState
from orders.models import OrderLine

RATE_WINDOW_SECONDS = 10
DEFAULT_IN_FLIGHT_SECONDS = 3.0
IN_FLIGHT_CACHE_KEY = "allocation:in-flight-seconds"
EVERY_PLATFORM = "*"
DETECTION_NOW_SECONDS = 5  # an observed detection time counts this long
BACKLOG_MARGIN_SECONDS = 1.0  # an observed time this close to the measured one is noise, not a backlog
# Longer is an old order arriving (a first pull, a backfill), not a backlog: the sweep's measure covers it.
DETECTION_OBSERVED_MAX_SECONDS = 60.0


# Orders the hub has been told of but not stored yet (pushes waiting in its inbox), by platform: set by the sync
# engine, which owns the inbox (``hub.sync.apps``). Their SKUs are not known until they are processed, so each SKU
# counts its share of what its platform sold lately.
pending_orders_source: Callable[[], dict[str, int]] | None = None


def pending_orders() -> dict[str, int]:
    return pending_orders_source() if pending_orders_source else {}


def _units_in_window(*group_by: str, **filters):
    """(group values..., units) of orders stored in the last window, cancelled ones left out."""
    since = timezone.now() - timedelta(seconds=RATE_WINDOW_SECONDS)
    return (
        OrderLine.objects.filter(order__created_at__gte=since, **filters)
        .exclude(order__state=OrderState.CANCELLED)
        .values_list(*group_by)
        .annotate(units=Sum("quantity"))
        .order_by()
    )


def backlog_units(rates: dict[str, float], pending: dict[str, int], totals: dict[str, float]) -> float:
    """A SKU's likely units among the orders waiting in the inbox: per platform, waiting orders x its share."""
    return sum(
        pending.get(platform, 0) * rate / totals[platform] for platform, rate in rates.items() if totals.get(platform)
    )


def recent_rates(sku_ids) -> dict[int, dict[str, float]]:
    """Units ordered per second over the last window, by SKU and platform (SKUs that sold nothing are absent)."""
    rates = defaultdict(dict)
    for sku_id, platform, units in _units_in_window("sku_id", "order__platform", sku_id__in=sku_ids):
        rates[sku_id][platform] = units / RATE_WINDOW_SECONDS
    return rates


def recent_rates_and_totals(sku_ids) -> tuple[dict[int, dict[str, float]], dict[str, float]]:
    """``recent_rates`` of these SKUs, and units ordered per second on each platform with every SKU together,
    from one query over every SKU sold in the window."""
    wanted = set(sku_ids)
    rates, totals = defaultdict(dict), defaultdict(float)
    for sku_id, platform, units in _units_in_window("sku_id", "order__platform", sku__isnull=False):
        totals[platform] += units / RATE_WINDOW_SECONDS
        if sku_id in wanted:
            rates[sku_id][platform] = units / RATE_WINDOW_SECONDS
    return rates, dict(totals)


def skus_sold_within(seconds: float) -> set[int]:
    """SKUs in orders stored in the last ``seconds``: their hold-back may still be changing."""
    since = timezone.now() - timedelta(seconds=seconds)
    return set(
        OrderLine.objects.filter(order__created_at__gte=since, sku__isnull=False)
        .values_list("sku_id", flat=True)
        .order_by()
        .distinct()
    )


def in_flight_seconds() -> dict[str, float]:
    """Seconds a sale stays in flight, by platform (``EVERY_PLATFORM``: the default for the others)."""
    return {EVERY_PLATFORM: DEFAULT_IN_FLIGHT_SECONDS, **(cache.get(IN_FLIGHT_CACHE_KEY) or {})}


def in_flight_seconds_now() -> dict[str, float]:
    """``in_flight_seconds``, raised on each platform to the detection time observed in the last seconds when
    that is clearly longer (``BACKLOG_MARGIN_SECONDS``). One cache round trip for both."""
    found = cache.get_many([IN_FLIGHT_CACHE_KEY, *_detection_keys()])
    seconds = {EVERY_PLATFORM: DEFAULT_IN_FLIGHT_SECONDS, **(found.pop(IN_FLIGHT_CACHE_KEY, None) or {})}
    for platform, observed in _longest(found.values()).items():
        measured = seconds.get(platform, seconds[EVERY_PLATFORM])
        if observed > measured + BACKLOG_MARGIN_SECONDS:
            seconds[platform] = observed
    return seconds


def _detection_key(second: int) -> str:
    return f"allocation:detection:{second}"


def detection_observe(platform: str, seconds: float) -> None:
    """An order just stored took ``seconds`` from the marketplace to the hub (kept per platform and second, the
    longest). Two processes writing the same second may lose one figure: the next order writes it again."""
    seconds = min(seconds, DETECTION_OBSERVED_MAX_SECONDS)
    key = _detection_key(int(time.time()))
    current = cache.get(key) or {}
    if seconds > current.get(platform, 0.0):
        cache.set(key, {**current, platform: seconds}, timeout=3 * DETECTION_NOW_SECONDS)


def detection_now() -> dict[str, float]:
    """The longest detection time per platform among orders stored in the last ``DETECTION_NOW_SECONDS``."""
    return _longest(cache.get_many(_detection_keys()).values())


def _detection_keys() -> list[str]:
    now = int(time.time())
    return [_detection_key(now - ago) for ago in range(DETECTION_NOW_SECONDS)]


def _longest(observations) -> dict[str, float]:
    longest: dict[str, float] = {}
    for by_platform in observations:
        for platform, seconds in by_platform.items():
            longest[platform] = max(longest.get(platform, 0.0), seconds)
    return longest


def detection_now_forget() -> None:
    now = int(time.time())
    cache.delete_many([_detection_key(now - ago) for ago in range(-1, DETECTION_NOW_SECONDS + 1)])


def in_flight_seconds_record(seconds: float | dict[str, float]) -> None:
    """Store the measured detection + push time, by platform or one figure for all (kept a day, then the default)."""
    by_platform = seconds if isinstance(seconds, dict) else {EVERY_PLATFORM: float(seconds)}
    cache.set(IN_FLIGHT_CACHE_KEY, by_platform, timeout=86400)


def units_in_flight(rates: dict[str, float], seconds: dict[str, float], backlog: float = 0.0) -> int:
    """Units sold on each platform while its sales are in flight, together (rates by platform, per second), plus
    ``backlog``: the SKU's units among orders the hub was told of but has not stored yet."""
    default = seconds[EVERY_PLATFORM]
    return math.ceil(sum(rate * seconds.get(platform, default) for platform, rate in rates.items()) + backlog - 1e-9)
