"""``POST /admin/oauth/access_token`` with ``grant_type=refresh_token`` (expiring offline tokens).

The refresh token rotates on every use; the one just used stays valid until its replacement
is used (https://shopify.dev/changelog/more-resilient-refreshes-for-expiring-offline-access-tokens).
Error bodies follow RFC 6749 section 5.2 (``error``, ``error_description``).
"""

import hmac
import json
import secrets

from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from ..common import fault_response, record_call
from ..models import SandboxShop
from .http import PLATFORM, not_found, rest_throttled
from .shop import REFRESH_TOKEN_LIFETIME_SECONDS, TOKEN_LIFETIME_SECONDS, issue_access_token

OPERATION = "oauth_token"
SCOPES = (
    "read_orders,write_orders,read_inventory,write_inventory,"
    "read_merchant_managed_fulfillment_orders,write_merchant_managed_fulfillment_orders"
)


def _oauth_error(error: str, description: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=status)


def _params(request) -> dict:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
    return request.POST.dict()


def _same(given, expected) -> bool:
    return isinstance(given, str) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@csrf_exempt
def access_token(request, shop_id):
    response = fault_response(PLATFORM, shop_id, OPERATION, rest_throttled)
    if response is None:
        response = _exchange(request, shop_id)
    record_call(PLATFORM, shop_id, OPERATION, request, response.status_code)
    return response


def _exchange(request, shop_id) -> JsonResponse:
    if request.method != "POST":
        return not_found()
    params = _params(request)
    with transaction.atomic():
        shop = SandboxShop.objects.select_for_update().filter(platform=PLATFORM, shop_id=shop_id).first()
        if shop is None:
            return not_found()
        shop_secrets = dict(shop.secrets)
        if not (
            _same(params.get("client_id"), shop_secrets.get("client_id"))
            and _same(params.get("client_secret"), shop_secrets.get("client_secret"))
        ):
            return _oauth_error("invalid_client", "Client authentication failed.", 401)
        if params.get("grant_type") != "refresh_token":
            return _oauth_error("unsupported_grant_type", "Only grant_type=refresh_token is supported here.")
        used = params.get("refresh_token")
        current, previous = shop_secrets.get("refresh_token"), shop_secrets.get("previous_refresh_token")
        if _same(used, current):
            shop_secrets["previous_refresh_token"] = current  # kept until the new one is used
        elif not _same(used, previous):
            return _oauth_error("invalid_grant", "The refresh token is invalid, expired or revoked.")
        shop_secrets["refresh_token"] = f"shprt_{secrets.token_hex(16)}"
        token, _ = issue_access_token(shop_secrets)
        shop.secrets = shop_secrets
        shop.save(update_fields=["secrets"])
    return JsonResponse(
        {
            "access_token": token,
            "scope": SCOPES,
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "refresh_token": shop_secrets["refresh_token"],
            "refresh_token_expires_in": REFRESH_TOKEN_LIFETIME_SECONDS,
        }
    )
