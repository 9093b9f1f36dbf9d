"""Sync latency: marketplace orders in, new quantities out to every listing, on the running stack.

How to run (PostgreSQL on 127.0.0.1:5432, user postgres; Redis on 127.0.0.1:6379). The script
drops and re-creates its own database (``hub_bench_sync`` by default), empties its two Redis
databases (10 and 11 by default), and starts everything itself:

    .venv/bin/python bench/sync_latency.py            # full run, about 4 minutes
    .venv/bin/python bench/sync_latency.py --quick    # reduced run, under two minutes
    .venv/bin/python bench/sync_latency.py --json     # one JSON object: {"steady": {...}, "burst": {...}, ...}

What it does: migrate a fresh database; seed the demo (3 sellers, 9 sandbox shops on all five
platforms, 213 listings) and receive extra stock for every listed SKU; start the web server
under gunicorn (2 processes x 8 threads; ``--web runserver`` for Django's dev server) on a free
loopback port (HUB_BASE_URL points at it), and a second one for the sandbox marketplaces' APIs
(SANDBOX_BASE_URL; with runserver one server serves both), Celery workers (the sync queue's;
the default, sandbox, urgent and notification queues' as in the Procfile) and beat (per-account
pulls, the 5 s sync sweep); wait until
every listing shows what the hub advertises; then drive buyer traffic through each sandbox
platform's ``place_order`` from separate processes: a steady phase (20 orders/s over every
listing), a pause for convergence, and a burst (200 orders/s for 10 s on a few hot SKUs),
followed by 60 s of settling. Every order has a buyer of its own (the
sandbox's ``run_traffic`` cycles through eight, which the hub would hold as suspected
duplicates). One hot SKU (``SCARCE_SKU_CODE``) is stocked to sell out during the burst, so
low-stock decreases and a sell-out happen. Generators short of CPU fall behind the nominal
rate; ``orders_placed_per_s`` is what they achieved. A sampler reads, in one REPEATABLE READ snapshot every
``--sample-interval`` seconds, what every sandbox listing shows and what the hub advertises
for it (``inventory.allocation.advertised_quantities``). The generators, the sampler (and their
PostgreSQL backends) and the sandbox's server and webhook worker run at nice ``HARNESS_NICE``. Where
the kernel schedules by autogroup (``/proc/sys/kernel/sched_autogroup_enabled``), a nice value only
ranks a process within its session, and every process the stack starts leads a session of its own:
the sandbox's server and worker then share the CPU with the hub's processes as equals
(``docs/performance.md``, fifth session).

Figures, per phase, overall and per platform:
- ingested_per_s: orders of the phase stored in the hub / (last one stored - phase start);
- detection latency: sandbox order created_at -> hub Order.created_at (per origin platform);
- hub latency: hub order stored -> every other listing of the SKU (and its kits) shows at most
  what the hub advertised for it just after the order (first snapshot after the order's
  commit). Upper bound, resolution one sample interval; per platform, of that platform's
  listings. Orders whose listings never got there by the end count at their censored value;
- sale_to_listings: the same, counted from the sale at the marketplace (detection + hub latency, per
  order): what a change that shortens one at the other's expense must be judged by;
- exposure_listing_s: sum over snapshots of interval x listings showing more than the hub
  advertises (what could be reserved for them): the oversell risk;
- api_calls_per_change: quantity-push calls received by the sandboxes / StockChange rows
  (per platform: / changes of SKUs listed on that platform), in the phase's window;
- oversold: units of the phase's orders the hub could not allocate (backordered, rejected)
  although the marketplace sold them; not_ingested: sandbox orders with no hub order at the end;
  on_hold: orders the hub holds (not reserved) for an operator;
- rate_limit_violations: HTTP 429 answers of the sandboxes, Shopify THROTTLED answers, eBay
  refusals at 250 revisions per listing per day, and eBay listings revised more than 250 times;
- stale_listings_after: listings whose shown quantity differs from the advertised one at the
  end of the phase's settling window (60 s after the burst; the convergence pause after steady);
- stages: where the time goes (webhook delivery, inbox processing, outbox drain delay, push
  queueing, HTTP round trip), from the stage timestamps of InboxMessage, StockChange, PushLog;
- push_limit_floor_s (per platform; per account in push_limit_by_account): the shortest worst-case
  wait any schedule could achieve for that account's listings under the platform's documented push
  limit, given how often their targets changed during the traffic (``bench/_limits.py``). A platform
  whose floor passes the 2 s goal cannot meet it at this traffic whatever the hub does;
  hub_latency_p99_s_where_limits_allow is the p99 over the other platforms' listings, and
  platforms_whose_limits_forbid_goal names the rest (floor_at_hub_pace_s: the same at the hub's own pace);
- cpu_seconds: CPU seconds of each process of the run (with its exited children: PostgreSQL's
  backends) while the steady traffic ran, over the burst and its settling, and while the burst's
  traffic ran, with the cores busy on average.
"""

