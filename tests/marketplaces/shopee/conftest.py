import random
from dataclasses import dataclass

import pytest

from hub.marketplaces import adapter_for_account
from hub.marketplaces.sandbox import shopee as sandbox
from hub.marketplaces.sandbox.models import SandboxCall, SandboxShop
from sellers.models import MarketplaceAccount, Seller


@dataclass
class ShopeeWorld:
    shop: SandboxShop
    account: MarketplaceAccount

    def adapter(self):
        return adapter_for_account(MarketplaceAccount.objects.get(pk=self.account.pk))

    def calls(self, operation: str) -> int:
        return SandboxCall.objects.filter(platform="shopee", shop_id=self.shop.shop_id, operation=operation).count()


@pytest.fixture(autouse=True)
def _sandbox_urls(settings):
    settings.ROOT_URLCONF = "tests.marketplaces.shopee.urls"


@pytest.fixture
def shopee(live_server):
    """A factory of sandbox Shopee shops, each connected to a hub account that talks to it over HTTP."""
    seller = Seller.objects.create(code="lotus", name="Lotus Cross-Border", country="SG")

    def make(region="SG", settings=None, **provision) -> ShopeeWorld:
        shop_id = str(random.randint(10**8, 10**9))  # fresh rate-limit buckets in Redis for every shop
        shop, credentials, account_settings = sandbox.provision_shop(shop_id, region=region, **provision)
        account = MarketplaceAccount.objects.create(
            seller=seller,
            platform="shopee",
            name=f"Shopee {shop_id}",
            shop_id=shop_id,
            region=region,
            base_url=f"{live_server.url}/sandbox/shopee",
            credentials=credentials,
            settings={**account_settings, **(settings or {})},
        )
        return ShopeeWorld(shop, account)

    return make
