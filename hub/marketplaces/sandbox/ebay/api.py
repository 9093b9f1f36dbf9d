"""What every eBay sandbox endpoint shares: the error envelope, bearer-token check, daily call limits."""

import functools
import json
import math
import time

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from ..common import fault_response, rate_limit_wait, record_call
from ..models import SandboxShop
from .shop import PLATFORM

# Daily call limits per application (https://developer.ebay.com/develop/api/sell/api_call_limits; figures
# UNVERIFIED, commonly cited). A shop's data["daily_quotas"] overrides them for tests.
DAILY_QUOTAS = {
    "getOrders": 100_000,
    "getOrder": 100_000,
    "createShippingFulfillment": 100_000,
    "getShippingFulfillments": 100_000,
    "bulkUpdatePriceQuantity": 2_000_000,
    "bulkGetInventoryItem": 2_000_000,
    "getInventoryItem": 2_000_000,
    "getPublicKey": 10_000,
}
# errorIds: 1001 and 25710 are eBay's; the others are the sandbox's stand-ins (UNVERIFIED; see docs).
INVALID_TOKEN = 1001
TOO_MANY_REQUESTS = 2001
ENTITY_NOT_FOUND = 25710
INVALID_REQUEST = 25709
REVISION_LIMIT = 25002
INVALID_ORDER = 32100
INVALID_INPUT = 32800


def ebay_error(status: int, error_id: int, message: str, *, domain="API_FULFILLMENT", category="REQUEST", **extra):
    error = {"errorId": error_id, "domain": domain, "category": category, "message": message, **extra}
    return JsonResponse({"errors": [error]}, status=status)


def too_many_requests(wait_seconds: float) -> JsonResponse:
    """429 with errorId 2001. eBay documents no Retry-After; this sandbox sends one (whole seconds) so that
    injected throttles can say how long they last. The adapter falls back to its own backoff without it."""
    response = ebay_error(
        429,
        TOO_MANY_REQUESTS,
        "Too many requests. The request limit has been reached for the resource.",
        domain="ACCESS",
    )
    response["Retry-After"] = str(max(1, math.ceil(wait_seconds)))
    return response


def bearer_shop(request):
    """The shop whose access token the request carries, and whether the token is still valid."""
    header = request.headers.get("Authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else ""
    if not token:
        return None, False
    shop = SandboxShop.objects.filter(platform=PLATFORM, secrets__access_tokens__has_key=token).first()
    return shop, bool(shop and shop.secrets["access_tokens"][token] > time.time())


def ebay_operation(operation: str):
    """Fault injection, bearer-token check, the operation's daily call limit, call record."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, **kwargs):
            shop, valid = bearer_shop(request)
            shop_id = shop.shop_id if shop else ""
            response = fault_response(PLATFORM, shop_id, operation, too_many_requests)
            if response is None:
                response = _authorised_answer(request, shop, valid, operation, view, kwargs)
            record_call(
                PLATFORM, shop_id, operation, request, response.status_code, getattr(response, "sandbox_items", 0)
            )
            return response

        return wrapper

    return decorate


def _authorised_answer(request, shop, valid, operation, view, kwargs):
    if not valid:
        return ebay_error(
            401,
            INVALID_TOKEN,
            "Invalid access token",
            domain="OAuth",
            longMessage="Invalid access token. Check the value of the Authorization HTTP request header.",
        )
    quota = int(shop.data.get("daily_quotas", {}).get(operation) or DAILY_QUOTAS[operation])
    wait = rate_limit_wait(PLATFORM, shop.shop_id, operation, quota / 86400, quota)
    if wait > 0:
        return too_many_requests(wait)
    return view(request, shop, **kwargs)


def json_body(request):
    try:
        return json.loads(request.body or b"null")
    except ValueError:
        return None
