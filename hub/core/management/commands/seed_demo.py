from django.core.management.base import BaseCommand
from django.db import transaction

from hub.core.demo import build_demo


class Command(BaseCommand):
    help = "Load the demo manufacturer, sellers and users (idempotent)."

    def handle(self, *args, **options):
        self.stdout.write("Loading demo data...")
        with transaction.atomic():
            build_demo(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
