"""AliExpress IOP gateway: ``/sync`` (business ``method`` calls) and ``/rest/auth/token/refresh``.

Errors come as HTTP 200 with ``error_response {type, code, msg, sub_code, sub_msg, request_id}``
on /sync and ``{type, code, message, request_id}`` on /rest.
"""

import json
import math
import secrets
import time
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone

from hub.marketplaces.aliexpress.adapter import pacific
from hub.marketplaces.aliexpress.parsing import pacific_time
from hub.marketplaces.aliexpress.signing import sign_matches
from hub.marketplaces.errors import InvalidPayload

from ..common import rate_limit_wait
from ..models import SandboxListing, SandboxOrder, SandboxShop
from ..shopee.endpoint import sandbox_view
from ..shopee.tokens import issue_tokens
from .state import PLATFORM, TOKENS, order_summary

TIMESTAMP_TOLERANCE_SECONDS = 600
DEFAULT_RATE = (20.0, 40.0)  # calls per second and burst per method; real quotas depend on the app tier
REFRESH_API = "/auth/token/refresh"


def _params(request) -> dict:
    return {**request.GET.dict(), **request.POST.dict()}


def _shop_by_app(app_key: str) -> SandboxShop | None:
    if not app_key:
        return None
    return SandboxShop.objects.filter(platform=PLATFORM, secrets__app_key=app_key).first()


def _shop_id_of(request) -> str:
    shop = _shop_by_app(_params(request).get("app_key", ""))
    return shop.shop_id if shop else ""


def _sync_error(code: str, msg: str, *, error_type: str = "ISV", sub_code: str = "", sub_msg: str = ""):
    error = {"type": error_type, "code": code, "msg": msg, "request_id": secrets.token_hex(8)}
    if sub_code:
        error.update(sub_code=sub_code, sub_msg=sub_msg)
    return JsonResponse({"error_response": error})


def _rest_error(code: str, message: str, *, error_type: str = "ISV"):
    return JsonResponse({"type": error_type, "code": code, "message": message, "request_id": secrets.token_hex(8)})


def _sync_throttled(delay: float):
    seconds = max(1, math.ceil(delay))
    return _sync_error(
        "ApiCallLimit",
        "The request has exceeded the api call limit",
        error_type="ISP",
        sub_code="accesscontrol.limited-by-api-access-count",
        sub_msg=f"This ban will last for {seconds} more seconds",
    )


def _rest_throttled(delay: float):
    return _rest_error(
        "ApiCallLimit", f"This ban will last for {max(1, math.ceil(delay))} more seconds", error_type="ISP"
    )


def _not_allowed():
    return _sync_error("InvalidHttpMethod", "Only POST and GET are supported")


def _answer(method: str, body: dict) -> JsonResponse:
    response = {f"{method.replace('.', '_')}_response": {**body, "request_id": secrets.token_hex(8)}}
    return JsonResponse(response, json_dumps_params={"ensure_ascii": False})


def _check(params: dict, api: str, *, token: bool):
    """(shop, None) when app key, timestamp, signature (and session) hold, else (None, error tuple)."""
    shop = _shop_by_app(params.get("app_key", ""))
    if shop is None:
        return None, ("InvalidAppKey", "The specified app key is invalid")
    try:
        stamp = int(params.get("timestamp", "")) / 1000
    except ValueError:
        return None, ("InvalidTimestamp", "The timestamp is missing or malformed")
    if abs(time.time() - stamp) > TIMESTAMP_TOLERANCE_SECONDS:
        return None, ("InvalidTimestamp", "The timestamp is out of the allowed range")
    if not sign_matches(shop.secrets["app_secret"], api, params):
        return None, ("IncompleteSignature", "The request signature does not conform to platform standards")
    if token and shop.secrets["access_tokens"].get(params.get("session", ""), 0) <= time.time():
        return None, ("IllegalAccessToken", "The specified access token is invalid or expired")
    return shop, None


def _limit_wait(shop: SandboxShop, operation: str) -> float:
    rate, burst = DEFAULT_RATE
    if shop.data.get("rate_limit"):
        rate, burst = shop.data["rate_limit"]["rate"], shop.data["rate_limit"]["burst"]
    return rate_limit_wait(PLATFORM, shop.shop_id, operation, rate, burst)


