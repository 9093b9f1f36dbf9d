"""Shopee Open Platform v2 endpoints, as the real API answers them (errors often inside HTTP 200)."""

import functools
import hmac
import secrets
import time
from datetime import UTC, datetime

from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone

from hub.marketplaces.shopee.signing import api_sign

from ..common import rate_limit_wait
from ..models import SandboxListing, SandboxOrder, SandboxShop
from .endpoint import request_json, sandbox_view
from .state import PLATFORM, TOKENS, detail_view, push_order_status
from .tokens import issue_tokens

API = "/api/v2"
TIMESTAMP_TOLERANCE_SECONDS = 300
ORDER_WINDOW_SECONDS = 15 * 24 * 3600
DEFAULT_RATE = (1000 / 60, 1000)  # calls per second, burst


def _answer(status: int = 200, *, error: str = "", message: str = "", **fields) -> JsonResponse:
    body = {"request_id": secrets.token_hex(16), "error": error, "message": message, **fields}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _throttled(_delay: float) -> JsonResponse:
    # Shopee documents no Retry-After; the error code is the whole signal.
    return _answer(429, error="error_too_many_request", message="Too many requests, please try again later.")


def _not_found() -> JsonResponse:
    return _answer(404, error="error_not_found", message="Wrong request method or path.")


def _shop_id_of(request) -> str:
    return str(request.GET.get("shop_id") or request_json(request).get("shop_id") or "")


def endpoint(operation: str, *methods: str):
    return sandbox_view(PLATFORM, operation, methods, _shop_id_of, _throttled, _not_found)


def _authenticate(request, path: str, shop_id: str, *, shop_api: bool = True):
    """(shop, None) when partner, timestamp, sign (and token) hold; else (None, the platform's error)."""
    params = request.GET
    shop = SandboxShop.objects.filter(platform=PLATFORM, shop_id=shop_id).first()
    if shop is None:
        return None, _answer(403, error="error_auth", message="Invalid shop_id or the shop is not authorised.")
    partner_id = str(shop.secrets["partner_id"])
    if params.get("partner_id") != partner_id:
        return None, _answer(403, error="error_auth", message="Invalid partner_id.")
    try:
        timestamp = int(params.get("timestamp", ""))
    except ValueError:
        return None, _answer(400, error="error_param", message="Invalid timestamp.")
    if abs(time.time() - timestamp) > TIMESTAMP_TOLERANCE_SECONDS:
        return None, _answer(400, error="error_param", message="Invalid timestamp: older than 5 minutes.")
    token = params.get("access_token", "") if shop_api else ""
    expected = api_sign(shop.secrets["partner_key"], partner_id, path, timestamp, token, shop_id if shop_api else "")
    if not hmac.compare_digest(expected, params.get("sign", "")):
        return None, _answer(403, error="error_sign", message="Wrong sign.")
    if shop_api and shop.secrets.get("access_tokens", {}).get(token, 0) <= time.time():
        return None, _answer(200, error="error_auth", message="Invalid access_token.")
    return shop, None


def _limited(shop: SandboxShop, operation: str):
    rate, burst = DEFAULT_RATE
    custom = shop.data.get("rate_limit")
    if custom:
        rate, burst = custom["rate"], custom["burst"]
    if rate_limit_wait(PLATFORM, shop.shop_id, operation, rate, burst) > 0:
        return _throttled(0)
    return None


def _guard(request, path: str, operation: str):
    shop, error = _authenticate(request, path, request.GET.get("shop_id", ""))
    return shop, error or _limited(shop, operation)


@endpoint("access_token_get", "POST")
def access_token_get(request):
    path = f"{API}/auth/access_token/get"
    body = request_json(request)
    shop, error = _authenticate(request, path, str(body.get("shop_id", "")), shop_api=False)
    if error:
        return error
    if str(body.get("partner_id", "")) != str(shop.secrets["partner_id"]):
        return _answer(400, error="error_param", message="partner_id in body does not match.")
    with transaction.atomic():
        shop = SandboxShop.objects.select_for_update().get(pk=shop.pk)
        now = int(time.time())
        if body.get("refresh_token") != shop.secrets.get("refresh_token") or shop.secrets["refresh_expire_at"] <= now:
            return _answer(403, error="error_auth", message="Invalid refresh_token.")
        issue_tokens(shop.secrets, TOKENS, now=now)
        shop.save(update_fields=["secrets"])
    token = shop.secrets["latest_access_token"]
    return _answer(
        partner_id=shop.secrets["partner_id"],
        shop_id=body.get("shop_id"),
        access_token=token,
        refresh_token=shop.secrets["refresh_token"],
        expire_in=shop.secrets["access_tokens"][token] - now,
    )


