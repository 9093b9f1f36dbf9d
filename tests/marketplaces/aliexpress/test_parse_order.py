"""parse_order("aliexpress", ...) on order.info.get result.data, written from the documented sample."""

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hub.marketplaces import InvalidPayload, parse_order


def _price(amount: str, currency: str = "EUR", key: str = "amount") -> dict:
    return {"cent": 1, "currency_code": currency, key: amount, "cent_factor": 100}


# Modelled on the aliexpress.solution.order.info.get response sample (result.data)
ORDER = {
    "id": 31130700125804,
    "order_status": "WAIT_SELLER_SEND_GOODS",
    "gmt_create": "2019-03-06 12:01:17",
    "gmt_modified": "2019-03-07 08:30:00",
    "gmt_pay_success": "2019-03-06 12:05:00",
    "buyer_signer_fullname": "Chloé Dubois",
    "buyerloginid": "fr1234567",
    "order_amount": _price("51.98"),
    "logistics_amount": _price("0.00"),
    "receipt_address": {
        "contact_person": "Chloé Dubois",
        "country": "FR",
        "province": "Île-de-France",
        "city": "Paris",
        "zip": "75004",
        "detail_address": "3 Rue de Rivoli",
        "address2": "Bâtiment B",
        "phone_country": "+33",
        "mobile_no": "155550101",
    },
    "child_order_list": {
        "global_aeop_tp_child_order_dto": [
            {
                "id": 31130700125805,
                "product_id": 1005001234567,
                "product_name": "Bamboo Yoga Mat",
                "sku_code": "LOTUS-MAT-GREEN",
                "product_count": 2,
                "product_price": _price("12.99"),
                "order_status": "WAIT_SELLER_SEND_GOODS",
            },
            {
                "id": 31130700125806,
                "product_id": 1005001234999,
                "product_name": "Canvas Tote",
                "sku_code": "LOTUS-TOTE",
                "product_count": 1,
                "product_price": _price("26.00", key="amount_str"),
                "order_status": "WAIT_SELLER_SEND_GOODS",
            },
        ]
    },
}


def _order(**changes):
    order = copy.deepcopy(ORDER)
    order.update(changes)
    return order


