"""Each AliExpress sandbox method answers in the documented shape (openservice.aliexpress.com API docs)."""

import json
import time

import httpx

from hub.marketplaces.aliexpress.signing import iop_sign
from hub.marketplaces.sandbox import aliexpress as sandbox
from tests.marketplaces.support import Optional, shape_errors

MONEY = {"amount": str, "currency_code": str}
ORDER_DTO = {
    "order_id": int,
    "order_status": str,
    "gmt_create": str,
    "gmt_update": str,
    "pay_amount": MONEY,
    "buyer_login_id": str,
    "buyer_signer_fullname": str,
    "logistics_status": str,
    "fund_status": str,
    "product_list": {
        "order_product_dto": [
            {
                "order_id": int,
                "child_id": int,
                "product_id": int,
                "sku_code": str,
                "product_name": str,
                "product_count": int,
                "product_unit_price": MONEY,
                "total_product_amount": MONEY,
                "son_order_status": str,
            }
        ]
    },
}
ORDER_GET = {
    "result": {
        "success": bool,
        "error_code": str,
        "error_message": str,
        "total_count": int,
        "current_page": int,
        "page_size": int,
        "total_page": int,
        "time_stamp": str,
        "target_list": {"order_dto": [ORDER_DTO]},
    },
    "request_id": str,
}
ORDER_INFO = {
    "result": {
        "error_code": str,
        "error_message": str,
        "data": {
            "id": int,
            "order_status": str,
            "gmt_create": str,
            "gmt_modified": str,
            "order_amount": MONEY,
            "receipt_address": {"contact_person": str, "country": str, "city": str, "zip": str, "detail_address": str},
            "child_order_list": {
                "global_aeop_tp_child_order_dto": [
                    {"id": int, "sku_code": str, "product_count": int, "product_price": MONEY, "product_id": int}
                ]
            },
            "logistic_info_list": {"global_aeop_tp_logistic_info_dto": list},
        },
    },
    "request_id": str,
}
PRODUCT_RESPONSE = {"synchronize_product_response_dto": [{"product_id": int, "error_code": Optional(str)}]}
INVENTORY = {
    "update_success": bool,
    "update_successful_list": PRODUCT_RESPONSE,
    "update_failed_list": PRODUCT_RESPONSE,
    "request_id": str,
}
PRODUCT_INFO = {
    "result": {
        "product_id": int,
        "subject": str,
        "aeop_ae_product_s_k_us": {
            "global_aeop_ae_product_sku": [{"sku_code": str, "ipm_sku_stock": int, "sku_stock": bool, "sku_price": str}]
        },
    },
    "request_id": str,
}
FULFILL = {"result": {"result_success": bool}, "request_id": str}
SYNC_ERROR = {
    "error_response": {
        "type": {"ISV", "ISP", "SYSTEM"},
        "code": str,
        "msg": str,
        "request_id": str,
        "sub_code": Optional(str),
        "sub_msg": Optional(str),
    }
}
TOKEN = {
    "code": {"0"},
    "access_token": str,
    "refresh_token": str,
    "expires_in": int,
    "expire_time": int,
    "refresh_expires_in": int,
    "user_id": str,
    "seller_id": str,
    "account": str,
    "sp": str,
    "request_id": str,
}


def test_every_method_answers_in_the_documented_shape(aliexpress):
    world = aliexpress()
    listing = sandbox.listing_create(world.shop, "LOTUS-MAT", 5)
    order = sandbox.place_order(world.shop, [("LOTUS-MAT", 1)])
    adapter = world.adapter()
    query = {"page_size": 10, "current_page": 1}

    answers = {
        "order.get": adapter._call("aliexpress.solution.order.get", {"param0": json.dumps(query)}),
        "order.info.get": adapter._call(
            "aliexpress.solution.order.info.get", {"param1": json.dumps({"order_id": int(order.external_id)})}
        ),
        "inventory": adapter._call(
            "aliexpress.solution.batch.product.inventory.update",
            {
                "mutiple_product_update_list": json.dumps(
                    [
                        {
                            "product_id": int(listing.listing_id),
                            "multiple_sku_update_list": [{"sku_code": "LOTUS-MAT", "inventory": "3"}],
                        },
                        {"product_id": 1, "multiple_sku_update_list": [{"sku_code": "X", "inventory": "3"}]},
                    ]
                )
            },
        ),
        "product.info.get": adapter._call("aliexpress.solution.product.info.get", {"product_id": listing.listing_id}),
        "fulfill": adapter._call(
            "aliexpress.solution.order.fulfill",
            {"service_name": "DHL", "out_ref": order.external_id, "send_type": "all", "logistics_no": "TRK1"},
        ),
    }
    schemas = {
        "order.get": ORDER_GET,
        "order.info.get": ORDER_INFO,
        "inventory": INVENTORY,
        "product.info.get": PRODUCT_INFO,
        "fulfill": FULFILL,
    }

    for name, schema in schemas.items():
        assert shape_errors(answers[name], schema) == [], name
    assert answers["inventory"]["update_success"] is False
    assert [
        p["product_id"] for p in answers["inventory"]["update_failed_list"]["synchronize_product_response_dto"]
    ] == [1]


def test_raw_token_answer_and_error_envelope(aliexpress):
    world = aliexpress()
    credentials = world.account.credentials
    base = world.account.base_url
    now = str(int(time.time() * 1000))
    refresh = {
        "app_key": credentials["app_key"],
        "timestamp": now,
        "sign_method": "sha256",
        "refresh_token": credentials["refresh_token"],
    }
    refresh["sign"] = iop_sign(credentials["app_secret"], "/auth/token/refresh", refresh)
    unsigned = {
        "app_key": credentials["app_key"],
        "timestamp": now,
        "sign_method": "sha256",
        "method": "aliexpress.solution.order.get",
        "session": credentials["access_token"],
        "param0": "{}",
        "sign": "0" * 64,
    }
    md5 = {**unsigned, "sign_method": "md5"}
    md5["sign"] = iop_sign(credentials["app_secret"], md5["method"], md5, "md5")

    token = httpx.post(f"{base}/rest/auth/token/refresh", data=refresh).json()
    bad_sign = httpx.post(f"{base}/sync", data=unsigned).json()
    with_md5 = httpx.post(f"{base}/sync", data=md5).json()
    reused = httpx.post(f"{base}/rest/auth/token/refresh", data=refresh).json()

    assert shape_errors(token, TOKEN) == []
    assert shape_errors(bad_sign, SYNC_ERROR) == []
    assert bad_sign["error_response"]["code"] == "IncompleteSignature"
    assert with_md5["aliexpress_solution_order_get_response"]["result"]["success"] is True
    assert (reused["type"], reused["code"]) == ("ISV", "IllegalRefreshToken")  # refresh tokens rotate
