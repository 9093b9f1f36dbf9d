"""A sandbox shop connected to a hub account over live HTTP (shared by the Shopee and AliExpress tests)."""

import random
import threading
from dataclasses import dataclass

from django.db import connection

from hub.marketplaces import adapter_for_account
from hub.marketplaces.sandbox.models import SandboxCall, SandboxShop
from sellers.models import MarketplaceAccount, Seller


@dataclass
class World:
    shop: SandboxShop
    account: MarketplaceAccount

    def adapter(self):
        return adapter_for_account(MarketplaceAccount.objects.get(pk=self.account.pk))

    def calls(self, operation: str) -> int:
        platform = self.account.platform
        return SandboxCall.objects.filter(platform=platform, shop_id=self.shop.shop_id, operation=operation).count()


def world_factory(platform: str, sandbox, live_server):
    seller = Seller.objects.create(code="lotus", name="Lotus Cross-Border", country="SG")

    def make(region="", settings=None, **provision) -> World:
        shop_id = str(random.randint(10**8, 10**9))  # fresh rate-limit buckets in Redis for every shop
        shop, credentials, account_settings = sandbox.provision_shop(shop_id, region=region, **provision)
        account = MarketplaceAccount.objects.create(
            seller=seller,
            platform=platform,
            name=f"{platform} {shop_id}",
            shop_id=shop_id,
            region=region,
            base_url=f"{live_server.url}/sandbox/{platform}",
            credentials=credentials,
            settings={**account_settings, **(settings or {})},
        )
        return World(shop, account)

    return make


def run_together(count: int, action) -> list[Exception]:
    """Run ``action()`` in ``count`` threads released at once; return the errors they raised."""
    barrier = threading.Barrier(count)
    errors: list[Exception] = []

    def worker():
        try:
            barrier.wait()
            action()
        except Exception as error:  # noqa: BLE001 - handed back to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