@endpoint("get_order_list", "GET")
def get_order_list(request):
    shop, error = _guard(request, f"{API}/order/get_order_list", "get_order_list")
    if error:
        return error
    params = request.GET
    if params.get("time_range_field") not in ("create_time", "update_time"):
        return _answer(error="error_param", message="time_range_field must be create_time or update_time.")
    try:
        time_from, time_to = int(params["time_from"]), int(params["time_to"])
        page_size = int(params["page_size"])
        offset = int(params.get("cursor") or 0)
    except (KeyError, ValueError):
        return _answer(error="error_param", message="time_from, time_to and page_size are required integers.")
    if time_from > time_to or time_to - time_from > ORDER_WINDOW_SECONDS:
        return _answer(
            error="order.order_list_invalid_time",
            message="Start time must be earlier than end time and diff in 15days.",
        )
    if not 1 <= page_size <= 100:
        return _answer(error="error_param", message="page_size should be between 1 and 100.")
    field = "created_at" if params["time_range_field"] == "create_time" else "updated_at"
    start = datetime.fromtimestamp(time_from, tz=UTC)
    end = datetime.fromtimestamp(time_to + 1, tz=UTC)  # Shopee times are whole seconds: time_to is inclusive
    orders = SandboxOrder.objects.filter(shop=shop, **{f"{field}__gte": start, f"{field}__lt": end})
    if params.get("order_status"):
        orders = orders.filter(status=params["order_status"])
    page = list(orders.order_by(field, "id")[offset : offset + page_size + 1])
    more = len(page) > page_size
    with_status = "order_status" in params.get("response_optional_fields", "")
    order_list = [
        {"order_sn": order.external_id, **({"order_status": order.status} if with_status else {})}
        for order in page[:page_size]
    ]
    return _answer(
        response={"more": more, "next_cursor": str(offset + page_size) if more else "", "order_list": order_list}
    )


@endpoint("get_order_detail", "GET")
def get_order_detail(request):
    shop, error = _guard(request, f"{API}/order/get_order_detail", "get_order_detail")
    if error:
        return error
    order_sns = [sn for sn in request.GET.get("order_sn_list", "").split(",") if sn]
    if not 1 <= len(order_sns) <= 50:
        return _answer(error="error_param", message="order_sn_list should contain 1 to 50 order_sn.")
    optional = {field.strip() for field in request.GET.get("response_optional_fields", "").split(",")}
    found = {order.external_id: order for order in SandboxOrder.objects.filter(shop=shop, external_id__in=order_sns)}
    order_list = [detail_view(found[sn].payload, optional) for sn in order_sns if sn in found]
    missing = [sn for sn in order_sns if sn not in found]
    extra = {"warning": f"order_sn not found: {','.join(missing)}"} if missing else {}
    response = _answer(response={"order_list": order_list}, **extra)
    response.sandbox_items = len(order_list)
    return response


@endpoint("update_stock", "POST")
def update_stock(request):
    shop, error = _guard(request, f"{API}/product/update_stock", "update_stock")
    if error:
        return error
    body = request_json(request)
    stock_list = body.get("stock_list")
    if not isinstance(stock_list, list) or not 1 <= len(stock_list) <= 50:
        return _answer(error="product.error_param", message="stock_list length should be between 1 and 50.")
    item_id = str(body.get("item_id", ""))
    success_list, failure_list = [], []
    with transaction.atomic():
        listings = {
            listing.variant_id: listing
            for listing in SandboxListing.objects.select_for_update()
            .filter(shop=shop, listing_id=item_id)
            .order_by("id")
        }
        if not listings:
            return _answer(error="product.error_item_not_found", message=f"Item {item_id} not found.")
        for entry in stock_list:
            model_id = (entry or {}).get("model_id") if isinstance(entry, dict) else None
            listing = listings.get(str(model_id))
            seller_stock = entry.get("seller_stock") if isinstance(entry, dict) else None
            if listing is None:
                failure_list.append({"model_id": model_id, "failed_reason": "Model not found."})
                continue
            if not isinstance(seller_stock, list) or not seller_stock:
                failure_list.append({"model_id": model_id, "failed_reason": "seller_stock is required."})
                continue
            stock = sum(int(location.get("stock", 0)) for location in seller_stock)
            if stock < int(listing.data.get("reserved_stock", 0)):
                failure_list.append(
                    {"model_id": model_id, "failed_reason": "Stock cannot be less than the reserved stock."}
                )
                continue
            SandboxListing.objects.filter(pk=listing.pk).update(quantity=stock, updated_at=timezone.now())
            location_id = str(seller_stock[0].get("location_id", ""))
            success_list.append({"model_id": model_id, "location_id": location_id, "stock": stock})
    response = _answer(response={"success_list": success_list, "failure_list": failure_list})
    response.sandbox_items = len(stock_list)
    return response


