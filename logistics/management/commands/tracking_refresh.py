from django.core.management.base import BaseCommand

from logistics.enums import ShipmentState
from logistics.exceptions import LogisticsError
from logistics.models import Shipment
from logistics.services import shipment_tracking_refresh, shipments_stale_alert


class Command(BaseCommand):
    help = "Read new tracking events for every shipped parcel, then raise stale-shipment alerts."

    def add_arguments(self, parser):
        parser.add_argument("--stale-days", type=int, default=None, help="Days without an event (default: setting).")

    def handle(self, *args, stale_days=None, **options):
        new = failed = 0
        for shipment_id in Shipment.objects.filter(state=ShipmentState.SHIPPED).values_list("pk", flat=True):
            try:
                new += shipment_tracking_refresh(shipment_id)
            except LogisticsError as error:
                failed += 1
                self.stderr.write(" ".join(error.messages))
        stale = shipments_stale_alert(days=stale_days)
        self.stdout.write(f"{new} new tracking events; {failed} parcels unreadable; {len(stale)} new stale alerts")
