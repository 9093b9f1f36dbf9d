"""Reads of stock that users see: per SKU, for the hub or for one seller."""

from dataclasses import dataclass

from django.db.models import F, Q, Sum

from .enums import INBOUND_OPEN, PRODUCTION_OPEN
from .models import InboundShipmentLine, KitComponent, ProductionOrderLine, Stock


@dataclass(frozen=True)
class StockSummary:
    sku_id: int
    on_hand: int
    reserved: int
    available: int
    in_transit: int
    in_production: int


def stock_summary_list(*, sku_ids, seller=None) -> dict[int, StockSummary]:
    """On hand / reserved / available / in transit / in production per SKU.

    With ``seller``: what that seller can draw on (its virtual stock, plus the pool if it
    may draw on it) and the incoming units meant for the same. Without: the
    whole hub. Kits are not stocked: see ``kit_available``.
    """
    sku_ids = list(sku_ids)
    scope = Q()
    if seller is not None:
        scope = Q(seller=seller) | Q(seller__isnull=True) if seller.may_draw_on_pool else Q(seller=seller)
    stock = (
        Stock.objects.filter(scope, sku_id__in=sku_ids, warehouse__is_active=True)
        .values("sku_id")
        .annotate(on_hand=Sum("on_hand"), reserved=Sum("reserved"), available=Sum("available"))
        .order_by()
    )
    transit = _outstanding(InboundShipmentLine, "shipment", INBOUND_OPEN, sku_ids, seller)
    production = _outstanding(ProductionOrderLine, "order", PRODUCTION_OPEN, sku_ids, seller)
    by_sku = {row["sku_id"]: row for row in stock}
    return {
        sku_id: StockSummary(
            sku_id=sku_id,
            on_hand=by_sku.get(sku_id, {}).get("on_hand") or 0,
            reserved=by_sku.get(sku_id, {}).get("reserved") or 0,
            available=by_sku.get(sku_id, {}).get("available") or 0,
            in_transit=transit.get(sku_id, 0),
            in_production=production.get(sku_id, 0),
        )
        for sku_id in sku_ids
    }


def _outstanding(line_model, document: str, open_statuses, sku_ids, seller) -> dict[int, int]:
    """Units per SKU still expected on the lines of open documents (quantity - received), in the seller's scope."""
    scope = Q()
    if seller is not None:
        own = Q(**{f"{document}__seller": seller})
        scope = own | Q(**{f"{document}__seller__isnull": True}) if seller.may_draw_on_pool else own
    return dict(
        line_model.objects.filter(scope, sku_id__in=sku_ids, **{f"{document}__status__in": open_statuses})
        .values_list("sku_id")
        .annotate(units=Sum(F("quantity") - F("quantity_received")))
        .order_by()
    )


def kit_available(kit_id: int, *, seller=None) -> int:
    """Kits that can be built now: min over components of floor(available / units per kit)."""
    recipe = list(KitComponent.objects.filter(kit_id=kit_id).values_list("component_id", "quantity"))
    if not recipe:
        return 0
    summaries = stock_summary_list(sku_ids=[c for c, _per in recipe], seller=seller)
    return min(summaries[c].available // per for c, per in recipe)


def skus_affected_by(sku_ids) -> set[int]:
    """The SKUs whose advertised quantity a change to ``sku_ids`` can move: themselves and their kits."""
    sku_ids = set(sku_ids)
    kits = KitComponent.objects.filter(component_id__in=sku_ids).order_by().values_list("kit_id", flat=True)
    return sku_ids | set(kits)


def skus_sale_reach(sku_ids) -> tuple[set[int], set[int]]:
    """For a sale of ``sku_ids``, in one query: (the SKUs whose stock it takes: themselves and a kit's components,
    the SKUs whose advertised quantity that can move: those and every kit holding any of them).

    The second hop matters: selling kit A takes its component X, which moves every other kit holding X.
    """
    sku_ids = set(sku_ids)
    components_of_sold_kits = KitComponent.objects.filter(kit_id__in=sku_ids).order_by().values("component_id")
    rows = list(
        KitComponent.objects.filter(
            Q(kit_id__in=sku_ids) | Q(component_id__in=sku_ids) | Q(component_id__in=components_of_sold_kits)
        )
        .order_by()
        .values_list("kit_id", "component_id")
    )
    sold = sku_ids | {component for kit, component in rows if kit in sku_ids}
    return sold, sold | {kit for kit, component in rows if component in sold}
