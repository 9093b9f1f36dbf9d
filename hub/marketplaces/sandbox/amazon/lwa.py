"""Login with Amazon token endpoint (refresh_token grant), as https://api.amazon.com/auth/o2/token answers."""

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
    if refresh_token:
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
