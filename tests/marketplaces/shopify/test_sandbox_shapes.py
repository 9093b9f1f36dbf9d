"""Each sandbox endpoint's answer against the shape Shopify documents for it (raw HTTP, no adapter)."""

import re

import httpx
import pytest

from hub.marketplaces.sandbox.models import FaultKind, SandboxFault
from hub.marketplaces.sandbox.shopify import place_order
from hub.marketplaces.shopify.graphql import INVENTORY_LEVELS, INVENTORY_SET_QUANTITIES
from tests.marketplaces.support import assert_shape

from .shapes import COST, FULFILLMENT, FULFILLMENT_ORDER, ORDER, TOP_LEVEL_ERROR, gid

pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r'^<(http://[^>]+\?limit=2&page_info=[\w-]+)>; rel="next"$')
CALL_LIMIT = re.compile(r"^\d+/40$")


def set_quantities(listings, *, change_from=True, location=None):
    return {
        "name": "available",
        "reason": "correction",
        "quantities": [
            {
                "inventoryItemId": f"gid://shopify/InventoryItem/{listing.inventory_id}",
                "locationId": location,
                "quantity": 3,
                **({"changeFromQuantity": None} if change_from else {}),
            }
            for listing in listings
        ],
    }


def graphql(world, query, variables):
    return world.admin("POST", "graphql.json", json={"query": query, "variables": variables})


@pytest.fixture
def world(shopify):
    world = shopify()
    world.listings(2)
    return world


def test_orders_json_pages_with_a_link_header(world):
    for _ in range(3):
        place_order(world.shop, [("SKU-0000", 1), ("SKU-0001", 1)])

    first = world.admin("GET", "orders.json", params={"status": "any", "limit": 2})
    following = httpx.get(
        LINK.match(first.headers["Link"])[1], headers={"X-Shopify-Access-Token": world.credentials()["access_token"]}
    )

    assert first.status_code == 200
    assert_shape(first.json(), {"orders": [ORDER]})
    assert len(first.json()["orders"]) == 2
    assert CALL_LIMIT.match(first.headers["X-Shopify-Shop-Api-Call-Limit"])
    assert first.headers["X-Shopify-API-Version"] == "2026-10"
    assert_shape(following.json(), {"orders": [ORDER]})
    assert len(following.json()["orders"]) == 1
    assert following.headers["Link"].endswith('rel="previous"')


def test_page_info_refuses_other_filters_and_limit_is_at_most_250(world):
    first = world.admin("GET", "orders.json", params={"limit": 1, "page_info": "e30"})

    with_filter = world.admin("GET", "orders.json", params={"status": "any", "page_info": "e30"})
    too_many = world.admin("GET", "orders.json", params={"limit": 251})

    assert first.status_code == 400  # an undecodable cursor
    assert with_filter.status_code == 400
    assert too_many.status_code == 400
    assert all(isinstance(r.json()["errors"], dict) for r in (first, with_filter, too_many))


def test_order_and_fulfillment_order_and_fulfillment(world):
    placed = place_order(world.shop, [("SKU-0000", 1), ("SKU-0001", 2)])

    order = world.admin("GET", f"orders/{placed.external_id}.json")
    fulfillment_orders = world.admin("GET", f"orders/{placed.external_id}/fulfillment_orders.json")
    fulfillment_order = fulfillment_orders.json()["fulfillment_orders"][0]
    created = world.admin(
        "POST",
        "fulfillments.json",
        json={
            "fulfillment": {
                "line_items_by_fulfillment_order": [{"fulfillment_order_id": fulfillment_order["id"]}],
                "tracking_info": {"number": "1Z001985YW99744790", "company": "UPS"},
                "notify_customer": False,
            }
        },
    )
    again = world.admin("GET", f"orders/{placed.external_id}/fulfillment_orders.json")

    assert_shape(order.json(), {"order": ORDER})
    assert_shape(fulfillment_orders.json(), {"fulfillment_orders": [FULFILLMENT_ORDER]})
    assert fulfillment_order["status"] == "open"
    assert "create_fulfillment" in fulfillment_order["supported_actions"]
    assert created.status_code == 201
    assert_shape(created.json(), {"fulfillment": FULFILLMENT})
    assert created.json()["fulfillment"]["name"] == f"{order.json()['order']['name']}.1"
    assert again.json()["fulfillment_orders"][0]["status"] == "closed"
    assert again.json()["fulfillment_orders"][0]["supported_actions"] == []


def test_fulfilling_a_closed_fulfillment_order_is_unprocessable(world):
    placed = place_order(world.shop, [("SKU-0000", 1)])
    fulfillment_order_id = world.admin("GET", f"orders/{placed.external_id}/fulfillment_orders.json").json()[
        "fulfillment_orders"
    ][0]["id"]
    body = {"fulfillment": {"line_items_by_fulfillment_order": [{"fulfillment_order_id": fulfillment_order_id}]}}
    world.admin("POST", "fulfillments.json", json=body)

    second = world.admin("POST", "fulfillments.json", json=body)

    assert second.status_code == 422
    assert_shape(second.json(), {"errors": [str]})


