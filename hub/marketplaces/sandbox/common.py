"""What every sandbox platform shares: faults, rate limits, call records, buyer orders, webhooks.

A platform module (``hub.marketplaces.sandbox.<platform>``) does its own authentication,
signing and JSON shapes, and calls these helpers for the rest.
"""

import functools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from hub.core.ratelimit import TokenBucket

from .models import FaultKind, SandboxCall, SandboxFault, SandboxListing, SandboxOrder, SandboxShop, SandboxWebhook

RESPONSE_FAULTS = (
    FaultKind.SERVER_ERROR,
    FaultKind.UNAVAILABLE,
    FaultKind.SLOW,
    FaultKind.THROTTLE,
    FaultKind.MALFORMED,
)


class SandboxOutOfStock(Exception):
    def __init__(self, seller_sku: str, available: int, wanted: int):
        self.seller_sku = seller_sku
        super().__init__(f"{seller_sku}: {available} available, {wanted} wanted")


def sandbox_root() -> str:
    """The sandbox marketplaces' base URL: ``SANDBOX_BASE_URL``, or the hub's own when empty."""
    return (settings.SANDBOX_BASE_URL or settings.HUB_BASE_URL).rstrip("/") + "/sandbox"


def take_fault(platform: str, shop_id: str, operation: str, kinds) -> SandboxFault | None:
    """Consume one use of the oldest matching fault, atomically (several requests may race)."""
    candidates = (
        SandboxFault.objects.filter(platform=platform, kind__in=kinds, remaining__gt=0)
        .filter(shop_id__in=["", shop_id])
        .filter(operation__in=["", operation])
        .order_by("created_at", "id")
    )
    for fault in candidates:
        taken = SandboxFault.objects.filter(pk=fault.pk, remaining__gt=0).update(remaining=F("remaining") - 1)
        if taken:
            return fault
    return None


def fault_response(
    platform: str, shop_id: str, operation: str, throttled: Callable[[float], HttpResponse]
) -> HttpResponse | None:
    """The injected failure for this call, or None to answer normally. ``slow`` delays, then answers."""
    fault = take_fault(platform, shop_id, operation, RESPONSE_FAULTS)
    if fault is None:
        return None
    if fault.kind == FaultKind.SLOW:
        time.sleep(fault.delay_seconds or 2.0)
        return None
    if fault.kind == FaultKind.THROTTLE:
        return throttled(fault.delay_seconds or 1.0)
    if fault.kind == FaultKind.MALFORMED:
        return HttpResponse(b'{"truncated": ', content_type="application/json", status=200)
    status = 503 if fault.kind == FaultKind.UNAVAILABLE else 500
    return JsonResponse({"error": "sandbox injected fault", "kind": fault.kind}, status=status)


def rate_limit_wait(platform: str, shop_id: str, operation: str, rate_per_second: float, burst: float) -> float:
    """Seconds the caller must wait before this call is allowed (0: allowed now, and counted)."""
    return TokenBucket(f"sandbox:{platform}:{shop_id}:{operation}", rate_per_second, burst).take()


def record_call(platform: str, shop_id: str, operation: str, request, status_code: int, items: int = 0) -> None:
    SandboxCall.objects.create(
        platform=platform,
        shop_id=shop_id or "",
        operation=operation,
        method=request.method,
        path=request.path[:300],
        status_code=status_code,
        items=items,
    )


@dataclass(frozen=True)
class Buyer:
    name: str
    country: str
    city: str
    postal_code: str
    address1: str
    state: str = ""
    phone: str = ""
    email: str = ""


BUYERS = [
    Buyer(
        "Emily Carter", "US", "Austin", "73301", "1200 Barton Springs Rd", "TX", "+1 512 555 0101", "emily@example.com"
    ),
    Buyer("Jürgen Müller", "DE", "München", "80331", "Marienplatz 8", "", "+49 89 555 0101", "juergen@example.de"),
    Buyer(
        "佐藤 花子", "JP", "東京都", "100-0005", "千代田区丸の内1-1", "Tokyo", "+81 3 5555 0101", "hanako@example.jp"
    ),
    Buyer("Nguyễn Văn An", "VN", "Hồ Chí Minh", "700000", "12 Lê Lợi, Quận 1", "", "+84 28 5555 0101", "an@example.vn"),
    Buyer("Siti Nurhaliza", "MY", "Kuala Lumpur", "50450", "88 Jalan Ampang", "", "+60 3 5555 0101", "siti@example.my"),
    Buyer("Chloé Dubois", "FR", "Paris", "75004", "3 Rue de Rivoli", "", "+33 1 55 55 01 01", "chloe@example.fr"),
    Buyer("Oliver Smith", "GB", "London", "SW1A 1AA", "10 Downing St", "", "+44 20 5555 0101", "oliver@example.co.uk"),
    Buyer("Ana Souza", "BR", "São Paulo", "01310-100", "Av. Paulista 1000", "SP", "+55 11 5555 0101", "ana@example.br"),
]


