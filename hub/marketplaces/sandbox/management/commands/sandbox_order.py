from django.core.management.base import BaseCommand, CommandError

from hub.marketplaces.sandbox.common import SandboxOutOfStock
from hub.marketplaces.sandbox.models import SandboxListing, SandboxShop
from hub.marketplaces.sandbox.registry import SANDBOX_PLATFORMS, sandbox_module


class Command(BaseCommand):
    help = "A buyer places an order on a sandbox marketplace shop."

    def add_arguments(self, parser):
        parser.add_argument("--platform", required=True, choices=SANDBOX_PLATFORMS)
        parser.add_argument("--shop", required=True, help="the sandbox shop id")
        parser.add_argument("--sku", required=True, help="the seller's SKU on that shop")
        parser.add_argument("--qty", type=int, default=1)

    def handle(self, *args, platform, shop, sku, qty, **options):
        if qty <= 0:
            raise CommandError("--qty must be a positive number")
        try:
            sandbox_shop = SandboxShop.objects.get(platform=platform, shop_id=shop)
        except SandboxShop.DoesNotExist:
            raise CommandError(f"no sandbox shop {shop!r} on {platform}") from None
        try:
            order = sandbox_module(platform).place_order(sandbox_shop, [(sku, qty)])
        except SandboxListing.DoesNotExist:
            raise CommandError(f"shop {shop!r} has no listing {sku!r}") from None
        except SandboxOutOfStock as error:
            raise CommandError(f"out of stock: {error}") from None
        self.stdout.write(self.style.SUCCESS(f"{platform} order {order.external_id} placed: {qty} x {sku}"))
