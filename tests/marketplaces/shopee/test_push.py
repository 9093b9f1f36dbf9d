"""Shopee order-status pushes: signed by the sandbox, verified by verify_webhook("shopee", ...)."""

import json

import pytest

from hub.marketplaces import verify_webhook
from hub.marketplaces.sandbox import shopee as sandbox
from hub.marketplaces.sandbox.common import webhook_deliver
from hub.marketplaces.sandbox.models import SandboxWebhook
from hub.marketplaces.shopee.signing import CALLBACK_URL_HEADER

CALLBACK = "https://hub.example.com/webhooks/shopee/"


@pytest.fixture
def push(db):
    shop, credentials, _ = sandbox.provision_shop("55667788", region="SG", webhook_url=CALLBACK)
    sandbox.listing_create(shop, "LOTUS-MAT", 5)
    order = sandbox.place_order(shop, [("LOTUS-MAT", 1)])
    webhook = SandboxWebhook.objects.get(shop=shop)
    headers = {**webhook.headers, CALLBACK_URL_HEADER: webhook.url}
    return order, bytes(webhook.body), headers, credentials["partner_key"]


def test_new_order_push_carries_ordersn_and_a_valid_signature(push):
    order, body, headers, partner_key = push

    payload = json.loads(body)

    assert payload["code"] == 3
    assert payload["shop_id"] == 55667788
    assert payload["data"]["ordersn"] == order.external_id
    assert payload["data"]["status"] == "READY_TO_SHIP"
    assert verify_webhook("shopee", headers, body, partner_key) is True


def test_tampered_body_wrong_key_wrong_url_or_no_signature_are_rejected(push):
    _, body, headers, partner_key = push
    no_signature = {key: value for key, value in headers.items() if key != "Authorization"}
    no_url = {key: value for key, value in headers.items() if key != CALLBACK_URL_HEADER}

    assert verify_webhook("shopee", headers, body.replace(b"READY_TO_SHIP", b"CANCELLED"), partner_key) is False
    assert verify_webhook("shopee", headers, body, "f" * 64) is False
    assert verify_webhook("shopee", {**headers, CALLBACK_URL_HEADER: CALLBACK + "x"}, body, partner_key) is False
    assert verify_webhook("shopee", no_signature, body, partner_key) is False
    assert verify_webhook("shopee", no_url, body, partner_key) is False
    assert verify_webhook("shopee", headers, body, "") is False


def test_header_names_are_case_insensitive(push):
    _, body, headers, partner_key = push

    lowered = {key.lower(): value for key, value in headers.items()}

    assert verify_webhook("shopee", lowered, body, partner_key) is True


@pytest.mark.django_db(transaction=True)
def test_pushes_delivered_over_http_verify_against_the_receivers_own_url(live_server, settings):
    settings.ROOT_URLCONF = "tests.marketplaces.shopee.urls"
    callback = f"{live_server.url}/receiver/shopee/77889900/"
    shop, _, _ = sandbox.provision_shop("77889900", region="SG", webhook_url=callback)
    sandbox.listing_create(shop, "LOTUS-MAT", 5)
    sandbox.place_order(shop, [("LOTUS-MAT", 1)])
    webhook = SandboxWebhook.objects.get(shop=shop)

    delivered = webhook_deliver(webhook.pk)
    SandboxWebhook.objects.filter(pk=webhook.pk).update(body=bytes(webhook.body).replace(b'"code":3', b'"code":4'))
    tampered = webhook_deliver(webhook.pk)

    assert (delivered, tampered) == (204, 401)
