"""What each listing may advertise: the one function sync, portal and API call.

The formula (worked example in docs/allocation.md), per listing of seller S for SKU K:

    own      = S's virtual stock of K available now (all active warehouses)
    pool     = the shared pool's available units of K
    terms    = the most specific active AllocationRule matching the listing
    held     = K's units in flight: its sales rate now on each platform x that platform's
               in-flight seconds (inventory.velocity); a rule's threshold counts as at least 2 x held
    shown_pool = pool                    if S may draw and pool >= terms.low_stock_threshold
                 its share of pool-held  if S may draw and the listing is in the top rank
                 0                       otherwise
    base     = own + shown_pool
    buffer   = terms.buffer_units + ceil(base * terms.buffer_percent / 100)
    advertised = max(0, min(base - buffer, terms.max_per_listing or infinity))

The rank of a listing among the active listings of the same SKU is (priority channel
first, then the seller's priority number, lower first); below the threshold only the
listings of the best rank keep showing pool stock, and they split it so that together they
never show more than the pool: at low stock no two marketplaces can sell the same unit,
whatever the detection delay. Without ``claims`` the split is even (pool // n each, one
more for the first pool % n in listing order). With ``claims`` (what each listing still
shows, as the sync engine believes: its last target minus the units sold on it since) the
split is sticky: a sale on one listing uses up that listing's share and leaves the others
alone, and only an excess over the pool is taken back, from the largest shares first
(``split_pool``). For a kit, ``own`` and ``pool`` are kits: the minimum over its components of
floor(units / units per kit).
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, Decimal

from django.db.models import Sum

from sellers.enums import AccountStatus
from sellers.models import Listing

from .models import AdaptiveBuffer, AllocationRule, KitComponent, Stock
from .velocity import (
    backlog_units,
    in_flight_seconds_now,
    pending_orders,
    recent_rates,
    recent_rates_and_totals,
    units_in_flight,
)

# Below this many times the units in flight, a SKU that is selling switches to the split.
RUSH_THRESHOLD_FACTOR = 2


@dataclass(frozen=True)
class _Sibling:
    """What the formula reads of an active listing of the SKUs, as plain values (no model instances)."""

    pk: int
    sku_id: int
    account_id: int
    platform: str
    account_status: str
    seller_id: int
    seller_priority: int
    may_draw_on_pool: bool
    seller_is_active: bool
    is_kit: bool
    sku_is_active: bool

    @property
    def is_live(self) -> bool:
        return self.account_status == AccountStatus.ACTIVE and self.seller_is_active and self.sku_is_active


# In _Sibling's field order; never the account's encrypted credentials (decrypting them was a third of the time).
_SIBLING_COLUMNS = (
    "pk",
    "sku_id",
    "account_id",
    "account__platform",
    "account__status",
    "account__seller_id",
    "account__seller__priority",
    "account__seller__may_draw_on_pool",
    "account__seller__is_active",
    "sku__is_kit",
    "sku__is_active",
)


@dataclass(frozen=True)
class Terms:
    """The effective allocation terms for one listing."""

    buffer_units: int = 0
    buffer_percent: Decimal = Decimal("0")
    max_per_listing: int | None = None
    low_stock_threshold: int = 0
    is_priority: bool = False

    @classmethod
    def of(cls, rule: AllocationRule | None, adaptive_units: int = 0) -> "Terms":
        """The rule's terms; an adaptive rule's buffer is at least the SKU's adaptive buffer on the platform."""
        if rule is None:
            return cls()
        adaptive = rule.buffer_mode == "adaptive"
        return cls(
            buffer_units=max(rule.buffer_units, adaptive_units) if adaptive else rule.buffer_units,
            buffer_percent=rule.buffer_percent,
            max_per_listing=rule.max_per_listing,
            low_stock_threshold=rule.low_stock_threshold,
            is_priority=rule.is_priority,
        )


def advertise(
    *, own: int, pool: int, may_draw_on_pool: bool, terms: Terms, top_rank: bool, pool_share: int | None = None
) -> int:
    """The formula itself, on plain numbers (no database).

    ``pool_share`` is the part of the pool this top-rank listing shows below the threshold
    (``split_pool``); None: the whole pool (it is the only one).
    """
    if not may_draw_on_pool:
        shown_pool = 0
    elif pool >= terms.low_stock_threshold:
        shown_pool = pool
    elif top_rank:
        shown_pool = pool if pool_share is None else min(pool, pool_share)
    else:
        shown_pool = 0
    base = own + shown_pool
    buffer = terms.buffer_units + int(
        (Decimal(base) * terms.buffer_percent / 100).to_integral_value(rounding=ROUND_CEILING)
    )
    quantity = base - buffer
    if terms.max_per_listing is not None:
        quantity = min(quantity, terms.max_per_listing)
    return max(0, quantity)


