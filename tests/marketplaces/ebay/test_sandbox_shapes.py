"""Each eBay sandbox endpoint answers in the documented shape (Fulfillment, Inventory, Notification, OAuth)."""

import base64
import json

import httpx
import pytest

from hub.marketplaces.sandbox import ebay as sandbox
from tests.marketplaces.support import DECIMAL_STRING, ISO_DATETIME, connect_sandbox_account, shape_errors

pytestmark = pytest.mark.django_db(transaction=True)

AMOUNT = {"value": DECIMAL_STRING, "currency": str}
LINE_ITEM = {
    "lineItemId": str,
    "legacyItemId": str,
    "sku?": str,
    "title": str,
    "lineItemCost": AMOUNT,
    "quantity": int,
    "lineItemFulfillmentStatus": str,
    "total": AMOUNT,
}
ORDER = {
    "orderId": str,
    "creationDate": ISO_DATETIME,
    "lastModifiedDate": ISO_DATETIME,
    "orderFulfillmentStatus": str,
    "orderPaymentStatus": str,
    "sellerId": str,
    "buyer": {"username": str},
    "pricingSummary": {"priceSubtotal": AMOUNT, "deliveryCost?": AMOUNT, "total": AMOUNT},
    "cancelStatus": {"cancelState": str, "cancelRequests": [dict]},
    "fulfillmentStartInstructions": [
        {
            "fulfillmentInstructionsType": str,
            "shippingStep": {
                "shipTo": {"fullName": str, "contactAddress": {"city": str, "postalCode": str, "countryCode": str}},
                "shippingCarrierCode?": str,
            },
        }
    ],
    "fulfillmentHrefs": [str],
    "lineItems": [LINE_ITEM],
}
ERRORS = {"errors": [{"errorId": int, "domain": str, "category": str, "message": str}]}


@pytest.fixture
def ebay(live_server):
    base = live_server.url + "/sandbox/ebay"
    shop, account = connect_sandbox_account("ebay", base, region="EBAY_US", skus=["SKU-1", "SKU-2"])
    order = sandbox.place_order(shop, [("SKU-1", 2)])
    headers = {"Authorization": f"Bearer {account.credentials['access_token']}"}
    with httpx.Client(base_url=base, headers=headers) as client:
        yield shop, account, order, client


def test_token_answer(ebay):
    _shop, account, *_ = ebay
    credentials = account.credentials
    basic = base64.b64encode(f"{credentials['client_id']}:{credentials['client_secret']}".encode()).decode()
    form = {"grant_type": "refresh_token", "refresh_token": credentials["refresh_token"]}

    answer = httpx.post(account.settings["token_url"], data=form, headers={"Authorization": f"Basic {basic}"})
    unknown = httpx.post(
        account.settings["token_url"], data={**form, "refresh_token": "x"}, headers={"Authorization": f"Basic {basic}"}
    )

    assert shape_errors(answer.json(), {"access_token": str, "expires_in": int, "token_type": str}) == []
    assert answer.json()["token_type"] == "User Access Token"
    assert 7190 <= answer.json()["expires_in"] <= 7200
    assert unknown.status_code == 400
    assert unknown.json()["error"] == "invalid_grant"


def test_get_orders_answer_is_an_order_search_paged_collection(ebay):
    *_, order, client = ebay

    answer = client.get(
        "/sell/fulfillment/v1/order", params={"filter": "lastmodifieddate:[2020-01-01T00:00:00.000Z..]", "limit": 1}
    )

    page = {"href": str, "total": int, "limit": int, "offset": int, "next?": str, "prev?": str, "orders": [ORDER]}
    assert answer.status_code == 200
    assert shape_errors(answer.json(), page) == []
    assert (answer.json()["total"], answer.json()["orders"][0]["orderId"]) == (1, order.external_id)
    assert "next" not in answer.json()


@pytest.mark.parametrize(
    "params",
    [{"limit": "201"}, {"limit": "0"}, {"offset": "-1"}, {"filter": "nonsense"}, {"filter": "creationdate:[soon..]"}],
)
def test_get_orders_refuses_bad_parameters(ebay, params):
    *_, client = ebay

    answer = client.get("/sell/fulfillment/v1/order", params=params)

    assert answer.status_code == 400
    assert shape_errors(answer.json(), ERRORS) == []


