"""The OAuth token endpoint: POST /identity/v1/oauth2/token with the refresh-token grant."""

import base64
import binascii
import time

from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from ..common import fault_response, record_call
from ..models import SandboxShop
from .shop import PLATFORM, token_issue


def oauth_error(status: int, error: str, description: str) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=status)


def _client(request) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return "", ""
    try:
        client_id, _, client_secret = base64.b64decode(header[6:], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    return client_id, client_secret


@csrf_exempt
def oauth_token(request):
    refresh_token = request.POST.get("refresh_token", "")
    shop = SandboxShop.objects.filter(platform=PLATFORM, secrets__refresh_token=refresh_token).first()
    shop_id = shop.shop_id if refresh_token and shop else ""
    response = fault_response(
        PLATFORM, shop_id, "oauth_token", lambda _delay: oauth_error(429, "too_many_requests", "rate limited")
    )
    if response is None:
        response = _answer(request, shop if shop_id else None)
    record_call(PLATFORM, shop_id, "oauth_token", request, response.status_code)
    return response


def _answer(request, shop):
    if request.method != "POST":
        return oauth_error(405, "invalid_request", "request method must be POST")
    client_id, client_secret = _client(request)
    if not client_id:
        return oauth_error(401, "invalid_client", "client authentication failed")
    if request.POST.get("grant_type") != "refresh_token":
        return oauth_error(400, "unsupported_grant_type", "grant type in request is not supported")
    if shop is None:
        return oauth_error(
            400, "invalid_grant", "the provided authorization refresh token is invalid or was issued to another client"
        )
    if (client_id, client_secret) != (shop.secrets["client_id"], shop.secrets["client_secret"]):
        return oauth_error(401, "invalid_client", "client authentication failed")
    with transaction.atomic():
        locked = SandboxShop.objects.select_for_update().get(pk=shop.pk)
        token, expires = token_issue(locked)
        locked.save(update_fields=["secrets"])
    return JsonResponse(
        {"access_token": token, "expires_in": round(expires - time.time()), "token_type": "User Access Token"}
    )
