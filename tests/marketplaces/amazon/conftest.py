import uuid

import pytest

from hub.marketplaces import adapter_for_account
from hub.marketplaces.sandbox import amazon as sandbox
from sellers.models import MarketplaceAccount, Seller


@pytest.fixture(autouse=True)
def _sandbox_urls(settings):
    settings.ROOT_URLCONF = "tests.marketplaces.amazon.urls"


@pytest.fixture
def amazon_base_url(live_server):
    return live_server.url + "/sandbox/amazon"


@pytest.fixture
def make_amazon_account(amazon_base_url):
    """A sandbox seller (fresh id, so its token buckets are fresh) and a hub account connected to it."""

    def make(
        *, region="ATVPDKIKX0DER", access_token_expired=False, skus=(), quantity=10, settings=None, usage_plans=None
    ):
        shop_id = "A" + uuid.uuid4().hex[:12].upper()
        shop, credentials, account_settings = sandbox.provision_shop(
            shop_id, region=region, access_token_expired=access_token_expired, base_url=amazon_base_url
        )
        if usage_plans:
            shop.data = {**shop.data, "usage_plans": usage_plans}
            shop.save(update_fields=["data"])
        for sku in skus:
            sandbox.listing_create(shop, sku, quantity, title=f"Item {sku}", price="19.90")
        seller, _ = Seller.objects.get_or_create(code="amz", defaults={"name": "Amz", "country": "US"})
        account = MarketplaceAccount.objects.create(
            seller=seller,
            platform="amazon",
            name=f"Amazon {shop_id}",
            shop_id=shop_id,
            region=region,
            base_url=amazon_base_url,
            credentials=credentials,
            settings={**account_settings, **(settings or {})},
        )
        return shop, account

    return make


@pytest.fixture
def adapter_of():
    adapters = []

    def build(account):
        adapter = adapter_for_account(MarketplaceAccount.objects.get(pk=account.pk))
        adapters.append(adapter)
        return adapter

    yield build
    for adapter in adapters:
        adapter.close()
