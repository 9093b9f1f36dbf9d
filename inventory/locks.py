"""Row locks for the inventory, always taken in primary-key order.

Every writer that needs more than one row locks them through these helpers, so
two transactions always queue for shared rows in the same order and cannot
deadlock. Reservations are locked before stock rows.
"""

from collections.abc import Iterable

from django.db.models import Q

from .models import Reservation, Stock


def stocks_for_update(stock_ids: Iterable[int]) -> dict[int, Stock]:
    """Lock the given stock rows (pk order) and return them, fresh, by id."""
    ids = sorted(set(stock_ids))
    if not ids:
        return {}
    rows = Stock.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
    return {row.pk: row for row in rows}


def stock_candidates_for_update(*, sku_ids: Iterable[int], seller_ids: Iterable[int], include_pool: bool):
    """Lock every stock row the given sellers may draw on for the given SKUs (pk order).

    Rows of inactive warehouses are left out. Returns the rows in pk order.
    """
    sku_ids = sorted(set(sku_ids))
    seller_ids = sorted(set(seller_ids))
    queryset = Stock.objects.select_for_update(of=("self",)).filter(sku_id__in=sku_ids, warehouse__is_active=True)
    if include_pool:
        queryset = queryset.filter(Q(seller__isnull=True) | Q(seller_id__in=seller_ids))
    else:
        queryset = queryset.filter(seller_id__in=seller_ids)
    return list(queryset.order_by("pk"))


def reservations_for_update(*, line_keys: Iterable[str] | None = None, ids: Iterable[int] | None = None):
    """Lock reservations by line key or id (pk order) and return them in pk order."""
    queryset = Reservation.objects.select_for_update(of=("self",)).select_related("seller")
    if line_keys is not None:
        queryset = queryset.filter(line_key__in=list(line_keys))
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return list(queryset.order_by("pk"))
