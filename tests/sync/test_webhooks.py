"""POST /webhooks/<platform>/: pushes signed as the sandbox marketplaces sign them, over real HTTP.

A verified push is stored raw and answered at once; processing it (``inbox_process``, what the
Celery task calls) turns it into one reserved order. Anything that does not verify, does not
parse, or names a shop the hub does not know is refused with a 4xx and leaves nothing behind.
"""

import json
import logging

import httpx
import pytest

from hub.marketplaces.sandbox.connect import sandbox_account_connect, sandbox_listing_connect
from hub.marketplaces.sandbox.models import SandboxWebhook
from hub.marketplaces.sandbox.registry import sandbox_module
from hub.sync.enums import InboxSource, InboxState
from hub.sync.ingest import inbox_process
from hub.sync.models import InboxMessage
from inventory.models import Stock
from orders.enums import OrderState
from orders.models import Order
from tests.factories import SellerFactory, SkuFactory, WarehouseFactory, stocked

PUSHING_PLATFORMS = ["shopify", "shopee", "ebay"]
REGIONS = {"shopify": "", "shopee": "SG", "ebay": "EBAY_US"}
SIGNATURE_HEADERS = {"shopify": "X-Shopify-Hmac-Sha256", "shopee": "Authorization", "ebay": "X-EBAY-SIGNATURE"}


@pytest.fixture
def hub_url(live_server, settings):
    """The hub's live server, which also serves every sandbox marketplace."""
    settings.HUB_BASE_URL = live_server.url
    return live_server.url


@pytest.fixture
def connect(hub_url, transactional_db):
    """connect(platform) -> (sandbox shop, seller SKU): a seller listing MUG (10 in the pool) on that platform."""
    sku = SkuFactory(code="MUG")
    stocked(sku, WarehouseFactory(), 10)

    def connect_to(platform: str):
        seller = SellerFactory(code=f"acme-{platform}")
        account, shop = sandbox_account_connect(
            seller,
            platform,
            f"acme-{platform}",
            region=REGIONS[platform],
            webhook_url=f"{hub_url}/webhooks/{platform}/",
        )
        sandbox_listing_connect(account, shop, sku, "ACME-MUG", 10)
        return shop, "ACME-MUG"

    return connect_to


def buyer_push(shop, seller_sku: str, quantity: int = 2):
    """A buyer orders at the sandbox; returns (sandbox order, the signed push it queued for the hub)."""
    order = sandbox_module(shop.platform).place_order(shop, [(seller_sku, quantity)])
    return order, SandboxWebhook.objects.filter(shop=shop).latest("pk")


def post(url: str, body: bytes, headers: dict) -> httpx.Response:
    return httpx.post(url, content=body, headers=headers, timeout=10.0)


def nothing_stored() -> bool:
    return not InboxMessage.objects.exists() and not Order.objects.exists()


def reserved_units() -> int:
    return sum(Stock.objects.values_list("reserved", flat=True))


@pytest.mark.parametrize("platform", PUSHING_PLATFORMS)
def test_signed_push_is_stored_raw_then_processed_into_one_reserved_order(connect, platform):
    # given
    shop, seller_sku = connect(platform)
    sandbox_order, push = buyer_push(shop, seller_sku, 2)
    body = bytes(push.body)

    # when: the marketplace delivers the push
    response = post(push.url, body, push.headers)

    # then: stored raw, nothing processed yet
    message = InboxMessage.objects.get()
    assert response.status_code == 200
    assert response.json() == {"received": message.pk}
    assert (message.platform, message.account.shop_id, message.source) == (platform, shop.shop_id, InboxSource.WEBHOOK)
    assert message.external_id == sandbox_order.external_id
    assert message.body == body.decode()
    assert message.state == InboxState.PENDING
    assert not Order.objects.exists()

    # when: the task processes it
    inbox_process(message.pk)

    # then
    message.refresh_from_db()
    order = Order.objects.get()
    assert message.state == InboxState.PROCESSED
    assert (order.platform, order.external_id, order.state) == (
        platform,
        sandbox_order.external_id,
        OrderState.ALLOCATED,
    )
    assert [(line.seller_sku, line.quantity) for line in order.lines.all()] == [(seller_sku, 2)]
    assert reserved_units() == 2


