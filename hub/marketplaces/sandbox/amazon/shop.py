"""Amazon sandbox state: shops with LWA app credentials and tokens, listings, buyer orders."""

import random
import secrets
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hub.marketplaces.amazon.parsing import MARKETPLACE_CURRENCIES
from hub.marketplaces.money import quantize

from ..common import Buyer, order_place, random_buyer, sandbox_root
from ..models import SandboxListing, SandboxOrder, SandboxShop

PLATFORM = "amazon"
DEFAULT_MARKETPLACE = "ATVPDKIKX0DER"
TOKEN_TTL_SECONDS = 3600
SALES_CHANNELS = {"ATVPDKIKX0DER": "Amazon.com", "A1PN6AFILU2W8O": "Amazon.de", "A1VC38T7YXB528": "Amazon.co.jp"}


def sandbox_base_url() -> str:
    return sandbox_root() + "/amazon"


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def token_issue(
    shop: SandboxShop,
    *,
    expired: bool = False,
    prefix: str = "Atza|",
    ttl: int = TOKEN_TTL_SECONDS,
    kind: str = "access_tokens",
) -> tuple[str, float]:
    """A new access token for a locked shop row; drops tokens that expired over a day ago.

    ``shop.data["token_ttl"]`` overrides the lifetime. The eBay sandbox uses this too. ``kind``
    "grantless_tokens" keeps an application token (client_credentials grant) apart from the seller's.
    """
    token = prefix + secrets.token_urlsafe(32)
    ttl = int(shop.data.get("token_ttl", ttl))
    expires = time.time() + (-60 if expired else ttl)
    tokens = {known: expiry for known, expiry in shop.secrets.get(kind, {}).items() if expiry > time.time() - 86400}
    tokens[token] = expires
    shop.secrets = {**shop.secrets, kind: tokens}
    return token, expires


def oauth_shop_provision(platform, shop_id, *, defaults, new_secrets, issue, webhook_url="", expired=False):
    """A sandbox seller with an OAuth app (client id and secret, refresh token) and a new access token.

    The shop row is created or locked, its app secrets made once (``new_secrets()``), the token
    issued by ``issue(shop, expired=...)``. Returns the shop and the credentials a hub account
    stores (``access_token_expires_at`` ISO 8601). The Amazon (LWA) and eBay sandboxes share it.
    """
    with transaction.atomic():
        shop, _ = SandboxShop.objects.select_for_update().get_or_create(
            platform=platform, shop_id=shop_id, defaults=defaults
        )
        if not shop.secrets.get("client_id"):
            shop.secrets = new_secrets()
        update_fields = ["secrets"]
        if webhook_url:
            shop.webhook_url = webhook_url
            update_fields.append("webhook_url")
        token, expires = issue(shop, expired=expired)
        shop.save(update_fields=update_fields)
    credentials = {
        "client_id": shop.secrets["client_id"],
        "client_secret": shop.secrets["client_secret"],
        "refresh_token": shop.secrets["refresh_token"],
        "access_token": token,
        "access_token_expires_at": datetime.fromtimestamp(expires, UTC).isoformat(),
    }
    return shop, credentials


def _new_app_secrets() -> dict:
    return {
        "client_id": "amzn1.application-oa2-client." + secrets.token_hex(16),
        "client_secret": "amzn1.oa2-cs.v1." + secrets.token_hex(32),
        "refresh_token": "Atzr|" + secrets.token_urlsafe(48),
    }


def provision_shop(shop_id, *, region="", webhook_url="", access_token_expired=False, base_url=None):
    """A sandbox seller with an LWA app; ``access_token_expired`` hands out a token already expired."""
    shop, credentials = oauth_shop_provision(
        PLATFORM,
        shop_id,
        defaults={"region": region or DEFAULT_MARKETPLACE, "name": f"Amazon seller {shop_id}"},
        new_secrets=_new_app_secrets,
        issue=token_issue,
        expired=access_token_expired,
    )
    account_settings = {
        "lwa_token_url": (base_url or sandbox_base_url()).rstrip("/") + "/auth/o2/token",
        "marketplace_id": shop.region,
    }
    return shop, credentials, account_settings


def listing_create(shop, seller_sku, quantity, *, title="", price="19.90"):
    listing, _ = SandboxListing.objects.get_or_create(
        shop=shop,
        seller_sku=seller_sku,
        defaults={
            "listing_id": "B0" + secrets.token_hex(4).upper(),
            "title": title or seller_sku,
            "price": Decimal(str(price)),
            "quantity": quantity,
            "data": {
                "product_type": "PRODUCT",
                "fulfillment_channel_code": "DEFAULT",
                "hub_extra": {"product_type": "PRODUCT"},
            },
        },
    )
    return listing


def _digits(count: int) -> str:
    return "".join(random.choice("0123456789") for _ in range(count))