import argparse
import bisect
import contextlib
import dataclasses
import itertools
import json
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._limits import shortest_worst_wait  # noqa: E402
from bench._stack import (  # noqa: E402 - the project root must be importable first
    Stack,
    database_recreate,
    free_port,
    own_backend_renice,
    redis_flush,
    stack_environment,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hub_bench_sync"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/11"
GOAL_P99_SECONDS = 2.0  # hub latency at the steady rate, for every platform whose limits allow it
PLATFORMS = ("shopify", "amazon", "ebay", "shopee", "aliexpress")
PUSH_OPERATIONS = {
    "shopify": "inventory_set_quantities",
    "amazon": "patchListingsItem",
    "ebay": "bulkUpdatePriceQuantity",
    "shopee": "update_stock",
    "aliexpress": "aliexpress.solution.batch.product.inventory.update",
}
EBAY_DAILY_REVISIONS = 250
HOT_SKU_CODES = ("BOTTLE-500-BLK", "BOTTLE-1000-WHT", "LAMP-BLK-US")  # listed on every platform between them
SCARCE_SKU_CODE = "LAMP-BLK-US"  # its stock runs out during the burst: low-stock decreases, sell-out
SCARCE_SHARE_OF_BURST_DEMAND = 0.15  # the achieved burst rate is a fraction of the nominal one here
STOCK_TOP_UP = 400  # units received for every listed SKU before the run
HOT_STOCK_TOP_UP = 5000
UNALLOCATED_STATES = ("backordered", "rejected")
# The demo's rules hold the pool back to the priority channel below 15 units. At 200 orders/s on three
# hot SKUs about 60 units of one SKU sell per second, so the operator of such a shop sets the low-stock
# threshold to what sells while every channel hears of a sale (a second or so), on every rule (the demo's
# eBay rule has none): the benchmark's rules.
# ``--demo-rules`` keeps the demo's 15 for comparison.
BENCH_LOW_STOCK_THRESHOLD = 60
# The traffic generators (the marketplaces' buyers), the sampler and the sandbox marketplaces (their API server
# and webhook worker) are the world around the hub, not the hub: on this machine they share its two cores, and a
# marketplace's CPU is not the hub's. They run at this nice value, so they take what the hub leaves within their
# scheduler group (a generator short of CPU falls behind: ``orders_placed_per_s`` says so; a slow marketplace shows
# in the push round trip). Across autogroups (see the docstring) nice does not apply.
HARNESS_NICE = 10


@dataclass(frozen=True)
class Plan:
    steady_rate: float
    steady_seconds: float
    pause_seconds: float  # at most, after steady: until every order is in and every listing right
    burst_rate: float
    burst_seconds: float
    settle_seconds: float
    initial_sync_seconds: float


FULL = Plan(20, 60, 75, 200, 10, 60, 90)
QUICK = Plan(10, 10, 15, 100, 3, 30, 40)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="reduced run, under two minutes")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--broker-url", default=os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL))
    parser.add_argument("--workers", type=int, default=1, help="workers on the sync queue (webhooks, drains, pushes)")
    parser.add_argument("--concurrency", type=int, default=4, help="pool size of each worker")
    parser.add_argument(
        "--pool", choices=("prefork", "threads"), default="prefork", help="pool of the sync queue's workers"
    )
    parser.add_argument(
        "--web", choices=("gunicorn", "runserver"), default="gunicorn", help="web server of the hub and the sandboxes"
    )
    parser.add_argument("--generators", type=int, default=4, help="traffic generator processes in the burst")
    parser.add_argument("--sample-interval", type=float, default=0.2, help="seconds between snapshots")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--demo-rules", action="store_true", help=f"keep the demo's threshold, not {BENCH_LOW_STOCK_THRESHOLD}"
    )
    for name in ("steady-rate", "steady-seconds", "pause-seconds", "burst-rate", "burst-seconds", "settle-seconds"):
        parser.add_argument(f"--{name}", type=float, default=None)
    args = parser.parse_args(argv)
    if args.redis_url == args.broker_url:
        parser.error("--redis-url and --broker-url must be different Redis databases")
    return args


def plan_of(args) -> Plan:
    base = QUICK if args.quick else FULL
    overrides = {
        key: getattr(args, key)
        for key in ("steady_rate", "steady_seconds", "pause_seconds", "burst_rate", "burst_seconds", "settle_seconds")
        if getattr(args, key) is not None
    }
    return Plan(**{**base.__dict__, **overrides})


def log(args, message: str) -> None:
    if not args.json:
        print(message, flush=True)
    else:
        print(message, file=sys.stderr, flush=True)


# --- setup --------------------------------------------------------------------------------


def prepare(plan: Plan, *, low_stock_threshold: int | None) -> int:
    """Migrate, seed the demo with its sandbox shops, receive extra stock for every listed SKU.

    The scarce hot SKU is stocked to ``SCARCE_SHARE_OF_BURST_DEMAND`` of the burst's
    expected demand for it (plus the steady phase's), so it sells out during the burst.
    Returns the scarce SKU's pool at the start.
    """
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import F, Sum

    from hub.core.demo import build_demo
    from inventory import services
    from inventory.models import AllocationRule, Sku, Stock, Warehouse
    from sellers.models import Listing

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        build_demo()
        if low_stock_threshold is not None:
            AllocationRule.objects.update(low_stock_threshold=low_stock_threshold)
    central = Warehouse.objects.get(code="SZ-CENTRAL")
    listed = Sku.objects.filter(pk__in=Listing.objects.values("sku_id")).order_by("code")
    listing_count = Listing.objects.filter(is_active=True).count()
    for sku in listed:
        if sku.code == SCARCE_SKU_CODE:
            listings_of_sku = Listing.objects.filter(sku=sku, is_active=True).count()
            steady_demand = plan.steady_rate * plan.steady_seconds * listings_of_sku / listing_count
            burst_demand = plan.burst_rate * plan.burst_seconds / len(HOT_SKU_CODES)
            wanted = int(steady_demand + SCARCE_SHARE_OF_BURST_DEMAND * burst_demand)
            held = Stock.objects.filter(sku=sku, seller__isnull=True).aggregate(
                units=Sum(F("on_hand") - F("reserved"))
            )["units"]
            quantity = max(0, wanted - (held or 0))
        else:
            quantity = HOT_STOCK_TOP_UP if sku.code in HOT_SKU_CODES else STOCK_TOP_UP
        if quantity:
            services.stock_receive(sku=sku, warehouse=central, quantity=quantity, reference="bench:top-up")
    scarce = Stock.objects.filter(sku__code=SCARCE_SKU_CODE, seller__isnull=True)
    return scarce.aggregate(units=Sum(F("on_hand") - F("reserved")))["units"] or 0


# --- the sampler --------------------------------------------------------------------------


@dataclass
class Snapshots:
    listing_ids: list[int]
    times: list[float] = field(default_factory=list)
    shown: list[list[int]] = field(default_factory=list)  # per snapshot, in listing_ids order
    advertised: list[list[int]] = field(default_factory=list)
    cost_seconds: list[float] = field(default_factory=list)


