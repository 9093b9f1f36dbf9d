"""confirmShipment (MFN): POST /orders/v0/orders/{orderId}/shipmentConfirmation, 204 on success."""

import json

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

from ..models import SandboxOrder
from .api import sp_error, sp_operation
from .events import order_change_publish


def _package_problem(body, shop) -> str | None:
    """What makes a ConfirmShipmentRequest invalid (ordersV0.json ConfirmShipmentRequest / PackageDetail)."""
    if not isinstance(body, dict) or not isinstance(body.get("packageDetail"), dict):
        return "packageDetail is required."
    if body.get("marketplaceId") != shop.region:
        return "marketplaceId is missing or does not match the order."
    package = body["packageDetail"]
    reference = str(package.get("packageReferenceId", ""))
    if not reference.isdigit() or int(reference) <= 0:
        return "packageReferenceId must be a positive number."
    for name in ("carrierCode", "trackingNumber", "shipDate"):
        if not package.get(name):
            return f"{name} is required."
    if package["carrierCode"] == "Other" and not package.get("carrierName"):
        return "carrierName is required when carrierCode is Other."
    items = package.get("orderItems")
    if not isinstance(items, list) or not items:
        return "orderItems is required."
    for item in items:
        if not isinstance(item, dict) or not item.get("orderItemId"):
            return "orderItemId is required."
        if not isinstance(item.get("quantity"), int) or item["quantity"] <= 0:
            return f"Invalid quantity for orderItemId {item['orderItemId']}."
    return None


def _apply(order: SandboxOrder, package: dict) -> str | None:
    payload = order.payload
    if payload.get("OrderStatus") not in ("Unshipped", "PartiallyShipped"):
        return f"Order {order.external_id} cannot be confirmed in status {payload.get('OrderStatus')}."
    if any(s["packageReferenceId"] == str(package["packageReferenceId"]) for s in order.shipments):
        return f"packageReferenceId {package['packageReferenceId']} was already confirmed."
    items = {item["OrderItemId"]: item for item in payload["OrderItems"]}
    for line in package["orderItems"]:
        item = items.get(str(line["orderItemId"]))
        if item is None:
            return f"Invalid Input for OrderItemId: {line['orderItemId']}"
        if line["quantity"] > item["QuantityOrdered"] - item["QuantityShipped"]:
            return f"Quantity for OrderItemId {line['orderItemId']} exceeds the unshipped quantity."
    for line in package["orderItems"]:
        items[str(line["orderItemId"])]["QuantityShipped"] += line["quantity"]
    shipped = sum(item["QuantityShipped"] for item in payload["OrderItems"])
    ordered = sum(item["QuantityOrdered"] for item in payload["OrderItems"])
    now = timezone.now()
    payload["NumberOfItemsShipped"] = shipped
    payload["NumberOfItemsUnshipped"] = ordered - shipped
    payload["OrderStatus"] = "Shipped" if shipped >= ordered else "PartiallyShipped"
    payload["LastUpdateDate"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    order.shipments = [*order.shipments, {**package, "packageReferenceId": str(package["packageReferenceId"])}]
    order.status = payload["OrderStatus"]
    order.updated_at = now
    order.payload = payload
    order.save(update_fields=["shipments", "status", "updated_at", "payload"])
    return None


@sp_operation("confirmShipment")
def confirm_shipment(request, shop, order_id):
    if request.method != "POST":
        return sp_error(405, "InvalidInput", "Use POST.")
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        return sp_error(400, "InvalidInput", "The request body is not valid JSON.")
    problem = _package_problem(body, shop)
    if problem:
        return sp_error(400, "InvalidInput", problem)
    with transaction.atomic():
        order = SandboxOrder.objects.select_for_update().filter(shop=shop, external_id=order_id).first()
        if order is None:
            return sp_error(404, "NotFound", f"Order {order_id} not found.")
        problem = _apply(order, body["packageDetail"])
        if problem is None:
            order_change_publish(shop, order.payload, reason="ShipmentConfirmed")
    if problem:
        return sp_error(400, "InvalidInput", problem)
    response = HttpResponse(status=204)
    response.sandbox_items = len(body["packageDetail"]["orderItems"])
    return response
