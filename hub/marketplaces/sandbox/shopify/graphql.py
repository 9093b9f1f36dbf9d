"""``POST graphql.json``: ``inventorySetQuantities`` and ``nodes`` on InventoryItem, cost-throttled.

Not a GraphQL engine: the root field is read from the document, arguments come from
``variables`` (as the adapter sends them), and the answer has the selection the adapter asks for.
Cost model: the mutation costs 10 points, ``nodes`` 1 + 3 per id, other documents 1.
https://shopify.dev/docs/api/admin-graphql/latest/mutations/inventorySetQuantities
https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits, https://shopify.dev/docs/api/usage/limits
"""

import json
import math
import re

from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone

from ..models import SandboxListing
from . import payloads
from .http import admin_endpoint, bucket_available, errors, graphql_bucket, limits

MAX_INPUT_ARRAY = 250
MUTATION_COST = 10
MAX_QUANTITY = 1_000_000_000
REASONS = {
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_created",
    "movement_updated",
    "movement_received",
    "movement_canceled",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
}
_ROOT = re.compile(r"^\s*(?:(query|mutation)\b[^{]*)?\{\s*(?:\w+\s*:\s*)?(\w+)", re.S)
_GID = re.compile(r"^gid://shopify/(\w+)/(\d+)$")
OPERATIONS = {("mutation", "inventorySetQuantities"): "inventory_set_quantities", ("query", "nodes"): "nodes"}


def _document(request) -> dict | None:
    """The parsed request, cached on it: {kind, root, variables}, or None when it is not a GraphQL POST."""
    if not hasattr(request, "_shopify_graphql"):
        parsed = None
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("query"), str):
            match = _ROOT.match(re.sub(r"#[^\n]*", "", body["query"]))
            if match:
                variables = body.get("variables") if isinstance(body.get("variables"), dict) else {}
                parsed = {"kind": match[1] or "query", "root": match[2], "variables": variables}
        request._shopify_graphql = parsed
    return request._shopify_graphql


def operation_name(request) -> str:
    document = _document(request)
    if document is None:
        return "graphql"
    return OPERATIONS.get((document["kind"], document["root"]), "graphql")


def _cost(document: dict) -> int:
    if document["root"] == "inventorySetQuantities":
        return MUTATION_COST
    if document["root"] == "nodes":
        ids = document["variables"].get("ids")
        return 1 + 3 * (len(ids) if isinstance(ids, list) else 0)
    return 1


def _cost_extension(shop, requested: int, actual: int | None, available: float) -> dict:
    plan = limits(shop)
    throttle = {
        "maximumAvailable": float(plan["graphql_bucket"]),
        "currentlyAvailable": max(0, math.floor(available)),
        "restoreRate": float(plan["graphql_restore"]),
    }
    return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": throttle}}


def _throttled(shop, cost: int, available: float) -> JsonResponse:
    error = {
        "message": "Throttled",
        "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
    }
    return JsonResponse({"errors": [error], "extensions": _cost_extension(shop, cost, None, available)})


def throttled_fault(request):
    """An injected throttle: the bucket holds ``delay * restoreRate`` points too few for this document."""

    def answer(delay: float) -> JsonResponse:
        from ..models import SandboxShop

        shop = SandboxShop.objects.get(platform="shopify", shop_id=request.resolver_match.kwargs["shop_id"])
        cost = _cost(_document(request) or {"root": "", "variables": {}})
        return _throttled(shop, cost, cost - delay * limits(shop)["graphql_restore"])

    return answer


def _error(message: str, code: str, **extra) -> dict:
    return {"errors": [{"message": message, **extra, "extensions": {"code": code}}]}


def _variable_error(type_name: str, path: list, explanation: str) -> dict:
    dotted = ".".join(str(part) for part in path[1:])
    message = f"Variable ${path[0]} of type {type_name} was provided invalid value for {dotted} ({explanation})"
    return {
        "errors": [
            {
                "message": message,
                "extensions": {
                    "code": "INVALID_VARIABLE",
                    "problems": [{"path": path[1:], "explanation": explanation}],
                },
            }
        ]
    }