def test_multi_line_order_in_pacific_time():
    order = parse_order("aliexpress", ORDER)

    assert (order.platform, order.external_id, order.status) == ("aliexpress", "31130700125804", "paid")
    assert order.created_at == datetime(2019, 3, 6, 20, 1, 17, tzinfo=UTC)  # 12:01:17 PST = UTC-8
    assert order.updated_at == datetime(2019, 3, 7, 16, 30, tzinfo=UTC)
    assert (order.currency, order.total) == ("EUR", Decimal("51.98"))
    assert [(line.external_line_id, line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("31130700125805", "LOTUS-MAT-GREEN", 2, Decimal("12.99")),
        ("31130700125806", "LOTUS-TOTE", 1, Decimal("26.00")),  # child orders may carry amount_str
    ]


def test_daylight_saving_time_is_pacific_daylight():
    assert parse_order("aliexpress", _order(gmt_create="2026-07-01 09:00:00")).created_at == datetime(
        2026, 7, 1, 16, 0, tzinfo=UTC
    )


def test_non_ascii_address():
    ship_to = parse_order("aliexpress", ORDER).ship_to

    assert (ship_to.name, ship_to.country, ship_to.city, ship_to.postal_code) == (
        "Chloé Dubois",
        "FR",
        "Paris",
        "75004",
    )
    assert (ship_to.state, ship_to.address2, ship_to.phone) == ("Île-de-France", "Bâtiment B", "+33 155550101")


def test_united_kingdom_is_written_uk_on_aliexpress():
    order = _order()
    order["receipt_address"] = {"contact_person": "Oliver Smith", "country": "UK", "city": "London", "zip": "SW1A 1AA"}

    assert parse_order("aliexpress", order).ship_to.country == "GB"


@pytest.mark.parametrize(
    ("status", "end_reason", "canonical"),
    [
        ("PLACE_ORDER_SUCCESS", "", "pending"),
        ("RISK_CONTROL", "", "pending"),
        ("WAIT_SELLER_SEND_GOODS", "", "paid"),
        ("IN_CANCEL", "", "paid"),
        ("SELLER_PART_SEND_GOODS", "", "shipped"),
        ("WAIT_BUYER_ACCEPT_GOODS", "", "shipped"),
        ("FINISH", "buyer_confirm_goods", "shipped"),
        ("FINISH", "buyer_cancel_notpay_order", "cancelled"),
        ("FINISH", "seller_send_goods_timeout", "cancelled"),
        ("FINISH", "refund_success", "refunded"),
    ],
)
def test_statuses(status, end_reason, canonical):
    assert parse_order("aliexpress", _order(order_status=status, order_end_reason=end_reason)).status == canonical


def test_missing_optional_fields():
    order = _order()
    for field in ("gmt_modified", "gmt_pay_success", "buyer_signer_fullname", "buyerloginid", "logistics_amount"):
        del order[field]
    order["receipt_address"] = {"country": "FR"}
    del order["child_order_list"]["global_aeop_tp_child_order_dto"][0]["product_name"]

    parsed = parse_order("aliexpress", order)

    assert parsed.updated_at is None
    assert (parsed.ship_to.name, parsed.ship_to.city, parsed.ship_to.postal_code) == ("", "", "")
    assert parsed.lines[0].title == ""


def test_whole_api_answer_is_accepted_too():
    answer = {"aliexpress_solution_order_info_get_response": {"result": {"data": ORDER}, "request_id": "x"}}

    assert parse_order("aliexpress", answer).external_id == "31130700125804"


def test_jpy_and_three_decimal_currencies():
    jpy = _order(order_amount=_price("3980", "JPY"))
    jpy["child_order_list"]["global_aeop_tp_child_order_dto"][0]["product_price"] = _price("1990.4", "JPY")
    kwd = _order(order_amount=_price("15.1255", "KWD"))

    parsed_jpy, parsed_kwd = parse_order("aliexpress", jpy), parse_order("aliexpress", kwd)

    assert (parsed_jpy.currency, parsed_jpy.total, parsed_jpy.lines[0].unit_price) == (
        "JPY",
        Decimal("3980"),
        Decimal("1990"),
    )
    assert parsed_kwd.total == Decimal("15.126")
    assert parsed_kwd.total.as_tuple().exponent == -3


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("id",), "id"),
        (("order_status",), "order_status"),
        (("gmt_create",), "gmt_create"),
        (("order_amount",), "order_amount"),
        (("order_amount", "currency_code"), "order_amount.currency_code"),
        (("receipt_address",), "receipt_address"),
        (("receipt_address", "country"), "receipt_address.country"),
        (("child_order_list",), "child_order_list"),
        (
            ("child_order_list", "global_aeop_tp_child_order_dto", 0, "sku_code"),
            "child_order_list.global_aeop_tp_child_order_dto[0].sku_code",
        ),
        (
            ("child_order_list", "global_aeop_tp_child_order_dto", 1, "product_count"),
            "child_order_list.global_aeop_tp_child_order_dto[1].product_count",
        ),
    ],
)
def test_missing_required_field_names_it(path, field):
    order = _order()
    container = order
    for key in path[:-1]:
        container = container[key]
    del container[path[-1]]

    with pytest.raises(InvalidPayload) as error:
        parse_order("aliexpress", order)

    assert error.value.field == field


def test_malformed_values_are_named():
    with pytest.raises(InvalidPayload) as when:
        parse_order("aliexpress", _order(gmt_create="06/03/2019"))
    with pytest.raises(InvalidPayload) as status:
        parse_order("aliexpress", _order(order_status="LOST_IN_SPACE"))

    assert when.value.field == "gmt_create"
    assert status.value.field == "order_status"