class Sampler(threading.Thread):
    """Snapshots of shown and advertised quantities of every active listing, until stopped."""

    def __init__(self, interval: float):
        super().__init__(daemon=True, name="sampler")
        from sellers.models import Listing

        self.interval = interval
        self.listings = list(Listing.objects.filter(is_active=True).select_related("account").order_by("id"))
        self.snapshots = Snapshots([listing.pk for listing in self.listings])
        self.keys = [(item.account.platform, item.account.shop_id, item.seller_sku) for item in self.listings]
        self._stop_event = threading.Event()
        self.error: BaseException | None = None
        self.cpu_seconds = 0.0  # this thread's own CPU (the database's part is PostgreSQL's)

    def snapshot(self) -> tuple[float, list[int], list[int]]:
        from django.db import connection, transaction

        from hub.marketplaces.sandbox.models import SandboxListing
        from hub.sync.outbox import advertised_now

        with transaction.atomic():
            connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            at = time.time()
            shown_by_key = {
                (platform, shop, sku): quantity
                for platform, shop, sku, quantity in SandboxListing.objects.values_list(
                    "shop__platform", "shop__shop_id", "seller_sku", "quantity"
                )
            }
            advertised = advertised_now(self.listings)
        return (
            at,
            [shown_by_key.get(key, 0) for key in self.keys],
            [advertised[listing_id] for listing_id in self.snapshots.listing_ids],
        )

    def run(self):
        from django.db import connection

        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HARNESS_NICE)  # Linux: this thread only
        own_backend_renice(HARNESS_NICE)
        try:
            while not self._stop_event.is_set():
                started, cpu_started = time.monotonic(), time.thread_time()
                at, shown, advertised = self.snapshot()
                self.cpu_seconds += time.thread_time() - cpu_started
                self.snapshots.times.append(at)
                self.snapshots.shown.append(shown)
                self.snapshots.advertised.append(advertised)
                self.snapshots.cost_seconds.append(time.monotonic() - started)
                self._stop_event.wait(max(0.0, self.interval - (time.monotonic() - started)))
        except Exception as error:  # noqa: BLE001 - handed to the main thread, which raises it
            self.error = error
        finally:
            connection.close()

    def stop(self):
        self._stop_event.set()
        self.join(timeout=30)


# --- traffic ------------------------------------------------------------------------------


def _generate(rate: float, seconds: float, seller_skus, seed: int, nice: int, results) -> None:
    """Buyers order one unit of a random listing at ``rate`` for ``seconds``, each buyer a different person.

    (``run_traffic`` draws from eight demo buyers: at these rates most orders would repeat a
    buyer and items within minutes, and the hub rightly holds suspected duplicates unreserved.)
    """
    from django.db import connections

    from hub.marketplaces.sandbox.common import SandboxOutOfStock, random_buyer
    from hub.marketplaces.sandbox.models import SandboxListing
    from hub.marketplaces.sandbox.registry import sandbox_module

    connections.close_all()  # never share the parent's connections
    os.nice(nice)
    own_backend_renice(nice)
    rng = random.Random(seed)
    listings = SandboxListing.objects.select_related("shop").filter(quantity__gt=0)
    pool = list(listings.filter(seller_sku__in=seller_skus) if seller_skus else listings)
    report = {"placed": 0, "out_of_stock": 0, "by_platform": {}}
    started = time.monotonic()
    for serial in itertools.count():
        due = started + serial / rate
        if due - started >= seconds or time.monotonic() - started >= seconds or not pool:
            break  # the schedule is done, or the wall clock says so (a generator short of CPU falls behind)
        time.sleep(max(0.0, due - time.monotonic()))
        listing = rng.choice(pool)
        buyer = random_buyer(rng)
        buyer = dataclasses.replace(buyer, name=f"{buyer.name} {seed}-{serial}", email=f"b{seed}-{serial}@example.com")
        try:
            sandbox_module(listing.shop.platform).place_order(listing.shop, [(listing.seller_sku, 1)], buyer=buyer)
        except SandboxOutOfStock:
            report["out_of_stock"] += 1
            continue
        report["placed"] += 1
        report["by_platform"][listing.shop.platform] = report["by_platform"].get(listing.shop.platform, 0) + 1
    report["cpu_seconds"] = time.process_time()
    results.put(report)
    connections.close_all()


def _next_result(results, processes, *, deadline: float) -> dict:
    """The next generator's report; fails at once if a generator died without one."""
    import queue

    while time.monotonic() < deadline:
        try:
            return results.get(timeout=0.5)
        except queue.Empty:
            failed = [process.exitcode for process in processes if process.exitcode not in (None, 0)]
            if failed:
                raise RuntimeError(
                    f"a traffic generator failed (exit codes {failed}); see its traceback above"
                ) from None
    raise RuntimeError("traffic generators did not report in time")


