"""A webhook endpoint standing in for the hub's: verifies the signature, fails each delivery's first attempt."""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from hub.marketplaces import verify_webhook

SECRET = {"value": ""}
RECEIVED: list[tuple[dict, bytes, int]] = []  # (headers, body, status answered)


@csrf_exempt
def receive(request):
    headers = dict(request.headers)
    if not verify_webhook("shopify", headers, request.body, SECRET["value"]):
        status = 401
    else:
        first_attempt = all(
            seen.get("X-Shopify-Webhook-Id") != headers.get("X-Shopify-Webhook-Id") for seen, _, _ in RECEIVED
        )
        status = 503 if first_attempt else 200
    RECEIVED.append((headers, request.body, status))
    return HttpResponse(status=status)
