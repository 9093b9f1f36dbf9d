"""parse_order on SP-API payloads written from the ordersV0.json examples (getOrders order + getOrderItems items)."""

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hub.marketplaces import InvalidPayload, parse_order

ORDER = {
    "AmazonOrderId": "902-3159896-1390916",
    "PurchaseDate": "2026-03-01T10:15:30Z",
    "LastUpdateDate": "2026-03-01T11:02:00Z",
    "OrderStatus": "Unshipped",
    "FulfillmentChannel": "MFN",
    "SalesChannel": "Amazon.com",
    "OrderTotal": {"CurrencyCode": "USD", "Amount": "74.70"},
    "NumberOfItemsShipped": 0,
    "NumberOfItemsUnshipped": 3,
    "MarketplaceId": "ATVPDKIKX0DER",
    "OrderType": "StandardOrder",
    "IsPrime": False,
    "IsBusinessOrder": False,
    "ShippingAddress": {
        "Name": "Emily Carter",
        "AddressLine1": "1200 Barton Springs Rd",
        "AddressLine2": "Apt 4",
        "City": "Austin",
        "StateOrRegion": "TX",
        "PostalCode": "73301",
        "CountryCode": "US",
        "Phone": "+1 512 555 0101",
        "AddressType": "Residential",
    },
    "BuyerInfo": {"BuyerEmail": "abc123@marketplace.amazon.com"},
    "OrderItems": [
        {
            "ASIN": "B00551Q3CS",
            "SellerSKU": "HARBOR-BOTTLE-500",
            "OrderItemId": "68828574383266",
            "Title": "Steel bottle 500 ml",
            "QuantityOrdered": 2,
            "QuantityShipped": 0,
            "ItemPrice": {"CurrencyCode": "USD", "Amount": "39.80"},
            "ItemTax": {"CurrencyCode": "USD", "Amount": "0.00"},
            "IsGift": "false",
        },
        {
            "ASIN": "B00551Q3CT",
            "SellerSKU": "HARBOR-LAMP",
            "OrderItemId": "68828574383267",
            "Title": "Desk lamp",
            "QuantityOrdered": 1,
            "QuantityShipped": 0,
            "ItemPrice": {"CurrencyCode": "USD", "Amount": "34.90"},
            "IsGift": "false",
        },
    ],
}


def order(**changes):
    payload = copy.deepcopy(ORDER)
    payload.update(changes)
    return payload


def test_multi_line_unshipped_order_maps_to_a_paid_canonical_order():
    parsed = parse_order("amazon", order())

    assert parsed.platform == "amazon"
    assert parsed.external_id == "902-3159896-1390916"
    assert parsed.status == "paid"
    assert parsed.created_at == datetime(2026, 3, 1, 10, 15, 30, tzinfo=UTC)
    assert parsed.updated_at == datetime(2026, 3, 1, 11, 2, tzinfo=UTC)
    assert parsed.currency == "USD"
    assert parsed.total == Decimal("74.70")
    assert [(line.external_line_id, line.sku, line.quantity, line.unit_price) for line in parsed.lines] == [
        ("68828574383266", "HARBOR-BOTTLE-500", 2, Decimal("19.90")),
        ("68828574383267", "HARBOR-LAMP", 1, Decimal("34.90")),
    ]
    assert (parsed.ship_to.name, parsed.ship_to.country, parsed.ship_to.city, parsed.ship_to.postal_code) == (
        "Emily Carter",
        "US",
        "Austin",
        "73301",
    )
    assert parsed.ship_to.address2 == "Apt 4"
    assert parsed.buyer_email == "abc123@marketplace.amazon.com"


@pytest.mark.parametrize(
    ("amazon_status", "canonical"),
    [
        ("Pending", "pending"),
        ("PendingAvailability", "pending"),
        ("Unshipped", "paid"),
        ("PartiallyShipped", "shipped"),
        ("Shipped", "shipped"),
        ("InvoiceUnconfirmed", "shipped"),
        ("Canceled", "cancelled"),
        ("Unfulfillable", "cancelled"),
    ],
)
def test_every_documented_order_status_maps_to_a_canonical_one(amazon_status, canonical):
    assert parse_order("amazon", order(OrderStatus=amazon_status)).status == canonical


def test_cancelled_order_without_amounts_or_address_takes_the_marketplace_currency():
    payload = order(OrderStatus="Canceled", MarketplaceId="A1PN6AFILU2W8O")
    del payload["OrderTotal"], payload["ShippingAddress"]
    for item in payload["OrderItems"]:
        del item["ItemPrice"]

    parsed = parse_order("amazon", payload)

    assert parsed.status == "cancelled"
    assert parsed.currency == "EUR"
    assert parsed.total == Decimal("0.00")
    assert [line.unit_price for line in parsed.lines] == [Decimal("0.00"), Decimal("0.00")]
    assert parsed.ship_to.country == ""


