"""AliExpress sandbox state: one app and seller per shop, products with SKUs, orders as order.info.get shows them."""

import random
import secrets
from decimal import Decimal

from django.utils import timezone

from hub.marketplaces.aliexpress.adapter import pacific

from ..common import order_place, random_buyer, sandbox_root
from ..models import SandboxListing, SandboxOrder, SandboxShop
from ..shopee.tokens import TokenPolicy, latest_tokens, provision

PLATFORM = "aliexpress"
# The sandbox's choice; real lifetimes depend on the app's authorisation (UNVERIFIED, see the docs).
TOKENS = TokenPolicy(access_seconds=24 * 3600, refresh_seconds=60 * 24 * 3600, prefix="5000")


def sandbox_base_url() -> str:
    return f"{sandbox_root()}/{PLATFORM}"


def credentials_of(shop: SandboxShop) -> dict:
    return {"app_key": shop.secrets["app_key"], "app_secret": shop.secrets["app_secret"], **latest_tokens(shop)}


def provision_shop(shop_id: str, *, region: str = "", webhook_url: str = "", currency: str = "USD", **options):
    """Create or update a sandbox seller; returns (shop, credentials, settings) for a hub account.

    AliExpress does not push new orders to a URL the sandbox could sign, so ``webhook_url`` is kept
    but unused. ``expired_token=True`` hands out an access token that has already expired;
    ``rate_per_second``/``burst`` override the per-method token bucket.
    """

    def new_app():
        app = {"app_key": str(random.randint(500_000, 599_999)), "app_secret": secrets.token_hex(16)}
        return app, {"currency": currency, "seller_login_id": f"cn{random.randint(10**9, 10**10)}"}

    shop = provision(PLATFORM, shop_id, TOKENS, region=region, new_app=new_app, webhook_url=webhook_url, **options)
    return shop, credentials_of(shop), {"page_size": 50}


def listing_create(
    shop: SandboxShop, seller_sku: str, quantity: int, *, title: str = "", price="19.90", product_id=None
) -> SandboxListing:
    """A SKU (``sku_code`` = the seller SKU) of a product; by default each SKU is its own product."""
    listing, _created = SandboxListing.objects.get_or_create(
        shop=shop,
        seller_sku=seller_sku,
        defaults={
            "listing_id": str(product_id or random.randint(10**12, 10**13)),
            "variant_id": str(random.randint(10**13, 10**14)),
            "title": title or seller_sku,
            "price": Decimal(str(price)),
            "quantity": quantity,
        },
    )
    return listing


def _money(amount: Decimal, currency: str, key: str = "amount") -> dict:
    return {
        key: f"{amount:.2f}" if currency not in ("JPY", "KRW", "CLP") else f"{amount:.0f}",
        "currency_code": currency,
    }


