"""Adaptive buffers: hold back the units likely to sell elsewhere before a channel hears of it.

For each SKU sold recently and each platform it is listed on:

    velocity = units ordered on every platform in the window / window seconds,
               or in the last hour / 3600 s when that is faster (a rush is not averaged away)
    latency  = detection p95 (order placed at a marketplace -> stored in the hub, every platform)
             + push p95 to this platform (stock change committed -> marketplace acknowledged)
    units    = ceil(velocity * latency)

Rules in adaptive mode use at least these units as their buffer (inventory.allocation).
"""

import math
from datetime import timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from inventory.models import AdaptiveBuffer, AllocationRule
from inventory.velocity import in_flight_seconds, in_flight_seconds_record
from orders.enums import OrderState
from orders.models import Order, OrderLine
from sellers.models import Listing

from .models import PushLog

WINDOW_HOURS = 24
RECENT_HOURS = 1
NOT_SOLD = (OrderState.CANCELLED, OrderState.REJECTED)


def p95(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def _detection_seconds(since) -> dict[str, list[float]]:
    """Order placed at the marketplace -> stored in the hub, by platform, for orders stored since ``since``."""
    seconds: dict[str, list[float]] = {}
    for platform, stored, placed in Order.objects.filter(created_at__gte=since).values_list(
        "account__platform", "created_at", "placed_at"
    ):
        seconds.setdefault(platform, []).append((stored - placed).total_seconds())
    return seconds


def _push_seconds(since) -> dict[str, list[float]]:
    """Stock change committed -> marketplace acknowledged, by platform, for pushes sent since ``since``."""
    seconds: dict[str, list[float]] = {}
    for platform, changed, acked in PushLog.objects.filter(
        sent_at__gte=since, outcome="ok", changed_at__isnull=False, acked_at__isnull=False
    ).values_list("account__platform", "changed_at", "acked_at"):
        seconds.setdefault(platform, []).append(max(0.0, (acked - changed).total_seconds()))
    return seconds


def measured_latencies(since) -> tuple[float, dict[str, float]]:
    """(detection p95 over every platform, push p95 by platform) in seconds, over orders and pushes since ``since``."""
    detection = [value for values in _detection_seconds(since).values() for value in values if value >= 0]
    return p95(detection), {platform: p95(values) for platform, values in _push_seconds(since).items()}


IN_FLIGHT_WINDOW = timedelta(minutes=2)


def in_flight_refresh(window: timedelta = IN_FLIGHT_WINDOW) -> dict[str, float]:
    """Measure, per platform, detection p95 + push p95 over the last minutes, for the low-stock hold-back.

    Platforms with no order in the window keep what was measured before (or the default).
    """
    since = timezone.now() - window
    detection = _detection_seconds(since)
    if not detection:
        return in_flight_seconds()
    push = p95([value for values in _push_seconds(since).values() for value in values])
    measured = {platform: p95([max(0.0, value) for value in values]) + push for platform, values in detection.items()}
    seconds = {**in_flight_seconds(), **measured}
    in_flight_seconds_record(seconds)
    return seconds


def adaptive_buffers_refresh(window_hours: int = WINDOW_HOURS) -> set[int]:
    """Recompute every adaptive buffer; returns the SKU ids whose buffer changed (their listings need new targets)."""
    if not AllocationRule.objects.filter(is_active=True, buffer_mode="adaptive").exists():
        return set()
    now = timezone.now()
    since = now - timedelta(hours=window_hours)
    sold = _units_sold(since)
    recent = _units_sold(now - timedelta(hours=RECENT_HOURS))
    detection, push = measured_latencies(since)
    listed = set(Listing.objects.filter(sku_id__in=sold, is_active=True).values_list("sku_id", "account__platform"))
    existing = {(row.sku_id, row.platform): row for row in AdaptiveBuffer.objects.all()}
    changed, keep = set(), set()
    with transaction.atomic():
        for sku_id, platform in sorted(listed):
            units_sold, units_recent = sold[sku_id], recent.get(sku_id, 0)
            latency = detection + push.get(platform, 0.0)
            daily, hourly = units_sold / (window_hours * 3600), units_recent / (RECENT_HOURS * 3600)
            velocity = max(daily, hourly)
            units = math.ceil(velocity * latency)
            rate = (
                f"{units_sold} units sold on every platform in {window_hours} h ({daily * 3600:.2f}/h)"
                if velocity == daily
                else f"{units_recent} units sold everywhere in the last {RECENT_HOURS} h ({hourly * 3600:.2f}/h, "
                f"faster than {units_sold} in {window_hours} h)"
            )
            reasoning = (
                f"{rate} "
                f"x (detection p95 {detection:.1f} s + push p95 to {platform} {push.get(platform, 0.0):.1f} s "
                f"= {latency:.1f} s) = {velocity * latency:.3f} -> {units} units"
            )
            AdaptiveBuffer.objects.update_or_create(
                sku_id=sku_id,
                platform=platform,
                defaults={
                    "units": units,
                    "units_sold": units_sold,
                    "window_hours": window_hours,
                    "detection_seconds": detection,
                    "push_seconds": push.get(platform, 0.0),
                    "reasoning": reasoning,
                    "computed_at": now,
                },
            )
            keep.add((sku_id, platform))
            previous = existing.get((sku_id, platform))
            if previous is None or previous.units != units:
                changed.add(sku_id)
        for key, row in existing.items():
            if key not in keep:  # nothing sold in the window any more
                changed.add(row.sku_id)
                row.delete()
    return changed


def _units_sold(since) -> dict[int, int]:
    return dict(
        OrderLine.objects.filter(order__placed_at__gte=since, sku__isnull=False)
        .exclude(order__state__in=NOT_SOLD)
        .values_list("sku_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    )


def listings_of(sku_ids) -> list[int]:
    return list(Listing.objects.filter(sku_id__in=sku_ids, is_active=True).values_list("pk", flat=True))


__all__ = ["adaptive_buffers_refresh", "in_flight_refresh", "listings_of", "measured_latencies", "p95"]
