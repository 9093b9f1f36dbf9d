"""What every SP-API sandbox endpoint shares: error bodies, token check, usage plans, call records, NextTokens."""

import base64
import functools
import json
import time
import uuid

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from ..common import fault_response, rate_limit_wait, record_call
from ..models import SandboxShop
from .shop import PLATFORM

# (rate per second, burst) of the default usage plans (ordersV0.json, listingsItems_2021-08-01.json).
USAGE_PLANS = {
    "getOrders": (0.0167, 20),
    "getOrder": (0.5, 30),
    "getOrderItems": (0.5, 30),
    "confirmShipment": (2.0, 10),
    "getListingsItem": (5.0, 5),
    "patchListingsItem": (5.0, 5),
    # notifications.json: every operation 1/s, burst 5
    "createDestination": (1.0, 5),
    "getDestinations": (1.0, 5),
    "createSubscription": (1.0, 5),
    "getSubscription": (1.0, 5),
    "deleteSubscriptionById": (1.0, 5),
}
# Grantless operations take a token from LWA's client_credentials grant, kept apart from sellers' tokens.
GRANTLESS_TOKENS = "grantless_tokens"
SELLER_TOKENS = "access_tokens"


def sp_error(status: int, code: str, message: str, details: str = "", headers=None) -> JsonResponse:
    response = JsonResponse({"errors": [{"code": code, "message": message, "details": details}]}, status=status)
    response["x-amzn-RequestId"] = str(uuid.uuid4())
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def quota_exceeded(rate: float) -> JsonResponse:
    return sp_error(
        429,
        "QuotaExceeded",
        "You exceeded your quota for the requested resource.",
        headers={"x-amzn-RateLimit-Limit": f"{rate:g}"},
    )


def shop_for_token(token: str, kind: str = SELLER_TOKENS):
    if not token:
        return None
    return SandboxShop.objects.filter(platform=PLATFORM, **{f"secrets__{kind}__has_key": token}).first()


def sp_operation(operation: str, *, grantless: bool = False):
    """Fault injection, x-amz-access-token check, the operation's token bucket, call record.

    A shop's ``data["usage_plans"]`` may raise an operation's plan, as Amazon grants some sellers.
    A ``grantless`` operation takes an application token (LWA client_credentials); the shop is
    then the one whose application asked for it.
    """
    kind = GRANTLESS_TOKENS if grantless else SELLER_TOKENS

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, **kwargs):
            token = request.headers.get("x-amz-access-token", "")
            shop = shop_for_token(token, kind)
            shop_id = shop.shop_id if shop else ""
            response = fault_response(PLATFORM, shop_id, operation, lambda delay: quota_exceeded(1.0 / delay))
            if response is None:
                response = _authorised_answer(request, shop, token, operation, view, kwargs, kind)
            items = getattr(response, "sandbox_items", 0)
            record_call(PLATFORM, shop_id, operation, request, response.status_code, items=items)
            return response

        return wrapper

    return decorate


def _authorised_answer(request, shop, token, operation, view, kwargs, kind=SELLER_TOKENS):
    if shop is None:
        return sp_error(
            403,
            "Unauthorized",
            "Access to requested resource is denied.",
            "The access token you provided is revoked, malformed or invalid.",
        )
    if shop.secrets[kind][token] <= time.time():
        return sp_error(
            403, "Unauthorized", "Access to requested resource is denied.", "The access token you provided has expired."
        )
    rate, burst = shop.data.get("usage_plans", {}).get(operation) or USAGE_PLANS[operation]
    if rate_limit_wait(PLATFORM, shop.shop_id, operation, rate, burst) > 0:
        return quota_exceeded(rate)
    response = view(request, shop, **kwargs)
    response["x-amzn-RequestId"] = str(uuid.uuid4())
    response["x-amzn-RateLimit-Limit"] = f"{rate:g}"
    return response


def encode_token(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def decode_token(token: str) -> dict | None:
    """NextTokens are opaque to callers; here they are base64 JSON of the page state."""
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        return None
    return state if isinstance(state, dict) else None
