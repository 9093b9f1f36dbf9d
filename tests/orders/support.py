from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hub.marketplaces.types import CanonicalLine, CanonicalOrder, OrderStatus, ShipTo

PLACED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
ADDRESS = ShipTo(name="Jürgen Müller", country="DE", city="München", postal_code="80331", address1="Marienplatz 8")


def canonical_order(
    external_id="1001",
    lines=(("LST-1", 1),),
    *,
    status=OrderStatus.PAID,
    updated_minutes=0,
    ship_to=ADDRESS,
    platform="shopify",
):
    return CanonicalOrder(
        platform=platform,
        external_id=external_id,
        status=status,
        created_at=PLACED,
        updated_at=PLACED + timedelta(minutes=updated_minutes),
        currency="EUR",
        total=Decimal("19.90") * sum(quantity for _, quantity in lines),
        ship_to=ship_to,
        lines=tuple(
            CanonicalLine(
                external_line_id=f"{external_id}-{index}", sku=sku, quantity=quantity, unit_price=Decimal("19.90")
            )
            for index, (sku, quantity) in enumerate(lines)
        ),
    )


def rush_of_orders(listing, count: int, prefix: str = "rush"):
    """``count`` one-unit orders for ``listing``, each from a buyer of its own, stored now (reserved)."""
    from orders.services import order_ingest

    for number in range(count):
        buyer = ShipTo(name=f"Buyer {number}", country="US", city="Austin", postal_code=f"{73000 + number}")
        canonical = canonical_order(f"{prefix}{number}", ((listing.seller_sku, 1),), ship_to=buyer)
        order_ingest(account=listing.account, canonical=canonical, raw={})