def traffic(rate: float, seconds: float, *, generators: int, seller_skus=None, seed: int) -> dict:
    """Run ``generators`` buyer processes sharing ``rate``; returns their summed reports."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [
        context.Process(
            target=_generate, args=(rate / generators, seconds, seller_skus, seed + index, HARNESS_NICE, results)
        )
        for index in range(generators)
    ]
    for process in processes:
        process.start()
    total = {"placed": 0, "out_of_stock": 0, "by_platform": {}, "cpu_seconds": 0.0}
    try:
        for _ in processes:
            part = _next_result(results, processes, deadline=time.monotonic() + seconds + 120)
            total["placed"] += part["placed"]
            total["out_of_stock"] += part["out_of_stock"]
            total["cpu_seconds"] += part["cpu_seconds"]
            for platform, count in part["by_platform"].items():
                total["by_platform"][platform] = total["by_platform"].get(platform, 0) + count
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
    return total


# --- waiting ------------------------------------------------------------------------------


def orders_missing() -> int:
    """Sandbox orders with no hub order yet."""
    from hub.marketplaces.sandbox.models import SandboxOrder
    from orders.models import Order

    stored = set(Order.objects.values_list("platform", "account__shop_id", "external_id"))
    placed = SandboxOrder.objects.values_list("shop__platform", "shop__shop_id", "external_id")
    return sum(1 for key in placed if key not in stored)


def wrong_listings(sampler: Sampler) -> dict:
    """Listings showing more than advertised (a risk) and fewer (lost sales), now; with the total per platform."""
    _at, shown, advertised = sampler.snapshot()
    rows = [
        (listing.account.platform, s, a)
        for listing, s, a in zip(sampler.listings, shown, advertised, strict=True)
        if s != a
    ]
    over = sum(1 for _platform, s, a in rows if s > a)
    by_platform = {platform: sum(1 for row in rows if row[0] == platform) for platform in PLATFORMS}
    return {"total": len(rows), "showing_more": over, "showing_fewer": len(rows) - over, "by_platform": by_platform}


def wrong_listings_detail(sampler: Sampler, limit: int = 12) -> list[dict]:
    """The listings showing another quantity than advertised, with their push state (to explain them)."""
    from hub.sync.models import ListingPush

    _at, shown, advertised = sampler.snapshot()
    wrong = [(listing, s, a) for listing, s, a in zip(sampler.listings, shown, advertised, strict=True) if s != a]
    pushes = {push.listing_id: push for push in ListingPush.objects.filter(listing__in=[w[0] for w in wrong])}
    detail = []
    for listing, s, a in wrong[:limit]:
        push = pushes.get(listing.pk)
        detail.append(
            {
                "platform": listing.account.platform,
                "seller_sku": listing.seller_sku,
                "shown": s,
                "advertised": a,
                "push_target": push.target_quantity if push else None,
                "push_pending": push.is_pending if push else None,
                "pushed_quantity": push.pushed_quantity if push else None,
                "last_error": (push.last_error[:120] if push else ""),
            }
        )
    return detail


def pushes_pending() -> int:
    from django.db.models import F

    from hub.sync.models import ListingPush

    return ListingPush.objects.filter(pushed_version__lt=F("version")).count()


def wait_converged(sampler: Sampler, seconds: float, stack: Stack) -> tuple[bool, float]:
    """Poll until every sandbox order is in the hub, no push is pending and no listing shows more than advertised.

    (A listing showing fewer units than advertised does not hold the run up: see the eBay cap
    in docs/performance.md; it is counted in ``stale_listings_after``.)
    """
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        stack.check_alive()
        if orders_missing() == 0 and pushes_pending() == 0 and wrong_listings(sampler)["showing_more"] == 0:
            return True, time.monotonic() - started
        time.sleep(0.5)
    return False, time.monotonic() - started


# --- figures ------------------------------------------------------------------------------


def percentiles(values) -> dict:
    values = sorted(values)
    if not values:
        return {"count": 0, "p50": None, "p95": None, "p99": None, "max": None}

    def at(fraction):
        return round(values[min(len(values) - 1, int(fraction * len(values)))], 3)

    return {"count": len(values), "p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(values[-1], 3)}


def _seconds(later, earlier) -> float:
    return (later - earlier).total_seconds()


@dataclass(frozen=True)
class Window:
    name: str
    traffic_from: float  # epoch seconds
    traffic_to: float
    until: float  # end of the settling window
    # each listing's push version (one up per retarget) when the traffic started and stopped
    versions_from: dict[int, int] = field(default_factory=dict)
    versions_to: dict[int, int] = field(default_factory=dict)


def push_versions() -> dict[int, int]:
    from hub.sync.models import ListingPush

    return dict(ListingPush.objects.values_list("listing_id", "version"))


def phase_figures(window: Window, snapshots: Snapshots, sandbox_report: dict, stale_after: dict) -> dict:
    """Every figure of one phase, overall and per platform."""
    import datetime as dt

    from django.db.models import Q

    from hub.marketplaces.sandbox.models import SandboxCall, SandboxListing, SandboxOrder
    from hub.sync.models import PushLog, StockChange, SyncEvent
    from hub.sync.outbox import LOW_STOCK_LEVEL
    from inventory.selectors import skus_affected_by
    from orders.models import Order, OrderLine
    from sellers.models import Listing

    def aware(epoch):
        return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)

    start, end, until = aware(window.traffic_from), aware(window.traffic_to), aware(window.until)
    sandbox_orders = list(
        SandboxOrder.objects.filter(created_at__gte=start, created_at__lte=end).values_list(
            "shop__platform", "shop__shop_id", "external_id", "created_at"
        )
    )
    hub_orders = {
        (platform, shop, external): (pk, created, updated, state)
        for pk, platform, shop, external, created, updated, state in Order.objects.filter(
            placed_at__gte=start - dt.timedelta(seconds=5)
        ).values_list("pk", "platform", "account__shop_id", "external_id", "created_at", "updated_at", "state")
    }
    lines = {}
    for order_id, sku_id, listing_id, quantity in OrderLine.objects.filter(
        order_id__in=[value[0] for value in hub_orders.values()]
    ).values_list("order_id", "sku_id", "listing_id", "quantity"):
        lines.setdefault(order_id, []).append((sku_id, listing_id, quantity))
    listings = {
        pk: (sku_id, platform)
        for pk, sku_id, platform in Listing.objects.filter(is_active=True).values_list(
            "pk", "sku_id", "account__platform"
        )
    }
    listings_of_sku: dict[int, list[int]] = {}
    for pk, (sku_id, _platform) in listings.items():
        listings_of_sku.setdefault(sku_id, []).append(pk)
    column = {listing_id: index for index, listing_id in enumerate(snapshots.listing_ids)}

    detection = {platform: [] for platform in PLATFORMS}
    hub_latency_all: list[float] = []
    hub_latency = {platform: [] for platform in PLATFORMS}
    # From the sale at the marketplace (detection + hub latency): what a trade between the two must be judged by.
    from_sale_all: list[float] = []
    from_sale = {platform: [] for platform in PLATFORMS}
    censored = 0
    oversold = dict.fromkeys(PLATFORMS, 0)
    missing = dict.fromkeys(PLATFORMS, 0)
    held = dict.fromkeys(PLATFORMS, 0)  # on hold: not reserved, though the marketplace sold it
    stored_times = []
    for platform, shop, external, created in sandbox_orders:
        found = hub_orders.get((platform, shop, external))
        if found is None:
            missing[platform] += 1
            continue
        order_id, stored, committed, state = found
        stored_times.append(stored)
        detected_after = _seconds(stored, created)
        detection[platform].append(detected_after)
        if state == "on_hold":
            held[platform] += 1
        if state in UNALLOCATED_STATES:
            oversold[platform] += sum(quantity for _sku, _listing, quantity in lines.get(order_id, []))
        worst, was_censored = _order_hub_latency(
            stored.timestamp(),
            committed.timestamp(),
            lines.get(order_id, []),
            snapshots,
            column,
            listings,
            listings_of_sku,
            skus_affected_by,
            hub_latency,
            detected_after=detected_after,
            from_sale_by_platform=from_sale,
        )
        censored += was_censored
        if worst is not None:
            hub_latency_all.append(worst)
            from_sale_all.append(worst + detected_after)

    # exposure, over the traffic and settling window
    exposure = dict.fromkeys(PLATFORMS, 0.0)
    exposure_low = dict.fromkeys(PLATFORMS, 0.0)  # while the hub advertises LOW_STOCK_LEVEL or fewer
    platform_of_column = [listings.get(listing_id, (None, None))[1] for listing_id in snapshots.listing_ids]
    first = bisect.bisect_left(snapshots.times, window.traffic_from)
    last = bisect.bisect_right(snapshots.times, window.until)
    for index in range(first, min(last, len(snapshots.times) - 1)):
        step = snapshots.times[index + 1] - snapshots.times[index]
        shown, advertised = snapshots.shown[index], snapshots.advertised[index]
        for col, (s, a) in enumerate(zip(shown, advertised, strict=True)):
            if s > a and platform_of_column[col]:
                exposure[platform_of_column[col]] += step
                if a <= LOW_STOCK_LEVEL:
                    exposure_low[platform_of_column[col]] += step

    # API calls per stock change
    window_q = Q(at__gte=start, at__lte=until)
    calls = dict.fromkeys(PLATFORMS, 0)
    for platform, operation in PUSH_OPERATIONS.items():
        calls[platform] = SandboxCall.objects.filter(window_q, platform=platform, operation=operation).count()
    changes = list(
        StockChange.objects.filter(created_at__gte=start, created_at__lte=until).values_list(
            "sku_id", "created_at", "processed_at"
        )
    )
    platforms_of_sku: dict[int, set[str]] = {}
    for sku_id, platform in listings.values():
        platforms_of_sku.setdefault(sku_id, set()).add(platform)
    changes_on = dict.fromkeys(PLATFORMS, 0)
    for sku_id, _created, _processed in changes:
        for affected in skus_affected_by({sku_id}):
            for platform in platforms_of_sku.get(affected, ()):
                changes_on[platform] += 1

    # rate limits
    violations = dict.fromkeys(PLATFORMS, 0)
    violations_by_operation: dict[str, int] = {}
    for platform, operation in SandboxCall.objects.filter(window_q, status_code=429).values_list(
        "platform", "operation"
    ):
        violations[platform] += 1
        violations_by_operation[f"{platform} {operation}"] = (
            violations_by_operation.get(f"{platform} {operation}", 0) + 1
        )
    violations["shopify"] += SyncEvent.objects.filter(
        at__gte=start, at__lte=until, kind="throttled", account__platform="shopify"
    ).count()
    violations["ebay"] += PushLog.objects.filter(
        sent_at__gte=start, sent_at__lte=until, account__platform="ebay", error__contains="25002"
    ).count()
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    ebay_revisions = [
        (revisions or {}).get(today, 0)
        for revisions in SandboxListing.objects.filter(shop__platform="ebay").values_list("revisions", flat=True)
    ]
    violations["ebay"] += sum(1 for count in ebay_revisions if count > EBAY_DAILY_REVISIONS)

    stages = stage_figures(start, until, changes)
    duration = window.traffic_to - window.traffic_from
    floors = push_limit_floors(window)
    per_platform = {}
    for platform in PLATFORMS:
        latency = percentiles(hub_latency[platform])
        per_platform[platform] = {
            "orders_placed": sum(1 for order in sandbox_orders if order[0] == platform),
            "detection_latency": percentiles(detection[platform]),
            "detection_latency_p99_s": percentiles(detection[platform])["p99"],
            "hub_latency": latency,
            "hub_latency_p50_s": latency["p50"],
            "hub_latency_p99_s": latency["p99"],
            "sale_to_listings_p99_s": percentiles(from_sale[platform])["p99"],
            "exposure_listing_s": round(exposure[platform], 2),
            "exposure_low_stock_listing_s": round(exposure_low[platform], 2),
            "api_calls": calls[platform],
            "api_calls_per_change": round(calls[platform] / changes_on[platform], 3) if changes_on[platform] else None,
            "oversold": oversold[platform],
            "not_ingested": missing[platform],
            "on_hold": held[platform],
            "rate_limit_violations": violations[platform],
            "stale_listings_after": stale_after["by_platform"][platform],
            "push_limit_floor_s": max((floor["floor_s"] for floor in floors[platform]), default=0.0),
            "push_limit_by_account": floors[platform],
        }
    forbidden = sorted(
        platform for platform in PLATFORMS if per_platform[platform]["push_limit_floor_s"] > GOAL_P99_SECONDS
    )
    overall_latency = percentiles(hub_latency_all)
    overall_from_sale = percentiles(from_sale_all)
    all_detection = percentiles([value for values in detection.values() for value in values])
    ingest_span = max((_seconds(stored, start) for stored in stored_times), default=0.0)
    return {
        "traffic_seconds": round(duration, 2),
        "orders_placed": len(sandbox_orders),
        "orders_placed_per_s": round(len(sandbox_orders) / duration, 1) if duration else None,
        "out_of_stock_refusals": sandbox_report.get("out_of_stock", 0),
        "traffic_generators_cpu_seconds": round(sandbox_report.get("cpu_seconds", 0.0), 1),
        "orders_ingested": len(stored_times),
        "ingested_per_s": round(len(stored_times) / ingest_span, 1) if ingest_span else None,
        "detection_latency": all_detection,
        "detection_latency_p99_s": all_detection["p99"],
        "hub_latency": overall_latency,
        "hub_latency_p50_s": overall_latency["p50"],
        "hub_latency_p99_s": overall_latency["p99"],
        "hub_latency_censored_orders": censored,
        "sale_to_listings": overall_from_sale,
        "sale_to_listings_p50_s": overall_from_sale["p50"],
        "sale_to_listings_p99_s": overall_from_sale["p99"],
        "exposure_listing_s": round(sum(exposure.values()), 2),
        "exposure_low_stock_listing_s": round(sum(exposure_low.values()), 2),
        "stock_changes": len(changes),
        "api_calls": sum(calls.values()),
        "api_calls_per_change": round(sum(calls.values()) / len(changes), 3) if changes else None,
        "oversold": sum(oversold.values()),
        "not_ingested": sum(missing.values()),
        "on_hold": sum(held.values()),
        "rate_limit_violations": sum(violations.values()),
        "rate_limit_violations_by_operation": violations_by_operation,
        "ebay_max_revisions_per_listing_today": max(ebay_revisions, default=0),
        "stale_listings_after": stale_after["total"],
        "stale_listings_after_showing_more": stale_after["showing_more"],
        "stale_listings_after_showing_fewer": stale_after["showing_fewer"],
        "stages": stages,
        "per_platform": per_platform,
        "hub_latency_p99_s_where_limits_allow": percentiles(
            [value for platform, values in hub_latency.items() if platform not in forbidden for value in values]
        )["p99"],
        "platforms_whose_limits_forbid_goal": forbidden,
    }


def documented_push_rate(platform: str) -> float:
    """Push calls a second one account may make: the platform's documented limit, or the hub's pace where the
    limit is not a per-second rate (Shopify's cost bucket, eBay's daily quota)."""
    from hub.marketplaces.sandbox.aliexpress import views as aliexpress
    from hub.marketplaces.sandbox.amazon.api import USAGE_PLANS
    from hub.marketplaces.sandbox.shopee import views as shopee
    from hub.sync.limits import PACE

    documented = {
        "amazon": USAGE_PLANS["patchListingsItem"][0],
        "shopee": shopee.DEFAULT_RATE[0],
        "aliexpress": aliexpress.DEFAULT_RATE[0],
    }
    return documented.get(platform, PACE[platform].push_rate)


def push_limit_floors(window: Window) -> dict[str, list[dict]]:
    """Per platform, per account: its listings' target changes a second over the traffic (retargets, from the
    push versions; changes folded into one retarget count once, so the rates err low), and the shortest
    worst-case wait the platform's push limit allows at that rate (``bench._limits``)."""
    from hub.marketplaces.registry import adapter_class
    from hub.sync.limits import PACE
    from sellers.models import Listing

    seconds = window.traffic_to - window.traffic_from
    rates_of: dict[tuple[str, int], list[float]] = {}
    for pk, platform, account_id in Listing.objects.filter(is_active=True).values_list(
        "pk", "account__platform", "account_id"
    ):
        retargets = window.versions_to.get(pk, 0) - window.versions_from.get(pk, 0)
        rates_of.setdefault((platform, account_id), []).append(retargets / seconds if seconds > 0 else 0.0)
    floors: dict[str, list[dict]] = {platform: [] for platform in PLATFORMS}
    for (platform, account_id), rates in sorted(rates_of.items()):
        rate, batch = documented_push_rate(platform), adapter_class(platform).batch_limit
        floors[platform].append(
            {
                "account": account_id,
                "listings": len(rates),
                "target_changes_per_s": round(sum(rates), 2),
                "push_calls_per_s_allowed": round(rate, 2),
                "listings_per_call": batch,
                "floor_s": shortest_worst_wait(rates, rate, batch),
                "floor_at_hub_pace_s": shortest_worst_wait(rates, PACE[platform].push_rate, batch),
            }
        )
    return floors


