"""REST Admin endpoints: orders (Link-header cursor pages), fulfillment orders, fulfillments, OAuth token.

https://shopify.dev/docs/api/admin-rest/latest/resources/order
https://shopify.dev/docs/api/usage/pagination-rest
https://shopify.dev/docs/api/admin-rest/latest/resources/fulfillmentorder
https://shopify.dev/docs/api/admin-rest/latest/resources/fulfillment
"""

import base64
import binascii
import json
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone

from ..models import SandboxListing, SandboxOrder
from . import payloads
from .http import admin_endpoint, errors, not_found
from .shop import send_webhook

DEFAULT_LIMIT = 50
MAX_LIMIT = 250
TIME_FILTERS = {
    "created_at_min": "created_at__gte",
    "created_at_max": "created_at__lte",
    "updated_at_min": "updated_at__gte",
    "updated_at_max": "updated_at__lte",
}
STATUS_FILTERS = {
    "open": Q(status="open"),
    "closed": Q(status="closed"),
    "cancelled": Q(status="cancelled"),
    "any": Q(),
}


def _encode(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(page_info: str) -> dict:
    padded = page_info + "=" * (-len(page_info) % 4)
    state = json.loads(base64.urlsafe_b64decode(padded.encode()))
    if not isinstance(state, dict) or not isinstance(state.get("f"), dict):
        raise ValueError(page_info)
    return state


def _filters(params) -> tuple[dict | None, JsonResponse | None]:
    filters = {key: params[key] for key in (*TIME_FILTERS, "status", "ids", "financial_status") if key in params}
    filters.setdefault("status", "open")
    if filters["status"] not in STATUS_FILTERS:
        return None, errors({"status": ["is not a valid status"]}, 400)
    for key in TIME_FILTERS:
        if key in filters:
            try:
                moment = datetime.fromisoformat(filters[key].replace(" ", "+"))
            except ValueError:
                return None, errors({key: ["must be an ISO 8601 date and time"]}, 400)
            filters[key] = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()
    return filters, None


def _queryset(shop, filters: dict):
    orders = SandboxOrder.objects.filter(shop=shop).filter(STATUS_FILTERS[filters["status"]])
    for key, lookup in TIME_FILTERS.items():
        if key in filters:
            orders = orders.filter(**{lookup: datetime.fromisoformat(filters[key])})
    if "ids" in filters:
        orders = orders.filter(external_id__in=[part.strip() for part in filters["ids"].split(",")])
    if "financial_status" in filters and filters["financial_status"] != "any":
        orders = orders.filter(payload__financial_status=filters["financial_status"])
    return orders


def _trim(payload: dict, fields: str) -> dict:
    if not fields:
        return payload
    wanted = {part.strip() for part in fields.split(",")}
    return {key: value for key, value in payload.items() if key in wanted}


@admin_endpoint("orders_list")
def orders_list(request, shop, version):
    """``GET orders.json``; pages by keyset on (created_at, id); ``page_info`` carries the filters."""
    params = request.GET
    try:
        limit = int(params.get("limit", DEFAULT_LIMIT))
    except ValueError:
        return errors({"limit": ["is not a number"]}, 400), 0
    if not 1 <= limit <= MAX_LIMIT:
        return errors({"limit": [f"must be between 1 and {MAX_LIMIT}"]}, 400), 0
    fields = params.get("fields", "")
    state = {}
    if "page_info" in params:
        if set(params) - {"page_info", "limit", "fields"}:
            return errors({"page_info": ["only limit and fields may be given with page_info"]}, 400), 0
        try:
            state = _decode(params["page_info"])
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return errors({"page_info": ["Invalid value."]}, 400), 0
        filters = state["f"]
    else:
        filters, problem = _filters(params)
        if problem:
            return problem, 0
    orders = _queryset(shop, filters)
    if "b" in state:  # a previous page: the ``limit`` orders just before the mark, in forward order
        at, pk = datetime.fromisoformat(state["b"][0]), state["b"][1]
        before = orders.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk)).order_by("-created_at", "-pk")
        rows = list(before[: limit + 1])
        has_previous, rows = len(rows) > limit, list(reversed(rows[:limit]))
        has_next = True
    else:
        if "a" in state:
            at, pk = datetime.fromisoformat(state["a"][0]), state["a"][1]
            orders = orders.filter(Q(created_at__gt=at) | Q(created_at=at, pk__gt=pk))
        rows = list(orders.order_by("created_at", "pk")[: limit + 1])
        has_next, rows = len(rows) > limit, rows[:limit]
        has_previous = "a" in state
    links = []
    base = request.build_absolute_uri(request.path)
    extra = {"fields": fields} if fields else {}
    if rows and has_previous:
        mark = {"f": filters, "b": [rows[0].created_at.isoformat(), rows[0].pk]}
        links.append(f'<{base}?{urlencode({"limit": limit, **extra, "page_info": _encode(mark)})}>; rel="previous"')
    if rows and has_next:
        mark = {"f": filters, "a": [rows[-1].created_at.isoformat(), rows[-1].pk]}
        links.append(f'<{base}?{urlencode({"limit": limit, **extra, "page_info": _encode(mark)})}>; rel="next"')
    response = JsonResponse({"orders": [_trim(row.payload, fields) for row in rows]}, json_dumps_params=_JSON)
    if links:
        response["Link"] = ", ".join(links)
    return response, len(rows)


_JSON = {"ensure_ascii": False}