@sandbox_view(PLATFORM, "auth.token.refresh", ("POST", "GET"), _shop_id_of, _rest_throttled, _not_allowed)
def token_refresh(request):
    params = _params(request)
    shop, error = _check(params, REFRESH_API, token=False)
    if error:
        return _rest_error(*error)
    with transaction.atomic():
        shop = SandboxShop.objects.select_for_update().get(pk=shop.pk)
        now = int(time.time())
        if params.get("refresh_token") != shop.secrets["refresh_token"] or shop.secrets["refresh_expire_at"] <= now:
            return _rest_error("IllegalRefreshToken", "The specified refresh token is invalid or expired")
        issue_tokens(shop.secrets, TOKENS, now=now)
        shop.save(update_fields=["secrets"])
    token = shop.secrets["latest_access_token"]
    expires_in = shop.secrets["access_tokens"][token] - now
    refresh_in = shop.secrets["refresh_expire_at"] - now
    return JsonResponse(
        {
            "code": "0",
            "request_id": secrets.token_hex(8),
            "access_token": token,
            "refresh_token": shop.secrets["refresh_token"],
            "expires_in": expires_in,
            "expire_time": (now + expires_in) * 1000,
            "refresh_expires_in": refresh_in,
            "refresh_token_valid_time": (now + refresh_in) * 1000,
            "user_id": shop.shop_id,
            "seller_id": shop.shop_id,
            "account": shop.data.get("seller_login_id", ""),
            "account_platform": "seller_center",
            "sp": "ae",
            "locale": "en_US",
        }
    )


@sandbox_view(
    PLATFORM,
    lambda request: _params(request).get("method", ""),
    ("POST", "GET"),
    _shop_id_of,
    _sync_throttled,
    _not_allowed,
)
def sync(request):
    params = _params(request)
    method = params.get("method", "")
    handler = HANDLERS.get(method)
    if handler is None:
        return _sync_error("InvalidApiPath", f"The specified API {method!r} is not found")
    shop, error = _check(params, method, token=True)
    if error:
        return _sync_error(*error)
    wait = _limit_wait(shop, method)
    if wait > 0:
        return _sync_throttled(wait)
    try:
        return handler(shop, method, params)
    except (ValueError, TypeError, KeyError, InvalidPayload) as problem:
        return _sync_error("InvalidParameter", f"Invalid parameter: {problem}")


def _json_param(params: dict, name: str):
    try:
        return json.loads(params[name])
    except KeyError:
        raise ValueError(f"{name} is required") from None


def order_get(shop, method, params):
    query = _json_param(params, "param0")
    page_size, page = int(query.get("page_size", 20)), int(query.get("current_page", 1))
    if not 1 <= page_size <= 50 or page < 1:
        return _sync_error("InvalidParameter", "page_size must be 1-50 and current_page at least 1")
    orders = SandboxOrder.objects.filter(shop=shop)
    for key, lookup in (("modified_date", "updated_at"), ("create_date", "created_at")):
        if query.get(f"{key}_start"):
            orders = orders.filter(**{f"{lookup}__gte": pacific_time(query[f"{key}_start"], f"{key}_start")})
        if query.get(f"{key}_end"):  # whole seconds: the end second is included
            end = pacific_time(query[f"{key}_end"], f"{key}_end") + timedelta(seconds=1)
            orders = orders.filter(**{f"{lookup}__lt": end})
    if query.get("order_status_list"):
        orders = orders.filter(status__in=query["order_status_list"])
    elif query.get("order_status"):
        orders = orders.filter(status=query["order_status"])
    total = orders.count()
    page_orders = orders.order_by("updated_at", "id")[(page - 1) * page_size : page * page_size]
    result = {
        "success": True,
        "error_code": "",
        "error_message": "",
        "total_count": total,
        "current_page": page,
        "page_size": page_size,
        "total_page": math.ceil(total / page_size),
        "time_stamp": timezone.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "target_list": {"order_dto": [order_summary(order.payload) for order in page_orders]},
    }
    return _answer(method, {"result": result})


