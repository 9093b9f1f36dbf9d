"""Reservations for order lines: reserve, pick, ship, release, fill backorders.

A reservation is keyed by the caller's stable ``line_key`` (for example
``"order-line:123"``), so asking twice for the same line returns the first answer.

Lock order, everywhere: reservation rows (pk order), then stock rows (pk order).
"""

import functools
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sellers.enums import ShortagePolicy

from ..enums import RESERVATION_TRANSITIONS, MovementKind, ReservationStatus
from ..exceptions import InsufficientStock, InvalidQuantity, InvalidTransition, OverRelease, UnknownSku
from ..ledger import CANONICAL_VERSION, microseconds
from ..locks import reservations_for_update, stock_candidates_for_update, stocks_for_update
from ..models import KitComponent, Movement, Reservation, ReservationAllocation, Sku, Stock, Warehouse
from ..nearest import PoolRanking, pool_ranking
from ._core import LedgerBatch, _stock_changed, alert_thresholds, positive_quantity, prepared_cursor

IDEMPOTENT_RETRIES = 3
OPEN_STATUSES = (ReservationStatus.RESERVED, ReservationStatus.BACKORDERED, ReservationStatus.PICKED)


@dataclass(frozen=True)
class OrderLine:
    """One line of an order to reserve: a stable key, the SKU (or kit) id and the quantity."""

    line_key: str
    sku_id: int
    quantity: int


def _validated(lines) -> list[OrderLine]:
    lines = list(lines)
    if not lines:
        raise InvalidQuantity(_("An order needs at least one line."))
    keys = set()
    for line in lines:
        if not isinstance(line.line_key, str) or not line.line_key.strip() or len(line.line_key) > 128:
            raise InvalidQuantity(_("Each line needs a key of 1 to 128 characters."))
        if line.line_key in keys:
            raise InvalidQuantity(_("The line key %(key)s appears twice.") % {"key": line.line_key})
        keys.add(line.line_key)
        positive_quantity(line.quantity)
    return lines


def recipes_for(skus: dict[int, Sku]) -> dict[int, list[tuple[int, int]]]:
    """sku id -> [(component sku id, units per sku)]; a plain SKU is its own single component."""
    recipes = {sku_id: [(sku_id, 1)] for sku_id, sku in skus.items() if not sku.is_kit}
    kit_ids = [sku_id for sku_id, sku in skus.items() if sku.is_kit]
    if kit_ids:
        for kit_id, component_id, quantity in (
            KitComponent.objects.filter(kit_id__in=kit_ids)
            .order_by("component_id")
            .values_list("kit_id", "component_id", "quantity")
        ):
            recipes.setdefault(kit_id, []).append((component_id, quantity))
        for kit_id in kit_ids:
            if kit_id not in recipes:
                raise UnknownSku(_("The kit %(code)s has no components.") % {"code": skus[kit_id].code})
    return recipes


def _draws_on(row: Stock, seller) -> bool:
    return row.seller_id == seller.pk or (row.seller_id is None and seller.may_draw_on_pool)


def _preference(ranking: PoolRanking):
    """A seller's own virtual stock first, then the pool; within each, the warehouses in the
    destination's country first, then the nearest (``inventory.nearest``), then by warehouse."""
    return lambda row: (row.seller_id is None, ranking.position(row.warehouse_id), row.warehouse_id, row.pk)


def _ranking_order_sql(column: str, ranking: PoolRanking) -> tuple[str, list]:
    """The ranking as a portable ORDER BY term (the PostgreSQL hot path passes an array instead)."""
    if not ranking.warehouse_ids:
        return "0", []
    whens = " ".join(["WHEN %s THEN %s"] * len(ranking.warehouse_ids))
    params = [value for position, pk in enumerate(ranking.warehouse_ids) for value in (pk, position)]
    return f"CASE {column} {whens} ELSE {len(ranking.warehouse_ids)} END", params


