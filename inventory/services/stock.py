"""Goods receipt, cycle counts, transfers, virtual stock and return restock.

Each service: validate the input, open a transaction, make sure the stock rows
exist, lock them in pk order (``inventory.locks``), check, then book every change
through one ``LedgerBatch``. A refusal raises an ``InventoryError`` before anything
is written, or rolls the whole transaction back.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from ..enums import MovementKind
from ..exceptions import InsufficientStock, InvalidQuantity
from ..locks import stocks_for_update
from ..models import Stock, Warehouse
from ._core import LedgerBatch, positive_quantity, stock_rows_ensure, stocked_sku


def _id(obj):
    return None if obj is None else getattr(obj, "pk", obj)


def _warehouse(warehouse) -> Warehouse:
    found = Warehouse.objects.filter(pk=_id(warehouse)).first()
    if found is None:
        raise InvalidQuantity(_("There is no warehouse with id %(id)s.") % {"id": _id(warehouse)})
    return found


def _book(changes, *, actor=None, reference="", reason="") -> dict:
    """Apply [(sku_id, warehouse_id, seller_id, kind, on_hand_delta, reserved_delta)] atomically.

    Returns the changed stock rows by key. Rows are created when missing, then all of
    them are locked in pk order before the first check.
    """
    with transaction.atomic():
        ids = stock_rows_ensure((sku, warehouse, seller) for sku, warehouse, seller, *_ in changes)
        rows = stocks_for_update(ids.values())
        batch = LedgerBatch(actor_id=_id(actor), reference=reference, reason=reason)
        for sku, warehouse, seller, kind, on_hand_delta, reserved_delta in changes:
            batch.apply(
                rows[ids[(sku, warehouse, seller)]], kind, on_hand_delta=on_hand_delta, reserved_delta=reserved_delta
            )
        batch.flush()
        return {key: rows[pk] for key, pk in ids.items()}


def stock_receive(*, sku, warehouse, quantity, seller=None, actor=None, reference="", reason="") -> Stock:
    """Goods receipt: ``quantity`` more units on hand, in the pool or in ``seller``'s virtual stock."""
    quantity = positive_quantity(quantity)
    sku = stocked_sku(sku)
    warehouse = _warehouse(warehouse)
    key = (sku.pk, warehouse.pk, _id(seller))
    rows = _book([(*key, MovementKind.RECEIPT, quantity, 0)], actor=actor, reference=reference, reason=reason)
    return rows[key]


def stock_return_restock(*, sku, warehouse, quantity, seller=None, actor=None, reference="", reason="") -> Stock:
    """A returned unit that passed inspection goes back on hand (pool unless a seller is named)."""
    quantity = positive_quantity(quantity)
    sku = stocked_sku(sku)
    warehouse = _warehouse(warehouse)
    key = (sku.pk, warehouse.pk, _id(seller))
    rows = _book([(*key, MovementKind.RETURN_RESTOCK, quantity, 0)], actor=actor, reference=reference, reason=reason)
    return rows[key]


def stock_count(*, stock, counted, reason: str, actor=None, reference="") -> Stock:
    """Cycle-count adjustment: set a row's on-hand to what was counted, with a reason.

    Refused when fewer units were counted than are reserved (release or re-allocate
    those reservations first) and when the count equals the book (nothing to adjust).
    """
    if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
        raise InvalidQuantity(_("The counted quantity must be a whole number of 0 or more."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidQuantity(_("A cycle-count adjustment needs a reason."))
    with transaction.atomic():
        row = stocks_for_update([_id(stock)]).get(_id(stock))
        if row is None:
            raise InvalidQuantity(_("There is no stock row with id %(id)s.") % {"id": _id(stock)})
        if counted < row.reserved:
            raise InsufficientStock(
                _("Counted %(counted)s but %(reserved)s units are reserved: release those reservations first.")
                % {"counted": counted, "reserved": row.reserved}
            )
        if counted == row.on_hand:
            raise InvalidQuantity(_("The count equals the book quantity: nothing to adjust."))
        batch = LedgerBatch(actor_id=_id(actor), reference=reference, reason=reason)
        batch.apply(row, MovementKind.ADJUSTMENT, on_hand_delta=counted - row.on_hand)
        batch.flush()
        return row


def _move_between(*, sku, source, target, quantity, kinds, actor, reference, reason):
    """Move ``quantity`` available units from one stock row (key) to another."""
    quantity = positive_quantity(quantity)
    sku = stocked_sku(sku)
    source = (sku.pk, *source)
    target = (sku.pk, *target)
    if source == target:
        raise InvalidQuantity(_("The source and the destination are the same."))
    out_kind, in_kind = kinds
    with transaction.atomic():
        existing = Stock.objects.filter(sku_id=sku.pk, warehouse_id=source[1], seller_id=source[2]).first()
        if existing is None or existing.available < quantity:
            raise InsufficientStock(
                _("%(code)s has only %(available)s available units there; %(quantity)s were asked for.")
                % {"code": sku.code, "available": existing.available if existing else 0, "quantity": quantity}
            )
        return _book(
            [(*source, out_kind, -quantity, 0), (*target, in_kind, quantity, 0)],
            actor=actor,
            reference=reference,
            reason=reason,
        )


def stock_transfer(
    *, sku, from_warehouse, to_warehouse, quantity, seller=None, actor=None, reference="", reason=""
) -> tuple[Stock, Stock]:
    """Move available units between warehouses (pool to pool, or within a seller's virtual stock)."""
    source = (_warehouse(from_warehouse).pk, _id(seller))
    target = (_warehouse(to_warehouse).pk, _id(seller))
    rows = _move_between(
        sku=sku,
        source=source,
        target=target,
        quantity=quantity,
        kinds=(MovementKind.TRANSFER_OUT, MovementKind.TRANSFER_IN),
        actor=actor,
        reference=reference,
        reason=reason,
    )
    sku_id = next(iter(rows))[0]
    return rows[(sku_id, *source)], rows[(sku_id, *target)]


def virtual_stock_lock(*, seller, sku, warehouse, quantity, actor=None, reference="", reason="") -> Stock:
    """Lock (or top up) ``quantity`` pool units as ``seller``'s virtual stock in ``warehouse``."""
    if _id(seller) is None:
        raise InvalidQuantity(_("Virtual stock needs a seller."))
    warehouse = _warehouse(warehouse)
    rows = _move_between(
        sku=sku,
        source=(warehouse.pk, None),
        target=(warehouse.pk, _id(seller)),
        quantity=quantity,
        kinds=(MovementKind.VIRTUAL_LOCK, MovementKind.VIRTUAL_LOCK),
        actor=actor,
        reference=reference,
        reason=reason,
    )
    return next(row for row in rows.values() if row.seller_id is not None)


def virtual_stock_release(*, seller, sku, warehouse, quantity, actor=None, reference="", reason="") -> Stock:
    """Release ``quantity`` available units of ``seller``'s virtual stock back to the pool."""
    if _id(seller) is None:
        raise InvalidQuantity(_("Virtual stock needs a seller."))
    warehouse = _warehouse(warehouse)
    rows = _move_between(
        sku=sku,
        source=(warehouse.pk, _id(seller)),
        target=(warehouse.pk, None),
        quantity=quantity,
        kinds=(MovementKind.VIRTUAL_RELEASE, MovementKind.VIRTUAL_RELEASE),
        actor=actor,
        reference=reference,
        reason=reason,
    )
    return next(row for row in rows.values() if row.seller_id is not None)