def _too_many(size: int, path: list) -> dict:
    message = f"The input array size of {size} is greater than the maximum allowed of {MAX_INPUT_ARRAY}."
    return _error(message, "MAX_INPUT_SIZE_EXCEEDED", path=path)


@admin_endpoint(operation_name, ("POST",), rest=False, throttled=throttled_fault)
def graphql(request, shop, version):
    document = _document(request)
    if document is None:
        return errors({"query": "Required parameter missing or invalid"}, 400), 0
    cost = _cost(document)
    bucket = graphql_bucket(shop)
    if bucket.take(cost) > 0:
        return _throttled(
            shop, cost, bucket_available(bucket.key.removeprefix("bucket:"), bucket.rate, bucket.burst)
        ), 0
    handler = {
        ("mutation", "inventorySetQuantities"): _inventory_set_quantities,
        ("query", "nodes"): _nodes,
    }.get((document["kind"], document["root"]))
    if handler is None:
        root_type = "Mutation" if document["kind"] == "mutation" else "QueryRoot"
        body, items = _error(f"Field '{document['root']}' doesn't exist on type '{root_type}'", "undefinedField"), 0
    else:
        body, items = handler(shop, version, document["variables"])
    available = bucket_available(bucket.key.removeprefix("bucket:"), bucket.rate, bucket.burst)
    body["extensions"] = _cost_extension(shop, cost, cost, available)
    return JsonResponse(body), items


def _inventory_item_id(value) -> str | None:
    match = _GID.match(value) if isinstance(value, str) else None
    return match[2] if match and match[1] == "InventoryItem" else None


def _location_matches(shop, value) -> bool:
    return value == f"gid://shopify/Location/{shop.data['location_id']}"


def _inventory_set_quantities(shop, version: str, variables: dict):
    data = variables.get("input")
    type_name = "InventorySetQuantitiesInput!"
    if not isinstance(data, dict) or not isinstance(data.get("quantities"), list):
        return _variable_error(type_name, ["input", "quantities"], "Expected value to not be null"), 0
    quantities = data["quantities"]
    if len(quantities) > MAX_INPUT_ARRAY:
        return _too_many(len(quantities), ["inventorySetQuantities", "input", "quantities"]), 0
    change_from = version == "unstable" or version >= "2026-04"  # compare-and-swap field per quantity
    for index, quantity in enumerate(quantities):
        for key in ("inventoryItemId", "locationId", "quantity", *(("changeFromQuantity",) if change_from else ())):
            if not isinstance(quantity, dict) or key not in quantity:
                return _variable_error(
                    type_name, ["input", "quantities", index, key], "Expected value to not be null"
                ), 0
    problems = []
    if data.get("name") not in ("available", "on_hand"):
        problems.append(
            ("INVALID_NAME", ["input", "name"], "The quantity name must be either 'available' or 'on_hand'.")
        )
    if data.get("reason") not in REASONS:
        problems.append(("INVALID_REASON", ["input", "reason"], "The specified reason is invalid."))
    with transaction.atomic():
        ids = [_inventory_item_id(quantity["inventoryItemId"]) for quantity in quantities]
        listings = {
            listing.inventory_id: listing
            for listing in SandboxListing.objects.select_for_update()
            .filter(shop=shop, inventory_id__in=[item for item in ids if item])
            .order_by("id")
        }
        seen = set()
        for index, (item, quantity) in enumerate(zip(ids, quantities, strict=True)):
            problem = _quantity_problem(shop, data, change_from, listings.get(item), quantity, item in seen)
            seen.add(item)
            if problem:
                problems.append((problem[0], ["input", "quantities", str(index), problem[1]], problem[2]))
        if problems:
            user_errors = [{"code": code, "field": field, "message": message} for code, field, message in problems]
            return {
                "data": {"inventorySetQuantities": {"inventoryAdjustmentGroup": None, "userErrors": user_errors}}
            }, 0
        changes = [
            _apply(shop, listings[item], quantity["quantity"]) for item, quantity in zip(ids, quantities, strict=True)
        ]
    group = {"id": f"gid://shopify/InventoryAdjustmentGroup/{payloads.new_id()}", "changes": changes}
    return {"data": {"inventorySetQuantities": {"inventoryAdjustmentGroup": group, "userErrors": []}}}, len(changes)


