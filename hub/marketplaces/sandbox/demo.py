"""Demo: each demo seller connected to sandbox shops on three platforms, with listings."""

from inventory.models import Sku
from sellers.models import Listing, MarketplaceAccount, Seller

from .registry import sandbox_module

# seller code -> [(platform, region)]
CONNECTIONS = {
    "harbor": [("shopify", ""), ("amazon", "ATVPDKIKX0DER"), ("ebay", "EBAY_US")],
    "lotus": [("shopee", "SG"), ("aliexpress", ""), ("shopify", "")],
    "nordic": [("ebay", "EBAY_DE"), ("amazon", "A1PN6AFILU2W8O"), ("shopee", "MY")],
}
# seller code -> product codes it lists
ASSORTMENT = {"harbor": ["bottle", "lamp"], "lotus": ["bottle", "mat", "tote"], "nordic": ["utensil", "lamp"]}
INITIAL_SANDBOX_QUANTITY = 25


def build():
    accounts = listings = 0
    for seller_code, connections in CONNECTIONS.items():
        seller = Seller.objects.get(code=seller_code)
        skus = list(Sku.objects.filter(product__code__in=ASSORTMENT[seller_code]).order_by("code"))
        for platform, region in connections:
            module = sandbox_module(platform)
            shop_id = f"{seller_code}-{platform}"
            shop, credentials, settings = module.provision_shop(shop_id, region=region)
            account, _ = MarketplaceAccount.objects.update_or_create(
                platform=platform,
                shop_id=shop_id,
                region=region,
                defaults={
                    "seller": seller,
                    "name": f"{seller.name} on {platform}",
                    "base_url": module.sandbox_base_url(),
                    "settings": settings,
                },
            )
            if not account.credentials:
                account.credentials = credentials
                account.save(update_fields=["credentials"])
            accounts += 1
            for sku in skus:
                seller_sku = f"{seller_code.upper()}-{sku.code}"
                sandbox_listing = module.listing_create(
                    shop, seller_sku, INITIAL_SANDBOX_QUANTITY, title=sku.name, price="19.90"
                )
                Listing.objects.update_or_create(
                    account=account,
                    seller_sku=seller_sku,
                    defaults={
                        "sku": sku,
                        "external_listing_id": sandbox_listing.listing_id,
                        "external_variant_id": sandbox_listing.variant_id,
                        "external_inventory_id": sandbox_listing.inventory_id,
                        "extra": sandbox_listing.data.get("hub_extra", {}),
                    },
                )
                listings += 1
    return f"{accounts} sandbox marketplace accounts, {listings} listings"
