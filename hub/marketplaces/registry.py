"""Which adapter serves which platform. Adapters are imported lazily."""

from django.utils.module_loading import import_string

from .errors import UnknownPlatform

ADAPTERS = {
    "shopify": "hub.marketplaces.shopify.adapter.ShopifyAdapter",
    "amazon": "hub.marketplaces.amazon.adapter.AmazonAdapter",
    "ebay": "hub.marketplaces.ebay.adapter.EbayAdapter",
    "shopee": "hub.marketplaces.shopee.adapter.ShopeeAdapter",
    "aliexpress": "hub.marketplaces.aliexpress.adapter.AliExpressAdapter",
}


def adapter_class(platform: str):
    try:
        dotted = ADAPTERS[platform]
    except (KeyError, TypeError):
        raise UnknownPlatform(platform) from None
    return import_string(dotted)
