import pytest

from hub.marketplaces.sandbox.connect import sandbox_account_connect, sandbox_listing_connect
from hub.marketplaces.sandbox.models import SandboxListing
from tests.factories import SellerFactory, SkuFactory, WarehouseFactory, stocked

PLATFORM_REGIONS = {"shopify": "", "amazon": "ATVPDKIKX0DER", "ebay": "EBAY_US", "shopee": "SG", "aliexpress": ""}


@pytest.fixture(autouse=True)
def fresh_rate_buckets(settings):
    """Rate-limit buckets live in Redis across tests; the shops here reuse names, so each test starts full."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter("bucket:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def sandbox_hub(live_server, settings):
    """The hub's own server doubles as every sandbox marketplace (SANDBOX_ENABLED in tests)."""
    settings.HUB_BASE_URL = live_server.url
    return live_server


@pytest.fixture
def five_platforms(sandbox_hub, transactional_db):
    """One SKU with 10 units in the pool, listed by two sellers across all five platforms (showing 0 at first)."""
    sku = SkuFactory(code="MUG-BLUE")
    stocked(sku, WarehouseFactory(), 10)
    alice, bob = SellerFactory(code="alice"), SellerFactory(code="bob")
    owners = {"shopify": alice, "ebay": alice, "amazon": bob, "shopee": bob, "aliexpress": bob}
    listings = {}
    for platform, seller in owners.items():
        account, shop = sandbox_account_connect(
            seller, platform, f"{seller.code}-{platform}", region=PLATFORM_REGIONS[platform]
        )
        listing, _ = sandbox_listing_connect(account, shop, sku, f"{seller.code.upper()}-MUG", 0)
        listings[platform] = listing
    return sku, listings


def shown(listing) -> int:
    """What the marketplace itself shows for a hub listing (the sandbox's state)."""
    return SandboxListing.objects.get(shop__platform=listing.account.platform, seller_sku=listing.seller_sku).quantity


@pytest.fixture
def five_platforms_with_webhooks(five_platforms, sandbox_hub):
    """The same shops, with Shopify, Shopee and eBay pushing order webhooks to the hub."""
    from hub.marketplaces.sandbox.models import SandboxShop

    for platform in ("shopify", "shopee", "ebay"):
        SandboxShop.objects.filter(platform=platform).update(webhook_url=f"{sandbox_hub.url}/webhooks/{platform}/")
    return five_platforms


@pytest.fixture
def worker_factory(django_db_blocker):
    """Start extra Celery workers for one test (stopped at its end)."""
    from tests.fixtures.celery_worker import WorkerProcess, worker_database_name

    started = []

    def start(name: str, queues: tuple[str, ...] = ()):
        worker = WorkerProcess(worker_database_name(django_db_blocker), name=name, queues=queues)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
