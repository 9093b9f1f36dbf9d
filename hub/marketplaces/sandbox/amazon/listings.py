"""Listings Items API 2021-08-01: getListingsItem and patchListingsItem (fulfillment_availability)."""

import json
import uuid

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from ..models import SandboxListing
from .api import sp_error, sp_operation
from .shop import currency_of

PATCH_OPERATIONS = ("add", "replace", "merge", "delete")
INCLUDED_DATA = ("summaries", "attributes", "issues", "offers", "fulfillmentAvailability", "procurement")


def _listing(request, shop, seller_id, sku):
    """The listing addressed by the path, or the error Amazon answers."""
    if seller_id != shop.shop_id:
        return None, sp_error(403, "Unauthorized", "Access to requested resource is denied.")
    marketplaces = [m for m in request.GET.get("marketplaceIds", "").split(",") if m]
    if not marketplaces:
        return None, sp_error(400, "InvalidInput", "marketplaceIds is required.")
    listing = SandboxListing.objects.filter(shop=shop, seller_sku=sku).first()
    if listing is None or shop.region not in marketplaces:
        message = f"SKU '{sku}' not found in marketplace {','.join(marketplaces)}"
        return None, sp_error(404, "NOT_FOUND", message)
    return listing, None


def _representation(listing, shop, included) -> dict:
    channel = listing.data.get("fulfillment_channel_code", "DEFAULT")
    answer = {"sku": listing.seller_sku}
    if "summaries" in included:
        answer["summaries"] = [
            {
                "marketplaceId": shop.region,
                "asin": listing.listing_id,
                "productType": listing.data.get("product_type", "PRODUCT"),
                "conditionType": "new_new",
                "status": ["BUYABLE", "DISCOVERABLE"] if listing.quantity > 0 else ["DISCOVERABLE"],
                "itemName": listing.title,
                "createdDate": listing.shop.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "lastUpdatedDate": listing.updated_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            }
        ]
    if "attributes" in included:
        answer["attributes"] = {
            "item_name": [{"value": listing.title, "marketplace_id": shop.region}],
            "fulfillment_availability": [{"fulfillment_channel_code": channel, "quantity": listing.quantity}],
        }
    if "issues" in included:
        answer["issues"] = []
    if "offers" in included:
        price = {"currencyCode": currency_of(shop), "amount": str(listing.price.normalize())}
        answer["offers"] = [{"marketplaceId": shop.region, "offerType": "B2C", "price": price}]
    if "fulfillmentAvailability" in included:
        answer["fulfillmentAvailability"] = [{"fulfillmentChannelCode": channel, "quantity": listing.quantity}]
    return answer


@sp_operation("getListingsItem")
def get_listings_item(request, shop, seller_id, sku):
    listing, error = _listing(request, shop, seller_id, sku)
    if error:
        return error
    included = [part for part in request.GET.get("includedData", "summaries").split(",") if part]
    if any(part not in INCLUDED_DATA for part in included):
        return sp_error(400, "InvalidInput", "includedData has an unknown value.")
    response = JsonResponse(_representation(listing, shop, included))
    response.sandbox_items = 1
    return response


def _patch_problem(body) -> str | None:
    """A body that is not a ListingsItemPatchRequest is refused with 400 InvalidInput."""
    if not isinstance(body, dict) or not isinstance(body.get("productType"), str) or not body["productType"]:
        return "productType is required."
    patches = body.get("patches")
    if not isinstance(patches, list) or not patches:
        return "patches must contain at least one patch."
    for patch in patches:
        if not isinstance(patch, dict) or patch.get("op") not in PATCH_OPERATIONS:
            return "op must be one of add, replace, merge, delete."
        if not str(patch.get("path", "")).startswith("/attributes/"):
            return "path must address a top-level attribute (/attributes/<name>)."
    return None


def _availability_issue(value) -> dict | None:
    """Validation of the fulfillment_availability attribute, reported as an issue (status INVALID)."""
    entries = value if isinstance(value, list) else []
    valid = bool(entries) and all(
        isinstance(entry, dict)
        and isinstance(entry.get("fulfillment_channel_code"), str)
        and isinstance(entry.get("quantity"), int)
        and entry["quantity"] >= 0
        for entry in entries
    )
    if valid:
        return None
    return {
        "code": "90220",
        "message": "'fulfillment_availability' requires fulfillment_channel_code and a non-negative quantity.",
        "severity": "ERROR",
        "attributeNames": ["fulfillment_availability"],
        "categories": ["INVALID_ATTRIBUTE"],
    }


@sp_operation("patchListingsItem")
def patch_listings_item(request, shop, seller_id, sku):
    listing, error = _listing(request, shop, seller_id, sku)
    if error:
        return error
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        return sp_error(400, "InvalidInput", "The request body is not valid JSON.")
    problem = _patch_problem(body)
    if problem:
        return sp_error(400, "InvalidInput", problem)
    availability = [p for p in body["patches"] if p["path"] == "/attributes/fulfillment_availability"]
    issues = [issue for p in availability if p["op"] != "delete" and (issue := _availability_issue(p.get("value")))]
    submission = {"sku": sku, "submissionId": uuid.uuid4().hex}
    if issues:
        response = JsonResponse({**submission, "status": "INVALID", "issues": issues})
    else:
        for patch in availability:
            if patch["op"] == "delete":
                SandboxListing.objects.filter(pk=listing.pk).update(quantity=0, updated_at=timezone.now())
                continue
            entry = patch["value"][0]
            data = {**listing.data, "fulfillment_channel_code": entry["fulfillment_channel_code"]}
            SandboxListing.objects.filter(pk=listing.pk).update(
                quantity=entry["quantity"], data=data, updated_at=timezone.now()
            )
        response = JsonResponse({**submission, "status": "ACCEPTED", "issues": []})
    response.sandbox_items = 1
    return response


@csrf_exempt
def listings_item(request, seller_id, sku):
    if request.method == "PATCH":
        return patch_listings_item(request, seller_id=seller_id, sku=sku)
    if request.method == "GET":
        return get_listings_item(request, seller_id=seller_id, sku=sku)
    return sp_error(405, "InvalidInput", "This sandbox answers GET and PATCH on listings items.")