@endpoint("get_model_list", "GET")
def get_model_list(request):
    shop, error = _guard(request, f"{API}/product/get_model_list", "get_model_list")
    if error:
        return error
    listings = SandboxListing.objects.filter(shop=shop, listing_id=request.GET.get("item_id", "")).order_by("id")
    if not listings:
        return _answer(error="product.error_item_not_found", message="Item not found.")
    currency = shop.data.get("currency", "SGD")
    models = [
        {
            "model_id": int(listing.variant_id),
            "model_sku": listing.seller_sku,
            "model_status": "MODEL_NORMAL",
            "tier_index": [index],
            "price_info": [
                {"currency": currency, "current_price": float(listing.price), "original_price": float(listing.price)}
            ],
            "stock_info_v2": {
                "summary_info": {
                    "total_reserved_stock": int(listing.data.get("reserved_stock", 0)),
                    "total_available_stock": listing.quantity,
                },
                "seller_stock": [{"location_id": "", "stock": listing.quantity}],
            },
        }
        for index, listing in enumerate(listings)
    ]
    options = [{"option": listing.seller_sku} for listing in listings]
    return _answer(response={"tier_variation": [{"name": "Variant", "option_list": options}], "model": models})


@endpoint("get_shipping_parameter", "GET")
def get_shipping_parameter(request):
    shop, error = _guard(request, f"{API}/logistics/get_shipping_parameter", "get_shipping_parameter")
    if error:
        return error
    if not SandboxOrder.objects.filter(shop=shop, external_id=request.GET.get("order_sn", "")).exists():
        return _answer(error="logistics.error_order_not_found", message="Order not found.")
    channel = shop.data.get("logistics_channel", "non_integrated")
    info_needed = {"non_integrated": ["tracking_number"]} if channel == "non_integrated" else {"pickup": ["address_id"]}
    return _answer(response={"info_needed": info_needed, "dropoff": None, "pickup": None})


@endpoint("get_tracking_number", "GET")
def get_tracking_number(request):
    shop, error = _guard(request, f"{API}/logistics/get_tracking_number", "get_tracking_number")
    if error:
        return error
    order = SandboxOrder.objects.filter(shop=shop, external_id=request.GET.get("order_sn", "")).first()
    if order is None:
        return _answer(error="logistics.error_order_not_found", message="Order not found.")
    tracking_number = order.shipments[-1]["tracking_number"] if order.shipments else ""
    return _answer(
        response={
            "tracking_number": tracking_number,
            "plp_number": "",
            "first_mile_tracking_number": "",
            "last_mile_tracking_number": "",
        }
    )


@endpoint("ship_order", "POST")
def ship_order(request):
    shop, error = _guard(request, f"{API}/logistics/ship_order", "ship_order")
    if error:
        return error
    body = request_json(request)
    tracking_number = str(((body.get("non_integrated") or {}).get("tracking_number")) or "").strip()
    if not tracking_number:
        return _answer(error="logistics.error_param", message="non_integrated.tracking_number is required.")
    with transaction.atomic():
        order = SandboxOrder.objects.select_for_update().filter(shop=shop, external_id=body.get("order_sn", "")).first()
        if order is None:
            return _answer(error="logistics.error_order_not_found", message="Order not found.")
        if order.shipments:  # one ship_order per order (no split_order packages in the sandbox)
            return _answer(error="logistics.error_param", message="Order has been shipped.")
        if order.status not in ("READY_TO_SHIP", "RETRY_SHIP"):
            return _answer(error="logistics.error_status", message=f"Order status {order.status} cannot be shipped.")
        now = timezone.now()
        order.status = "PROCESSED"
        order.updated_at = now
        order.payload.update(order_status="PROCESSED", update_time=int(now.timestamp()))
        for package in order.payload.get("package_list", []):
            package["logistics_status"] = "LOGISTICS_REQUEST_CREATED"
        order.shipments = [*order.shipments, {"tracking_number": tracking_number, "at": now.isoformat()}]
        order.save(update_fields=["status", "updated_at", "payload", "shipments"])
        transaction.on_commit(functools.partial(push_order_status, shop, order))
    return _answer()
