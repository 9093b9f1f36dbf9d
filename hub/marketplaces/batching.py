"""Pushing quantities in platform-shaped batches (Shopee: per item; AliExpress: per product group).

For adapters whose batches are not plain slices of ``batch_limit`` (``MarketplaceAdapter.push_quantities``).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

from .types import ListingRef, PushResult, QuantityUpdate

Item = TypeVar("Item", QuantityUpdate, ListingRef)


def group_by_listing(items: Iterable[Item]) -> dict[str, list[Item]]:
    """Updates or listing refs grouped by platform listing (Shopee item, AliExpress product), in first-seen order."""
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        listing = item.listing if isinstance(item, QuantityUpdate) else item
        groups[listing.listing_id].append(item)
    return groups


def push_in_batches(push_batch: Callable[[list[QuantityUpdate]], PushResult], batches) -> PushResult:
    """Call ``push_batch`` once per batch and add up what succeeded, what failed and the calls spent."""
    total = PushResult()
    for batch in batches:
        result = push_batch(batch)
        total.succeeded += result.succeeded
        total.failed += result.failed
        total.calls += result.calls
    return total
