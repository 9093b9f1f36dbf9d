import factory

from sellers.enums import Platform, ShortagePolicy
from sellers.models import Listing, MarketplaceAccount, Seller


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"seller-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())
    country = "US"
    currency = "USD"
    priority = 100
    shortage_policy = ShortagePolicy.REJECT
    may_draw_on_pool = True


class MarketplaceAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketplaceAccount

    seller = factory.SubFactory(SellerFactory)
    platform = Platform.SHOPIFY
    name = factory.LazyAttribute(lambda o: f"{o.seller.name} {o.platform}")
    shop_id = factory.Sequence(lambda n: f"shop-{n}")


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    account = factory.SubFactory(MarketplaceAccountFactory)
    sku = factory.SubFactory("tests.factories.inventory.SkuFactory")
    seller_sku = factory.Sequence(lambda n: f"LST-{n}")
