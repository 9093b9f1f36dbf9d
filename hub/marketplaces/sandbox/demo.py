"""Demo: each demo seller connected to sandbox shops on three platforms, with listings."""

from django.conf import settings

from inventory.models import Sku
from sellers.models import Seller

from .connect import sandbox_account_connect, sandbox_listing_connect

# seller code -> [(platform, region)]
CONNECTIONS = {
    "harbor": [("shopify", ""), ("amazon", "ATVPDKIKX0DER"), ("ebay", "EBAY_US")],
    "lotus": [("shopee", "SG"), ("aliexpress", ""), ("shopify", "")],
    "nordic": [("ebay", "EBAY_DE"), ("amazon", "A1PN6AFILU2W8O"), ("shopee", "MY")],
}
# seller code -> product codes it lists
ASSORTMENT = {"harbor": ["bottle", "lamp"], "lotus": ["bottle", "mat", "tote"], "nordic": ["utensil", "lamp"]}
INITIAL_SANDBOX_QUANTITY = 25
PUSHING_PLATFORMS = {"shopify", "shopee", "ebay"}  # the others are pulled on a schedule


def webhook_url(platform: str) -> str:
    if platform not in PUSHING_PLATFORMS:
        return ""
    return f"{settings.HUB_BASE_URL.rstrip('/')}/webhooks/{platform}/"


def build():
    accounts = listings = 0
    for seller_code, connections in CONNECTIONS.items():
        seller = Seller.objects.get(code=seller_code)
        skus = list(Sku.objects.filter(product__code__in=ASSORTMENT[seller_code], is_kit=False).order_by("code"))
        for platform, region in connections:
            account, shop = sandbox_account_connect(
                seller, platform, f"{seller_code}-{platform}", region=region, webhook_url=webhook_url(platform)
            )
            accounts += 1
            for sku in skus:
                sandbox_listing_connect(
                    account, shop, sku, f"{seller_code.upper()}-{sku.code}", INITIAL_SANDBOX_QUANTITY
                )
                listings += 1
    return f"{accounts} sandbox marketplace accounts, {listings} listings"
