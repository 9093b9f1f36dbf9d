"""The hub's own pace per platform: kept under each platform's documented limits.

Figures and their sources are in docs/marketplaces/<platform>.md. ``push_rate`` and
``push_burst`` feed a token bucket per account shared by every worker (Redis), so the
hub never trips the platform's limiter in the first place; a throttle answer still
backs off by the platform's own signal.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PlatformPace:
    push_rate: float  # quantity-push calls per second per account
    push_burst: float
    pull_interval_seconds: int  # scheduled order pull
    daily_revisions_per_listing: int | None = None  # eBay's cap on listing revisions per day


PACE = {
    # GraphQL cost bucket (standard plan: 100 points/s restore, 2000 bucket); a batched
    # inventorySetQuantities costs about 10 points: 5 calls/s stays well inside.
    "shopify": PlatformPace(push_rate=5, push_burst=10, pull_interval_seconds=30),
    # patchListingsItem: 5 requests/s, burst 5, per selling partner.
    "amazon": PlatformPace(push_rate=4.5, push_burst=5, pull_interval_seconds=60),
    # bulkUpdatePriceQuantity: daily call quota, and 250 revisions per listing per day.
    "ebay": PlatformPace(push_rate=5, push_burst=10, pull_interval_seconds=30, daily_revisions_per_listing=250),
    # Shopee: 1000 calls per minute per shop and API.
    "shopee": PlatformPace(push_rate=10, push_burst=20, pull_interval_seconds=30),
    # AliExpress: per-method quotas by app tier (sandbox default 20/s).
    "aliexpress": PlatformPace(push_rate=10, push_burst=20, pull_interval_seconds=10),
}

# Near a daily revision cap, keep the rest of the day's budget for urgent decreases.
REVISION_RESERVE_FRACTION = 0.2
