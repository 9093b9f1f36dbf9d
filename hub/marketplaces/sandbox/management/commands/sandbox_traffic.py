from django.core.management.base import BaseCommand, CommandError

from hub.marketplaces.sandbox.traffic import run_traffic


class Command(BaseCommand):
    help = "Place buyer orders across all sandbox shops at a steady rate."

    def add_arguments(self, parser):
        parser.add_argument("--rate", type=float, required=True, help="orders per second")
        parser.add_argument("--duration", type=float, required=True, help="seconds")
        parser.add_argument("--sku", action="append", dest="skus", help="limit to these seller SKUs (repeatable)")
        parser.add_argument("--max-qty", type=int, default=1)

    def handle(self, *args, rate, duration, skus, max_qty, **options):
        if rate <= 0 or duration <= 0:
            raise CommandError("--rate and --duration must be positive")
        report = run_traffic(rate, duration, seller_skus=skus, max_quantity=max_qty)
        per_platform = ", ".join(f"{p}: {n}" for p, n in sorted(report.by_platform.items())) or "none"
        self.stdout.write(
            f"placed {report.placed} orders ({per_platform}); {report.out_of_stock} refused for lack of stock"
        )