def test_pending_order_missing_optional_fields_parses():
    payload = order(OrderStatus="Pending")
    for key in ("ShippingAddress", "BuyerInfo", "LastUpdateDate", "OrderTotal"):
        del payload[key]

    parsed = parse_order("amazon", payload)

    assert parsed.status == "pending"
    assert parsed.updated_at is None
    assert parsed.buyer_email == ""
    assert parsed.total == Decimal("74.70")  # the items' prices
    assert parsed.ship_to.name == ""


def test_japanese_order_keeps_non_ascii_names_and_yen_without_decimals():
    payload = order(
        MarketplaceId="A1VC38T7YXB528",
        OrderTotal={"CurrencyCode": "JPY", "Amount": "3960"},
        ShippingAddress={
            "Name": "佐藤 花子",
            "AddressLine1": "千代田区丸の内1-1",
            "City": "東京都",
            "PostalCode": "100-0005",
            "CountryCode": "jp",
        },
    )
    payload["OrderItems"] = [
        {
            "OrderItemId": "1",
            "SellerSKU": "ボトル-500",
            "QuantityOrdered": 2,
            "ItemPrice": {"CurrencyCode": "JPY", "Amount": "3960"},
        }
    ]

    parsed = parse_order("amazon", payload)

    assert parsed.currency == "JPY"
    assert parsed.total == Decimal("3960")
    assert parsed.total.as_tuple().exponent == 0
    assert parsed.lines[0].unit_price == Decimal("1980")
    assert parsed.lines[0].sku == "ボトル-500"
    assert (parsed.ship_to.name, parsed.ship_to.city, parsed.ship_to.country) == ("佐藤 花子", "東京都", "JP")


def test_three_decimal_currency_keeps_fils():
    payload = order(OrderTotal={"CurrencyCode": "KWD", "Amount": "37.035"})
    payload["OrderItems"] = [
        {
            "OrderItemId": "1",
            "SellerSKU": "S",
            "QuantityOrdered": 3,
            "ItemPrice": {"CurrencyCode": "KWD", "Amount": "37.035"},
        }
    ]

    parsed = parse_order("amazon", payload)

    assert parsed.total == Decimal("37.035")
    assert parsed.total.as_tuple().exponent == -3
    assert parsed.lines[0].unit_price == Decimal("12.345")


@pytest.mark.parametrize(
    ("remove", "field"),
    [
        (("AmazonOrderId",), "AmazonOrderId"),
        (("PurchaseDate",), "PurchaseDate"),
        (("OrderStatus",), "OrderStatus"),
        (("OrderItems",), "OrderItems"),
        (("OrderItems", 0, "SellerSKU"), "OrderItems.0.SellerSKU"),
        (("OrderItems", 1, "OrderItemId"), "OrderItems.1.OrderItemId"),
        (("OrderItems", 0, "QuantityOrdered"), "OrderItems.0.QuantityOrdered"),
    ],
)
def test_missing_required_field_raises_invalid_payload_naming_it(remove, field):
    payload = order()
    target = payload
    for step in remove[:-1]:
        target = target[step]
    del target[remove[-1]]

    with pytest.raises(InvalidPayload) as raised:
        parse_order("amazon", payload)

    assert raised.value.field == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"PurchaseDate": "2026-03-01 10:15"}, "PurchaseDate"),
        ({"PurchaseDate": "2026-03-01T10:15:30"}, "PurchaseDate"),  # no offset: not aware
        ({"OrderTotal": {"CurrencyCode": "US", "Amount": "1.00"}}, "OrderTotal.CurrencyCode"),
        ({"OrderTotal": {"CurrencyCode": "USD", "Amount": "ten"}}, "OrderTotal.Amount"),
        ({"OrderStatus": "Lost"}, "OrderStatus"),
        ({"ShippingAddress": {"Name": "X", "CountryCode": "USA"}}, "ShippingAddress.CountryCode"),
    ],
)
def test_malformed_field_raises_invalid_payload_naming_it(changes, field):
    with pytest.raises(InvalidPayload) as raised:
        parse_order("amazon", order(**changes))

    assert raised.value.field == field


def test_non_object_payload_is_refused():
    with pytest.raises(InvalidPayload) as raised:
        parse_order("amazon", ["not", "an", "order"])

    assert raised.value.field == "<root>"
