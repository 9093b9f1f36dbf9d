import pytest

from hub.marketplaces.sandbox.connect import sandbox_account_connect, sandbox_listing_connect
from hub.marketplaces.sandbox.models import SandboxListing
from tests.factories import SellerFactory, SkuFactory, WarehouseFactory, stocked

PLATFORM_REGIONS = {"shopify": "", "amazon": "ATVPDKIKX0DER", "ebay": "EBAY_US", "shopee": "SG", "aliexpress": ""}


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
