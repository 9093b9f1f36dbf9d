"""A stand-in for the hub's Shopee push endpoint: 204 when verify_webhook accepts the push, else 401."""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from hub.marketplaces import verify_webhook
from hub.marketplaces.sandbox.models import SandboxShop
from hub.marketplaces.shopee.signing import CALLBACK_URL_HEADER


@csrf_exempt
def shopee_push(request, shop_id):
    partner_key = SandboxShop.objects.get(platform="shopee", shop_id=shop_id).secrets["partner_key"]
    headers = {**request.headers, CALLBACK_URL_HEADER: request.build_absolute_uri()}
    if not verify_webhook("shopee", headers, request.body, partner_key):
        return HttpResponse(status=401)
    return HttpResponse(status=204)
