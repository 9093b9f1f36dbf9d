"""factory_boy factories shared by the test suite.

Stock is never created with a factory: use ``tests.factories.inventory.stocked``, which
books a goods receipt through the service so that balances and ledger agree.
"""

from .inventory import ProductFactory, SkuFactory, WarehouseFactory, kit_of, stocked
from .sellers import ListingFactory, MarketplaceAccountFactory, SellerFactory

__all__ = [
    "ListingFactory",
    "MarketplaceAccountFactory",
    "ProductFactory",
    "SellerFactory",
    "SkuFactory",
    "WarehouseFactory",
    "kit_of",
    "stocked",
]
