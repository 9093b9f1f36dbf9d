"""Checks that put a new order on hold for an operator to look at. Each returns a reason or None."""

from datetime import timedelta
from typing import NamedTuple

from hub.marketplaces.types import CanonicalOrder

from .enums import HoldReason
from .models import Order

DUPLICATE_WINDOW = timedelta(minutes=10)
UNUSUAL_LINE_QUANTITY = 20


class Hold(NamedTuple):
    reason: str  # a HoldReason
    note: str


def incomplete_address(canonical: CanonicalOrder) -> Hold | None:
    ship_to = canonical.ship_to
    missing = [name for name in ("name", "country", "city", "postal_code") if not getattr(ship_to, name, "").strip()]
    if missing:
        return Hold(HoldReason.INCOMPLETE_ADDRESS, f"missing {', '.join(missing)}")
    return None


def unusual_quantity(canonical: CanonicalOrder) -> Hold | None:
    big = [line.sku for line in canonical.lines if line.quantity > UNUSUAL_LINE_QUANTITY]
    if big:
        return Hold(HoldReason.UNUSUAL_QUANTITY, f"more than {UNUSUAL_LINE_QUANTITY} units of {', '.join(big)}")
    return None


def suspected_duplicate(account_id: int, canonical: CanonicalOrder) -> Hold | None:
    """Same buyer, same items, same account, placed within minutes of each other under another order id."""
    items = sorted((line.sku, line.quantity) for line in canonical.lines)
    nearby = (
        Order.objects.filter(
            account_id=account_id,
            ship_name=canonical.ship_to.name,
            ship_postal_code=canonical.ship_to.postal_code,
            placed_at__gte=canonical.created_at - DUPLICATE_WINDOW,
            placed_at__lte=canonical.created_at + DUPLICATE_WINDOW,
        )
        .exclude(external_id=canonical.external_id)
        .prefetch_related("lines")
    )
    for other in nearby:
        if sorted((line.seller_sku, line.quantity) for line in other.lines.all()) == items:
            return Hold(HoldReason.DUPLICATE_SUSPECTED, f"same buyer and items as order {other.external_id}")
    return None


def first_hold(account_id: int, canonical: CanonicalOrder, *, details_pending: bool = False) -> Hold | None:
    """The first reason to hold a new order. With its details pending (a notification that names the
    items but not the buyer), the checks that read the buyer and the address wait for the details."""
    hold = unusual_quantity(canonical)
    if hold or details_pending:
        return hold
    return address_hold(account_id, canonical)


def address_hold(account_id: int, canonical: CanonicalOrder) -> Hold | None:
    """The checks on the buyer and the address: run for a new order, or when a pending order's details arrive."""
    return incomplete_address(canonical) or suspected_duplicate(account_id, canonical)
