from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class ParcelRequest:
    reference: str  # the hub's shipment reference, so a retried booking is not booked twice
    service_code: str
    recipient_name: str
    recipient_country: str
    recipient_postal_code: str
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int


@dataclass(frozen=True)
class Booking:
    tracking_number: str
    booked_at: datetime


@dataclass(frozen=True)
class TrackingUpdate:
    external_id: str
    status: str  # a logistics.enums.TrackingStatus value
    description: str
    location: str
    occurred_at: datetime


class CarrierAdapter(Protocol):
    def book(self, parcel: ParcelRequest) -> Booking: ...

    def tracking(self, tracking_number: str) -> list[TrackingUpdate]: ...

    def cancel(self, tracking_number: str) -> None:
        """Void the label of a parcel never handed over; cancelling twice is not an error."""
        ...