def _order_hub_latency(
    stored,
    committed,
    order_lines,
    snapshots,
    column,
    listings,
    listings_of_sku,
    skus_affected_by,
    by_platform,
    *,
    detected_after: float = 0.0,
    from_sale_by_platform=None,
):
    """(worst latency over the order's other listings, 1 if some listing never got there else 0).

    ``from_sale_by_platform``: each listing's latency counted from the sale instead (``detected_after`` earlier).
    """
    times = snapshots.times
    base = bisect.bisect_left(times, stored)
    threshold_index = bisect.bisect_left(times, committed + 0.02)
    if threshold_index >= len(times):
        return None, 0
    worst, censored = 0.0, 0
    for sku_id, origin_listing, _quantity in order_lines:
        if sku_id is None:
            continue
        for affected in skus_affected_by({sku_id}):
            for listing_id in listings_of_sku.get(affected, []):
                if listing_id == origin_listing or listing_id not in column:
                    continue
                col = column[listing_id]
                threshold = snapshots.advertised[threshold_index][col]
                index = base
                while index < len(times) and snapshots.shown[index][col] > threshold:
                    index += 1
                if index == len(times):
                    censored = 1
                    index -= 1
                latency = max(0.0, times[index] - stored)
                by_platform[listings[listing_id][1]].append(latency)
                if from_sale_by_platform is not None:
                    from_sale_by_platform[listings[listing_id][1]].append(latency + detected_after)
                worst = max(worst, latency)
    return worst, censored


