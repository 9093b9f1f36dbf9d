"""One page of pulled orders, as the adapters that report ``updated_at`` build it."""

from collections.abc import Callable

from .types import CanonicalOrder, OrderPage


def order_page(parse: Callable[[dict], CanonicalOrder], raw: list[dict], next_cursor: str | None) -> OrderPage:
    """``raw`` parsed in order; the high-water mark is the newest ``updated_at`` among them (None when none has one).

    Shopify builds its own page: there an order without ``updated_at`` counts by ``created_at``.
    """
    orders = [parse(payload) for payload in raw]
    updated = [order.updated_at for order in orders if order.updated_at]
    return OrderPage(
        orders=orders, raw=raw, next_cursor=next_cursor or None, high_water_mark=max(updated, default=None)
    )
