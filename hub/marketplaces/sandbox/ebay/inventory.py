"""Inventory API v1: bulkUpdatePriceQuantity (25 items, a statusCode per item, 250 revisions a day),
bulkGetInventoryItem and getInventoryItem."""

from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone

from ..models import SandboxListing
from .api import ENTITY_NOT_FOUND, INVALID_REQUEST, REVISION_LIMIT, ebay_error, ebay_operation, json_body

MAX_REQUESTS = 25
DAILY_REVISIONS = 250


def _item_error(status: int, error_id: int, message: str) -> dict:
    return {"statusCode": status, "errors": [{"errorId": error_id, "domain": "API_INVENTORY", "message": message}]}


def _requests(body):
    """The ``requests`` array, or the 400 answer for a malformed or oversized one."""
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not requests:
        return None, ebay_error(400, INVALID_REQUEST, "The requests container is required.", domain="API_INVENTORY")
    if len(requests) > MAX_REQUESTS:
        message = f"The number of requests ({len(requests)}) exceeds the maximum of {MAX_REQUESTS}."
        return None, ebay_error(400, INVALID_REQUEST, message, domain="API_INVENTORY")
    if not all(isinstance(r, dict) and isinstance(r.get("sku"), str) and r["sku"] for r in requests):
        return None, ebay_error(400, INVALID_REQUEST, "Every request needs a sku.", domain="API_INVENTORY")
    return requests, None


def _wanted_quantity(request):
    """The quantity asked for (None: price only), or False when a quantity is invalid."""
    quantities = []
    if "shipToLocationAvailability" in request:
        quantities.append((request["shipToLocationAvailability"] or {}).get("quantity"))
    quantities += [
        offer.get("availableQuantity") for offer in request.get("offers") or [] if "availableQuantity" in offer
    ]
    if any(not isinstance(q, int) or isinstance(q, bool) or q < 0 for q in quantities):
        return False
    return min(quantities) if quantities else None


def _update_one(request, listing, today: str, cap: int) -> dict:
    """One request's answer; applies the update and counts the listing's revision for the day."""
    if listing is None:
        return _item_error(404, ENTITY_NOT_FOUND, "We didn't find the entity you are requesting.")
    offers = request.get("offers") or []
    if any(str(offer.get("offerId")) != listing.data.get("offer_id") for offer in offers):
        return _item_error(404, ENTITY_NOT_FOUND, "The offer is not associated with this SKU.")
    quantity = _wanted_quantity(request)
    if quantity is False:
        return _item_error(400, INVALID_REQUEST, "Invalid value for quantity: must be a non-negative integer.")
    revisions = dict(listing.revisions)
    if revisions.get(today, 0) >= cap:
        return _item_error(
            400, REVISION_LIMIT, f"This listing has reached the limit of {cap} revisions for the calendar day."
        )
    revisions = {today: revisions.get(today, 0) + 1}  # only today's count matters
    fields = {"revisions": revisions, "updated_at": timezone.now()}
    if quantity is not None:
        fields["quantity"] = quantity
    SandboxListing.objects.filter(pk=listing.pk).update(**fields)
    return {"statusCode": 200}


@ebay_operation("bulkUpdatePriceQuantity")
def bulk_update_price_quantity(request, shop):
    requests, error = _requests(json_body(request))
    if error:
        return error
    today = timezone.now().date().isoformat()  # UTC calendar day (eBay's own day boundary: UNVERIFIED)
    cap = int(shop.data.get("daily_revision_cap", DAILY_REVISIONS))
    skus = {r["sku"] for r in requests}
    with transaction.atomic():
        listings = {
            listing.seller_sku: listing
            for listing in SandboxListing.objects.select_for_update()
            .filter(shop=shop, seller_sku__in=skus)
            .order_by("id")
        }
        answers = []
        for entry in requests:
            listing = listings.get(entry["sku"])
            outcome = _update_one(entry, listing, today, cap)
            if listing is not None and outcome["statusCode"] == 200:
                listing.refresh_from_db(fields=["revisions", "quantity"])
            offers = entry.get("offers") or [{}]
            answers += [{**outcome, "sku": entry["sku"], **_offer_id(offer)} for offer in offers]
    status = 200 if all(answer["statusCode"] == 200 for answer in answers) else 207
    response = JsonResponse({"responses": answers}, status=status)
    response.sandbox_items = len(requests)
    return response


def _offer_id(offer: dict) -> dict:
    return {"offerId": str(offer["offerId"])} if offer.get("offerId") else {}


def inventory_item(listing: SandboxListing) -> dict:
    return {
        "sku": listing.seller_sku,
        "locale": "en_US",
        "product": {"title": listing.title},
        "condition": "NEW",
        "availability": {"shipToLocationAvailability": {"quantity": listing.quantity}},
    }


@ebay_operation("bulkGetInventoryItem")
def bulk_get_inventory_item(request, shop):
    requests, error = _requests(json_body(request))
    if error:
        return error
    listings = {
        listing.seller_sku: listing
        for listing in SandboxListing.objects.filter(shop=shop, seller_sku__in=[r["sku"] for r in requests])
    }
    answers = []
    for entry in requests:
        listing = listings.get(entry["sku"])
        if listing is None:
            answer = _item_error(404, ENTITY_NOT_FOUND, "We didn't find the entity you are requesting.")
            answers.append({**answer, "sku": entry["sku"]})
        else:
            answers.append({"statusCode": 200, "sku": entry["sku"], "inventoryItem": inventory_item(listing)})
    status = 200 if all(answer["statusCode"] == 200 for answer in answers) else 207
    response = JsonResponse({"responses": answers}, status=status)
    response.sandbox_items = len(requests)
    return response


@ebay_operation("getInventoryItem")
def get_inventory_item(request, shop, sku):
    listing = SandboxListing.objects.filter(shop=shop, seller_sku=sku).first()
    if listing is None:
        return ebay_error(
            404, ENTITY_NOT_FOUND, "We didn't find the entity you are requesting.", domain="API_INVENTORY"
        )
    return JsonResponse(inventory_item(listing))