def stage_figures(start, until, changes) -> dict:
    """Where the time goes: each stage's p50/p99 in seconds."""
    from hub.marketplaces.sandbox.models import SandboxWebhook
    from hub.sync.models import InboxMessage, PushLog, PushPriority

    inbox = list(
        InboxMessage.objects.filter(received_at__gte=start, received_at__lte=until, processed_at__isnull=False)
        .values_list("platform", "source", "received_at", "processed_at")
        .order_by()
    )
    pushes = list(
        PushLog.objects.filter(sent_at__gte=start, sent_at__lte=until, outcome="ok").values(
            "account__platform", "priority", "changed_at", "targeted_at", "picked_at", "sent_at", "acked_at"
        )
    )
    deliveries = list(
        SandboxWebhook.objects.filter(created_at__gte=start, created_at__lte=until, delivered_at__isnull=False)
        .values_list("created_at", "delivered_at")
        .order_by()
    )
    figures = {
        "sandbox_webhook_queued_to_delivered": percentiles([_seconds(done, made) for made, done in deliveries]),
        "webhook_inbox_to_processed": percentiles(
            [_seconds(done, got) for _p, source, got, done in inbox if source == "webhook"]
        ),
        "pull_inbox_to_processed": percentiles(
            [_seconds(done, got) for _p, source, got, done in inbox if source == "pull"]
        ),
        "change_to_drained": percentiles(
            [_seconds(processed, created) for _sku, created, processed in changes if processed]
        ),
        "push_changed_to_targeted": _push_stage(pushes, "changed_at", "targeted_at"),
        "push_targeted_to_picked": _push_stage(pushes, "targeted_at", "picked_at"),
        "push_changed_to_picked": _push_stage(pushes, "changed_at", "picked_at"),
        "push_sent_to_acked": _push_stage(pushes, "sent_at", "acked_at"),
        "push_changed_to_acked": _push_stage(pushes, "changed_at", "acked_at"),
        "push_changed_to_acked_low_stock": _push_stage(
            [push for push in pushes if push["priority"] == PushPriority.URGENT], "changed_at", "acked_at"
        ),
        "push_changed_to_acked_by_platform": {
            platform: _push_stage(
                [push for push in pushes if push["account__platform"] == platform], "changed_at", "acked_at"
            )
            for platform in PLATFORMS
        },
    }
    return figures