def split_pool(pool: int, claims: list[int | None]) -> list[int]:
    """Pool units for each sharer, in listing order; together never more than ``pool``.

    ``claims`` are the units each sharer shows now (None: unknown, as much as it may get).
    Water-filling toward an even level: when the claims exceed the pool, the largest are cut
    down to the highest level that fits; when they leave room, the smallest are raised to the
    highest level that fits. Claims that fit exactly stay as they are, so a sale on one sharer
    (its claim and the pool both one lower) moves no other sharer. Units left over by the
    whole-unit level go, one each, to the first sharers at the level.
    """
    if not claims:
        return []
    pool = max(0, pool)
    raising = all(claim is not None for claim in claims) and sum(claims) <= pool
    if raising:

        def at(level):
            return [max(claim, level) for claim in claims]
    else:

        def at(level):
            return [level if claim is None else min(claim, level) for claim in claims]

    low, high = 0, pool
    while low < high:  # the highest level whose allotment fits
        middle = (low + high + 1) // 2
        if sum(at(middle)) <= pool:
            low = middle
        else:
            high = middle - 1
    shares = at(low)
    left = pool - sum(shares)
    for index, claim in enumerate(claims):
        if left <= 0:
            break
        at_level = claim <= low if raising else claim is None or claim > low
        if shares[index] == low and at_level:
            shares[index] += 1
            left -= 1
    return shares


def pool_units_claimed(shown: int, *, own: int, pool: int, terms: Terms) -> int:
    """The fewest pool units with which a top-rank listing advertises at least ``shown`` (at most ``pool``)."""
    low, high = 0, pool
    while low < high:
        middle = (low + high) // 2
        if advertise(own=own, pool=pool, may_draw_on_pool=True, terms=terms, top_rank=True, pool_share=middle) >= shown:
            high = middle
        else:
            low = middle + 1
    return low


def rule_for(account_id: int, seller_id: int, platform: str, rules: list[AllocationRule]) -> AllocationRule | None:
    """The most specific active rule matching a listing of this account (account 4, seller 2, platform 1; then
    lowest id)."""
    matching = [
        rule
        for rule in rules
        if (rule.account_id is None or rule.account_id == account_id)
        and (rule.seller_id is None or rule.seller_id == seller_id)
        and (not rule.platform or rule.platform == platform)
    ]
    return min(matching, key=lambda rule: (-rule.specificity, rule.pk), default=None)


def _available(sku_ids) -> tuple[dict, dict]:
    """(pool units by sku, own units by (sku, seller)) over active warehouses."""
    pool, own = defaultdict(int), defaultdict(int)
    rows = (
        Stock.objects.filter(sku_id__in=sku_ids, warehouse__is_active=True)
        .values_list("sku_id", "seller_id")
        .annotate(units=Sum("available"))
        .order_by()
    )
    for sku_id, seller_id, units in rows:
        if seller_id is None:
            pool[sku_id] += units
        else:
            own[(sku_id, seller_id)] += units
    return pool, own


