"""A sandbox shop connected to a hub account over live HTTP (shared by the Shopee and AliExpress tests)."""

import random
from dataclasses import dataclass

from hub.marketplaces import adapter_for_account
from hub.marketplaces.sandbox.models import SandboxShop
from sellers.models import MarketplaceAccount, Seller
from tests.marketplaces.support import account_for_shop, calls


@dataclass
class World:
    shop: SandboxShop
    account: MarketplaceAccount

    def adapter(self):
        return adapter_for_account(MarketplaceAccount.objects.get(pk=self.account.pk))

    def calls(self, operation: str) -> int:
        return calls(self.shop, operation)


def world_factory(platform: str, sandbox, live_server):
    seller = Seller.objects.create(code="lotus", name="Lotus Cross-Border", country="SG")

    def make(region="", settings=None, **provision) -> World:
        shop_id = str(random.randint(10**8, 10**9))  # fresh rate-limit buckets in Redis for every shop
        shop, credentials, account_settings = sandbox.provision_shop(shop_id, region=region, **provision)
        account = account_for_shop(
            seller,
            shop,
            credentials,
            f"{live_server.url}/sandbox/{platform}",
            region=region,
            settings={**account_settings, **(settings or {})},
        )
        return World(shop, account)

    return make
