"""parse_order on payloads written from the REST Admin Order resource's documented example.

https://shopify.dev/docs/api/admin-rest/latest/resources/order (the ``#1001`` order, id 450789469)
"""

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hub.marketplaces import InvalidPayload, UnknownPlatform, parse_order


def documented_order() -> dict:
    """Two lines, paid, unfulfilled, shop in US Eastern time, as orders.json answers it."""
    return {
        "id": 450789469,
        "admin_graphql_api_id": "gid://shopify/Order/450789469",
        "name": "#1001",
        "order_number": 1001,
        "email": "bob.norman@mail.example.com",
        "created_at": "2008-01-10T11:00:00-05:00",
        "updated_at": "2008-01-10T11:00:00-05:00",
        "cancelled_at": None,
        "cancel_reason": None,
        "closed_at": None,
        "currency": "USD",
        "presentment_currency": "USD",
        "financial_status": "partially_refunded",
        "fulfillment_status": None,
        "total_price": "598.94",
        "subtotal_price": "597.00",
        "total_tax": "11.94",
        "total_price_set": {
            "shop_money": {"amount": "598.94", "currency_code": "USD"},
            "presentment_money": {"amount": "598.94", "currency_code": "USD"},
        },
        "customer": {"id": 207119551, "email": "bob.norman@mail.example.com", "first_name": "Bob"},
        "shipping_address": {
            "first_name": "Bob",
            "last_name": "Norman",
            "name": "Bob Norman",
            "address1": "Chestnut Street 92",
            "address2": "",
            "city": "Louisville",
            "province": "Kentucky",
            "province_code": "KY",
            "zip": "40202",
            "country": "United States",
            "country_code": "US",
            "phone": "+1(502)-459-2181",
            "company": None,
            "latitude": 45.41634,
            "longitude": -75.6868,
        },
        "line_items": [
            {
                "id": 466157049,
                "admin_graphql_api_id": "gid://shopify/LineItem/466157049",
                "variant_id": 39072856,
                "product_id": 632910392,
                "sku": "IPOD2008GREEN",
                "title": "IPod Nano - 8gb",
                "name": "IPod Nano - 8gb - green",
                "quantity": 1,
                "price": "199.00",
                "fulfillable_quantity": 1,
                "fulfillment_status": None,
            },
            {
                "id": 518995019,
                "admin_graphql_api_id": "gid://shopify/LineItem/518995019",
                "variant_id": 49148385,
                "product_id": 632910392,
                "sku": "IPOD2008RED",
                "title": "IPod Nano - 8gb",
                "name": "IPod Nano - 8gb - red",
                "quantity": 2,
                "price": "199.00",
                "fulfillable_quantity": 2,
                "fulfillment_status": None,
            },
        ],
        "fulfillments": [],
        "refunds": [],
        "shipping_lines": [],
    }


def test_multi_line_order_maps_every_field():
    order = parse_order("shopify", documented_order())

    assert order.platform == "shopify"
    assert order.external_id == "450789469"
    assert order.status == "paid"
    assert order.created_at == datetime(2008, 1, 10, 16, 0, tzinfo=UTC)
    assert order.updated_at == datetime(2008, 1, 10, 16, 0, tzinfo=UTC)
    assert order.currency == "USD"
    assert order.total == Decimal("598.94")
    assert order.buyer_email == "bob.norman@mail.example.com"
    assert (order.ship_to.name, order.ship_to.country, order.ship_to.city, order.ship_to.postal_code) == (
        "Bob Norman",
        "US",
        "Louisville",
        "40202",
    )
    assert order.ship_to.state == "KY"
    assert [(line.external_line_id, line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("466157049", "IPOD2008GREEN", 1, Decimal("199.00")),
        ("518995019", "IPOD2008RED", 2, Decimal("199.00")),
    ]


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"financial_status": "pending"}, "pending"),
        ({"financial_status": "authorized"}, "paid"),
        ({"financial_status": "paid", "fulfillment_status": "partial"}, "shipped"),
        ({"financial_status": "paid", "fulfillment_status": "fulfilled"}, "shipped"),
        ({"financial_status": "refunded"}, "refunded"),
        ({"financial_status": "voided"}, "cancelled"),
        (
            {"cancelled_at": "2008-01-10T12:00:00-05:00", "cancel_reason": "customer", "financial_status": "refunded"},
            "cancelled",
        ),
    ],
)
def test_status_follows_cancellation_payment_and_fulfilment(changes, status):
    payload = {**documented_order(), **changes}

    assert parse_order("shopify", payload).status == status