def _quantity_problem(shop, data, change_from: bool, listing, quantity: dict, duplicate: bool):
    """(code, field, message) for the first problem of one quantity, or None."""
    if listing is None:
        return "INVALID_INVENTORY_ITEM", "inventoryItemId", "The specified inventory item could not be found."
    if not _location_matches(shop, quantity["locationId"]):
        return "INVALID_LOCATION", "locationId", "The specified location could not be found."
    if not listing.data.get("stocked", True):
        return (
            "ITEM_NOT_STOCKED_AT_LOCATION",
            "locationId",
            "The specified inventory item is not stocked at the location.",
        )
    if duplicate:
        return "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR", "inventoryItemId", "The inventory item is given twice."
    value = quantity["quantity"]
    if not isinstance(value, int) or value < 0:
        return "INVALID_QUANTITY_NEGATIVE", "quantity", "The quantity can't be negative."
    if value > MAX_QUANTITY:
        return "INVALID_QUANTITY_TOO_HIGH", "quantity", "The total quantity can't be higher than 1,000,000,000."
    if change_from:
        expected = quantity["changeFromQuantity"]
        if expected is not None and expected != listing.quantity:
            return (
                "CHANGE_FROM_QUANTITY_STALE",
                "changeFromQuantity",
                "The changeFromQuantity value does not match persisted value.",
            )
    elif not data.get("ignoreCompareQuantity"):
        if "compareQuantity" not in quantity:
            return (
                "COMPARE_QUANTITY_REQUIRED",
                "compareQuantity",
                "The compareQuantity argument must be given to each quantity or ignored using ignoreCompareQuantity.",
            )
        if quantity["compareQuantity"] != listing.quantity:
            return (
                "COMPARE_QUANTITY_STALE",
                "compareQuantity",
                "The compareQuantity value does not match persisted value.",
            )
    return None


def _apply(shop, listing, quantity: int) -> dict:
    delta = quantity - listing.quantity
    today = timezone.now().date().isoformat()
    revisions = {**listing.revisions, today: listing.revisions.get(today, 0) + 1}
    SandboxListing.objects.filter(pk=listing.pk).update(
        quantity=quantity, revisions=revisions, updated_at=timezone.now()
    )
    return {
        "name": "available",
        "delta": delta,
        "quantityAfterChange": quantity,
        "item": {"id": f"gid://shopify/InventoryItem/{listing.inventory_id}"},
        "location": {"id": f"gid://shopify/Location/{shop.data['location_id']}"},
    }


def _nodes(shop, version: str, variables: dict):
    ids = variables.get("ids")
    if not isinstance(ids, list):
        return _variable_error("[ID!]!", ["ids"], "Expected value to not be null"), 0
    if len(ids) > MAX_INPUT_ARRAY:
        return _too_many(len(ids), ["nodes", "ids"]), 0
    wanted = {item: _inventory_item_id(item) for item in ids}
    listings = {
        listing.inventory_id: listing
        for listing in SandboxListing.objects.filter(shop=shop, inventory_id__in=[v for v in wanted.values() if v])
    }
    at_location = _location_matches(shop, variables.get("locationId"))
    nodes = []
    for item in ids:
        listing = listings.get(wanted[item])
        if listing is None:
            nodes.append(None)
            continue
        level = None
        if at_location and listing.data.get("stocked", True):
            level = {"quantities": [{"name": "available", "quantity": listing.quantity}]}
        nodes.append({"id": item, "sku": listing.seller_sku, "inventoryLevel": level})
    return {"data": {"nodes": nodes}}, len(nodes)
