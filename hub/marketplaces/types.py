"""Plain dataclasses exchanged between adapters and the rest of the hub (no ORM here)."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from .errors import ItemError


class OrderStatus:
    """The canonical order states every platform's statuses map to."""

    PENDING = "pending"  # placed, not paid (or awaiting payment confirmation)
    PAID = "paid"  # paid and waiting to ship
    SHIPPED = "shipped"  # shipped (fully or partly) or delivered
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    ALL = (PENDING, PAID, SHIPPED, CANCELLED, REFUNDED)


@dataclass(frozen=True)
class ShipTo:
    name: str
    country: str  # ISO 3166-1 alpha-2
    city: str
    postal_code: str
    address1: str = ""
    address2: str = ""
    state: str = ""
    phone: str = ""


@dataclass(frozen=True)
class CanonicalLine:
    external_line_id: str
    sku: str  # the seller's SKU as on the platform
    quantity: int
    unit_price: Decimal
    title: str = ""


@dataclass(frozen=True)
class CanonicalOrder:
    platform: str
    external_id: str
    status: str  # one of OrderStatus.ALL
    created_at: datetime  # aware
    currency: str  # ISO 4217
    total: Decimal
    ship_to: ShipTo
    lines: tuple[CanonicalLine, ...]
    updated_at: datetime | None = None  # aware; orders newer updates over older ones
    buyer_email: str = ""


@dataclass(frozen=True)
class ListingRef:
    """How a platform addresses one listing; adapters use the ids their platform needs."""

    seller_sku: str
    listing_id: str = ""
    variant_id: str = ""
    inventory_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class QuantityUpdate:
    listing: ListingRef
    quantity: int
    expected_quantity: int | None = None  # compare-and-set where the platform supports it


@dataclass
class PushResult:
    succeeded: list[ListingRef] = field(default_factory=list)
    failed: list[ItemError] = field(default_factory=list)
    calls: int = 0  # API calls this push cost


@dataclass(frozen=True)
class OrderPage:
    orders: list[CanonicalOrder]
    raw: list[dict]  # the platform's payloads, same order as ``orders``, stored before processing
    next_cursor: str | None  # opaque; None when this was the last page
    high_water_mark: datetime | None = None  # newest update time seen, for the next pull's "since"
    # Set when the page stopped early (a paced detail call could not wait): the next pull must
    # start at or before this time, and later pages of this pull are not read.
    resume_from: datetime | None = None


@dataclass(frozen=True)
class OrderStamp:
    """What an order list says of one order before its detail is fetched."""

    external_id: str
    updated_at: datetime | None
    status: str  # one of OrderStatus.ALL


@dataclass(frozen=True)
class ShipmentPush:
    external_order_id: str
    carrier: str
    tracking_number: str
    shipped_at: datetime
    lines: tuple[tuple[str, int], ...] = ()  # (external_line_id, quantity); empty means the whole order
    service: str = ""
    package_id: int = 0  # the hub's parcel id: tells apart the parcels of one order shipped at once (Amazon)
    completes_order: bool = True  # False: more of the order ships later (AliExpress send_type "part")


class CredentialStore(Protocol):
    """Where an adapter reads and saves tokens. The ORM-backed one locks the account row on save."""

    def load(self) -> dict: ...

    def refresh(self, refresher) -> dict:
        """Call ``refresher(current) -> new`` unless another worker already refreshed; return the current tokens."""
        ...


@dataclass
class AccountConfig:
    """Everything an adapter needs to talk to one shop."""

    platform: str
    shop_id: str
    base_url: str
    credentials: CredentialStore
    region: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    timeout_seconds: float = 15.0
