"""Pushing quantities in platform-shaped batches (Shopee: per item; AliExpress: per product group)."""

from collections import defaultdict
from collections.abc import Callable, Iterable

from ..types import PushResult, QuantityUpdate


def group_by_listing(updates: Iterable[QuantityUpdate]) -> dict[str, list[QuantityUpdate]]:
    """Updates grouped by the platform listing (Shopee item, AliExpress product), first-seen order kept."""
    groups: dict[str, list[QuantityUpdate]] = defaultdict(list)
    for update in updates:
        groups[update.listing.listing_id].append(update)
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
