from django.core.management.base import BaseCommand

from hub.sync.schedules import account_schedules_ensure, sweep_schedule_ensure
from sellers.models import MarketplaceAccount


class Command(BaseCommand):
    help = (
        "Create the beat schedules the sync engine needs (kept as rows operators edit; existing ones are left alone)."
    )

    def handle(self, *args, **options):
        sweep_schedule_ensure()
        accounts = list(MarketplaceAccount.objects.all())
        for account in accounts:
            account_schedules_ensure(account)
        self.stdout.write(
            self.style.SUCCESS(f"sync sweep and {len(accounts)} accounts' pull/reconcile schedules ready")
        )
