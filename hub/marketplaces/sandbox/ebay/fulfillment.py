"""Fulfillment API v1: getOrders (filter, limit/offset, next/prev hrefs), getOrder, shipping fulfillments."""

import re
import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from ..models import SandboxOrder
from .api import INVALID_INPUT, INVALID_ORDER, ebay_error, ebay_operation, json_body
from .shop import ebay_iso

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_ORDER_IDS = 50
_DATE_FILTER = re.compile(r"(creationdate|lastmodifieddate):\[([^\]]*?)\.\.([^\]]*?)\]")
_STATUS_FILTER = re.compile(r"orderfulfillmentstatus:\{([^}]*)\}")
FIELDS = {"creationdate": "created_at", "lastmodifieddate": "updated_at"}


def _date(value: str):
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed if parsed.tzinfo else False


def _filtered(shop, query):
    """The orders a getOrders filter selects, or an error answer."""
    orders = SandboxOrder.objects.filter(shop=shop)
    if query.get("orderIds"):
        ids = [i for i in query["orderIds"].split(",") if i]
        if len(ids) > MAX_ORDER_IDS:
            return None, ebay_error(400, INVALID_INPUT, "orderIds accepts at most 50 order ids.")
        return orders.filter(external_id__in=ids).order_by("created_at", "id"), None
    text = query.get("filter", "")
    dates = {name: (start, end) for name, start, end in _DATE_FILTER.findall(text)}
    name = "creationdate" if "creationdate" in dates else "lastmodifieddate" if dates else None
    if text and name is None and not _STATUS_FILTER.search(text):
        return None, ebay_error(400, INVALID_INPUT, f"Invalid filter: {text}", parameters=[{"name": "filter"}])
    field = FIELDS[name] if name else "created_at"
    start, end = dates.get(name, ("", ""))
    start, end = _date(start), _date(end)
    if start is False or end is False:
        return None, ebay_error(400, INVALID_INPUT, "Invalid date format in filter.", parameters=[{"name": "filter"}])
    if name is None:
        start = timezone.now() - timedelta(days=90)  # no date filter: the last 90 days
    orders = orders.filter(**{f"{field}__gte": start}) if start else orders
    orders = orders.filter(**{f"{field}__lte": end}) if end else orders
    statuses = _STATUS_FILTER.search(text)
    if statuses:
        wanted = statuses.group(1).split("|")
        orders = [o for o in orders.order_by(field, "id") if o.payload["orderFulfillmentStatus"] in wanted]
        return orders, None
    return orders.order_by(field, "id"), None


def _int(value, default):
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return None


def _page_href(request, offset: int, limit: int) -> str:
    query = request.GET.copy()
    query["offset"], query["limit"] = str(offset), str(limit)
    return request.build_absolute_uri(request.path) + "?" + query.urlencode(safe=":[]{}|,")


@ebay_operation("getOrders")
def get_orders(request, shop):
    limit, offset = _int(request.GET.get("limit"), DEFAULT_LIMIT), _int(request.GET.get("offset"), 0)
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        return ebay_error(400, INVALID_INPUT, "limit must be between 1 and 200.", parameters=[{"name": "limit"}])
    if offset is None or offset < 0:
        return ebay_error(400, INVALID_INPUT, "offset must be zero or more.", parameters=[{"name": "offset"}])
    orders, error = _filtered(shop, request.GET)
    if error:
        return error
    total = len(orders) if isinstance(orders, list) else orders.count()
    page = list(orders[offset : offset + limit])
    body = {"href": _page_href(request, offset, limit), "total": total, "limit": limit, "offset": offset}
    if offset + limit < total:
        body["next"] = _page_href(request, offset + limit, limit)
    if offset > 0:
        body["prev"] = _page_href(request, max(0, offset - limit), limit)
    body["orders"] = [order.payload for order in page]
    response = JsonResponse(body)
    response.sandbox_items = len(page)
    return response


def _order_missing(order_id):
    return ebay_error(404, INVALID_ORDER, f"Invalid order ID: {order_id}", parameters=[{"name": "orderId"}])


@ebay_operation("getOrder")
def get_order(request, shop, order_id):
    order = SandboxOrder.objects.filter(shop=shop, external_id=order_id).first()
    return JsonResponse(order.payload) if order else _order_missing(order_id)


