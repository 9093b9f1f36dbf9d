import uuid
from dataclasses import dataclass

import httpx
import pytest

from hub.marketplaces import adapter_for_account
from hub.marketplaces.sandbox import shopify as sandbox
from hub.marketplaces.sandbox.models import SandboxListing, SandboxShop
from sellers.models import MarketplaceAccount, Seller
from tests.marketplaces.support import account_for_shop, calls


@dataclass
class ShopifyWorld:
    """A sandbox store and the hub account connected to it over real HTTP."""

    shop: SandboxShop
    account: MarketplaceAccount
    base_url: str  # the store's own URL, e.g. http://127.0.0.1:PORT/sandbox/shopify/<shop>

    def adapter(self):
        return adapter_for_account(MarketplaceAccount.objects.get(pk=self.account.pk))

    def calls(self, operation: str, **filters) -> int:
        return calls(self.shop, operation, **filters)

    def credentials(self) -> dict:
        return MarketplaceAccount.objects.get(pk=self.account.pk).credentials

    def admin(self, method: str, path: str, token: str | None = None, **kwargs) -> httpx.Response:
        """A raw Admin API call, for checking the sandbox's own answers."""
        token = token if token is not None else self.credentials()["access_token"]
        url = f"{self.base_url}/admin/api/2026-10/{path}"
        return httpx.request(method, url, headers={"X-Shopify-Access-Token": token}, timeout=10, **kwargs)

    def listings(self, count: int, quantity: int = 10) -> list[SandboxListing]:
        return [
            sandbox.listing_create(self.shop, f"SKU-{index:04d}", quantity, title=f"Item {index}", price="19.90")
            for index in range(count)
        ]


@pytest.fixture(autouse=True)
def _shopify_sandbox_urls(settings):
    settings.ROOT_URLCONF = "tests.marketplaces.shopify.urls"


@pytest.fixture
def shopify(live_server, settings):
    """A factory of sandbox stores, each with a hub account; every store is new (fresh Redis buckets)."""
    settings.HUB_BASE_URL = live_server.url
    seller = Seller.objects.create(code="harbor", name="Harbor Trading", country="US")

    def make(account_settings: dict | None = None, **provision) -> ShopifyWorld:
        shop_id = f"test-{uuid.uuid4().hex[:10]}"
        shop, credentials, defaults = sandbox.provision_shop(shop_id, **provision)
        account = account_for_shop(
            seller,
            shop,
            credentials,
            sandbox.sandbox_base_url(),
            settings={**defaults, **(account_settings or {})},
            name=f"Shopify {shop_id}",
        )
        return ShopifyWorld(shop, account, f"{live_server.url}/sandbox/shopify/{shop_id}")

    return make