def test_inventory_set_quantities_answer(world):
    listings = list(world.shop.listings.order_by("id"))
    location = f"gid://shopify/Location/{world.shop.data['location_id']}"

    response = graphql(world, INVENTORY_SET_QUANTITIES, {"input": set_quantities(listings, location=location)})

    assert response.status_code == 200
    assert_shape(
        response.json(),
        {
            "data": {
                "inventorySetQuantities": {
                    "inventoryAdjustmentGroup": {
                        "id": gid("InventoryAdjustmentGroup"),
                        "changes": [
                            {
                                "name": str,
                                "delta": int,
                                "quantityAfterChange": int,
                                "item": {"id": gid("InventoryItem")},
                                "location": {"id": gid("Location")},
                            }
                        ],
                    },
                    "userErrors": [],
                }
            },
            "extensions": COST,
        },
    )
    assert [
        change["delta"]
        for change in response.json()["data"]["inventorySetQuantities"]["inventoryAdjustmentGroup"]["changes"]
    ] == [-7, -7]


def test_inventory_set_quantities_user_errors(world):
    listings = list(world.shop.listings.order_by("id"))

    response = graphql(
        world, INVENTORY_SET_QUANTITIES, {"input": set_quantities(listings, location="gid://shopify/Location/1")}
    )

    payload = response.json()["data"]["inventorySetQuantities"]
    assert payload["inventoryAdjustmentGroup"] is None
    assert payload["userErrors"] == [
        {
            "code": "INVALID_LOCATION",
            "field": ["input", "quantities", "0", "locationId"],
            "message": "The specified location could not be found.",
        },
        {
            "code": "INVALID_LOCATION",
            "field": ["input", "quantities", "1", "locationId"],
            "message": "The specified location could not be found.",
        },
    ]


def test_change_from_quantity_must_be_given_explicitly(world):
    listings = list(world.shop.listings.order_by("id"))
    location = f"gid://shopify/Location/{world.shop.data['location_id']}"

    response = graphql(
        world, INVENTORY_SET_QUANTITIES, {"input": set_quantities(listings, change_from=False, location=location)}
    )

    assert_shape(response.json(), TOP_LEVEL_ERROR)
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"
    assert "quantities.0.changeFromQuantity" in response.json()["errors"][0]["message"]
    assert "data" not in response.json()


def test_oversized_input_array_is_a_top_level_error(world):
    listing = world.shop.listings.first()
    quantities = set_quantities([listing] * 251, location="gid://shopify/Location/1")

    response = graphql(world, INVENTORY_SET_QUANTITIES, {"input": quantities})

    assert response.status_code == 200
    assert_shape(response.json(), {**TOP_LEVEL_ERROR, "extensions": COST})
    assert response.json()["errors"][0]["extensions"]["code"] == "MAX_INPUT_SIZE_EXCEEDED"
    assert response.json()["errors"][0]["path"] == ["inventorySetQuantities", "input", "quantities"]


def test_nodes_answer(world):
    listing = world.shop.listings.order_by("id").first()
    ids = [f"gid://shopify/InventoryItem/{listing.inventory_id}", "gid://shopify/InventoryItem/1"]
    location = f"gid://shopify/Location/{world.shop.data['location_id']}"

    response = graphql(world, INVENTORY_LEVELS, {"ids": ids, "locationId": location})

    assert_shape(response.json(), {"data": {"nodes": list}, "extensions": COST})
    assert response.json()["data"]["nodes"] == [
        {"id": ids[0], "sku": "SKU-0000", "inventoryLevel": {"quantities": [{"name": "available", "quantity": 10}]}},
        None,
    ]


def test_graphql_throttled_answer(world):
    SandboxFault.objects.create(platform="shopify", operation="nodes", kind=FaultKind.THROTTLE)

    response = graphql(world, INVENTORY_LEVELS, {"ids": [], "locationId": "gid://shopify/Location/1"})

    assert response.status_code == 200
    assert_shape(response.json(), {**TOP_LEVEL_ERROR, "extensions": COST})
    assert response.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert response.json()["extensions"]["cost"]["actualQueryCost"] is None


def test_rest_throttled_and_unauthorised_answers(world):
    SandboxFault.objects.create(platform="shopify", operation="orders_list", kind=FaultKind.THROTTLE, delay_seconds=2)

    throttled = world.admin("GET", "orders.json")
    unauthorised = world.admin("GET", "orders.json", token="shpat_unknown")

    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "2.0"
    assert_shape(throttled.json(), {"errors": str})
    assert unauthorised.status_code == 401
    assert unauthorised.json() == {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
    }


def test_token_endpoint_answer_and_refresh_token_rotation(world):
    credentials = world.credentials()
    url = f"{world.base_url}/admin/oauth/access_token"
    form = {
        "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"],
        "grant_type": "refresh_token",
    }

    first = httpx.post(url, data={**form, "refresh_token": credentials["refresh_token"]})
    replay = httpx.post(url, data={**form, "refresh_token": credentials["refresh_token"]})  # its answer was lost
    newest = httpx.post(url, data={**form, "refresh_token": replay.json()["refresh_token"]})
    retired = httpx.post(url, data={**form, "refresh_token": credentials["refresh_token"]})
    wrong_client = httpx.post(url, data={**form, "client_secret": "x", "refresh_token": newest.json()["refresh_token"]})

    assert_shape(
        first.json(),
        {"access_token": str, "scope": str, "expires_in": int, "refresh_token": str, "refresh_token_expires_in": int},
    )
    assert first.json()["expires_in"] == 3600
    assert (replay.status_code, newest.status_code) == (200, 200)
    assert retired.status_code == 400
    assert retired.json()["error"] == "invalid_grant"
    assert wrong_client.status_code == 401
    assert wrong_client.json()["error"] == "invalid_client"
