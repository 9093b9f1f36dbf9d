"""parse_order on eBay Fulfillment API orders written from the getOrders / getOrder reference samples."""

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hub.marketplaces import InvalidPayload, parse_order


def money(value, currency="USD"):
    return {"value": value, "currency": currency}


ORDER = {
    "orderId": "12-05615-07894",
    "legacyOrderId": "110426985642-28374651001",
    "creationDate": "2026-03-01T10:15:30.000Z",
    "lastModifiedDate": "2026-03-01T10:16:02.000Z",
    "orderFulfillmentStatus": "NOT_STARTED",
    "orderPaymentStatus": "PAID",
    "sellerId": "harbor_trading",
    "buyer": {"username": "e_carter", "buyerRegistrationAddress": {"email": "e.carter@example.com"}},
    "pricingSummary": {"priceSubtotal": money("74.70"), "deliveryCost": money("0.00"), "total": money("74.70")},
    "cancelStatus": {"cancelState": "NONE_REQUESTED", "cancelRequests": []},
    "paymentSummary": {"totalDueSeller": money("70.20"), "payments": [], "refunds": []},
    "fulfillmentStartInstructions": [
        {
            "fulfillmentInstructionsType": "SHIP_TO",
            "ebaySupportedFulfillment": False,
            "shippingStep": {
                "shipTo": {
                    "fullName": "Emily Carter",
                    "contactAddress": {
                        "addressLine1": "1200 Barton Springs Rd",
                        "addressLine2": "Apt 4",
                        "city": "Austin",
                        "stateOrProvince": "TX",
                        "postalCode": "73301",
                        "countryCode": "US",
                    },
                    "primaryPhone": {"phoneNumber": "5125550101"},
                },
                "shippingCarrierCode": "USPS",
                "shippingServiceCode": "USPSPriority",
            },
        }
    ],
    "lineItems": [
        {
            "lineItemId": "10034278459201",
            "legacyItemId": "110426985642",
            "sku": "HARBOR-BOTTLE-500",
            "title": "Steel bottle 500 ml",
            "lineItemCost": money("39.80"),
            "quantity": 2,
            "soldFormat": "FIXED_PRICE",
            "listingMarketplaceId": "EBAY_US",
            "lineItemFulfillmentStatus": "NOT_STARTED",
            "total": money("39.80"),
        },
        {
            "lineItemId": "10034278459202",
            "legacyItemId": "110426985643",
            "sku": "HARBOR-LAMP",
            "title": "Desk lamp",
            "lineItemCost": money("34.90"),
            "quantity": 1,
            "lineItemFulfillmentStatus": "NOT_STARTED",
            "total": money("34.90"),
        },
    ],
}


def order(**changes):
    payload = copy.deepcopy(ORDER)
    payload.update(changes)
    return payload


def test_multi_line_paid_order_maps_to_a_canonical_order():
    parsed = parse_order("ebay", order())

    assert (parsed.platform, parsed.external_id, parsed.status) == ("ebay", "12-05615-07894", "paid")
    assert parsed.created_at == datetime(2026, 3, 1, 10, 15, 30, tzinfo=UTC)
    assert parsed.updated_at == datetime(2026, 3, 1, 10, 16, 2, tzinfo=UTC)
    assert (parsed.currency, parsed.total) == ("USD", Decimal("74.70"))
    assert [(line.external_line_id, line.sku, line.quantity, line.unit_price) for line in parsed.lines] == [
        ("10034278459201", "HARBOR-BOTTLE-500", 2, Decimal("19.90")),
        ("10034278459202", "HARBOR-LAMP", 1, Decimal("34.90")),
    ]
    ship_to = parsed.ship_to
    assert (ship_to.name, ship_to.country, ship_to.city, ship_to.postal_code) == (
        "Emily Carter",
        "US",
        "Austin",
        "73301",
    )
    assert (ship_to.address2, ship_to.state, ship_to.phone) == ("Apt 4", "TX", "5125550101")
    assert parsed.buyer_email == "e.carter@example.com"


@pytest.mark.parametrize(
    ("payment", "fulfilment", "cancel", "canonical"),
    [
        ("PENDING", "NOT_STARTED", "NONE_REQUESTED", "pending"),
        ("FAILED", "NOT_STARTED", "NONE_REQUESTED", "pending"),
        ("PAID", "NOT_STARTED", "NONE_REQUESTED", "paid"),
        ("PAID", "NOT_STARTED", "IN_PROGRESS", "paid"),
        ("PARTIALLY_REFUNDED", "NOT_STARTED", "NONE_REQUESTED", "paid"),
        ("PAID", "IN_PROGRESS", "NONE_REQUESTED", "shipped"),
        ("PAID", "FULFILLED", "NONE_REQUESTED", "shipped"),
        ("FULLY_REFUNDED", "FULFILLED", "NONE_REQUESTED", "refunded"),
        ("FULLY_REFUNDED", "NOT_STARTED", "CANCELED", "cancelled"),
        ("PAID", "NOT_STARTED", "CANCELED", "cancelled"),
    ],
)
def test_status_combinations_map_to_canonical_statuses(payment, fulfilment, cancel, canonical):
    payload = order(orderPaymentStatus=payment, orderFulfillmentStatus=fulfilment, cancelStatus={"cancelState": cancel})

    assert parse_order("ebay", payload).status == canonical


