"""A sandbox carrier: issues tracking numbers at once and reports the events a test or demo adds.

``sandbox_parcel_advance(tracking_number, status)`` plays the carrier's scanners: the next
tracking read returns the new event. Its state lives in ``SandboxCarrierParcel``.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..enums import TrackingStatus
from ..exceptions import CarrierError
from ..models import SandboxCarrierParcel
from .base import Booking, ParcelRequest, TrackingUpdate


def _check_digit(digits: str) -> int:
    """Mod-10 (Luhn-style weights 3/1) check digit, as GS1 numbers use."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def tracking_number_for(carrier_code: str, reference: str) -> str:
    digits = "".join(ch for ch in reference if ch.isdigit()).rjust(10, "0")
    return f"{carrier_code[:3].upper()}{digits}{_check_digit(digits)}SB"


class SandboxCarrier:
    def __init__(self, carrier_code: str):
        self.carrier_code = carrier_code

    def book(self, parcel: ParcelRequest) -> Booking:
        if not parcel.recipient_country:
            raise CarrierError("recipient country is required")
        if parcel.weight_grams <= 0:
            raise CarrierError("parcel weight must be positive")
        number = tracking_number_for(self.carrier_code, parcel.reference)
        now = timezone.now()
        try:
            with transaction.atomic():
                record = SandboxCarrierParcel.objects.create(
                    tracking_number=number,
                    service_code=parcel.service_code,
                    recipient_country=parcel.recipient_country,
                    booked_at=now,
                    events=[_event(1, TrackingStatus.INFO_RECEIVED, "Shipping label created", "", now)],
                )
        except IntegrityError:
            record = SandboxCarrierParcel.objects.get(tracking_number=number)  # booked before: same answer
        return Booking(tracking_number=record.tracking_number, booked_at=record.booked_at)

    def tracking(self, tracking_number: str) -> list[TrackingUpdate]:
        record = SandboxCarrierParcel.objects.filter(tracking_number=tracking_number).first()
        if record is None:
            raise CarrierError(f"unknown tracking number {tracking_number}")
        return [
            TrackingUpdate(
                external_id=event["id"],
                status=event["status"],
                description=event["description"],
                location=event["location"],
                occurred_at=datetime.fromisoformat(event["at"]),
            )
            for event in record.events
        ]

    def cancel(self, tracking_number: str) -> None:
        with transaction.atomic():
            record = SandboxCarrierParcel.objects.select_for_update().filter(tracking_number=tracking_number).first()
            if record is None:
                raise CarrierError(f"unknown tracking number {tracking_number}")
            if any(event["status"] != TrackingStatus.INFO_RECEIVED for event in record.events):
                raise CarrierError(f"{tracking_number} is in the carrier's hands already; it cannot be cancelled")
            if record.cancelled_at is None:
                record.cancelled_at = timezone.now()
                record.save(update_fields=["cancelled_at"])


def _event(number: int, status: str, description: str, location: str, at) -> dict:
    return {
        "id": f"E{number}",
        "status": str(status),
        "description": description,
        "location": location,
        "at": at.isoformat(),
    }


def sandbox_parcel_advance(tracking_number: str, status: str, *, location: str = "", at=None, description=""):
    """The carrier scans the parcel: append an event the next tracking read reports."""
    with transaction.atomic():
        record = SandboxCarrierParcel.objects.select_for_update().get(tracking_number=tracking_number)
        label = TrackingStatus(status).label
        record.events = [
            *record.events,
            _event(len(record.events) + 1, status, description or str(label), location, at or timezone.now()),
        ]
        record.save(update_fields=["events"])
    return record