def place_order(shop: SandboxShop, lines: list[tuple[str, int]], buyer=None) -> SandboxOrder:
    """A buyer pays (WAIT_SELLER_SEND_GOODS); the payload is order.info.get's result.data."""
    buyer = buyer or random_buyer()
    currency = shop.data.get("currency", "USD")
    now = timezone.now()
    stamp = pacific(now)

    def build(locked):
        order_id = random.randint(8 * 10**15, 9 * 10**15)
        children = [
            {
                "id": order_id + index + 1,
                "child_order_id": str(order_id + index + 1),
                "product_id": int(listing.listing_id),
                "product_name": listing.title,
                "sku_code": listing.seller_sku,
                "product_count": quantity,
                "product_unit": "piece",
                "product_price": _money(listing.price, currency),
                "init_order_amt": _money(listing.price * quantity, currency),
                "logistics_amount": _money(Decimal(0), currency, "amount_str"),
                "order_status": "WAIT_SELLER_SEND_GOODS",
                "fund_status": "PAY_SUCCESS",
                "frozen_status": "NO_FROZEN",
                "issue_status": "NO_ISSUE",
                "logistics_type": "CAINIAO_STANDARD",
                "logistics_service_name": "AliExpress Standard Shipping",
                "send_goods_operator": "SELLER_SEND_GOODS",
                "goods_prepare_time": 7,
            }
            for index, (listing, quantity) in enumerate(locked)
        ]
        total = sum((listing.price * quantity for listing, quantity in locked), Decimal(0))
        payload = {
            "id": order_id,
            "order_status": "WAIT_SELLER_SEND_GOODS",
            "gmt_create": stamp,
            "gmt_modified": stamp,
            "gmt_pay_success": stamp,
            "order_amount": _money(total, currency),
            "init_oder_amount": _money(total, currency),
            "logistics_amount": _money(Decimal(0), currency),
            "settlement_currency": currency,
            "pay_amount_by_settlement_cur": f"{total:.2f}",
            "payment_type": "migs",
            "fund_status": "PAY_SUCCESS",
            "frozen_status": "NO_FROZEN",
            "issue_status": "NO_ISSUE",
            "logistics_status": "NO_LOGISTICS",
            "buyerloginid": buyer.email.split("@")[0],
            "buyer_signer_fullname": buyer.name,
            "buyer_info": {"login_id": buyer.email.split("@")[0], "country": buyer.country},
            "seller_operator_login_id": shop.data.get("seller_login_id", ""),
            "receipt_address": {
                "contact_person": buyer.name,
                "country": "UK" if buyer.country == "GB" else buyer.country,
                "province": buyer.state,
                "city": buyer.city,
                "zip": buyer.postal_code,
                "detail_address": buyer.address1,
                "address2": "",
                "phone_country": buyer.phone.split(" ", 1)[0],
                "mobile_no": buyer.phone.split(" ", 1)[-1].replace(" ", ""),
            },
            "child_order_list": {"global_aeop_tp_child_order_dto": children},
            "logistic_info_list": {"global_aeop_tp_logistic_info_dto": []},
        }
        return SandboxOrder(
            external_id=str(order_id), status="WAIT_SELLER_SEND_GOODS", created_at=now, updated_at=now, payload=payload
        )

    return order_place(shop, lines, build)


def order_summary(payload: dict) -> dict:
    """The order as aliexpress.solution.order.get lists it (an OrderDTO)."""
    return {
        "order_id": payload["id"],
        "order_status": payload["order_status"],
        "gmt_create": payload["gmt_create"],
        "gmt_update": payload["gmt_modified"],
        "gmt_pay_time": payload.get("gmt_pay_success", ""),
        "pay_amount": payload["order_amount"],
        "buyer_login_id": payload.get("buyerloginid", ""),
        "buyer_signer_fullname": payload.get("buyer_signer_fullname", ""),
        "seller_operator_login_id": payload.get("seller_operator_login_id", ""),
        "logistics_status": payload.get("logistics_status", ""),
        "fund_status": payload.get("fund_status", ""),
        "frozen_status": payload.get("frozen_status", ""),
        "issue_status": payload.get("issue_status", ""),
        "biz_type": "AE_COMMON",
        "product_list": {
            "order_product_dto": [
                {
                    "order_id": payload["id"],
                    "child_id": child["id"],
                    "product_id": child["product_id"],
                    "sku_code": child["sku_code"],
                    "product_name": child["product_name"],
                    "product_count": child["product_count"],
                    "product_unit_price": child["product_price"],
                    "total_product_amount": child["init_order_amt"],
                    "son_order_status": child["order_status"],
                    "logistics_type": child["logistics_type"],
                    "logistics_service_name": child["logistics_service_name"],
                    "send_goods_operator": child["send_goods_operator"],
                }
                for child in payload["child_order_list"]["global_aeop_tp_child_order_dto"]
            ]
        },
    }


def set_order_updated(order: SandboxOrder, when) -> None:
    order.updated_at = when
    order.payload["gmt_modified"] = pacific(when)
    order.save(update_fields=["updated_at", "payload"])