def test_missing_optional_fields_parse():
    payload = order()
    for key in ("lastModifiedDate", "buyer", "fulfillmentStartInstructions", "cancelStatus", "paymentSummary"):
        del payload[key]
    del payload["lineItems"][0]["sku"]  # a listing without a seller-defined SKU
    del payload["lineItems"][1]["title"]

    parsed = parse_order("ebay", payload)

    assert parsed.updated_at is None
    assert parsed.buyer_email == ""
    assert (parsed.ship_to.name, parsed.ship_to.country) == ("", "")
    assert parsed.lines[0].sku == "110426985642"
    assert parsed.lines[1].title == ""


def test_german_order_keeps_non_ascii_names_and_euro_cents():
    payload = order(pricingSummary={"total": money("19.90", "EUR")})
    payload["lineItems"] = [
        {"lineItemId": "1", "sku": "NORDIC-LAMPE-Ø30", "lineItemCost": money("19.90", "EUR"), "quantity": 1}
    ]
    payload["fulfillmentStartInstructions"][0]["shippingStep"]["shipTo"] = {
        "fullName": "Jürgen Müller",
        "contactAddress": {
            "addressLine1": "Marienplatz 8",
            "city": "München",
            "postalCode": "80331",
            "countryCode": "DE",
        },
    }

    parsed = parse_order("ebay", payload)

    assert (parsed.ship_to.name, parsed.ship_to.city, parsed.ship_to.country) == ("Jürgen Müller", "München", "DE")
    assert parsed.lines[0].sku == "NORDIC-LAMPE-Ø30"
    assert (parsed.currency, parsed.total) == ("EUR", Decimal("19.90"))


def test_yen_order_has_no_minor_unit():
    payload = order(pricingSummary={"total": money("5940", "JPY")})
    payload["lineItems"] = [{"lineItemId": "1", "sku": "S", "lineItemCost": money("5940", "JPY"), "quantity": 3}]
    payload["fulfillmentStartInstructions"][0]["shippingStep"]["shipTo"] = {
        "fullName": "佐藤 花子",
        "contactAddress": {"city": "東京都", "postalCode": "100-0005", "countryCode": "JP"},
    }

    parsed = parse_order("ebay", payload)

    assert parsed.total == Decimal("5940")
    assert parsed.total.as_tuple().exponent == 0
    assert parsed.lines[0].unit_price == Decimal("1980")
    assert parsed.ship_to.name == "佐藤 花子"


def test_bahraini_dinar_keeps_three_decimals():
    payload = order(pricingSummary={"total": money("7.5", "BHD")})
    payload["lineItems"] = [{"lineItemId": "1", "sku": "S", "lineItemCost": money("7.5", "BHD"), "quantity": 2}]

    parsed = parse_order("ebay", payload)

    assert parsed.total == Decimal("7.500")
    assert parsed.total.as_tuple().exponent == -3
    assert parsed.lines[0].unit_price == Decimal("3.750")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("orderId",), "orderId"),
        (("creationDate",), "creationDate"),
        (("orderPaymentStatus",), "orderPaymentStatus"),
        (("orderFulfillmentStatus",), "orderFulfillmentStatus"),
        (("pricingSummary", "total"), "pricingSummary.total.currency"),
        (("pricingSummary", "total", "value"), "pricingSummary.total.value"),
        (("lineItems",), "lineItems"),
        (("lineItems", 1, "lineItemId"), "lineItems.1.lineItemId"),
        (("lineItems", 0, "quantity"), "lineItems.0.quantity"),
        (("lineItems", 0, "lineItemCost"), "lineItems.0.lineItemCost"),
    ],
)
def test_missing_required_field_raises_invalid_payload_naming_it(path, field):
    payload = order()
    target = payload
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]

    with pytest.raises(InvalidPayload) as raised:
        parse_order("ebay", payload)

    assert raised.value.field == field


def test_line_without_sku_or_item_id_names_the_item_id():
    payload = order()
    del payload["lineItems"][0]["sku"], payload["lineItems"][0]["legacyItemId"]

    with pytest.raises(InvalidPayload) as raised:
        parse_order("ebay", payload)

    assert raised.value.field == "lineItems.0.legacyItemId"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"creationDate": "yesterday"}, "creationDate"),
        ({"orderPaymentStatus": "MAYBE"}, "orderPaymentStatus"),
        ({"pricingSummary": {"total": money("1", "dollars")}}, "pricingSummary.total.currency"),
        ({"pricingSummary": {"total": money("1,00")}}, "pricingSummary.total.value"),
    ],
)
def test_malformed_field_raises_invalid_payload_naming_it(changes, field):
    with pytest.raises(InvalidPayload) as raised:
        parse_order("ebay", order(**changes))

    assert raised.value.field == field


def test_line_in_another_currency_than_the_total_is_refused():
    payload = order()
    payload["lineItems"][1]["lineItemCost"] = money("34.90", "EUR")

    with pytest.raises(InvalidPayload) as raised:
        parse_order("ebay", payload)

    assert raised.value.field == "lineItems.1.lineItemCost.currency"
