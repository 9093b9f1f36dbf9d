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