def random_buyer(rng: random.Random | None = None) -> Buyer:
    return (rng or random).choice(BUYERS)


def order_place(shop: SandboxShop, lines: list[tuple[str, int]], build: Callable[[list], SandboxOrder]):
    """A buyer checks out: lock the listings (in id order), refuse if short, decrement, store the order.

    ``build(locked_lines)`` receives ``[(SandboxListing, quantity), ...]`` and returns an unsaved
    SandboxOrder whose ``payload`` is exactly what the platform's order API would answer.
    """
    wanted: dict[str, int] = {}
    for seller_sku, quantity in lines:
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        wanted[seller_sku] = wanted.get(seller_sku, 0) + quantity
    with transaction.atomic():
        listings = list(
            SandboxListing.objects.select_for_update().filter(shop=shop, seller_sku__in=wanted).order_by("id")
        )
        found = {listing.seller_sku: listing for listing in listings}
        for seller_sku, quantity in wanted.items():
            listing = found.get(seller_sku)
            if listing is None:
                raise SandboxListing.DoesNotExist(f"{shop}: no listing {seller_sku}")
            if listing.quantity < quantity:
                raise SandboxOutOfStock(seller_sku, listing.quantity, quantity)
        for listing in listings:
            SandboxListing.objects.filter(pk=listing.pk).update(quantity=F("quantity") - wanted[listing.seller_sku])
            listing.quantity -= wanted[listing.seller_sku]
        order = build([(found[sku], quantity) for sku, quantity in lines])
        order.shop = shop
        order.save()
        return order


def webhook_enqueue(shop: SandboxShop, topic: str, body: bytes, headers: dict, *, delay_seconds: float = 0) -> list:
    """Queue a signed push to the shop's webhook URL, applying webhook faults. Delivery happens after commit."""
    if not shop.webhook_url:
        return []
    copies = 1
    if take_fault(shop.platform, shop.shop_id, topic, [FaultKind.DUPLICATE_WEBHOOK]):
        copies = 2
    malformed = take_fault(shop.platform, shop.shop_id, topic, [FaultKind.MALFORMED_WEBHOOK])
    reorder = take_fault(shop.platform, shop.shop_id, topic, [FaultKind.REORDER_WEBHOOK])
    if reorder:
        delay_seconds += reorder.delay_seconds or 2.0
    webhooks = [
        SandboxWebhook.objects.create(
            shop=shop,
            topic=topic,
            url=shop.webhook_url,
            headers=headers,
            body=body[: len(body) // 2] if malformed else body,
        )
        for _ in range(copies)
    ]
    from .tasks import sandbox_webhook_deliver_task

    for webhook in webhooks:
        transaction.on_commit(
            functools.partial(
                sandbox_webhook_deliver_task.apply_async, args=[webhook.pk], countdown=delay_seconds or None
            )
        )
    return webhooks


def webhook_deliver(webhook_id: int) -> int:
    """POST one queued push; returns the HTTP status (or 0 when the hub could not be reached)."""
    import httpx

    from ..http import tls_context

    webhook = SandboxWebhook.objects.get(pk=webhook_id)
    try:
        response = httpx.post(
            webhook.url, content=bytes(webhook.body), headers=webhook.headers, timeout=10.0, verify=tls_context()
        )
        status = response.status_code
    except httpx.HTTPError:
        status = 0
    SandboxWebhook.objects.filter(pk=webhook_id).update(
        attempts=F("attempts") + 1,
        last_status=status or None,
        delivered_at=timezone.now() if 200 <= status < 300 else None,
    )
    return status
