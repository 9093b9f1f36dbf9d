"""One page of pulled orders, as the adapters that report ``updated_at`` build it."""

from collections.abc import Callable, Iterable
from datetime import datetime

from .errors import Throttled
from .types import CanonicalOrder, OrderPage, OrderStamp


def order_page(
    parse: Callable[[dict], CanonicalOrder],
    raw: list[dict],
    next_cursor: str | None,
    *,
    skipped: Iterable[OrderStamp] = (),
    resume_from: datetime | None = None,
) -> OrderPage:
    """``raw`` parsed in order; the high-water mark is the newest ``updated_at`` among them and the
    ``skipped`` orders the caller already holds (None when none has one).

    Shopify builds its own page: there an order without ``updated_at`` counts by ``created_at``.
    """
    orders = [parse(payload) for payload in raw]
    updated = [order.updated_at for order in orders if order.updated_at]
    updated += [stamp.updated_at for stamp in skipped if stamp.updated_at]
    return OrderPage(
        orders=orders,
        raw=raw,
        next_cursor=None if resume_from else next_cursor or None,
        high_water_mark=max(updated, default=None),
        resume_from=resume_from,
    )


def page_with_details(
    parse: Callable[[dict], CanonicalOrder],
    stamps: list[OrderStamp],
    detail: Callable[[int], dict],
    next_cursor: str | None,
    fresh: set[str],
) -> OrderPage:
    """A page for platforms whose order list needs one detail call per order.

    Only the ``fresh`` orders are fetched (``detail(index)`` for ``stamps[index]``); the rest count
    towards the high-water mark. A detail call that is throttled ends the page early: what was
    fetched is kept and ``resume_from`` is the oldest update time not yet fetched.
    """
    raw: list[dict] = []
    skipped = [stamp for stamp in stamps if stamp.external_id not in fresh]
    wanted = [index for index, stamp in enumerate(stamps) if stamp.external_id in fresh]
    for position, index in enumerate(wanted):
        try:
            raw.append(detail(index))
        except Throttled:
            left = [stamps[later].updated_at for later in wanted[position:]]
            if any(when is None for when in left):
                raise  # without update times there is no safe place to resume from
            return order_page(parse, raw, None, skipped=skipped, resume_from=min(left))
    return order_page(parse, raw, next_cursor, skipped=skipped)
