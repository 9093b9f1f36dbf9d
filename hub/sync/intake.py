"""Marketplace pushes: who sent them, whether the signature holds, which order they name.

Shopify pushes the whole order; Shopee and eBay push only its id, so the order is
fetched when the message is processed. Amazon notifies through the application's SQS
queue (``hub.sync.notifications`` receives it; ``order_from_notification`` reads it), and
is pulled as well; AliExpress is pulled on a schedule only.
"""

import json
import logging
from dataclasses import dataclass

from hub.core.ratelimit import TokenBucket
from hub.marketplaces import adapter_for_account, verify_webhook
from hub.marketplaces.shopee.signing import CALLBACK_URL_HEADER
from sellers.models import MarketplaceAccount

from .enums import InboxSource
from .models import InboxMessage

logger = logging.getLogger(__name__)

SHOPIFY_ORDER_TOPICS = {"orders/create", "orders/updated", "orders/cancelled", "orders/paid", "orders/fulfilled"}
SHOPEE_ORDER_STATUS_PUSH = 3


class WebhookRejected(Exception):
    def __init__(self, status: int, reason: str):
        self.status, self.reason = status, reason
        super().__init__(reason)


@dataclass(frozen=True)
class Push:
    shop_id: str
    topic: str
    external_id: str  # empty for a push that names no order (ignored after storing)
    carries_order: bool  # the body is the whole order as the order API returns it


def _header(headers: dict, name: str) -> str:
    lowered = name.lower()
    return next((str(value) for key, value in headers.items() if key.lower() == lowered), "")


def _json(body: bytes) -> dict:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookRejected(400, "body is not JSON") from None
    if not isinstance(data, dict):
        raise WebhookRejected(400, "body is not a JSON object")
    return data


def read_push(platform: str, headers: dict, body: bytes) -> Push:
    data = _json(body)
    if platform == "shopify":
        shop = _header(headers, "X-Shopify-Shop-Domain").removesuffix(".myshopify.com")
        topic = _header(headers, "X-Shopify-Topic")
        order_id = str(data.get("id", "")) if topic in SHOPIFY_ORDER_TOPICS else ""
        return Push(shop, topic, order_id, carries_order=bool(order_id))
    if platform == "shopee":
        code = data.get("code")
        order_id = (data.get("data") or {}).get("ordersn", "") if code == SHOPEE_ORDER_STATUS_PUSH else ""
        return Push(str(data.get("shop_id", "")), f"push:{code}", str(order_id), carries_order=False)
    if platform == "ebay":
        topic = (data.get("metadata") or {}).get("topic", "")
        notice = (data.get("notification") or {}).get("data") or {}
        return Push(str(notice.get("sellerId", "")), topic, str(notice.get("orderId", "")), carries_order=False)
    raise WebhookRejected(404, f"{platform} does not push to webhooks")


def _secret(account: MarketplaceAccount, headers: dict) -> str:
    credentials = account.credentials
    if account.platform == "shopify":
        return credentials.get("client_secret", "")
    if account.platform == "shopee":
        return credentials.get("partner_key", "")
    if account.platform == "ebay":
        from hub.marketplaces.ebay.signing import signature_key_id

        key_id = signature_key_id(headers)
        if not key_id:
            return ""
        adapter = adapter_for_account(account)
        try:
            return adapter.public_key(key_id)
        finally:
            adapter.close()
    return ""


def webhook_receive(platform: str, headers: dict, body: bytes, url: str) -> InboxMessage:
    """Verify a push and store it raw; processing happens later in a task. Nothing is stored if it fails."""
    push = read_push(platform, headers, body)
    account = MarketplaceAccount.objects.filter(platform=platform, shop_id=push.shop_id).first()
    if account is None:
        raise WebhookRejected(404, "unknown shop")
    headers = {**headers, CALLBACK_URL_HEADER: url} if platform == "shopee" else headers
    if not verify_webhook(platform, headers, body, _secret(account, headers)):
        raise WebhookRejected(401, "signature does not verify")
    return InboxMessage.objects.create(
        platform=platform,
        account=account,
        source=InboxSource.WEBHOOK,
        topic=push.topic[:64],
        external_id=push.external_id,
        headers={key: value for key, value in headers.items() if key.lower().startswith(("x-", "content-type"))},
        body=body.decode("utf-8", errors="replace"),
    )


def order_from_push(account: MarketplaceAccount, message: InboxMessage):
    """(canonical order, raw payload) for a stored push: from its body, or fetched from the platform."""
    push = read_push(account.platform, message.headers, message.body.encode())
    if push.carries_order:
        from hub.marketplaces import parse_order

        raw = json.loads(message.body)
        return parse_order(account.platform, raw), raw
    return order_fetch(account, push.external_id)


PACE_MARGIN = 0.9  # a call paced exactly at the limit may still arrive early after a slower one


def adapter_paced(account: MarketplaceAccount):
    """An adapter whose rate-limited operations spend tokens of buckets shared by every worker."""
    adapter = adapter_for_account(account)
    limits = adapter.operation_limits

    def pace(operation: str) -> float:
        rate, burst = limits[operation]
        bucket = TokenBucket(f"{account.platform}:{operation}:{account.pk}", rate * PACE_MARGIN, burst * PACE_MARGIN)
        return bucket.take()

    adapter.pace = pace
    return adapter


def order_from_notification(account: MarketplaceAccount, message: InboxMessage):
    """(canonical order, raw payload, details pending) for a stored Amazon ORDER_CHANGE.

    An OrderLevel notification lists every item: the order is built from its summary, with its
    details (buyer, address, prices) pending. An OrderItemLevel one lists one item, so the order
    is fetched whole instead.
    """
    from hub.marketplaces.amazon.notifications import parse_order_change, read_notification

    notification = read_notification(message.body)
    if not notification.whole_order:
        canonical, raw = order_fetch(account, notification.order_id)
        return canonical, raw, False
    return parse_order_change(notification.envelope), notification.envelope, True


def order_fetch(account: MarketplaceAccount, external_id: str):
    """(canonical order, raw payload) of one order, read from the platform now."""
    adapter = adapter_paced(account)
    try:
        return adapter.get_order(external_id)
    finally:
        adapter.close()
