"""parse_order("shopee", ...) on get_order_detail objects written from Shopee's documented response."""

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hub.marketplaces import InvalidPayload, parse_order

# Modelled on the v2.order.get_order_detail response sample (open.shopee.com/documents/v2/v2.order.get_order_detail)
ORDER = {
    "order_sn": "201218V2Y6E59M",
    "region": "SG",
    "currency": "SGD",
    "cod": False,
    "total_amount": 38.7,
    "order_status": "READY_TO_SHIP",
    "shipping_carrier": "Standard Delivery",
    "payment_method": "Credit Card/Debit Card",
    "estimated_shipping_fee": 1.99,
    "message_to_seller": "",
    "create_time": 1608282050,
    "update_time": 1608282089,
    "days_to_ship": 3,
    "ship_by_date": 1608541250,
    "buyer_user_id": 13021982,
    "buyer_username": "hanako.s",
    "recipient_address": {
        "name": "佐藤 花子",
        "phone": "6591234567",
        "town": "",
        "district": "",
        "city": "Singapore",
        "state": "",
        "region": "SG",
        "zipcode": "018956",
        "full_address": "10 Bayfront Avenue, #05-01, Singapore 018956",
    },
    "item_list": [
        {
            "item_id": 3000142341,
            "item_name": "Bamboo Yoga Mat",
            "item_sku": "MAT",
            "model_id": 5300094012,
            "model_name": "Green",
            "model_sku": "LOTUS-MAT-GREEN",
            "model_quantity_purchased": 2,
            "model_original_price": 15.0,
            "model_discounted_price": 12.9,
            "order_item_id": 3000142341,
        },
        {
            "item_id": 3000142399,
            "item_name": "Canvas Tote",
            "item_sku": "LOTUS-TOTE",
            "model_id": 0,
            "model_name": "",
            "model_sku": "",
            "model_quantity_purchased": 1,
            "model_original_price": 12.9,
            "model_discounted_price": 12.9,
            "order_item_id": 3000142399,
        },
    ],
    "pay_time": 1608282089,
    "cancel_by": "",
    "cancel_reason": "",
}


def _order(**changes):
    order = copy.deepcopy(ORDER)
    order.update(changes)
    return order


def test_multi_line_order():
    order = parse_order("shopee", ORDER)

    assert order.platform == "shopee"
    assert order.external_id == "201218V2Y6E59M"
    assert order.status == "paid"
    assert order.created_at == datetime(2020, 12, 18, 9, 0, 50, tzinfo=UTC)
    assert order.updated_at == datetime(2020, 12, 18, 9, 1, 29, tzinfo=UTC)
    assert order.currency == "SGD"
    assert order.total == Decimal("38.70")
    assert [(line.external_line_id, line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("3000142341-5300094012", "LOTUS-MAT-GREEN", 2, Decimal("12.90")),
        ("3000142399-0", "LOTUS-TOTE", 1, Decimal("12.90")),  # no variations: the item SKU
    ]


def test_non_ascii_recipient():
    ship_to = parse_order("shopee", ORDER).ship_to

    assert (ship_to.name, ship_to.country, ship_to.city, ship_to.postal_code) == (
        "佐藤 花子",
        "SG",
        "Singapore",
        "018956",
    )
    assert ship_to.address1 == "10 Bayfront Avenue, #05-01, Singapore 018956"


@pytest.mark.parametrize(
    ("shopee_status", "canonical"),
    [
        ("UNPAID", "pending"),
        ("READY_TO_SHIP", "paid"),
        ("PROCESSED", "paid"),
        ("IN_CANCEL", "paid"),
        ("SHIPPED", "shipped"),
        ("TO_CONFIRM_RECEIVE", "shipped"),
        ("COMPLETED", "shipped"),
        ("CANCELLED", "cancelled"),
        ("TO_RETURN", "refunded"),
    ],
)
def test_statuses(shopee_status, canonical):
    assert parse_order("shopee", _order(order_status=shopee_status)).status == canonical


def test_cancelled_order():
    order = parse_order("shopee", _order(order_status="CANCELLED", cancel_by="buyer", cancel_reason="Change of mind"))

    assert order.status == "cancelled"
    assert len(order.lines) == 2


def test_missing_optional_fields():
    order = _order()
    for field in ("recipient_address", "total_amount", "buyer_username", "pay_time", "update_time", "cancel_reason"):
        del order[field]
    del order["item_list"][0]["model_discounted_price"]

    parsed = parse_order("shopee", order)

    assert parsed.ship_to.country == "SG"  # the order's region
    assert parsed.ship_to.name == ""
    assert parsed.updated_at is None
    assert parsed.lines[0].unit_price == Decimal("15.00")  # the original price
    assert parsed.total == Decimal("42.90")  # summed from the lines when total_amount is absent


def test_vietnam_dong_has_no_minor_unit_and_non_ascii_address():
    order = _order(
        region="VN",
        currency="VND",
        total_amount=259000.0,
        recipient_address={"name": "Nguyễn Văn An", "city": "Hồ Chí Minh", "region": "VN", "zipcode": "700000"},
    )
    order["item_list"] = [dict(ORDER["item_list"][0], model_discounted_price=129500.4)]

    parsed = parse_order("shopee", order)

    assert parsed.total == Decimal("259000")
    assert parsed.lines[0].unit_price == Decimal("129500")
    assert (parsed.ship_to.name, parsed.ship_to.city) == ("Nguyễn Văn An", "Hồ Chí Minh")


def test_jpy_and_three_decimal_currency():
    jpy = parse_order("shopee", _order(currency="JPY", total_amount=3980.0))
    kwd = parse_order("shopee", _order(currency="KWD", total_amount=12.3456))

    assert jpy.total == Decimal("3980")
    assert jpy.total.as_tuple().exponent == 0
    assert kwd.total == Decimal("12.346")
    assert kwd.lines[0].unit_price == Decimal("12.900")


@pytest.mark.parametrize(
    ("remove", "field"),
    [
        (("order_sn",), "order_sn"),
        (("order_status",), "order_status"),
        (("currency",), "currency"),
        (("create_time",), "create_time"),
        (("item_list",), "item_list"),
        (("item_list", 0, "model_quantity_purchased"), "item_list[0].model_quantity_purchased"),
        (("item_list", 1, "item_id"), "item_list[1].item_id"),
    ],
)
def test_missing_required_field_names_it(remove, field):
    order = _order()
    container = order
    for key in remove[:-1]:
        container = container[key]
    del container[remove[-1]]

    with pytest.raises(InvalidPayload) as error:
        parse_order("shopee", order)

    assert error.value.field == field


def test_missing_region_without_address_is_named():
    order = _order()
    del order["recipient_address"]
    del order["region"]

    with pytest.raises(InvalidPayload) as error:
        parse_order("shopee", order)

    assert error.value.field == "region"


def test_malformed_values_are_named():
    with pytest.raises(InvalidPayload) as amount:
        parse_order("shopee", _order(total_amount="lots"))
    with pytest.raises(InvalidPayload) as status:
        parse_order("shopee", _order(order_status="TELEPORTED"))

    assert amount.value.field == "total_amount"
    assert status.value.field == "order_status"