def test_get_order_and_fulfillments_answers(ebay):
    *_, order, client = ebay
    line = order.payload["lineItems"][0]["lineItemId"]
    path = f"/sell/fulfillment/v1/order/{order.external_id}"

    one = client.get(path)
    created = client.post(
        f"{path}/shipping_fulfillment",
        json={
            "lineItems": [{"lineItemId": line, "quantity": 2}],
            "shippedDate": "2026-03-03T10:00:00.000Z",
            "shippingCarrierCode": "USPS",
            "trackingNumber": "9400100000000000000000",
        },
    )
    listed = client.get(f"{path}/shipping_fulfillment")
    missing = client.get("/sell/fulfillment/v1/order/00-00000-00000")

    assert shape_errors(one.json(), ORDER) == []
    assert created.status_code == 201
    assert created.headers["Location"].startswith(str(client.base_url).rstrip("/") + f"{path}/shipping_fulfillment/")
    fulfillment = {"fulfillmentId": str, "lineItems": [{"lineItemId": str, "quantity": int}], "shippedDate": str}
    assert shape_errors(listed.json(), {"fulfillments": [fulfillment], "total": int}) == []
    assert missing.status_code == 404
    assert shape_errors(missing.json(), ERRORS) == []


def test_bulk_update_price_quantity_answers_per_item(ebay):
    shop, *_, client = ebay
    offer = shop.listings.get(seller_sku="SKU-1").data["offer_id"]

    answer = client.post(
        "/sell/inventory/v1/bulk_update_price_quantity",
        json={
            "requests": [
                {
                    "sku": "SKU-1",
                    "shipToLocationAvailability": {"quantity": 3},
                    "offers": [{"offerId": offer, "availableQuantity": 3}],
                },
                {"sku": "NOPE", "shipToLocationAvailability": {"quantity": 3}},
            ]
        },
    )
    oversized = client.post(
        "/sell/inventory/v1/bulk_update_price_quantity",
        json={"requests": [{"sku": f"S{n}", "shipToLocationAvailability": {"quantity": 1}} for n in range(26)]},
    )

    response = {"statusCode": int, "sku": str, "offerId?": str, "errors?": [{"errorId": int, "message": str}]}
    assert answer.status_code == 207
    assert shape_errors(answer.json(), {"responses": [response]}) == []
    assert [(r["sku"], r["statusCode"], r.get("offerId")) for r in answer.json()["responses"]] == [
        ("SKU-1", 200, offer),
        ("NOPE", 404, None),
    ]
    assert oversized.status_code == 400
    assert shape_errors(oversized.json(), ERRORS) == []


def test_inventory_item_answers(ebay):
    *_, client = ebay

    bulk = client.post("/sell/inventory/v1/bulk_get_inventory_item", json={"requests": [{"sku": "SKU-2"}]})
    one = client.get("/sell/inventory/v1/inventory_item/SKU-2")

    item = {"sku": str, "condition": str, "availability": {"shipToLocationAvailability": {"quantity": int}}}
    assert shape_errors(bulk.json(), {"responses": [{"statusCode": int, "sku": str, "inventoryItem": item}]}) == []
    assert shape_errors(one.json(), item) == []


def test_public_key_and_signed_push_shapes(ebay):
    shop, *_, client = ebay
    shop.webhook_url = "https://hub.example/hooks/ebay"
    shop.save()
    sandbox.place_order(shop, [("SKU-2", 1)])
    push = shop.webhooks.get()
    header = json.loads(base64.b64decode(push.headers["X-EBAY-SIGNATURE"]))

    key = client.get(f"/commerce/notification/v1/public_key/{header['kid']}")

    assert shape_errors(header, {"alg": str, "kid": str, "signature": str, "digest": str}) == []
    assert (header["alg"], header["digest"]) == ("ecdsa", "SHA1")
    assert shape_errors(key.json(), {"algorithm": str, "digest": str, "key": str}) == []
    assert key.json()["key"].startswith("-----BEGIN PUBLIC KEY-----")
    envelope = {
        "metadata": {"topic": str, "schemaVersion": str, "deprecated": bool},
        "notification": {
            "notificationId": str,
            "eventDate": ISO_DATETIME,
            "publishDate": ISO_DATETIME,
            "publishAttemptCount": int,
            "data": {"orderId": str, "lineItemId": str},
        },
    }
    assert shape_errors(json.loads(bytes(push.body)), envelope) == []


def test_missing_or_unknown_token_is_401_invalid_access_token(ebay):
    *_, client = ebay

    answer = httpx.get(
        str(client.base_url).rstrip("/") + "/sell/fulfillment/v1/order", headers={"Authorization": "Bearer x"}
    )

    assert answer.status_code == 401
    assert shape_errors(answer.json(), ERRORS) == []
    assert answer.json()["errors"][0]["errorId"] == 1001