def advertised_quantities(listings, claims: dict[int, int] | None = None) -> dict[int, int]:
    """Advertised quantity by listing id, for any listings, in a fixed number of queries.

    Loads every active listing of the same SKUs (their ranks matter), the active rules,
    kit recipes and stock sums once; never one query per listing. ``claims``: what listings
    show now, by listing id, for a sticky split below the threshold (module docstring).
    """
    listings = list(listings)
    listing_ids = [getattr(listing, "pk", listing) for listing in listings]
    # Listings loaded with their SKU (not deferred) spare a query; ids and other rows ask for it.
    if all(isinstance(listing, Listing) and "sku_id" in listing.__dict__ for listing in listings):
        sku_ids = {listing.sku_id for listing in listings}
    else:
        sku_ids = set(Listing.objects.filter(pk__in=listing_ids).values_list("sku_id", flat=True))
    siblings = [
        _Sibling(*row)
        for row in Listing.objects.filter(sku_id__in=sku_ids, is_active=True)
        .order_by("pk")
        .values_list(*_SIBLING_COLUMNS)
    ]
    rules = list(AllocationRule.objects.filter(is_active=True).order_by("pk"))
    adaptive = {}
    if any(rule.buffer_mode == "adaptive" for rule in rules):
        adaptive = {
            (sku_id, platform): units
            for sku_id, platform, units in AdaptiveBuffer.objects.filter(sku_id__in=sku_ids).values_list(
                "sku_id", "platform", "units"
            )
        }
    recipes = defaultdict(list)
    for kit_id, component_id, per in KitComponent.objects.filter(kit_id__in=sku_ids).values_list(
        "kit_id", "component_id", "quantity"
    ):
        recipes[kit_id].append((component_id, per))
    pool, own = _available({c for recipe in recipes.values() for c, _per in recipe} | sku_ids)

    def units(listing: _Sibling):
        """(own, pool) in units of the listing's SKU; kits count whole kits."""
        sku_id, seller_id = listing.sku_id, listing.seller_id
        if not listing.is_kit:
            return own[(sku_id, seller_id)], pool[sku_id]
        recipe = recipes.get(sku_id)
        if not recipe:
            return 0, 0
        own_kits = min(own[(c, seller_id)] // per for c, per in recipe)
        pool_kits = min(pool[c] // per for c, per in recipe)
        return own_kits, pool_kits

    def kit_total(listing: _Sibling):
        return min((own[(c, listing.seller_id)] + pool[c]) // per for c, per in recipes[listing.sku_id])

    live = [listing for listing in siblings if listing.is_live]
    held = _in_flight_held(live, recipes) if any(rule.low_stock_threshold for rule in rules) else defaultdict(int)
    terms = {}
    for listing in live:
        rule = rule_for(listing.account_id, listing.seller_id, listing.platform, rules)
        listing_terms = Terms.of(rule, adaptive.get((listing.sku_id, listing.platform), 0))
        if listing_terms.low_stock_threshold and held[listing.sku_id]:
            # a rush switches to the split while the pool still covers what is in flight
            threshold = max(listing_terms.low_stock_threshold, RUSH_THRESHOLD_FACTOR * held[listing.sku_id])
            listing_terms = replace(listing_terms, low_stock_threshold=threshold)
        terms[listing.pk] = listing_terms
    rank = {listing.pk: (not terms[listing.pk].is_priority, listing.seller_priority) for listing in live}
    best = {}
    for listing in live:
        best[listing.sku_id] = min(best.get(listing.sku_id, rank[listing.pk]), rank[listing.pk])
    sharers = defaultdict(list)  # top-rank listings that may draw on the pool, in listing order
    for listing in live:
        if rank[listing.pk] == best[listing.sku_id] and listing.may_draw_on_pool:
            sharers[listing.sku_id].append(listing.pk)

    units_of = {}
    for listing in live:
        own_units, pool_units = units(listing)
        if listing.is_kit and listing.may_draw_on_pool and listing.sku_id in recipes:
            # Own and pool components combine into more kits than either alone.
            pool_units = max(pool_units, kit_total(listing) - own_units)
        units_of[listing.pk] = (own_units, pool_units)

    pool_shares = {}
    for sku_id, ids in sharers.items():
        budget = max(0, min(units_of[pk][1] for pk in ids) - held[sku_id])
        claimed = [
            None
            if claims is None or claims.get(pk) is None
            else pool_units_claimed(claims[pk], own=units_of[pk][0], pool=budget, terms=terms[pk])
            for pk in ids
        ]
        pool_shares.update(zip(ids, split_pool(budget, claimed), strict=True))

    result = dict.fromkeys(listing_ids, 0)
    for listing in live:
        if listing.pk not in result:
            continue
        own_units, pool_units = units_of[listing.pk]
        result[listing.pk] = advertise(
            own=own_units,
            pool=pool_units,
            may_draw_on_pool=listing.may_draw_on_pool,
            terms=terms[listing.pk],
            top_rank=rank[listing.pk] == best[listing.sku_id],
            pool_share=pool_shares.get(listing.pk),
        )
    return result


def _in_flight_held(live, recipes) -> dict[int, int]:
    """Units of each listed SKU that sell while a sale reaches every channel (``inventory.velocity``).

    A kit sells as fast as its fastest component allows: a component's units in flight over its units per kit.
    """
    skus = {listing.sku_id: listing.is_kit for listing in live}
    components = {c for sku_id in skus for c, _per in recipes.get(sku_id, ())}
    seconds = in_flight_seconds_now()
    pending = pending_orders()
    if pending:  # each SKU's share of its platform's waiting orders needs the platform's total too
        rates, totals = recent_rates_and_totals(set(skus) | components)
    else:
        rates, totals = recent_rates(set(skus) | components), {}

    def in_flight(sku_id) -> int:
        sku_rates = rates.get(sku_id, {})
        return units_in_flight(sku_rates, seconds, backlog_units(sku_rates, pending, totals))

    held = defaultdict(int)
    for sku_id, is_kit in skus.items():
        if is_kit:
            held[sku_id] = max((-(-in_flight(c) // per) for c, per in recipes.get(sku_id, ())), default=0)
        else:
            held[sku_id] = in_flight(sku_id)
    return held


def advertised_quantity(listing) -> int:
    """What one listing may advertise on its marketplace now."""
    return advertised_quantities([listing])[getattr(listing, "pk", listing)]