def _possible_units(rows_by_sku, recipe) -> int:
    return min(sum(row.on_hand - row.reserved for row in rows_by_sku.get(c, ())) // per for c, per in recipe)


def _draw(batch: LedgerBatch, rows_by_sku, recipe, units: int, line_key: str) -> list[tuple[Stock, int]]:
    """Reserve ``units`` (of a SKU or kit) from the rows in preference order."""
    taken = []
    for component_id, per in recipe:
        needed = units * per
        for row in rows_by_sku.get(component_id, ()):
            if needed == 0:
                break
            take = min(needed, row.on_hand - row.reserved)
            if take > 0:
                batch.apply(row, MovementKind.RESERVATION, reserved_delta=take, reference=line_key)
                taken.append((row, take))
                needed -= take
        if needed:
            raise InsufficientStock(_("Not enough stock for %(key)s.") % {"key": line_key})
    return taken


def _units_for(*, wanted: int, possible: int, policy: str, line_key: str, sku: Sku) -> int:
    if possible >= wanted:
        return wanted
    if policy == ShortagePolicy.REJECT:
        raise InsufficientStock(
            _("Only %(possible)s of %(wanted)s units of %(code)s can be reserved for %(key)s; the order is rejected.")
            % {"possible": possible, "wanted": wanted, "code": sku.code, "key": line_key}
        )
    if policy == ShortagePolicy.PARTIAL:
        return possible
    return 0  # backorder: the whole line waits, holding nothing


def _reserve_fast(seller, sku_id: int, quantity: int, line_key: str, ranking: PoolRanking) -> tuple[Stock, int] | None:
    """One round trip: reserve ``quantity`` from the seller's first non-empty row, if it has enough.

    ``UPDATE ... WHERE id = (first row in preference order with any available, of an
    active SKU, while no reservation holds ``line_key``) AND on_hand - reserved >= quantity
    RETURNING ...``: the row lock, the checks and the write in one statement. The
    returned row stays locked until commit; its ``ledger_head`` was not changed by the
    statement, so it is the committed chain head.
    Returns (the row as it was before, the SKU's safety stock), or None: then the caller
    rolls back and takes the locking path, which also answers replays and bad SKUs.
    """
    stock_table = connection.ops.quote_name(Stock._meta.db_table)
    warehouse_table = connection.ops.quote_name(Warehouse._meta.db_table)
    sku_table = connection.ops.quote_name(Sku._meta.db_table)
    reservation_table = connection.ops.quote_name(Reservation._meta.db_table)
    nearest, nearest_params = _ranking_order_sql("s.warehouse_id", ranking)
    sql = f"""
        UPDATE {stock_table} SET reserved = reserved + %s, ledger_sequence = ledger_sequence + 1
        WHERE id = (
            SELECT s.id FROM {stock_table} s
            JOIN {warehouse_table} w ON w.id = s.warehouse_id
            JOIN {sku_table} k ON k.id = s.sku_id
            WHERE s.sku_id = %s AND w.is_active AND k.is_active
              AND (s.seller_id = %s OR (s.seller_id IS NULL AND %s))
              AND s.on_hand - s.reserved > 0
              AND NOT EXISTS (SELECT 1 FROM {reservation_table} r WHERE r.line_key = %s)
            ORDER BY (s.seller_id IS NULL), {nearest}, s.warehouse_id, s.id
            LIMIT 1
        ) AND on_hand - reserved >= %s
        RETURNING id, sku_id, warehouse_id, seller_id, on_hand, reserved, ledger_sequence, ledger_head,
            (SELECT k.safety_stock FROM {sku_table} k WHERE k.id = sku_id)
    """  # noqa: S608 - table names come from the models, values are parameters
    params = [quantity, sku_id, seller.pk, bool(seller.may_draw_on_pool), line_key, *nearest_params, quantity]
    with connection.cursor() as cursor:
        cursor.execute(" ".join(sql.split()), params)
        found = cursor.fetchone()
    if found is None:
        return None
    pk, sku_id, warehouse_id, seller_id, on_hand, reserved, sequence, head, safety_stock = found
    row = Stock(
        pk=pk,
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        seller_id=seller_id,
        on_hand=on_hand,
        reserved=reserved - quantity,
        ledger_sequence=sequence - 1,
        ledger_head=head,
    )
    return row, safety_stock


def order_lines_reserve(
    *, seller, lines, actor=None, reference: str = "", destination_country: str = ""
) -> list[Reservation]:
    """Reserve the lines of one order in one transaction; idempotent per line key.

    1. Lines whose key already has a reservation are answered from it (a key used for
       another seller or SKU is refused).
    2. One new plain line: the conditional UPDATE of ``_reserve_fast``; if it finds no
       single row with enough, roll back and start again with 3 (see ``_FastPathMissed``).
    3. Lock every row the seller may draw on for all SKUs and kit components of the
       order (pk order), then per line in order: reserve all units, or by the seller's
       shortage policy reject the order (nothing is kept), reserve what there is and
       backorder the rest (partial), or backorder the whole line (backorder).
    4. Book the movements, write the reservations and their allocations.
    A concurrent request for the same key that commits first makes this one roll back
    on the unique key; it is then answered from the committed reservation.
    """
    lines = _validated(lines)
    ranking = pool_ranking(destination_country)
    allow_fast = True
    for attempt in range(IDEMPOTENT_RETRIES + 1):
        try:
            if allow_fast and len(lines) == 1 and connection.vendor == "postgresql":
                return [_reserve_single_postgresql(seller, lines[0], actor, reference, ranking)]
            return _reserve(seller, lines, actor, reference, allow_fast=allow_fast, ranking=ranking)
        except _FastPathMissed:
            allow_fast = False
        except IntegrityError:
            if attempt >= IDEMPOTENT_RETRIES:
                raise
    raise AssertionError("unreachable")


class _FastPathMissed(Exception):
    """The conditional UPDATE found no single row with enough units.

    PostgreSQL may still hold a lock on the row it re-checked, so the transaction is
    rolled back and the order retried on the locking path, which takes its locks in
    pk order from a clean start.
    """


def _sql_part(expression: str) -> str:
    """``length(x) || ':' || x`` for one field of ``inventory.ledger.canonical``, in SQL."""
    return f"length(({expression})::text) || ':' || ({expression})::text"


def _hot_statement() -> str:
    """The whole hot path in one statement (PostgreSQL); built once.

    ``reserve`` is the conditional UPDATE: it picks the seller's first non-empty row
    (own virtual stock first, then the pool; active warehouse, active SKU, line key not
    yet used), reserves ``n`` only if the row has ``n`` available, advances the chain and
    computes the new link's hash in SQL from the row's previous head, exactly as
    ``inventory.ledger.movement_hash`` does in Python. The other parts insert the
    movement, the reservation and its allocation from what ``reserve`` returned, so
    nothing is written when it matched no row. It returns the SKU's alert threshold
    (``_core.alert_thresholds``: its safety stock, or more for a kit containing it).
    Parameters (by name): n, sku, seller, may_draw, line_key, actor, now, now_us, policy, reference.
    """
    stock = connection.ops.quote_name(Stock._meta.db_table)
    warehouse = connection.ops.quote_name(Warehouse._meta.db_table)
    sku = connection.ops.quote_name(Sku._meta.db_table)
    reservation = connection.ops.quote_name(Reservation._meta.db_table)
    allocation = connection.ops.quote_name(ReservationAllocation._meta.db_table)
    movement = connection.ops.quote_name(Movement._meta.db_table)
    kit_component = connection.ops.quote_name(KitComponent._meta.db_table)
    # The sync engine's outbox row rides in the same statement (see _core._stock_changed).
    from hub.sync.models import StockChange

    outbox = connection.ops.quote_name(StockChange._meta.db_table)
    fields = [
        "s.ledger_head",
        "s.id",
        "s.ledger_sequence + 1",
        f"'{MovementKind.RESERVATION.value}'",
        "0",
        "%(n)s::integer",
        "s.on_hand",
        "s.reserved + %(n)s::integer",
        "coalesce(%(actor)s::bigint::text, '')",
        "''",
        "%(line_key)s::text",
        "%(now_us)s::bigint",
    ]
    canonical = " || '|' || ".join([f"'{CANONICAL_VERSION}'", *(_sql_part(field) for field in fields)])
    sql = f"""
        WITH reserve AS (
            UPDATE {stock} s SET reserved = s.reserved + %(n)s::integer,
                ledger_sequence = s.ledger_sequence + 1,
                ledger_prev_head = s.ledger_head,
                ledger_head = encode(sha256(convert_to({canonical}, 'UTF8')), 'hex')
            WHERE s.id = (
                SELECT c.id FROM {stock} c
                JOIN {warehouse} w ON w.id = c.warehouse_id
                JOIN {sku} k ON k.id = c.sku_id
                WHERE c.sku_id = %(sku)s AND w.is_active AND k.is_active
                  AND (c.seller_id = %(seller)s OR (c.seller_id IS NULL AND %(may_draw)s))
                  AND c.on_hand - c.reserved > 0
                  AND NOT EXISTS (SELECT 1 FROM {reservation} r WHERE r.line_key = %(line_key)s)
                ORDER BY (c.seller_id IS NULL), array_position(%(ranking)s::bigint[], c.warehouse_id),
                    c.warehouse_id, c.id
                LIMIT 1
            ) AND s.on_hand - s.reserved >= %(n)s::integer
            RETURNING s.id, s.sku_id, s.warehouse_id, s.seller_id, s.on_hand, s.reserved,
                s.ledger_sequence, s.ledger_prev_head, s.ledger_head
        ), booked AS (
            INSERT INTO {movement} (stock_id, sequence, kind, on_hand_delta, reserved_delta, on_hand_after,
                reserved_after, actor_id, reason, reference, created_at, prev_hash, hash)
            SELECT id, ledger_sequence, '{MovementKind.RESERVATION.value}', 0, %(n)s::integer, on_hand, reserved,
                %(actor)s::bigint, '', %(line_key)s, %(now)s, ledger_prev_head, ledger_head
            FROM reserve
        ), held AS (
            INSERT INTO {reservation} (created_at, updated_at, line_key, seller_id, sku_id, quantity,
                quantity_reserved, status, shortage_policy, reference)
            SELECT %(now)s, %(now)s, %(line_key)s, %(seller)s, %(sku)s, %(n)s::integer, %(n)s::integer,
                '{ReservationStatus.RESERVED.value}', %(policy)s, %(reference)s
            FROM reserve
            RETURNING id
        ), allocated AS (
            INSERT INTO {allocation} (reservation_id, stock_id, quantity, reason)
            SELECT held.id, reserve.id, %(n)s::integer, coalesce((CASE WHEN reserve.seller_id IS NULL
                THEN %(pool_reasons)s::text[] ELSE %(virtual_reasons)s::text[] END)
                [array_position(%(ranking)s::bigint[], reserve.warehouse_id)], '')
            FROM held, reserve
        ), outboxed AS (
            INSERT INTO {outbox} (sku_id, created_at) SELECT sku_id, %(now)s FROM reserve
        )
        SELECT reserve.id, reserve.warehouse_id, reserve.seller_id, reserve.on_hand, reserve.reserved,
            reserve.ledger_sequence, reserve.ledger_head, held.id,
            (SELECT greatest(k.safety_stock, (SELECT max(kit.safety_stock * kc.quantity) FROM {kit_component} kc
                JOIN {sku} kit ON kit.id = kc.kit_id WHERE kc.component_id = k.id))
             FROM {sku} k WHERE k.id = reserve.sku_id)
        FROM reserve, held
    """  # noqa: S608 - table names come from the models, every value is a parameter
    return " ".join(sql.split())


@functools.cache
def _hot_sql() -> str:
    return _hot_statement()


def _reserve_single_postgresql(seller, line: OrderLine, actor, reference: str, ranking: PoolRanking) -> Reservation:
    """The hot path: one new line of a plain SKU in one statement (plus the hook's), PostgreSQL.

    ``_hot_statement`` locks, checks and writes the stock row, the movement, the
    reservation, its allocation and the sync outbox row in one round trip; ``_stock_changed`` then runs as
    after every change. Anything else (a replayed key, a kit, an unknown SKU, not enough
    in one row) matches no row: ``_FastPathMissed`` sends the order down the general path.

    Called outside a transaction (autocommit), the statement is its own transaction: every
    write of the reservation, the outbox row included, commits together without a BEGIN
    and a COMMIT round trip, and the row locks of a miss end with the statement. The
    low-stock check, when one is due, then runs in a transaction of its own right after.
    Inside the caller's transaction it runs under a savepoint, so that a miss can roll
    back the locks it may have taken.
    """
    now = timezone.now()
    params = {
        "n": line.quantity,
        "sku": line.sku_id,
        "seller": seller.pk,
        "may_draw": bool(seller.may_draw_on_pool),
        "line_key": line.line_key,
        "actor": getattr(actor, "pk", actor),
        "now": now,
        "now_us": microseconds(now),
        "policy": seller.shortage_policy,
        "reference": reference,
        "ranking": list(ranking.warehouse_ids),
        "pool_reasons": list(ranking.pool_reasons),
        "virtual_reasons": list(ranking.virtual_reasons),
    }
    if connection.get_autocommit():
        found = _hot_execute(params)
        if found is None:
            raise _FastPathMissed
        with transaction.atomic():
            return _hot_reserved(found, seller, line, reference, now)
    with transaction.atomic():
        found = _hot_execute(params)
        if found is None:
            raise _FastPathMissed
        return _hot_reserved(found, seller, line, reference, now)


def _hot_execute(params):
    with prepared_cursor() as cursor:
        cursor.execute(_hot_sql(), params)
        return cursor.fetchone()


def _hot_reserved(found, seller, line: OrderLine, reference: str, now) -> Reservation:
    """Run the hook for the row the hot statement changed; the reservation it wrote, as a model instance."""
    stock_id, warehouse_id, seller_id, on_hand, reserved, sequence, head, reservation_id, safety = found
    row = Stock(
        pk=stock_id,
        sku_id=line.sku_id,
        warehouse_id=warehouse_id,
        seller_id=seller_id,
        on_hand=on_hand,
        reserved=reserved,
        available=on_hand - reserved,
        ledger_sequence=sequence,
        ledger_head=head,
    )
    _stock_changed([row], increased=False, safety_stock={line.sku_id: safety}, outbox_written=True)
    reservation = Reservation(
        pk=reservation_id,
        line_key=line.line_key,
        seller_id=seller.pk,
        sku_id=line.sku_id,
        quantity=line.quantity,
        quantity_reserved=line.quantity,
        status=ReservationStatus.RESERVED,
        shortage_policy=seller.shortage_policy,
        reference=reference,
        created_at=now,
        updated_at=now,
    )
    reservation._state.adding = False
    return reservation


def _reserve(
    seller, lines: list[OrderLine], actor, reference: str, *, allow_fast: bool, ranking: PoolRanking
) -> list[Reservation]:
    with transaction.atomic():
        existing = {r.line_key: r for r in Reservation.objects.filter(line_key__in=[line.line_key for line in lines])}
        for line in lines:
            found = existing.get(line.line_key)
            if found is not None and (found.seller_id != seller.pk or found.sku_id != line.sku_id):
                raise InvalidQuantity(
                    _("The line key %(key)s is already used for another seller or SKU.") % {"key": line.line_key}
                )
        new_lines = [line for line in lines if line.line_key not in existing]
        if not new_lines:
            return [existing[line.line_key] for line in lines]
        skus = Sku.objects.only("id", "code", "is_kit", "is_active", "safety_stock").in_bulk(
            {line.sku_id for line in new_lines}
        )
        for line in new_lines:
            sku = skus.get(line.sku_id)
            if sku is None or not sku.is_active:
                raise UnknownSku(_("There is no active SKU with id %(id)s.") % {"id": line.sku_id})
        recipes = recipes_for(skus)
        batch = LedgerBatch(actor_id=getattr(actor, "pk", actor), reference=reference)
        taken: dict[str, list[tuple[Stock, int]]] = {}
        units: dict[str, int] = {}

        first = new_lines[0]
        fast = None
        if allow_fast and len(new_lines) == 1 and recipes[first.sku_id] == [(first.sku_id, 1)]:
            fast = _reserve_fast(seller, first.sku_id, first.quantity, first.line_key, ranking)
            if fast is None:
                raise _FastPathMissed
        if fast is not None:
            fast = fast[0]
            batch.apply(fast, MovementKind.RESERVATION, reserved_delta=first.quantity, reference=first.line_key)
            taken[first.line_key], units[first.line_key] = [(fast, first.quantity)], first.quantity
        else:
            component_ids = {c for line in new_lines for c, _per in recipes[line.sku_id]}
            rows = stock_candidates_for_update(
                sku_ids=component_ids, seller_ids=[seller.pk], include_pool=seller.may_draw_on_pool
            )
            rows_by_sku = defaultdict(list)
            for row in sorted(rows, key=_preference(ranking)):
                rows_by_sku[row.sku_id].append(row)
            for line in new_lines:
                recipe = recipes[line.sku_id]
                count = _units_for(
                    wanted=line.quantity,
                    possible=_possible_units(rows_by_sku, recipe),
                    policy=seller.shortage_policy,
                    line_key=line.line_key,
                    sku=skus[line.sku_id],
                )
                units[line.line_key] = count
                taken[line.line_key] = _draw(batch, rows_by_sku, recipe, count, line.line_key) if count else []

        has_kits = any(skus[line.sku_id].is_kit for line in new_lines)
        batch.flush(safety_stock=None if has_kits else alert_thresholds(skus))
        created = Reservation.objects.bulk_create(
            [
                Reservation(
                    line_key=line.line_key,
                    seller_id=seller.pk,
                    sku_id=line.sku_id,
                    quantity=line.quantity,
                    quantity_reserved=units[line.line_key],
                    status=ReservationStatus.RESERVED
                    if units[line.line_key] == line.quantity
                    else ReservationStatus.BACKORDERED,
                    shortage_policy=seller.shortage_policy,
                    reference=reference,
                )
                for line in new_lines
            ]
        )
        allocations = {}
        for reservation in created:
            for row, count in taken[reservation.line_key]:
                allocation = allocations.setdefault(
                    (reservation.pk, row.pk),
                    ReservationAllocation(
                        reservation_id=reservation.pk,
                        stock_id=row.pk,
                        quantity=0,
                        reason=ranking.reason(row.warehouse_id, is_virtual=row.seller_id is not None),
                    ),
                )
                allocation.quantity += count
        ReservationAllocation.objects.bulk_create(allocations.values())
        existing.update({r.line_key: r for r in created})
        return [existing[line.line_key] for line in lines]


def _locked_reservation(line_key: str) -> Reservation:
    found = reservations_for_update(line_keys=[line_key])
    if not found:
        raise InvalidQuantity(_("There is no reservation for the line %(key)s.") % {"key": line_key})
    return found[0]


def _check_transition(reservation: Reservation, target: str) -> None:
    if target not in RESERVATION_TRANSITIONS[reservation.status]:
        raise InvalidTransition(
            _("The reservation %(key)s is %(status)s and cannot become %(target)s.")
            % {
                "key": reservation.line_key,
                "status": reservation.get_status_display(),
                "target": ReservationStatus(target).label,
            }
        )


def _require_complete(reservation: Reservation, action: str) -> None:
    if reservation.quantity_reserved != reservation.quantity:
        raise InvalidTransition(
            _("%(key)s cannot be %(action)s: %(missing)s units are still backordered.")
            % {"key": reservation.line_key, "action": action, "missing": reservation.quantity_backordered}
        )


def reservation_pick(*, line_key: str) -> Reservation:
    """reserved -> picked (only when every unit is reserved). No quantity changes."""
    with transaction.atomic():
        reservation = _locked_reservation(line_key)
        _check_transition(reservation, ReservationStatus.PICKED)
        _require_complete(reservation, _("picked"))
        reservation.status = ReservationStatus.PICKED
        reservation.save(update_fields=["status", "updated_at"])
        return reservation


def reservation_ship(*, line_key: str, actor=None, reference: str = "") -> Reservation:
    """Consume the reserved units on shipment: on hand and reserved both go down."""
    with transaction.atomic():
        reservation = _locked_reservation(line_key)
        _check_transition(reservation, ReservationStatus.SHIPPED)
        _require_complete(reservation, _("shipped"))
        allocations = list(reservation.allocations.all())
        rows = stocks_for_update(a.stock_id for a in allocations)
        batch = LedgerBatch(actor_id=getattr(actor, "pk", actor), reference=reference or line_key)
        for allocation in sorted(allocations, key=lambda a: a.stock_id):
            batch.apply(
                rows[allocation.stock_id],
                MovementKind.SHIPMENT,
                on_hand_delta=-allocation.quantity,
                reserved_delta=-allocation.quantity,
            )
        batch.flush()
        reservation.status = ReservationStatus.SHIPPED
        reservation.save(update_fields=["status", "updated_at"])
        return reservation


def reservation_release(*, line_key: str, quantity=None, actor=None, reason: str = "") -> Reservation:
    """Release a line on cancel: all of it (``quantity=None``) or ``quantity`` units.

    Backordered units are dropped first, then reserved units go back to the rows they
    came from (pool rows before virtual ones). Releasing more than the line still
    holds is refused.
    """
    with transaction.atomic():
        reservation = _locked_reservation(line_key)
        _check_transition(reservation, ReservationStatus.RELEASED)
        quantity = reservation.quantity if quantity is None else positive_quantity(quantity)
        if quantity > reservation.quantity:
            raise OverRelease(
                _("%(key)s holds %(held)s units; %(quantity)s cannot be released.")
                % {"key": line_key, "held": reservation.quantity, "quantity": quantity}
            )
        to_release = max(0, quantity - reservation.quantity_backordered)
        if to_release:
            sku = Sku.objects.only("id", "code", "is_kit").get(pk=reservation.sku_id)
            recipe = recipes_for({sku.pk: sku})[sku.pk]
            allocations = list(reservation.allocations.all())
            rows = stocks_for_update(a.stock_id for a in allocations)
            batch = LedgerBatch(actor_id=getattr(actor, "pk", actor), reference=line_key, reason=reason)
            changed = []
            for component_id, per in recipe:
                remaining = to_release * per
                mine = [a for a in allocations if rows[a.stock_id].sku_id == component_id]
                for allocation in sorted(mine, key=lambda a: (rows[a.stock_id].seller_id is not None, a.stock_id)):
                    count = min(remaining, allocation.quantity)
                    if count:
                        batch.apply(rows[allocation.stock_id], MovementKind.RELEASE, reserved_delta=-count)
                        allocation.quantity -= count
                        remaining -= count
                        changed.append(allocation)
            batch.flush()
            ReservationAllocation.objects.filter(pk__in=[a.pk for a in changed if a.quantity == 0]).delete()
            ReservationAllocation.objects.bulk_update([a for a in changed if a.quantity], ["quantity"])
        reservation.quantity -= quantity
        reservation.quantity_reserved -= to_release
        if reservation.quantity == 0:
            reservation.status = ReservationStatus.RELEASED
        elif reservation.status == ReservationStatus.BACKORDERED and not reservation.quantity_backordered:
            reservation.status = ReservationStatus.RESERVED
        reservation.save(update_fields=["quantity", "quantity_reserved", "status", "updated_at"])
        return reservation


def backorders_fill(*, sku_ids=None, actor=None) -> int:
    """Reserve stock for backordered lines, oldest first; returns how many lines changed.

    Locks the backordered reservations (pk order), then every stock row their sellers
    may draw on (pk order), and fills each line by its policy: a partial line takes what
    there is, a backorder line only when it can be filled completely.
    """
    with transaction.atomic():
        candidates = Reservation.objects.filter(status=ReservationStatus.BACKORDERED)
        if sku_ids is not None:
            kit_ids = KitComponent.objects.filter(component_id__in=sku_ids).values_list("kit_id", flat=True)
            candidates = candidates.filter(sku_id__in=[*sku_ids, *kit_ids])
        locked = [
            r
            for r in reservations_for_update(ids=candidates.values_list("pk", flat=True))
            if r.status == ReservationStatus.BACKORDERED
        ]
        if not locked:
            return 0
        skus = Sku.objects.only("id", "code", "is_kit").in_bulk({r.sku_id for r in locked})
        recipes = recipes_for(skus)
        rows = stock_candidates_for_update(
            sku_ids={c for r in locked for c, _per in recipes[r.sku_id]},
            seller_ids={r.seller_id for r in locked},
            include_pool=True,
        )
        ranking = pool_ranking()
        rows.sort(key=_preference(ranking))
        existing = {
            (a.reservation_id, a.stock_id): a for a in ReservationAllocation.objects.filter(reservation__in=locked)
        }
        batch = LedgerBatch(actor_id=getattr(actor, "pk", actor))
        filled = []
        for reservation in sorted(locked, key=lambda r: (r.created_at, r.pk)):
            rows_by_sku = defaultdict(list)
            for row in rows:
                if _draws_on(row, reservation.seller):
                    rows_by_sku[row.sku_id].append(row)
            recipe = recipes[reservation.sku_id]
            missing = reservation.quantity_backordered
            possible = _possible_units(rows_by_sku, recipe)
            count = missing if possible >= missing else possible if reservation.shortage_policy == "partial" else 0
            if not count:
                continue
            for row, taken in _draw(batch, rows_by_sku, recipe, count, reservation.line_key):
                allocation = existing.setdefault(
                    (reservation.pk, row.pk),
                    ReservationAllocation(
                        reservation=reservation,
                        stock=row,
                        quantity=0,
                        reason=ranking.reason(row.warehouse_id, is_virtual=row.seller_id is not None),
                    ),
                )
                allocation.quantity += taken
            reservation.quantity_reserved += count
            reservation.updated_at = timezone.now()
            if not reservation.quantity_backordered:
                reservation.status = ReservationStatus.RESERVED
            filled.append(reservation)
        batch.flush()
        ReservationAllocation.objects.bulk_create([a for a in existing.values() if a.pk is None])
        ReservationAllocation.objects.bulk_update([a for a in existing.values() if a.pk is not None], ["quantity"])
        Reservation.objects.bulk_update(filled, ["quantity_reserved", "status", "updated_at"])
        return len(filled)