def currency_of(shop: SandboxShop) -> str:
    return shop.data.get("currency") or MARKETPLACE_CURRENCIES.get(shop.region, "USD")


def _amount(value: Decimal, currency: str) -> dict:
    return {"CurrencyCode": currency, "Amount": str(quantize(value, currency))}


def _address(buyer: Buyer) -> dict:
    return {
        "Name": buyer.name,
        "AddressLine1": buyer.address1,
        "City": buyer.city,
        "StateOrRegion": buyer.state,
        "PostalCode": buyer.postal_code,
        "CountryCode": buyer.country,
        "Phone": buyer.phone,
        "AddressType": "Residential",
    }


def order_payload(shop, locked_lines, buyer: Buyer, now: datetime) -> dict:
    """An MFN order as getOrders returns it, with its getOrderItems items under ``OrderItems``."""
    currency = currency_of(shop)
    items = [
        {
            "ASIN": listing.listing_id,
            "SellerSKU": listing.seller_sku,
            "OrderItemId": _digits(14),
            "Title": listing.title,
            "QuantityOrdered": quantity,
            "QuantityShipped": 0,
            "ProductInfo": {"NumberOfItems": "1"},
            "ItemPrice": _amount(listing.price * quantity, currency),
            "ShippingPrice": _amount(Decimal(0), currency),
            "ItemTax": _amount(Decimal(0), currency),
            "PromotionDiscount": _amount(Decimal(0), currency),
            "IsGift": "false",
            "ConditionId": "New",
            "ConditionSubtypeId": "New",
            "IsTransparency": False,
        }
        for listing, quantity in locked_lines
    ]
    total = sum((Decimal(item["ItemPrice"]["Amount"]) for item in items), Decimal(0))
    return {
        "AmazonOrderId": f"{_digits(3)}-{_digits(7)}-{_digits(7)}",
        "PurchaseDate": _iso(now),
        "LastUpdateDate": _iso(now),
        "OrderStatus": "Unshipped",
        "FulfillmentChannel": "MFN",
        "SalesChannel": SALES_CHANNELS.get(shop.region, "Amazon"),
        "ShipServiceLevel": "Std Cont US Street Addr",
        "OrderTotal": _amount(total, currency),
        "NumberOfItemsShipped": 0,
        "NumberOfItemsUnshipped": sum(quantity for _, quantity in locked_lines),
        "PaymentMethod": "Other",
        "PaymentMethodDetails": ["Standard"],
        "MarketplaceId": shop.region,
        "ShipmentServiceLevelCategory": "Standard",
        "OrderType": "StandardOrder",
        "EarliestShipDate": _iso(now + timedelta(days=1)),
        "LatestShipDate": _iso(now + timedelta(days=3)),
        "IsBusinessOrder": False,
        "IsPrime": False,
        "IsPremiumOrder": False,
        "IsGlobalExpressEnabled": False,
        "IsReplacementOrder": False,
        "IsSoldByAB": False,
        "IsISPU": False,
        "IsAccessPointOrder": False,
        "HasRegulatedItems": False,
        "ShippingAddress": _address(buyer),
        "BuyerInfo": {"BuyerEmail": buyer.email},
        "OrderItems": items,
    }


def place_order(shop, lines, buyer=None):
    """A buyer order (decrementing the listings), with the ORDER_CHANGE notification Amazon queues for it."""
    from .events import order_change_publish

    buyer = buyer or random_buyer()

    def build(locked_lines):
        now = timezone.now()
        payload = order_payload(shop, locked_lines, buyer, now)
        return SandboxOrder(
            external_id=payload["AmazonOrderId"],
            status=payload["OrderStatus"],
            created_at=now,
            updated_at=now,
            payload=payload,
        )

    with transaction.atomic():
        order = order_place(shop, lines, build)
        order_change_publish(shop, order.payload, reason="NewOrder")
    return order


def order_cancel(shop, external_id: str, *, buyer_requested: bool = False):
    """The order is cancelled (by the buyer or the seller): its status and update time change and an
    ORDER_CHANGE notification is queued. The listing's quantity is not given back (Amazon leaves that
    to the seller's next inventory update)."""
    from .events import order_change_publish

    with transaction.atomic():
        order = SandboxOrder.objects.select_for_update().get(shop=shop, external_id=external_id)
        now = timezone.now()
        order.payload = {**order.payload, "OrderStatus": "Canceled", "LastUpdateDate": _iso(now)}
        order.status, order.updated_at = "Canceled", now
        order.save(update_fields=["payload", "status", "updated_at"])
        if buyer_requested:
            order_change_publish(
                shop, order.payload, change_type="BuyerRequestedChange", reason="Buyer Requested Cancel"
            )
        else:
            order_change_publish(shop, order.payload, reason="OrderCanceled")
    return order
