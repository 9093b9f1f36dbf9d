"""Demo: schedule the sync sweep and give every demo listing its first target quantity."""

from sellers.models import Listing

from .outbox import listings_refresh
from .schedules import sweep_schedule_ensure


def build():
    sweep_schedule_ensure()
    accounts = listings_refresh(Listing.objects.filter(is_active=True).values_list("pk", flat=True))
    return f"sync sweep scheduled; first push queued for {len(accounts)} accounts"
