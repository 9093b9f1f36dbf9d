"""The sandbox module of each platform.

Each module ``hub.marketplaces.sandbox.<platform>`` provides:
- ``urlpatterns``: the platform's API paths, mounted under ``/sandbox/<platform>/``;
- ``provision_shop(shop_id, *, region="", webhook_url="") -> (SandboxShop, credentials, settings)``:
  create or update a sandbox shop and return the credentials and settings a hub account needs;
- ``listing_create(shop, seller_sku, quantity, *, title="", price=...) -> SandboxListing``;
- ``sandbox_base_url() -> str``: the base URL a hub account uses to reach this sandbox;
- ``place_order(shop, lines, buyer=None) -> SandboxOrder``: a buyer order (decrementing the
  sandbox listing), with the push the platform sends for it, if any.
"""

import importlib

SANDBOX_PLATFORMS = ("shopify", "amazon", "ebay", "shopee", "aliexpress")


def sandbox_module(platform: str):
    if platform not in SANDBOX_PLATFORMS:
        raise ValueError(f"unknown sandbox platform {platform!r}")
    return importlib.import_module(f"hub.marketplaces.sandbox.{platform}")