@admin_endpoint("order_get")
def order_get(request, shop, version, order_id: int):
    order = SandboxOrder.objects.filter(shop=shop, external_id=str(order_id)).first()
    if order is None:
        return not_found(), 0
    return JsonResponse({"order": _trim(order.payload, request.GET.get("fields", ""))}, json_dumps_params=_JSON), 1


def _inventory_items(shop) -> dict[str, str]:
    return dict(SandboxListing.objects.filter(shop=shop).values_list("seller_sku", "inventory_id"))


@admin_endpoint("fulfillment_orders")
def fulfillment_orders(request, shop, version, order_id: int):
    order = SandboxOrder.objects.filter(shop=shop, external_id=str(order_id)).first()
    if order is None:
        return not_found(), 0
    body = {"fulfillment_orders": [payloads.fulfillment_order(shop, order, _inventory_items(shop))]}
    return JsonResponse(body, json_dumps_params=_JSON), 1


@admin_endpoint("legacy_fulfillments", ("GET", "POST"))
def legacy_fulfillments(request, shop, version, order_id: int):
    """Creating through the order answers 404 since fulfillment orders; listing still works."""
    order = SandboxOrder.objects.filter(shop=shop, external_id=str(order_id)).first()
    if request.method == "POST" or order is None:
        return not_found(), 0
    return JsonResponse({"fulfillments": order.payload["fulfillments"]}, json_dumps_params=_JSON), 0


def _unprocessable(message: str):
    return errors([message], 422), 0


@admin_endpoint("fulfillment_create", ("POST",))
def fulfillment_create(request, shop, version):
    """``POST fulfillments.json`` with ``line_items_by_fulfillment_order`` and ``tracking_info``."""
    try:
        fulfillment = json.loads(request.body or b"null")["fulfillment"]
        groups = fulfillment["line_items_by_fulfillment_order"]
        if not isinstance(groups, list) or not groups or not all(isinstance(group, dict) for group in groups):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return errors({"fulfillment": "Required parameter missing or invalid"}, 400), 0
    fo_ids = {group.get("fulfillment_order_id") for group in groups}
    if len(fo_ids) != 1 or not isinstance(next(iter(fo_ids)), int):
        return _unprocessable("All fulfillment orders must belong to the same order.")
    fo_id = fo_ids.pop()
    with transaction.atomic():
        order = (
            SandboxOrder.objects.select_for_update().filter(shop=shop, external_id=str((fo_id - 1) // 10)).first()
            if fo_id % 10 == 1
            else None
        )
        if order is None:
            return not_found(), 0
        current = payloads.fulfillment_order(shop, order, {})
        if current["status"] not in ("open", "in_progress"):
            return _unprocessable(f"Fulfillment order {fo_id} has an unfulfillable status= {current['status']}.")
        wanted = _wanted_lines(groups, current)
        if wanted is None:
            return _unprocessable("Invalid fulfillment order line item quantity requested.")
        response = _fulfil(shop, order, wanted, fulfillment)
    return response, sum(wanted.values())


def _wanted_lines(groups: list[dict], current: dict) -> dict[int, int] | None:
    """line item id -> quantity to fulfil, or None when a line or quantity is invalid."""
    remaining = {line["id"]: line for line in current["line_items"]}
    wanted: dict[int, int] = {}
    for group in groups:
        items = group.get("fulfillment_order_line_items")
        if items is None:  # the whole fulfillment order
            items = [{"id": key, "quantity": line["fulfillable_quantity"]} for key, line in remaining.items()]
        for item in items:
            line = remaining.get(item.get("id")) if isinstance(item, dict) else None
            quantity = item.get("quantity") if isinstance(item, dict) else None
            if line is None or not isinstance(quantity, int) or quantity < 0:
                return None
            wanted[line["line_item_id"]] = wanted.get(line["line_item_id"], 0) + quantity
            if wanted[line["line_item_id"]] > line["fulfillable_quantity"]:
                return None
    wanted = {key: value for key, value in wanted.items() if value > 0}
    return wanted or None


def _fulfil(shop, order, wanted: dict[int, int], fulfillment: dict) -> JsonResponse:
    now = timezone.now()
    payload = order.payload
    tracking = fulfillment.get("tracking_info") or {}
    items = []
    for line in payload["line_items"]:
        quantity = wanted.get(line["id"], 0)
        if quantity:
            line["fulfillable_quantity"] -= quantity
            line["fulfillment_status"] = "fulfilled" if line["fulfillable_quantity"] == 0 else "partial"
            items.append((dict(line), quantity))
    fully = all(line["fulfillable_quantity"] == 0 for line in payload["line_items"])
    created = payloads.fulfillment(shop, payload, payloads.new_id(), items, tracking, now)
    payload["fulfillments"].append(created)
    payload["fulfillment_status"] = "fulfilled" if fully else "partial"
    payload["updated_at"] = payloads.shop_time(shop, now)
    order.shipments = [
        *order.shipments,
        {
            "fulfillment_id": created["id"],
            "tracking_company": created["tracking_company"],
            "tracking_number": created["tracking_number"],
            "notify_customer": bool(fulfillment.get("notify_customer", False)),
            "lines": {str(key): value for key, value in wanted.items()},
            "at": now.isoformat(),
        },
    ]
    order.updated_at = now
    order.save(update_fields=["payload", "shipments", "updated_at"])
    send_webhook(shop, "orders/updated", payload)
    send_webhook(shop, "orders/fulfilled" if fully else "orders/partially_fulfilled", payload)
    return JsonResponse({"fulfillment": created}, status=201, json_dumps_params=_JSON)
