"""Connect a seller to a sandbox shop, as a seller would connect a real one (demo data and tests)."""

from sellers.models import Listing
from sellers.services import account_connect

from .registry import sandbox_module


def sandbox_account_connect(seller, platform: str, shop_id: str, *, region: str = "", webhook_url: str = "", **options):
    """Provision the sandbox shop and a hub account for it; returns (account, sandbox shop)."""
    module = sandbox_module(platform)
    shop, credentials, settings = module.provision_shop(shop_id, region=region, webhook_url=webhook_url, **options)
    account = account_connect(
        seller=seller,
        platform=platform,
        shop_id=shop_id,
        region=region,
        name=f"{seller.name} · {platform}",
        base_url=module.sandbox_base_url(),
        credentials=credentials,
        settings=settings,
    )
    return account, shop


def sandbox_listing_connect(account, shop, sku, seller_sku: str, quantity: int, *, title: str = "", price="19.90"):
    """List ``sku`` on the sandbox shop (showing ``quantity``) and map it in the hub."""
    sandbox_listing = sandbox_module(account.platform).listing_create(
        shop, seller_sku, quantity, title=title or sku.name, price=price
    )
    listing, _ = Listing.objects.update_or_create(
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
    return listing, sandbox_listing
