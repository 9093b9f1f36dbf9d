from django.conf import settings
from django.core.management.base import BaseCommand

from hub.core.demo import DEMO_PASSWORD
from hub.core.demo_users import STAFF_USERS
from sellers.demo import SELLERS


class Command(BaseCommand):
    help = "Print where the hub listens and the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")

    def handle(self, *args, port, **options):
        base = f"http://127.0.0.1:{port}"
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
        lines = [
            "",
            "Inventory Sync Hub",
            f"  Back office (admin):  {base}/admin/",
            f"  Seller portal:        {base}/portal/",
            f"  Health:               {base}/healthz",
            f"  Database: {engine}   Broker: {broker}",
            f"  Demo logins (password for all: {DEMO_PASSWORD}):",
        ]
        lines += [f"    staff   {username}" for username, _, _ in STAFF_USERS]
        lines += [f"    seller  {username}" for seller in SELLERS for username, _ in seller[-1]]
        lines.append("  Ctrl-C stops web, worker and beat.\n")
        self.stdout.write("\n".join(lines))