def _push_stage(pushes: list[dict], begin: str, end: str) -> dict:
    return percentiles([_seconds(push[end], push[begin]) for push in pushes if push[begin] and push[end]])


# --- the run ------------------------------------------------------------------------------


def run(args) -> dict:
    plan = plan_of(args)
    port = free_port()
    sandbox_port = free_port() if args.web == "gunicorn" and HARNESS_NICE else None
    env = stack_environment(
        database_url=args.database_url,
        redis_url=args.redis_url,
        broker_url=args.broker_url,
        port=port,
        sandbox_port=sandbox_port,
    )
    os.environ.update(env)
    import django

    django.setup()
    from sellers.models import Listing

    log(args, f"database {args.database_url.rsplit('/', 1)[-1]}: re-created, migrating and seeding")
    database_recreate(args.database_url)
    redis_flush(args.redis_url)
    redis_flush(args.broker_url)
    threshold = None if args.demo_rules else BENCH_LOW_STOCK_THRESHOLD
    scarce_units = prepare(plan, low_stock_threshold=threshold)
    hot_seller_skus = list(Listing.objects.filter(sku__code__in=HOT_SKU_CODES).values_list("seller_sku", flat=True))
    log_dir = ROOT / "var" / f"bench-sync-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    result: dict = {
        "plan": plan.__dict__,
        "hot_skus": HOT_SKU_CODES,
        "scarce_sku": {"code": SCARCE_SKU_CODE, "pool_at_start": scarce_units},
        "low_stock_threshold": threshold or "demo rules",
        "web_server": args.web,
        "harness_nice": HARNESS_NICE,
        "port": port,
        "logs": str(log_dir.relative_to(ROOT)),
    }
    # As make run's Procfile: the sync queue (webhook processing, drains, pushes) has workers of its own, so
    # a pull waiting out Amazon's pace never holds a process that a push needs.
    default_queue = env["CELERY_TASK_DEFAULT_QUEUE"]
    stack = Stack(
        env,
        port=port,
        workers=args.workers,
        concurrency=args.concurrency,
        pool=args.pool,
        web_server=args.web,
        sandbox_port=sandbox_port,
        sandbox_nice=HARNESS_NICE,
        log_dir=log_dir,
        queues=(f"{default_queue}.sync",),
        extra_queues=(
            (default_queue, 2),
            (f"{default_queue}.sandbox", 2),  # a real platform posts its webhooks from its own machines
            (f"{default_queue}.urgent", 1),
            (f"{default_queue}.notifications", 1),
        ),
    )
    with stack:
        sampler = Sampler(args.sample_interval)
        log(args, f"stack up on 127.0.0.1:{port}; {len(sampler.listings)} listings; waiting for the first push")
        converged, waited = wait_converged(sampler, plan.initial_sync_seconds, stack)
        result["initial_sync"] = {"converged": converged, "seconds": round(waited, 1)}
        sampler.start()
        try:
            log(args, f"steady: {plan.steady_rate:g} orders/s for {plan.steady_seconds:g} s")
            steady_versions = [push_versions()]
            steady_from = time.time()
            cpu_marks = [stack.cpu_seconds()]
            steady_report = traffic(
                plan.steady_rate, plan.steady_seconds, generators=min(2, args.generators), seed=args.seed
            )
            steady_to = time.time()
            steady_versions.append(push_versions())
            cpu_marks.append(stack.cpu_seconds())  # steady state: while the traffic runs
            converged, waited = wait_converged(sampler, plan.pause_seconds, stack)
            steady_stale = wrong_listings(sampler)
            result["steady_stale_detail"] = [] if converged else wrong_listings_detail(sampler)
            result["steady_not_ingested_at_pause_end"] = orders_missing()
            steady_until = time.time()
            result["pause"] = {"converged": converged, "seconds": round(waited, 1)}
            log(args, f"burst: {plan.burst_rate:g} orders/s for {plan.burst_seconds:g} s on {HOT_SKU_CODES}")
            burst_versions = [push_versions()]
            burst_from = time.time()
            cpu_marks.append(stack.cpu_seconds())
            burst_report = traffic(
                plan.burst_rate,
                plan.burst_seconds,
                generators=args.generators,
                seller_skus=hot_seller_skus,
                seed=args.seed + 100,
            )
            burst_to = time.time()
            burst_versions.append(push_versions())
            cpu_marks.append(stack.cpu_seconds())  # while the burst's traffic runs
            deadline = burst_to + plan.settle_seconds
            while time.time() < deadline:
                stack.check_alive()
                time.sleep(min(1.0, max(0.0, deadline - time.time())))
            burst_stale = wrong_listings(sampler)
            result["burst_stale_detail"] = wrong_listings_detail(sampler)
            burst_until = time.time()
            cpu_marks.append(stack.cpu_seconds())
        finally:
            sampler.stop()
        if sampler.error is not None:
            raise RuntimeError("sampler failed") from sampler.error
    log(args, "stack stopped; computing figures")
    result["sampler"] = {
        "snapshots": len(sampler.snapshots.times),
        "interval_s": args.sample_interval,
        "snapshot_cost_p50_s": round(statistics.median(sampler.snapshots.cost_seconds), 4),
        "cpu_seconds": round(sampler.cpu_seconds, 1),
    }
    result["cpu_seconds"] = {
        "steady": cpu_used(cpu_marks[0], cpu_marks[1], steady_to - steady_from),
        "burst": cpu_used(cpu_marks[2], cpu_marks[4], burst_until - burst_from),
        "burst_traffic": cpu_used(cpu_marks[2], cpu_marks[3], burst_to - burst_from),
    }
    result["steady"] = phase_figures(
        Window("steady", steady_from, steady_to, steady_until, *steady_versions),
        sampler.snapshots,
        steady_report,
        steady_stale,
    )
    result["burst"] = phase_figures(
        Window("burst", burst_from, burst_to, burst_until, *burst_versions),
        sampler.snapshots,
        burst_report,
        burst_stale,
    )
    return result


