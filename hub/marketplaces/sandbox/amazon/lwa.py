"""Login with Amazon token endpoint, as https://api.amazon.com/auth/o2/token answers.

Two grants: ``refresh_token`` (a seller's token) and ``client_credentials`` with a ``scope`` (an
application's token for grantless operations, e.g. ``sellingpartnerapi::notifications``;
https://developer-docs.amazon.com/sp-api/docs/grantless-operations).
"""

import time

from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from ..common import fault_response, record_call
from ..models import SandboxShop
from .shop import PLATFORM, token_issue


def lwa_error(status: int, error: str, description: str) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=status)


@csrf_exempt
def lwa_token(request):
    form = request.POST
    refresh_token = form.get("refresh_token", "")
    shop = None
    if form.get("grant_type") == "client_credentials" and form.get("client_id"):
        shop = SandboxShop.objects.filter(platform=PLATFORM, secrets__client_id=form["client_id"]).first()
    elif refresh_token:
        shop = SandboxShop.objects.filter(platform=PLATFORM, secrets__refresh_token=refresh_token).first()
    shop_id = shop.shop_id if shop else ""
    response = fault_response(PLATFORM, shop_id, "lwa_token", lambda delay: lwa_error(429, "slow_down", "throttled"))
    if response is None:
        response = _lwa_answer(request, form, shop)
    record_call(PLATFORM, shop_id, "lwa_token", request, response.status_code)
    return response


def _lwa_answer(request, form, shop):
    if request.method != "POST":
        return lwa_error(405, "invalid_request", "The request method must be POST.")
    if form.get("grant_type") == "client_credentials":
        return _grantless_answer(form, shop)
    if form.get("grant_type") != "refresh_token":
        return lwa_error(400, "unsupported_grant_type", "The authorization grant type is not supported.")
    if not all(form.get(name) for name in ("refresh_token", "client_id", "client_secret")):
        return lwa_error(400, "invalid_request", "The request is missing a required parameter.")
    if shop is None:
        return lwa_error(400, "invalid_grant", "The request has an invalid grant parameter : refresh_token")
    if form["client_id"] != shop.secrets.get("client_id") or form["client_secret"] != shop.secrets.get("client_secret"):
        return lwa_error(401, "invalid_client", "Client authentication failed")
    with transaction.atomic():
        locked = SandboxShop.objects.select_for_update().get(pk=shop.pk)
        token, expires = token_issue(locked)
        locked.save(update_fields=["secrets"])
    return JsonResponse(
        {
            "access_token": token,
            "refresh_token": locked.secrets["refresh_token"],
            "token_type": "bearer",
            "expires_in": round(expires - time.time()),
        }
    )


GRANTLESS_SCOPES = {"sellingpartnerapi::notifications", "sellingpartnerapi::client_credential:rotation"}


def _grantless_answer(form, shop):
    if not all(form.get(name) for name in ("scope", "client_id", "client_secret")):
        return lwa_error(400, "invalid_request", "The request is missing a required parameter.")
    if form["scope"] not in GRANTLESS_SCOPES:
        return lwa_error(400, "invalid_scope", "The request has an invalid parameter : scope")
    if shop is None or form["client_secret"] != shop.secrets.get("client_secret"):
        return lwa_error(401, "invalid_client", "Client authentication failed")
    with transaction.atomic():
        locked = SandboxShop.objects.select_for_update().get(pk=shop.pk)
        token, expires = token_issue(locked, kind="grantless_tokens")
        locked.save(update_fields=["secrets"])
    return JsonResponse(
        {
            "access_token": token,
            "scope": form["scope"],
            "token_type": "bearer",
            "expires_in": round(expires - time.time()),
        }
    )
