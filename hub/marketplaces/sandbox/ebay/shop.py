"""eBay sandbox state: sellers with app keys and tokens, inventory items with offers, orders, signed pushes."""

import base64
import json
import random
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import transaction
from django.utils import timezone

from hub.marketplaces.money import quantize

from ..amazon.shop import oauth_shop_provision
from ..amazon.shop import token_issue as amazon_token_issue
from ..common import Buyer, order_place, random_buyer, sandbox_root, webhook_enqueue
from ..models import SandboxListing, SandboxOrder, SandboxShop

PLATFORM = "ebay"
DEFAULT_MARKETPLACE = "EBAY_US"
TOKEN_TTL_SECONDS = 7200
CURRENCIES = {"EBAY_US": "USD", "EBAY_GB": "GBP", "EBAY_DE": "EUR", "EBAY_FR": "EUR", "EBAY_AU": "AUD"}


def sandbox_base_url() -> str:
    return sandbox_root() + "/ebay"


def ebay_iso(value: datetime) -> str:
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def token_issue(shop: SandboxShop, *, expired: bool = False) -> tuple[str, float]:
    return amazon_token_issue(shop, expired=expired, prefix="v^1.1#i^1#r^0#p^3#", ttl=TOKEN_TTL_SECONDS)


def _new_app_secrets() -> dict:
    key = ec.generate_private_key(ec.SECP256R1())
    return {
        "client_id": f"HubApp-{secrets.token_hex(4)}-PRD-{secrets.token_hex(9)}",
        "client_secret": f"PRD-{secrets.token_hex(16)}",
        "refresh_token": "v^1.1#i^1#f^0#r^1#I^3#p^3#t^" + secrets.token_urlsafe(60),
        "notification_kid": uuid.uuid4().hex,
        "notification_private_key": key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode(),
    }


def provision_shop(shop_id, *, region="", webhook_url="", access_token_expired=False, base_url=None):
    """A sandbox seller with an eBay app; ``access_token_expired`` hands out a token already expired."""
    shop, credentials = oauth_shop_provision(
        PLATFORM,
        shop_id,
        defaults={"region": region or DEFAULT_MARKETPLACE, "name": f"eBay seller {shop_id}"},
        new_secrets=_new_app_secrets,
        issue=token_issue,
        webhook_url=webhook_url,
        expired=access_token_expired,
    )
    account_settings = {"token_url": (base_url or sandbox_base_url()).rstrip("/") + "/identity/v1/oauth2/token"}
    return shop, credentials, account_settings


def public_key_text(shop: SandboxShop) -> str:
    """The public key as getPublicKey answers it: PEM markers and base64 on one line."""
    private = serialization.load_pem_private_key(shop.secrets["notification_private_key"].encode(), password=None)
    der = private.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "-----BEGIN PUBLIC KEY-----" + base64.b64encode(der).decode() + "-----END PUBLIC KEY-----"


def sign_notification(shop: SandboxShop, body: bytes) -> str:
    private = serialization.load_pem_private_key(shop.secrets["notification_private_key"].encode(), password=None)
    signature = private.sign(body, ec.ECDSA(hashes.SHA1()))  # noqa: S303 - eBay's documented digest
    header = {
        "alg": "ecdsa",
        "kid": shop.secrets["notification_kid"],
        "signature": base64.b64encode(signature).decode(),
        "digest": "SHA1",
    }
    return base64.b64encode(json.dumps(header).encode()).decode()


def listing_create(shop, seller_sku, quantity, *, title="", price="19.90"):
    """An inventory item with one published offer; the hub addresses the offer through ``extra["offer_id"]``."""
    offer_id = str(random.randint(10**9, 10**10))
    listing, _ = SandboxListing.objects.get_or_create(
        shop=shop,
        seller_sku=seller_sku,
        defaults={
            "listing_id": "".join(random.choice("0123456789") for _ in range(12)),  # legacy item id
            "title": title or seller_sku,
            "price": Decimal(str(price)),
            "quantity": quantity,
            "data": {"offer_id": offer_id, "hub_extra": {"offer_id": offer_id}},
        },
    )
    return listing


def _money(value: Decimal, currency: str) -> dict:
    return {"value": str(quantize(value, currency)), "currency": currency}


