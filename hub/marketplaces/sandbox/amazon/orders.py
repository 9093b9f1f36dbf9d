"""Orders v0: getOrders (NextToken pages), getOrder, getOrderItems."""

from datetime import UTC, datetime

from django.http import JsonResponse
from django.utils import timezone

from ..models import SandboxOrder
from .api import decode_token, encode_token, sp_error, sp_operation

MAX_RESULTS_PER_PAGE = 100
ORDER_ITEMS_PAGE = 100


def _timestamp(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _order_filter(query, marketplace_ids):
    """The getOrders filter from a first request: exactly one of CreatedAfter / LastUpdatedAfter."""
    if bool(query.get("CreatedAfter")) == bool(query.get("LastUpdatedAfter")):
        return None, sp_error(400, "InvalidInput", "Exactly one of CreatedAfter and LastUpdatedAfter is required.")
    field = "created_at" if query.get("CreatedAfter") else "updated_at"
    prefix = "Created" if field == "created_at" else "LastUpdated"
    after = _timestamp(query[f"{prefix}After"])
    before = _timestamp(query.get(f"{prefix}Before") or timezone.now().isoformat())
    if after is None or before is None:
        return None, sp_error(400, "InvalidInput", f"{prefix}After and {prefix}Before must be ISO 8601 dates.")
    try:
        size = int(query.get("MaxResultsPerPage", MAX_RESULTS_PER_PAGE))
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_RESULTS_PER_PAGE:
        return None, sp_error(400, "InvalidInput", "MaxResultsPerPage must be between 1 and 100.")
    statuses = [s for s in query.get("OrderStatuses", "").split(",") if s]
    return {
        "field": field,
        "after": after.isoformat(),
        "before": before.isoformat(),
        "offset": 0,
        "size": size,
        "statuses": statuses,
        "marketplaces": marketplace_ids,
    }, None


def _without_items(payload: dict) -> dict:
    return {key: value for key, value in payload.items() if key != "OrderItems"}


@sp_operation("getOrders")
def get_orders(request, shop):
    marketplace_ids = [m for m in request.GET.get("MarketplaceIds", "").split(",") if m]
    if not marketplace_ids:
        return sp_error(400, "InvalidInput", "MarketplaceIds is required.")
    if request.GET.get("NextToken"):
        state = decode_token(request.GET["NextToken"])
        if state is None or not {"field", "after", "before", "offset", "size"} <= state.keys():
            return sp_error(400, "InvalidInput", "Invalid NextToken.")
    else:
        state, error = _order_filter(request.GET, marketplace_ids)
        if error:
            return error
    orders = SandboxOrder.objects.filter(
        shop=shop,
        **{f"{state['field']}__gte": state["after"], f"{state['field']}__lte": state["before"]},
    ).order_by(state["field"], "id")
    if state.get("statuses"):
        orders = orders.filter(status__in=state["statuses"])
    if shop.region not in state.get("marketplaces", []):
        orders = orders.none()
    start, size = state["offset"], state["size"]
    page = list(orders[start : start + size + 1])
    prefix = "CreatedBefore" if state["field"] == "created_at" else "LastUpdatedBefore"
    payload = {"Orders": [_without_items(order.payload) for order in page[:size]], prefix: state["before"]}
    if len(page) > size:
        payload["NextToken"] = encode_token({**state, "offset": start + size})
    return JsonResponse({"payload": payload})


def _order_or_404(shop, order_id):
    order = SandboxOrder.objects.filter(shop=shop, external_id=order_id).first()
    if order is None:
        return None, sp_error(404, "NotFound", f"Order {order_id} not found.")
    return order, None


@sp_operation("getOrder")
def get_order(request, shop, order_id):
    order, error = _order_or_404(shop, order_id)
    return error or JsonResponse({"payload": _without_items(order.payload)})


@sp_operation("getOrderItems")
def get_order_items(request, shop, order_id):
    order, error = _order_or_404(shop, order_id)
    if error:
        return error
    start = 0
    if request.GET.get("NextToken"):
        state = decode_token(request.GET["NextToken"]) or {}
        start = state.get("offset", 0) if state.get("order") == order_id else -1
        if start < 0:
            return sp_error(400, "InvalidInput", "Invalid NextToken.")
    items = order.payload.get("OrderItems", [])
    payload = {"AmazonOrderId": order_id, "OrderItems": items[start : start + ORDER_ITEMS_PAGE]}
    if len(items) > start + ORDER_ITEMS_PAGE:
        payload["NextToken"] = encode_token({"order": order_id, "offset": start + ORDER_ITEMS_PAGE})
    return JsonResponse({"payload": payload})
