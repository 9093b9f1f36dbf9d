"""Writes to orders: ingest from marketplaces, state changes, holds, cancellation.

Lock order, everywhere: the order row, then (inside the inventory service) reservations,
then stock rows. Reservation happens in the same transaction as the order is stored.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hub.marketplaces.types import CanonicalOrder, OrderStatus
from inventory.exceptions import InsufficientStock, InvalidTransition
from inventory.models import Reservation
from inventory.services import OrderLine as ReservationLine
from inventory.services import order_lines_reserve, reservation_release
from sellers.models import Listing, MarketplaceAccount

from .anomalies import address_hold, first_hold
from .enums import ALLOWED_TRANSITIONS, OPEN_STATES, HoldReason, OrderState
from .exceptions import OrderTransitionError
from .models import Order, OrderEvent, OrderLine

CANCELLED_STATUSES = frozenset({OrderStatus.CANCELLED, OrderStatus.REFUNDED})


@dataclass(frozen=True)
class IngestResult:
    order: Order
    created: bool
    applied: bool  # False when the payload was not newer than what the hub already had
    lines: tuple[OrderLine, ...] = ()  # of a new order: its lines as stored (listing and SKU mapped)


def order_transition(order: Order, target: str, *, note: str = "", actor=None) -> Order:
    """Move an order to ``target`` if the transition table allows it; records the event.

    The caller holds the order row lock (or has just created it in this transaction).
    """
    if target == OrderState.RELEASED and order.details_pending:
        raise OrderTransitionError(
            _("Order %(order)s waits for its buyer and address from the marketplace; it cannot be released yet.")
            % {"order": order.external_id}
        )
    if target not in ALLOWED_TRANSITIONS[order.state]:
        raise OrderTransitionError(
            _("Order %(order)s is %(state)s and cannot become %(target)s.")
            % {"order": order.external_id, "state": order.get_state_display(), "target": OrderState(target).label}
        )
    updated = Order.objects.filter(pk=order.pk, state=order.state).update(state=target)
    if not updated:
        raise OrderTransitionError(_("Order %(order)s changed meanwhile.") % {"order": order.external_id})
    OrderEvent.objects.create(order=order, from_state=order.state, to_state=target, note=note, actor=actor)
    order.state = target
    return order


def order_ingest(
    *,
    account: MarketplaceAccount,
    canonical: CanonicalOrder,
    raw: dict,
    details_pending: bool = False,
    on_stored: Callable[[IngestResult], None] | None = None,
) -> IngestResult:
    """Store a marketplace order (or apply a newer update to it) and reserve its stock.

    ``details_pending``: the payload names the items but not the buyer or the address (an Amazon
    ORDER_CHANGE notification); the order is reserved at once and completed by a later full payload.

    1. Insert the order; if it exists (webhook and pull, duplicates), lock it instead.
    2. Existing order: ignore the payload unless it is newer (``updated_at``) or completes the
       order's pending details; apply a cancellation (releasing stock) or an address change.
    3. New order: map lines to listings and SKUs; a cancelled order is stored as such;
       an unmapped SKU puts it on hold; otherwise reserve its lines through the inventory
       service by the seller's shortage policy, and an anomaly then puts it on hold (with
       its stock reserved) with a reason an operator can read. With details pending, the
       checks on the buyer and the address wait for the details.

    ``on_stored`` runs inside the same transaction with the result (the caller's own bookkeeping, such as
    marking the inbox message, commits with the order or not at all).
    """
    with transaction.atomic():
        result = _order_store(account, canonical, raw, details_pending)
        if on_stored is not None:
            on_stored(result)
        return result


def _order_store(account, canonical: CanonicalOrder, raw: dict, details_pending: bool) -> IngestResult:
    order, created = _order_insert_or_lock(account, canonical, raw, details_pending)
    if not created:
        applied = _order_update(order, canonical, raw, details_pending)
        return IngestResult(order, created=False, applied=applied)
    lines = _lines_create(order, canonical)
    if canonical.status in CANCELLED_STATUSES:
        order_transition(order, OrderState.CANCELLED, note=_("Cancelled at the marketplace before ingest."))
    elif unmapped := [line.seller_sku for line in lines if line.sku_id is None]:
        _hold(order, HoldReason.UNKNOWN_SKU, _("No listing maps %(skus)s.") % {"skus": ", ".join(unmapped)})
    else:
        # The marketplace has already sold the units: reserve them even when the order
        # looks wrong, so that the hold cannot become an oversell while an operator looks.
        hold = first_hold(account.pk, canonical, details_pending=details_pending)
        order_allocate(order, lines)
        if hold and order.state in (OrderState.ALLOCATED, OrderState.BACKORDERED):
            _hold(order, hold.reason, hold.note)
    return IngestResult(order, created=True, applied=True, lines=tuple(lines))


def _ship_fields(canonical: CanonicalOrder) -> dict:
    ship_to = canonical.ship_to
    return {
        "ship_name": ship_to.name,
        "ship_address1": ship_to.address1,
        "ship_address2": ship_to.address2,
        "ship_city": ship_to.city,
        "ship_state": ship_to.state,
        "ship_postal_code": ship_to.postal_code,
        "ship_country": ship_to.country,
        "ship_phone": ship_to.phone,
    }


def _order_insert_or_lock(account, canonical: CanonicalOrder, raw: dict, details_pending: bool) -> tuple[Order, bool]:
    fields = {
        "seller_id": account.seller_id,
        "platform": account.platform,
        "marketplace_status": canonical.status,
        "currency": canonical.currency,
        "total": canonical.total,
        "placed_at": canonical.created_at,
        "marketplace_updated_at": canonical.updated_at or canonical.created_at,
        **_ship_fields(canonical),
        "buyer_email": canonical.buyer_email,
        "details_pending": details_pending,
        "raw_payload": raw,
    }
    try:
        with transaction.atomic():
            order = Order.objects.create(account=account, external_id=canonical.external_id, **fields)
        if MarketplaceAccount.seller.is_cached(account):
            order.seller = account.seller  # the shortage policy and pool rights are read from it
        OrderEvent.objects.create(order=order, to_state=order.state, note=_("Received from the marketplace."))
        return order, True
    except IntegrityError:
        # Seen already (duplicate webhook, or webhook and pull at once): wait for its lock.
        order = Order.objects.select_for_update().get(account=account, external_id=canonical.external_id)
        return order, False


def _lines_create(order: Order, canonical: CanonicalOrder) -> list[OrderLine]:
    listings = {
        listing.seller_sku: listing
        for listing in Listing.objects.filter(
            account_id=order.account_id, seller_sku__in=[line.sku for line in canonical.lines]
        )
    }
    lines = [
        OrderLine(
            order=order,
            external_line_id=line.external_line_id,
            seller_sku=line.sku,
            listing=listings.get(line.sku),
            sku_id=listings[line.sku].sku_id if line.sku in listings else None,
            quantity=line.quantity,
            unit_price=line.unit_price,
            title=line.title[:300],
        )
        for line in canonical.lines
    ]
    return OrderLine.objects.bulk_create(lines)


def _hold(order: Order, reason: str, note: str) -> None:
    Order.objects.filter(pk=order.pk).update(hold_reason=reason, hold_note=note)
    order.hold_reason, order.hold_note = reason, note
    order_transition(order, OrderState.ON_HOLD, note=f"{HoldReason(reason).label}: {note}")


def order_allocate(order: Order, lines: list[OrderLine] | None = None, *, actor=None) -> Order:
    """Reserve every line; the order becomes allocated, backordered or rejected (seller's policy)."""
    lines = lines if lines is not None else list(order.lines.all())
    request = [
        ReservationLine(line_key=line.reservation_key, sku_id=line.sku_id, quantity=line.quantity) for line in lines
    ]
    try:
        reservations = order_lines_reserve(
            seller=order.seller,
            lines=request,
            actor=actor,
            reference=f"{order.platform}:{order.external_id}",
            destination_country=order.ship_country,
        )
    except InsufficientStock as error:
        order_transition(order, OrderState.REJECTED, note=" ".join(error.messages), actor=actor)
        return order
    short = any(reservation.quantity_backordered for reservation in reservations)
    order_transition(order, OrderState.BACKORDERED if short else OrderState.ALLOCATED, actor=actor)
    return order


def _order_update(order: Order, canonical: CanonicalOrder, raw: dict, details_pending: bool = False) -> bool:
    """Apply a payload to a stored order (the caller holds its lock).

    A newer payload moves the marketplace status and update time (a cancellation releases stock).
    A full payload with an address for an order whose details are pending completes it whatever
    its time (the status only moves if it is newer): address, buyer, amounts and line prices, then
    the checks on the buyer and the address, which may hold it. A payload without details never touches
    the address; a full one changes the address of an open order not yet released.
    """
    newer = _is_newer(order, canonical)
    # Amazon gives no address while an order is Pending: such a full payload leaves the details pending.
    completes = order.details_pending and not details_pending and bool(canonical.ship_to.country)
    if not newer and not completes:
        return False
    changes = {}
    if newer:
        changes.update(marketplace_status=canonical.status, marketplace_updated_at=canonical.updated_at)
    if not details_pending or order.details_pending:
        changes["raw_payload"] = raw  # a summary never replaces a full payload
    if completes:
        changes.update(
            _ship_fields(canonical),
            buyer_email=canonical.buyer_email,
            currency=canonical.currency,
            total=canonical.total,
            details_pending=False,
        )
    elif not (details_pending or order.details_pending) and order.state in OPEN_STATES - {OrderState.RELEASED}:
        changes.update(_ship_fields(canonical))
    Order.objects.filter(pk=order.pk).update(**changes)
    for field, value in changes.items():
        setattr(order, field, value)
    if completes:
        _details_complete(order, canonical)
    if newer and canonical.status in CANCELLED_STATUSES and order.state in OPEN_STATES:
        order_cancel(order, note=_("Cancelled at the marketplace."))
    return True


def _details_complete(order: Order, canonical: CanonicalOrder) -> None:
    """The full order arrived for an order reserved from a notification: line prices and titles, then the
    checks on the buyer and the address (the stock stays reserved while an operator looks)."""
    for line in canonical.lines:
        if line.unit_price or line.title:
            OrderLine.objects.filter(order=order, external_line_id=line.external_line_id).update(
                unit_price=line.unit_price, title=line.title[:300]
            )
    OrderEvent.objects.create(
        order=order, from_state=order.state, to_state=order.state, note=_("Buyer and address received.")
    )
    if order.state in (OrderState.ALLOCATED, OrderState.BACKORDERED):
        hold = address_hold(order.account_id, canonical)
        if hold:
            _hold(order, hold.reason, hold.note)


# Marketplace statuses only move forward; ranks break ties between updates stamped in the same second.
STATUS_RANK = {
    OrderStatus.PENDING: 0,
    OrderStatus.PAID: 1,
    OrderStatus.SHIPPED: 2,
    OrderStatus.CANCELLED: 3,
    OrderStatus.REFUNDED: 4,
}


def _is_newer(order: Order, canonical: CanonicalOrder) -> bool:
    """Whether a payload is newer than what the hub has: a later update time, or the same
    time (several platforms stamp whole seconds) with a status further along."""
    stored = order.marketplace_updated_at
    if canonical.updated_at is None or stored is None:
        return canonical.updated_at is not None
    if canonical.updated_at != stored:
        return canonical.updated_at > stored
    return STATUS_RANK.get(canonical.status, 0) > STATUS_RANK.get(order.marketplace_status, 0)


def order_cancel(order: Order, *, note: str = "", actor=None) -> Order:
    """Cancel an open order and give its reserved units back to the pool (the caller holds the order lock).

    A released order's shipments not yet shipped are cancelled first (they leave their wave).
    """
    if order.state not in OPEN_STATES:
        raise OrderTransitionError(
            _("Order %(order)s is %(state)s and cannot be cancelled.")
            % {"order": order.external_id, "state": order.get_state_display()}
        )
    if order.state == OrderState.RELEASED:
        from logistics.services.cancellation import order_shipments_cancel  # the warehouse gives its shipments up

        order_shipments_cancel(order, actor=actor, note=note)
    keys = [line.reservation_key for line in order.lines.all()]
    open_keys = Reservation.objects.filter(line_key__in=keys).exclude(status__in=["released", "shipped"])
    for line_key in sorted(open_keys.values_list("line_key", flat=True)):
        try:
            reservation_release(line_key=line_key, actor=actor, reason=note or "order cancelled")
        except InvalidTransition as error:
            raise OrderTransitionError(" ".join(error.messages)) from error
    return order_transition(order, OrderState.CANCELLED, note=note, actor=actor)


def _order_locked(order_id: int) -> Order:
    return Order.objects.select_for_update().select_related("seller").get(pk=order_id)


def order_hold_release(order_id: int, *, actor=None, note: str = "") -> Order:
    """An operator resolves a hold: lines are mapped again (a listing may exist now), then stock is reserved.

    Refused, with nothing changed, while a line's SKU is still unmapped.
    """
    with transaction.atomic():
        order = _order_locked(order_id)
        if order.state != OrderState.ON_HOLD:
            raise OrderTransitionError(_("Order %(order)s is not on hold.") % {"order": order.external_id})
        lines = list(order.lines.select_for_update().order_by("id"))
        listings = {
            listing.seller_sku: listing
            for listing in Listing.objects.filter(
                account_id=order.account_id, seller_sku__in=[line.seller_sku for line in lines]
            )
        }
        for line in lines:
            if line.sku_id is None and line.seller_sku in listings:
                line.listing, line.sku_id = listings[line.seller_sku], listings[line.seller_sku].sku_id
                line.save(update_fields=["listing", "sku"])
        unmapped = [line.seller_sku for line in lines if line.sku_id is None]
        if unmapped:
            raise OrderTransitionError(
                _("Map %(skus)s to a listing of this account before releasing the hold.")
                % {"skus": ", ".join(unmapped)}
            )
        Order.objects.filter(pk=order.pk).update(hold_reason="", hold_note="")
        order.hold_reason = order.hold_note = ""
        OrderEvent.objects.create(
            order=order, from_state=order.state, to_state=order.state, note=note or _("Hold released."), actor=actor
        )
        return order_allocate(order, lines, actor=actor)


def order_hold_place(order_id: int, *, actor=None, note: str) -> Order:
    """An operator holds an order (its reserved stock stays reserved) with a reason others can read."""
    if not note.strip():
        raise OrderTransitionError(_("Say why the order is held."))
    with transaction.atomic():
        order = _order_locked(order_id)
        _hold(order, HoldReason.MANUAL, note.strip())
        return order


def order_cancel_by_operator(order_id: int, *, actor=None, note: str) -> Order:
    if not note.strip():
        raise OrderTransitionError(_("Say why the order is cancelled."))
    with transaction.atomic():
        return order_cancel(_order_locked(order_id), note=note.strip(), actor=actor)


def order_release_to_warehouse(order: Order, *, actor=None, note: str = "") -> Order:
    """allocated -> released: routed to a warehouse (the caller holds the order lock)."""
    return order_transition(order, OrderState.RELEASED, note=note or _("Released to the warehouse."), actor=actor)


def order_mark_shipped(order: Order, *, actor=None, note: str = "") -> Order:
    """released -> shipped: every parcel left the warehouse (the caller holds the order lock)."""
    return order_transition(order, OrderState.SHIPPED, note=note or _("Shipped."), actor=actor)


def order_mark_delivered(order: Order, *, actor=None, note: str = "") -> Order:
    """shipped -> delivered: the carrier reported every parcel delivered (the caller holds the order lock)."""
    return order_transition(order, OrderState.DELIVERED, note=note or _("Delivered."), actor=actor)