@pytest.mark.parametrize("platform", PUSHING_PLATFORMS)
@pytest.mark.parametrize("fault", ["unsigned", "body changed after signing", "signed with another key"])
def test_unsigned_or_wrongly_signed_push_gets_401_and_stores_nothing(connect, platform, fault, caplog):
    # given
    shop, seller_sku = connect(platform)
    _order, push = buyer_push(shop, seller_sku)
    body, headers = bytes(push.body), dict(push.headers)
    if fault == "unsigned":
        del headers[SIGNATURE_HEADERS[platform]]
    elif fault == "body changed after signing":
        body += b"\n"
    else:
        other_shop, other_sku = connect_other(shop, platform, seller_sku)
        _other_order, other_push = buyer_push(other_shop, other_sku)
        headers[SIGNATURE_HEADERS[platform]] = other_push.headers[SIGNATURE_HEADERS[platform]]

    # when
    with caplog.at_level(logging.WARNING, logger="hub.sync.views"):
        response = post(push.url, body, headers)

    # then
    assert (response.status_code, response.json()) == (401, {"error": "signature does not verify"})
    assert nothing_stored()
    assert reserved_units() == 0
    assert f"webhook rejected: platform={platform} status=401" in caplog.text


def connect_other(shop, platform: str, seller_sku: str):
    """A second sandbox shop of the same platform, with keys of its own (not known to the hub)."""
    other, _credentials, _settings = sandbox_module(platform).provision_shop(
        f"{shop.shop_id}-other", region=REGIONS[platform], webhook_url=shop.webhook_url
    )
    sandbox_module(platform).listing_create(other, seller_sku, 10)
    return other, seller_sku


@pytest.mark.parametrize("platform", PUSHING_PLATFORMS)
def test_malformed_json_gets_400_and_stores_nothing(connect, platform):
    # given: the push cut in half in transit, and a body that is JSON but not an object
    shop, seller_sku = connect(platform)
    _order, push = buyer_push(shop, seller_sku)
    body = bytes(push.body)

    # when
    cut = post(push.url, body[: len(body) // 2], push.headers)
    listed = post(push.url, json.dumps([json.loads(body)]).encode(), push.headers)

    # then
    assert (cut.status_code, cut.json()) == (400, {"error": "body is not JSON"})
    assert (listed.status_code, listed.json()) == (400, {"error": "body is not a JSON object"})
    assert nothing_stored()


@pytest.mark.parametrize("platform", PUSHING_PLATFORMS)
def test_correctly_signed_push_from_a_shop_the_hub_does_not_know_gets_404(connect, platform):
    # given: a real sandbox shop, signing its pushes properly, that no seller connected to the hub
    shop, seller_sku = connect(platform)
    stranger, _sku = connect_other(shop, platform, seller_sku)
    _order, push = buyer_push(stranger, seller_sku)

    # when
    response = post(push.url, bytes(push.body), push.headers)

    # then
    assert (response.status_code, response.json()) == (404, {"error": "unknown shop"})
    assert nothing_stored()


@pytest.mark.parametrize("platform", ["amazon", "aliexpress", "etsy"])
def test_platforms_that_do_not_push_to_webhooks_get_404(hub_url, transactional_db, platform):
    # given
    body = json.dumps({"id": 1, "shop_id": "anything"}).encode()

    # when
    response = post(f"{hub_url}/webhooks/{platform}/", body, {"Content-Type": "application/json"})

    # then
    assert (response.status_code, response.json()) == (404, {"error": f"{platform} does not push to webhooks"})
    assert nothing_stored()


def test_webhook_endpoint_answers_only_post(hub_url, transactional_db):
    response = httpx.get(f"{hub_url}/webhooks/shopify/", timeout=10.0)

    assert response.status_code == 405
    assert nothing_stored()