def order_payload(shop, locked_lines, buyer: Buyer, now: datetime) -> dict:
    """An order exactly as getOrders / getOrder return it."""
    currency = shop.data.get("currency") or CURRENCIES.get(shop.region, "USD")
    order_id = f"{random.randint(10, 99)}-{random.randint(10000, 99999)}-{random.randint(10000, 99999)}"
    lines = [
        {
            "lineItemId": str(random.randint(10**11, 10**12)),
            "legacyItemId": listing.listing_id,
            "sku": listing.seller_sku,
            "title": listing.title,
            "lineItemCost": _money(listing.price * quantity, currency),
            "quantity": quantity,
            "soldFormat": "FIXED_PRICE",
            "listingMarketplaceId": shop.region,
            "purchaseMarketplaceId": shop.region,
            "lineItemFulfillmentStatus": "NOT_STARTED",
            "total": _money(listing.price * quantity, currency),
            "deliveryCost": {"shippingCost": _money(Decimal(0), currency)},
            "appliedPromotions": [],
            "taxes": [],
            "properties": {"buyerProtection": True},
            "lineItemFulfillmentInstructions": {
                "shipByDate": ebay_iso(now + timedelta(days=3)),
                "guaranteedDelivery": False,
            },
        }
        for listing, quantity in locked_lines
    ]
    total = sum((Decimal(line["total"]["value"]) for line in lines), Decimal(0))
    return {
        "orderId": order_id,
        "legacyOrderId": f"{lines[0]['legacyItemId']}-{lines[0]['lineItemId']}",
        "creationDate": ebay_iso(now),
        "lastModifiedDate": ebay_iso(now),
        "orderFulfillmentStatus": "NOT_STARTED",
        "orderPaymentStatus": "PAID",
        "sellerId": shop.shop_id,
        "buyer": {"username": f"buyer_{secrets.token_hex(3)}", "buyerRegistrationAddress": {"email": buyer.email}},
        "pricingSummary": {
            "priceSubtotal": _money(total, currency),
            "deliveryCost": _money(Decimal(0), currency),
            "total": _money(total, currency),
        },
        "cancelStatus": {"cancelState": "NONE_REQUESTED", "cancelRequests": []},
        "paymentSummary": {"totalDueSeller": _money(total, currency), "payments": [], "refunds": []},
        "fulfillmentStartInstructions": [
            {
                "fulfillmentInstructionsType": "SHIP_TO",
                "ebaySupportedFulfillment": False,
                "shippingStep": {
                    "shipTo": {
                        "fullName": buyer.name,
                        "contactAddress": {
                            "addressLine1": buyer.address1,
                            "city": buyer.city,
                            "stateOrProvince": buyer.state,
                            "postalCode": buyer.postal_code,
                            "countryCode": buyer.country,
                        },
                        "primaryPhone": {"phoneNumber": buyer.phone},
                        "email": buyer.email,
                    },
                    "shippingCarrierCode": "USPS",
                    "shippingServiceCode": "USPSPriority",
                },
            }
        ],
        "fulfillmentHrefs": [],
        "lineItems": lines,
        "salesRecordReference": str(random.randint(1000, 9999)),
    }


def notification_body(topic: str, data: dict, now: datetime) -> bytes:
    envelope = {
        "metadata": {"topic": topic, "schemaVersion": "1.0", "deprecated": False},
        "notification": {
            "notificationId": str(uuid.uuid4()),
            "eventDate": ebay_iso(now),
            "publishDate": ebay_iso(now),
            "publishAttemptCount": 1,
            "data": data,
        },
    }
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()


def place_order(shop, lines, buyer=None):
    """A buyer order; eBay pushes one signed ORDER_CONFIRMATION per line item to the shop's webhook URL."""
    buyer = buyer or random_buyer()

    def build(locked_lines):
        now = timezone.now()
        payload = order_payload(shop, locked_lines, buyer, now)
        return SandboxOrder(
            external_id=payload["orderId"], status="PAID", created_at=now, updated_at=now, payload=payload
        )

    with transaction.atomic():
        order = order_place(shop, lines, build)
        for line in order.payload["lineItems"]:
            data = {"orderId": order.external_id, "lineItemId": line["lineItemId"], "sellerId": shop.shop_id}
            body = notification_body("ORDER_CONFIRMATION", data, order.created_at)
            headers = {"Content-Type": "application/json", "X-EBAY-SIGNATURE": sign_notification(shop, body)}
            webhook_enqueue(shop, "ORDER_CONFIRMATION", body, headers)
    return order
