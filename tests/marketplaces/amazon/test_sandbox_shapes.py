"""Each Amazon sandbox endpoint answers in the documented shape (ordersV0.json, listingsItems_2021-08-01.json, LWA)."""

import uuid

import httpx
import pytest

from hub.marketplaces.sandbox import amazon as sandbox
from tests.marketplaces.support import DECIMAL_STRING, ISO_DATETIME, calls, shape_errors

pytestmark = pytest.mark.django_db(transaction=True)

MONEY = {"CurrencyCode": str, "Amount": DECIMAL_STRING}
ADDRESS = {"Name": str, "AddressLine1?": str, "City?": str, "PostalCode?": str, "CountryCode": str}
ORDER = {
    "AmazonOrderId": str,
    "PurchaseDate": ISO_DATETIME,
    "LastUpdateDate": ISO_DATETIME,
    "OrderStatus": str,
    "FulfillmentChannel?": str,
    "OrderTotal?": MONEY,
    "NumberOfItemsShipped?": int,
    "NumberOfItemsUnshipped?": int,
    "MarketplaceId?": str,
    "IsPrime?": bool,
    "IsBusinessOrder?": bool,
    "ShippingAddress?": ADDRESS,
    "BuyerInfo?": {"BuyerEmail?": str},
}
ORDER_ITEM = {
    "ASIN": str,
    "SellerSKU?": str,
    "OrderItemId": str,
    "Title?": str,
    "QuantityOrdered": int,
    "QuantityShipped?": int,
    "ItemPrice?": MONEY,
    "ItemTax?": MONEY,
    "IsGift?": str,
}
ERRORS = {"errors": [{"code": str, "message": str, "details?": str}]}


@pytest.fixture
def amazon(live_server):
    base = live_server.url + "/sandbox/amazon"
    shop_id = "A" + uuid.uuid4().hex[:12].upper()  # fresh token buckets
    shop, credentials, settings = sandbox.provision_shop(shop_id, region="ATVPDKIKX0DER", base_url=base)
    sandbox.listing_create(shop, "SKU-1", 10)
    order = sandbox.place_order(shop, [("SKU-1", 2)])
    with httpx.Client(base_url=base, headers={"x-amz-access-token": credentials["access_token"]}) as client:
        yield shop, credentials, settings, order, client


def test_lwa_token_answer(amazon):
    _shop, credentials, settings, _, _ = amazon
    form = {key: credentials[key] for key in ("refresh_token", "client_id", "client_secret")}

    answer = httpx.post(settings["lwa_token_url"], data={"grant_type": "refresh_token", **form})
    refused = httpx.post(settings["lwa_token_url"], data={"grant_type": "refresh_token", **form, "client_id": "x"})

    assert answer.status_code == 200
    assert (
        shape_errors(answer.json(), {"access_token": str, "refresh_token": str, "token_type": str, "expires_in": int})
        == []
    )
    assert answer.json()["token_type"] == "bearer"
    assert 3590 <= answer.json()["expires_in"] <= 3600
    assert refused.status_code == 401
    assert refused.json() == {"error": "invalid_client", "error_description": "Client authentication failed"}


def test_get_orders_answer(amazon):
    _shop, _, _, order, client = amazon

    answer = client.get(
        "/orders/v0/orders", params={"MarketplaceIds": "ATVPDKIKX0DER", "LastUpdatedAfter": "2020-01-01T00:00:00Z"}
    )

    assert answer.status_code == 200
    assert answer.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    assert answer.headers["x-amzn-RequestId"]
    body = answer.json()
    assert (
        shape_errors(body, {"payload": {"Orders": [ORDER], "LastUpdatedBefore": ISO_DATETIME, "NextToken?": str}}) == []
    )
    assert "OrderItems" not in body["payload"]["Orders"][0]
    assert body["payload"]["Orders"][0]["AmazonOrderId"] == order.external_id