def order_info_get(shop, method, params):
    order_id = str(_json_param(params, "param1")["order_id"])
    order = SandboxOrder.objects.filter(shop=shop, external_id=order_id).first()
    if order is None:
        result = {"success": False, "error_code": "ORDER_NOT_FOUND", "error_message": "The order does not exist"}
    else:
        result = {"success": True, "error_code": "", "error_message": "", "data": order.payload}
    result["time_stamp"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return _answer(method, {"result": result})


def inventory_update(shop, method, params):
    products = _json_param(params, "mutiple_product_update_list")
    if not isinstance(products, list) or not 1 <= len(products) <= 20:
        return _sync_error("InvalidParameter", "mutiple_product_update_list must hold 1 to 20 products")
    if any(not 1 <= len(product.get("multiple_sku_update_list") or []) <= 200 for product in products):
        return _sync_error("InvalidParameter", "multiple_sku_update_list must hold 1 to 200 SKUs per product")
    succeeded, failed = [], []
    with transaction.atomic():
        for product in products:
            product_id = str(product.get("product_id"))
            listings = {
                listing.seller_sku: listing
                for listing in SandboxListing.objects.select_for_update()
                .filter(shop=shop, listing_id=product_id)
                .order_by("id")
            }
            wanted = {
                str(sku.get("sku_code")): int(sku.get("inventory")) for sku in product["multiple_sku_update_list"]
            }
            unknown = sorted(set(wanted) - set(listings))
            if not listings or unknown or any(quantity < 0 for quantity in wanted.values()):
                reason = "product not found" if not listings else f"sku_code not found: {','.join(unknown)}"
                if listings and not unknown:
                    reason = "inventory must not be negative"
                failed.append(
                    {"product_id": product.get("product_id"), "error_code": "F00-00-10033-001", "error_message": reason}
                )
                continue
            for sku_code, quantity in wanted.items():
                SandboxListing.objects.filter(pk=listings[sku_code].pk).update(
                    quantity=quantity, updated_at=timezone.now()
                )
            succeeded.append({"product_id": product.get("product_id")})
    response = _answer(
        method,
        {
            "update_success": not failed,
            "update_successful_list": {"synchronize_product_response_dto": succeeded},
            "update_failed_list": {"synchronize_product_response_dto": failed},
        },
    )
    response.sandbox_items = sum(len(product["multiple_sku_update_list"]) for product in products)
    return response


def product_info_get(shop, method, params):
    product_id = str(params.get("product_id", ""))
    listings = list(SandboxListing.objects.filter(shop=shop, listing_id=product_id).order_by("id"))
    if not listings:
        result = {"success": False, "error_code": "PRODUCT_NOT_FOUND", "error_message": "The product does not exist"}
        return _answer(method, {"result": result})
    currency = shop.data.get("currency", "USD")
    skus = [
        {
            "id": listing.variant_id,
            "sku_code": listing.seller_sku,
            "ipm_sku_stock": listing.quantity,
            "sku_stock": listing.quantity > 0,
            "sku_price": f"{listing.price:.2f}",
            "currency_code": currency,
        }
        for listing in listings
    ]
    result = {
        "success": True,
        "product_id": int(product_id),
        "subject": listings[0].title,
        "product_status_type": "onSelling",
        "currency_code": currency,
        "aeop_ae_product_s_k_us": {"global_aeop_ae_product_sku": skus},
    }
    return _answer(method, {"result": result})


def order_fulfill(shop, method, params):
    missing = [name for name in ("service_name", "out_ref", "send_type", "logistics_no") if not params.get(name)]
    if missing:
        return _sync_error("MissingParameter", f"Missing required parameters: {', '.join(missing)}")
    if params["send_type"] not in ("all", "part"):
        return _sync_error("InvalidParameter", "send_type must be all or part")
    if params["service_name"] == "OTHER" and not params.get("tracking_website"):
        return _sync_error("InvalidParameter", "tracking_website is required when service_name is OTHER")
    with transaction.atomic():
        order = SandboxOrder.objects.select_for_update().filter(shop=shop, external_id=params["out_ref"]).first()
        if order is None or order.status not in ("WAIT_SELLER_SEND_GOODS", "SELLER_PART_SEND_GOODS"):
            code = "ORDER_NOT_FOUND" if order is None else "ORDER_STATUS_NOT_ALLOWED"
            result = {"result_success": False, "result_error_code": code, "result_error_desc": "cannot fulfil"}
            return _answer(method, {"result": result})
        now = timezone.now()
        status = "WAIT_BUYER_ACCEPT_GOODS" if params["send_type"] == "all" else "SELLER_PART_SEND_GOODS"
        order.payload.update(order_status=status, gmt_modified=pacific(now), logistics_status="SELLER_SEND_GOODS")
        order.payload["logistic_info_list"]["global_aeop_tp_logistic_info_dto"].append(
            {
                "logistics_no": params["logistics_no"],
                "logistics_service_name": params["service_name"],
                "gmt_send": pacific(now),
            }
        )
        order.status, order.updated_at = status, now
        order.shipments = [
            *order.shipments,
            {
                "tracking_number": params["logistics_no"],
                "service_name": params["service_name"],
                "send_type": params["send_type"],
                "at": now.isoformat(),
            },
        ]
        order.save(update_fields=["status", "updated_at", "payload", "shipments"])
    return _answer(method, {"result": {"result_success": True}})


HANDLERS = {
    "aliexpress.solution.order.get": order_get,
    "aliexpress.solution.order.info.get": order_info_get,
    "aliexpress.solution.batch.product.inventory.update": inventory_update,
    "aliexpress.solution.product.info.get": product_info_get,
    "aliexpress.solution.order.fulfill": order_fulfill,
}