def cpu_used(before: dict, after: dict, seconds: float) -> dict:
    """CPU seconds each process used between two marks, the total, and the cores busy on average."""
    used = {name: round(after[name] - before.get(name, 0.0), 1) for name in after}
    total = sum(used.values())
    return {"by_process": used, "total": round(total, 1), "cores_busy": round(total / seconds, 2) if seconds else None}


def text_report(result: dict) -> str:
    lines = [
        f"initial sync: {result['initial_sync']}; pause after steady: {result['pause']}; sampler: {result['sampler']}",
        f"scarce SKU: {result['scarce_sku']}",
    ]
    for phase in ("steady", "burst"):
        figures = result[phase]
        lines.append(
            f"\n{phase}: placed {figures['orders_placed']} ({figures['orders_placed_per_s']}/s; "
            f"{figures['out_of_stock_refusals']} refused out of stock), "
            f"ingested {figures['orders_ingested']} ({figures['ingested_per_s']}/s), "
            f"stock changes {figures['stock_changes']}, push calls {figures['api_calls']} "
            f"({figures['api_calls_per_change']}/change)"
        )
        lines.append(
            f"  hub latency {figures['hub_latency']} (censored orders {figures['hub_latency_censored_orders']})"
        )
        lines.append(f"  detection latency {figures['detection_latency']}")
        lines.append(f"  from the sale to every other listing (detection + hub) {figures['sale_to_listings']}")
        lines.append(
            f"  exposure {figures['exposure_listing_s']} listing-s "
            f"(at low stock {figures['exposure_low_stock_listing_s']}), oversold {figures['oversold']}, "
            f"not ingested {figures['not_ingested']}, on hold {figures['on_hold']}, "
            f"rate-limit violations {figures['rate_limit_violations']}, "
            f"stale after {figures['stale_listings_after']} ({figures['stale_listings_after_showing_more']} showing "
            f"more, {figures['stale_listings_after_showing_fewer']} fewer), eBay max revisions today "
            f"{figures['ebay_max_revisions_per_listing_today']}"
        )
        lines.append(
            f"  {'platform':<11}{'placed':>7}{'det p99':>9}{'hub p50':>9}{'hub p99':>9}{'hub max':>9}"
            f"{'expo':>8}{'calls/chg':>10}{'oversold':>9}{'429s':>6}{'floor':>7}"
        )
        for platform, row in figures["per_platform"].items():
            lines.append(
                f"  {platform:<11}{row['orders_placed']:>7}{_fmt(row['detection_latency_p99_s']):>9}"
                f"{_fmt(row['hub_latency_p50_s']):>9}{_fmt(row['hub_latency_p99_s']):>9}"
                f"{_fmt(row['hub_latency']['max']):>9}{row['exposure_listing_s']:>8}"
                f"{_fmt(row['api_calls_per_change']):>10}{row['oversold']:>9}{row['rate_limit_violations']:>6}"
                f"{_fmt(row['push_limit_floor_s']):>7}"
            )
        lines.append(
            f"  (floor: the shortest worst-case wait the platform's push limit allows at this traffic.) Hub latency "
            f"p99 where the limits allow {GOAL_P99_SECONDS:g} s: "
            f"{_fmt(figures['hub_latency_p99_s_where_limits_allow'])}"
            f"; limits forbid it on: {', '.join(figures['platforms_whose_limits_forbid_goal']) or 'none'}"
        )
        if figures["rate_limit_violations_by_operation"]:
            lines.append(f"  rate-limit violations by operation: {figures['rate_limit_violations_by_operation']}")
        for row in result.get(f"{phase}_stale_detail", []):
            lines.append(f"  stale: {row}")
        cpu = result["cpu_seconds"][phase]
        busiest = sorted(cpu["by_process"].items(), key=lambda item: -item[1])
        lines.append(
            f"  CPU: {cpu['total']} s, {cpu['cores_busy']} cores busy on average; "
            + ", ".join(f"{name} {seconds}" for name, seconds in busiest)
            + f" (of the benchmark's: traffic generators {figures['traffic_generators_cpu_seconds']})"
        )
        if phase == "burst":
            traffic_cpu = result["cpu_seconds"]["burst_traffic"]
            lines.append(
                f"  CPU while the burst's traffic ran: {traffic_cpu['cores_busy']} cores busy; "
                + ", ".join(f"{n} {v}" for n, v in sorted(traffic_cpu["by_process"].items(), key=lambda i: -i[1]))
            )
        lines.append("  stages (s):")
        for name, value in figures["stages"].items():
            if name != "push_changed_to_acked_by_platform":
                lines.append(f"    {name:<28} {value}")
    return "\n".join(lines)


def _fmt(value) -> str:
    return "-" if value is None else f"{value:g}"


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    try:
        result = run(args)
    except KeyboardInterrupt:
        print("interrupted; every process of the run was stopped", file=sys.stderr)
        return 130
    result["wall_seconds"] = round(time.monotonic() - started, 1)
    if args.json:
        print(json.dumps(result, default=str))
    else:
        print(text_report(result))
        print(f"\nwall time {result['wall_seconds']} s")
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