def test_missing_optional_fields_leave_empty_values():
    payload = documented_order()
    for key in ("updated_at", "email", "customer", "shipping_address", "financial_status", "fulfillment_status"):
        payload.pop(key)
    payload["line_items"][0]["sku"] = None  # a variant without SKU

    order = parse_order("shopify", payload)

    assert order.status == "pending"
    assert order.updated_at is None
    assert order.buyer_email == ""
    assert (order.ship_to.name, order.ship_to.country, order.ship_to.city, order.ship_to.postal_code) == (
        "",
        "",
        "",
        "",
    )
    assert order.lines[0].sku == ""


def test_non_ascii_names_and_addresses_and_yen_without_minor_unit():
    payload = documented_order()
    payload.update(currency="JPY", total_price="5980", created_at="2026-11-25T09:30:00+09:00")
    payload["shipping_address"].update(
        first_name="花子", last_name="佐藤", name="佐藤 花子", city="千代田区", zip="100-0005", country_code="JP"
    )
    payload["line_items"] = [{**payload["line_items"][0], "price": "2990.00", "quantity": 2, "name": "水筒 500ml"}]

    order = parse_order("shopify", payload)

    assert order.currency == "JPY"
    assert order.total == Decimal("5980")
    assert order.total.as_tuple().exponent == 0
    assert order.lines[0].unit_price == Decimal("2990")
    assert order.lines[0].unit_price.as_tuple().exponent == 0
    assert order.lines[0].title == "水筒 500ml"
    assert order.ship_to.name == "佐藤 花子"
    assert order.ship_to.city == "千代田区"
    assert order.created_at == datetime(2026, 11, 25, 0, 30, tzinfo=UTC)


def test_three_decimal_currency_keeps_fils():
    payload = documented_order()
    payload.update(currency="KWD", total_price="12.345")
    payload["line_items"] = [{**payload["line_items"][0], "price": "12.345"}]

    order = parse_order("shopify", payload)

    assert order.total == Decimal("12.345")
    assert order.total.as_tuple().exponent == -3
    assert order.lines[0].unit_price == Decimal("12.345")


def test_amount_finer_than_the_currency_is_rejected_not_rounded():
    payload = {**documented_order(), "currency": "JPY", "total_price": "5980.50"}

    with pytest.raises(InvalidPayload) as error:
        parse_order("shopify", payload)

    assert error.value.field == "total_price"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("id",), "id"),
        (("created_at",), "created_at"),
        (("currency",), "currency"),
        (("total_price",), "total_price"),
        (("line_items",), "line_items"),
        (("line_items", 1, "id"), "line_items[1].id"),
        (("line_items", 0, "quantity"), "line_items[0].quantity"),
        (("line_items", 0, "price"), "line_items[0].price"),
        (("shipping_address", "country_code"), "shipping_address.country_code"),
    ],
)
def test_missing_required_field_is_named(path, field):
    payload = copy.deepcopy(documented_order())
    container = payload
    for key in path[:-1]:
        container = container[key]
    del container[path[-1]]

    with pytest.raises(InvalidPayload) as error:
        parse_order("shopify", payload)

    assert error.value.field == field
    assert field in str(error.value)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"created_at": "2008-01-10T11:00:00"}, "created_at"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"currency": "usd"}, "currency"),
        ({"total_price": "12,50"}, "total_price"),
        ({"line_items": "none"}, "line_items"),
    ],
)
def test_malformed_field_is_named(changes, field):
    with pytest.raises(InvalidPayload) as error:
        parse_order("shopify", {**documented_order(), **changes})

    assert error.value.field == field


def test_payload_that_is_not_an_object_is_rejected():
    with pytest.raises(InvalidPayload) as error:
        parse_order("shopify", ["not", "an", "order"])

    assert error.value.field == "<root>"


def test_unknown_platform_is_a_clear_error():
    with pytest.raises(UnknownPlatform, match="'shopfy'"):
        parse_order("shopfy", documented_order())
