"""Each Shopee sandbox endpoint answers in the documented shape (open.shopee.com/documents/v2/...)."""

import time

import httpx

from hub.marketplaces.sandbox import shopee as sandbox
from hub.marketplaces.shopee.signing import api_sign
from tests.marketplaces.support import Optional, shape_errors

ENVELOPE = {"request_id": str, "error": str, "message": str}
ORDER_LIST = {
    **ENVELOPE,
    "response": {"more": bool, "next_cursor": str, "order_list": [{"order_sn": str, "order_status": str}]},
}
ORDER_DETAIL = {
    **ENVELOPE,
    "response": {
        "order_list": [
            {
                "order_sn": str,
                "region": str,
                "currency": str,
                "cod": bool,
                "order_status": str,
                "create_time": int,
                "update_time": int,
                "days_to_ship": int,
                "ship_by_date": int,
                "message_to_seller": str,
                "total_amount": float,
                "recipient_address": {
                    "name": str,
                    "phone": str,
                    "town": str,
                    "district": str,
                    "city": str,
                    "state": str,
                    "region": str,
                    "zipcode": str,
                    "full_address": str,
                },
                "item_list": [
                    {
                        "item_id": int,
                        "item_name": str,
                        "item_sku": str,
                        "model_id": int,
                        "model_name": str,
                        "model_sku": str,
                        "model_quantity_purchased": int,
                        "model_original_price": float,
                        "model_discounted_price": float,
                    }
                ],
                "package_list": [{"package_number": str, "logistics_status": str, "shipping_carrier": str}],
            }
        ]
    },
}
UPDATE_STOCK = {
    **ENVELOPE,
    "response": {
        "success_list": [{"model_id": int, "location_id": str, "stock": int}],
        "failure_list": [{"model_id": int, "failed_reason": str}],
    },
}
MODEL_LIST = {
    **ENVELOPE,
    "response": {
        "tier_variation": [{"name": str, "option_list": [{"option": str}]}],
        "model": [
            {
                "model_id": int,
                "model_sku": str,
                "price_info": [{"currency": str, "current_price": float, "original_price": float}],
                "stock_info_v2": {
                    "summary_info": {"total_reserved_stock": int, "total_available_stock": int},
                    "seller_stock": [{"location_id": str, "stock": int}],
                },
            }
        ],
    },
}
TRACKING_NUMBER = {
    **ENVELOPE,
    "response": {
        "tracking_number": str,
        "plp_number": str,
        "first_mile_tracking_number": str,
        "last_mile_tracking_number": str,
    },
}
SHIPPING_PARAMETER = {**ENVELOPE, "response": {"info_needed": {"non_integrated": [str]}}}
TOKEN = {
    **ENVELOPE,
    "access_token": str,
    "refresh_token": str,
    "expire_in": int,
    "partner_id": int,
    "shop_id": Optional((int, str)),
}


def test_every_endpoint_answers_in_the_documented_shape(shopee):
    world = shopee()
    listing = sandbox.listing_create(world.shop, "LOTUS-MAT", 5)
    order = sandbox.place_order(world.shop, [("LOTUS-MAT", 1)])
    adapter = world.adapter()
    v2 = "/api/v2"

    answers = {
        "get_order_list": adapter._call(
            "GET",
            f"{v2}/order/get_order_list",
            params={
                "time_range_field": "update_time",
                "time_from": int(time.time()) - 3600,
                "time_to": int(time.time()),
                "page_size": 10,
                "response_optional_fields": "order_status",
            },
        ),
        "get_order_detail": adapter._call(
            "GET",
            f"{v2}/order/get_order_detail",
            params={
                "order_sn_list": order.external_id,
                "response_optional_fields": "recipient_address,item_list,total_amount,package_list",
            },
        ),
        "update_stock": adapter._call(
            "POST",
            f"{v2}/product/update_stock",
            body={
                "item_id": int(listing.listing_id),
                "stock_list": [
                    {"model_id": int(listing.variant_id), "seller_stock": [{"stock": 3}]},
                    {"model_id": 1, "seller_stock": [{"stock": 3}]},
                ],
            },
        ),
        "get_model_list": adapter._call("GET", f"{v2}/product/get_model_list", params={"item_id": listing.listing_id}),
        "get_shipping_parameter": adapter._call(
            "GET", f"{v2}/logistics/get_shipping_parameter", params={"order_sn": order.external_id}
        ),
        "ship_order": adapter._call(
            "POST",
            f"{v2}/logistics/ship_order",
            body={"order_sn": order.external_id, "non_integrated": {"tracking_number": "TRK1"}},
        ),
        "access_token_get": adapter._request_token(world.account.credentials),
    }
    answers["get_tracking_number"] = adapter._call(
        "GET", f"{v2}/logistics/get_tracking_number", params={"order_sn": order.external_id}
    )
    schemas = {
        "get_order_list": ORDER_LIST,
        "get_order_detail": ORDER_DETAIL,
        "update_stock": UPDATE_STOCK,
        "get_model_list": MODEL_LIST,
        "get_shipping_parameter": SHIPPING_PARAMETER,
        "ship_order": ENVELOPE,
        "get_tracking_number": TRACKING_NUMBER,
    }

    for name, schema in schemas.items():
        assert shape_errors(answers[name], schema) == [], name
    assert answers["get_order_detail"]["response"]["order_list"][0]["order_sn"] == order.external_id
    assert len(answers["update_stock"]["response"]["failure_list"]) == 1
    assert answers["get_tracking_number"]["response"]["tracking_number"] == "TRK1"
    assert set(answers["access_token_get"]) == {"access_token", "refresh_token", "expire_at"}


def test_raw_token_answer_and_error_envelope(shopee):
    world = shopee()
    credentials = world.account.credentials
    path = "/api/v2/auth/access_token/get"
    now = int(time.time())
    sign = api_sign(credentials["partner_key"], credentials["partner_id"], path, now)
    base = world.account.base_url

    answer = httpx.post(
        f"{base}{path}",
        params={"partner_id": credentials["partner_id"], "timestamp": now, "sign": sign},
        json={
            "refresh_token": credentials["refresh_token"],
            "partner_id": credentials["partner_id"],
            "shop_id": int(world.account.shop_id),
        },
    )
    wrong_sign = httpx.get(
        f"{base}/api/v2/order/get_order_list",
        params={
            "partner_id": credentials["partner_id"],
            "timestamp": now,
            "sign": "0" * 64,
            "access_token": credentials["access_token"],
            "shop_id": world.account.shop_id,
        },
    )
    stale = httpx.post(
        f"{base}{path}",
        params={
            "partner_id": credentials["partner_id"],
            "timestamp": now - 301,
            "sign": api_sign(credentials["partner_key"], credentials["partner_id"], path, now - 301),
        },
        json={
            "refresh_token": credentials["refresh_token"],
            "partner_id": credentials["partner_id"],
            "shop_id": int(world.account.shop_id),
        },
    )

    assert answer.status_code == 200
    assert shape_errors(answer.json(), TOKEN) == []
    assert answer.json()["expire_in"] == 4 * 3600
    assert (wrong_sign.status_code, wrong_sign.json()["error"]) == (403, "error_sign")
    assert shape_errors(wrong_sign.json(), ENVELOPE) == []
    assert (stale.status_code, stale.json()["error"]) == (400, "error_param")