def _shipped(order: SandboxOrder) -> dict[str, int]:
    shipped: dict[str, int] = {}
    for fulfillment in order.shipments:
        for entry in fulfillment["lineItems"]:
            shipped[entry["lineItemId"]] = shipped.get(entry["lineItemId"], 0) + entry["quantity"]
    return shipped


def _fulfillment_problem(body, lines: dict, shipped: dict) -> str | None:
    if not isinstance(body, dict) or not isinstance(body.get("lineItems"), list) or not body["lineItems"]:
        return "lineItems is required."
    if not body.get("trackingNumber") or not body.get("shippingCarrierCode"):
        return "trackingNumber and shippingCarrierCode are required together."
    if body.get("shippedDate") and not _date(body["shippedDate"]):
        return "shippedDate must be an ISO 8601 UTC timestamp."
    for entry in body["lineItems"]:
        line = lines.get(str(entry.get("lineItemId"))) if isinstance(entry, dict) else None
        if line is None:
            return f"Invalid line item id: {entry.get('lineItemId') if isinstance(entry, dict) else entry}"
        left = line["quantity"] - shipped.get(line["lineItemId"], 0)
        if not isinstance(entry.get("quantity"), int) or not 0 < entry["quantity"] <= left:
            return f"Invalid quantity for line item {line['lineItemId']}."
    return None


def _ship(order: SandboxOrder, body: dict, request) -> str:
    payload = order.payload
    shipped = _shipped(order)
    for entry in body["lineItems"]:
        shipped[str(entry["lineItemId"])] = shipped.get(str(entry["lineItemId"]), 0) + entry["quantity"]
    for line in payload["lineItems"]:
        if shipped.get(line["lineItemId"]):
            done = shipped[line["lineItemId"]] >= line["quantity"]
            line["lineItemFulfillmentStatus"] = "FULFILLED" if done else "IN_PROGRESS"
    statuses = {line["lineItemFulfillmentStatus"] for line in payload["lineItems"]}
    payload["orderFulfillmentStatus"] = "FULFILLED" if statuses == {"FULFILLED"} else "IN_PROGRESS"
    now = timezone.now()
    payload["lastModifiedDate"] = ebay_iso(now)
    fulfillment_id = uuid.uuid4().hex[:20].upper()
    href = request.build_absolute_uri(f"{request.path}/{fulfillment_id}")
    payload["fulfillmentHrefs"] = [*payload.get("fulfillmentHrefs", []), href]
    order.shipments = [
        *order.shipments,
        {
            "fulfillmentId": fulfillment_id,
            "lineItems": [{"lineItemId": str(e["lineItemId"]), "quantity": e["quantity"]} for e in body["lineItems"]],
            "shippedDate": body.get("shippedDate") or ebay_iso(now),
            "shippingCarrierCode": body["shippingCarrierCode"],
            "shipmentTrackingNumber": body["trackingNumber"],
        },
    ]
    order.status, order.updated_at, order.payload = payload["orderFulfillmentStatus"], now, payload
    order.save(update_fields=["shipments", "status", "updated_at", "payload"])
    return href


@ebay_operation("createShippingFulfillment")
def create_shipping_fulfillment(request, shop, order_id):
    body = json_body(request)
    with transaction.atomic():
        order = SandboxOrder.objects.select_for_update().filter(shop=shop, external_id=order_id).first()
        if order is None:
            return _order_missing(order_id)
        if order.payload.get("cancelStatus", {}).get("cancelState") == "CANCELED":
            return ebay_error(409, INVALID_ORDER, f"Order {order_id} is cancelled.")
        lines = {line["lineItemId"]: line for line in order.payload["lineItems"]}
        problem = _fulfillment_problem(body, lines, _shipped(order))
        if problem:
            return ebay_error(400, INVALID_INPUT, problem)
        href = _ship(order, body, request)
    response = JsonResponse({}, status=201)
    response["Location"] = href
    response.sandbox_items = len(body["lineItems"])
    return response


@ebay_operation("getShippingFulfillments")
def get_shipping_fulfillments(request, shop, order_id):
    order = SandboxOrder.objects.filter(shop=shop, external_id=order_id).first()
    if order is None:
        return _order_missing(order_id)
    return JsonResponse({"fulfillments": order.shipments, "total": len(order.shipments)})


@csrf_exempt
def shipping_fulfillment(request, order_id):
    if request.method == "POST":
        return create_shipping_fulfillment(request, order_id=order_id)
    return get_shipping_fulfillments(request, order_id=order_id)