@pytest.mark.parametrize(
    "params",
    [
        {"LastUpdatedAfter": "2020-01-01T00:00:00Z"},
        {"MarketplaceIds": "ATVPDKIKX0DER"},
        {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2020-01-01", "LastUpdatedAfter": "2020-01-01"},
        {"MarketplaceIds": "ATVPDKIKX0DER", "LastUpdatedAfter": "2020-01-01", "MaxResultsPerPage": "101"},
        {"MarketplaceIds": "ATVPDKIKX0DER", "NextToken": "not-a-token"},
    ],
)
def test_get_orders_refuses_bad_parameters_with_invalid_input(amazon, params):
    *_, client = amazon

    answer = client.get("/orders/v0/orders", params=params)

    assert answer.status_code == 400
    assert shape_errors(answer.json(), ERRORS) == []
    assert answer.json()["errors"][0]["code"] == "InvalidInput"


def test_get_order_and_order_items_answers(amazon):
    *_, order, client = amazon

    one = client.get(f"/orders/v0/orders/{order.external_id}")
    items = client.get(f"/orders/v0/orders/{order.external_id}/orderItems")
    missing = client.get("/orders/v0/orders/000-0000000-0000000")

    assert shape_errors(one.json(), {"payload": ORDER}) == []
    assert shape_errors(items.json(), {"payload": {"AmazonOrderId": str, "OrderItems": [ORDER_ITEM]}}) == []
    assert items.json()["payload"]["OrderItems"][0]["QuantityOrdered"] == 2
    assert missing.status_code == 404
    assert shape_errors(missing.json(), ERRORS) == []


def test_listings_item_answers(amazon):
    shop, *_, client = amazon
    path = f"/listings/2021-08-01/items/{shop.shop_id}/SKU-1"
    patch = {
        "productType": "PRODUCT",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 4}],
            }
        ],
    }

    patched = client.patch(path, params={"marketplaceIds": "ATVPDKIKX0DER"}, json=patch)
    read = client.get(
        path, params={"marketplaceIds": "ATVPDKIKX0DER", "includedData": "summaries,fulfillmentAvailability,offers"}
    )
    malformed = client.patch(path, params={"marketplaceIds": "ATVPDKIKX0DER"}, json={"patches": []})
    other_seller = client.get("/listings/2021-08-01/items/SOMEONE/SKU-1", params={"marketplaceIds": "ATVPDKIKX0DER"})

    submission = {"sku": str, "status": str, "submissionId": str, "issues": [dict]}
    assert shape_errors(patched.json(), submission) == []
    assert patched.json()["status"] == "ACCEPTED"
    assert patched.headers["x-amzn-RateLimit-Limit"] == "5"
    summary = {"marketplaceId": str, "asin": str, "productType": str, "status": [str], "itemName": str}
    shape = {
        "sku": str,
        "summaries": [summary],
        "fulfillmentAvailability": [{"fulfillmentChannelCode": str, "quantity": int}],
        "offers": [{"marketplaceId": str, "offerType": str, "price": {"currencyCode": str, "amount": DECIMAL_STRING}}],
    }
    assert shape_errors(read.json(), shape) == []
    assert read.json()["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 4}]
    assert malformed.status_code == 400
    assert shape_errors(malformed.json(), ERRORS) == []
    assert other_seller.status_code == 403


def test_confirm_shipment_answers_204_with_no_body(amazon):
    *_, order, client = amazon
    item = order.payload["OrderItems"][0]["OrderItemId"]
    package = {
        "packageReferenceId": "1",
        "carrierCode": "UPS",
        "trackingNumber": "1Z1",
        "shipDate": "2026-03-03T10:00:00Z",
        "orderItems": [{"orderItemId": item, "quantity": 2}],
    }

    answer = client.post(
        f"/orders/v0/orders/{order.external_id}/shipmentConfirmation",
        json={"marketplaceId": "ATVPDKIKX0DER", "packageDetail": package},
    )
    again = client.post(
        f"/orders/v0/orders/{order.external_id}/shipmentConfirmation",
        json={"marketplaceId": "ATVPDKIKX0DER", "packageDetail": {**package, "packageReferenceId": "2"}},
    )

    assert answer.status_code == 204
    assert answer.content == b""
    assert again.status_code == 400
    assert shape_errors(again.json(), ERRORS) == []


def test_auth_errors_are_403_unauthorized(amazon):
    shop, *_ = amazon

    unknown = httpx.get(
        f"{amazon[2]['lwa_token_url'].rsplit('/auth', 1)[0]}/orders/v0/orders",
        params={"MarketplaceIds": "ATVPDKIKX0DER", "LastUpdatedAfter": "2020-01-01T00:00:00Z"},
        headers={"x-amz-access-token": "Atza|unknown"},
    )

    assert unknown.status_code == 403
    assert shape_errors(unknown.json(), ERRORS) == []
    assert unknown.json()["errors"][0]["code"] == "Unauthorized"
    assert calls(shop, "getOrders") == 0  # an unknown token belongs to no shop


def test_throttled_answer_carries_quota_exceeded_and_the_rate(amazon):
    shop, *_, client = amazon
    shop.data = {"usage_plans": {"getOrder": [0.5, 1]}}
    shop.save()
    order_path = f"/orders/v0/orders/{amazon[3].external_id}"

    client.get(order_path)
    throttled = client.get(order_path)

    assert throttled.status_code == 429
    assert throttled.headers["x-amzn-RateLimit-Limit"] == "0.5"
    assert throttled.json() == {
        "errors": [
            {"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource.", "details": ""}
        ]
    }
