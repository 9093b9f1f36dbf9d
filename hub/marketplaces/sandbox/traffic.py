"""Buyer traffic across every sandbox shop, at a steady rate, for demos and benchmarks."""

import random
import time
from dataclasses import dataclass, field

from .common import SandboxOutOfStock
from .models import SandboxListing
from .registry import sandbox_module


@dataclass
class TrafficReport:
    placed: int = 0
    out_of_stock: int = 0
    by_platform: dict[str, int] = field(default_factory=dict)
    order_ids: list[tuple[str, str, str]] = field(default_factory=list)  # (platform, shop, external id)


def run_traffic(
    rate_per_second: float,
    duration_seconds: float,
    *,
    seller_skus: list[str] | None = None,
    max_quantity: int = 1,
    rng: random.Random | None = None,
) -> TrafficReport:
    """Place orders on random in-stock sandbox listings at ``rate_per_second`` for ``duration_seconds``.

    ``seller_skus`` concentrates the traffic on a few hot SKUs.
    """
    rng = rng or random.Random()
    listings = SandboxListing.objects.select_related("shop")
    if seller_skus:
        listings = listings.filter(seller_sku__in=seller_skus)
    pool = list(listings.filter(quantity__gt=0))
    report = TrafficReport()
    if not pool or rate_per_second <= 0:
        return report
    interval = 1.0 / rate_per_second
    start = time.monotonic()
    next_at = start
    while time.monotonic() - start < duration_seconds:
        listing = rng.choice(pool)
        quantity = rng.randint(1, max_quantity)
        try:
            order = sandbox_module(listing.shop.platform).place_order(listing.shop, [(listing.seller_sku, quantity)])
        except SandboxOutOfStock:
            report.out_of_stock += 1
        else:
            report.placed += 1
            platform = listing.shop.platform
            report.by_platform[platform] = report.by_platform.get(platform, 0) + 1
            report.order_ids.append((platform, listing.shop.shop_id, order.external_id))
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))
    return report
