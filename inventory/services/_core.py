"""The one place where stock quantities change.

Every service in this package changes quantities only through a ``LedgerBatch``:
``apply`` checks the new balance, appends a hash-chained movement and updates the
row in memory; ``flush`` writes the rows and movements in two statements and then
calls ``_stock_changed`` once, inside the same transaction.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hub.core.sql import values_update_sql

from ..exceptions import InsufficientStock, InvalidQuantity, UnknownSku
from ..ledger import movement_hash
from ..models import KitComponent, LowStockAlert, Movement, Sku, Stock


def positive_quantity(quantity) -> int:
    """The quantity as an int, or InvalidQuantity for zero, negatives and non-integers."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise InvalidQuantity(_("The quantity must be a whole number, not %(value)r.") % {"value": quantity})
    if quantity <= 0:
        raise InvalidQuantity(_("The quantity must be at least 1, not %(value)s.") % {"value": quantity})
    return quantity


def stocked_sku(sku) -> Sku:
    """The SKU (instance or id) if it exists and can hold stock, else UnknownSku / InvalidQuantity."""
    sku_id = sku.pk if isinstance(sku, Sku) else sku
    found = Sku.objects.filter(pk=sku_id).only("id", "code", "is_kit", "safety_stock").first()
    if found is None:
        raise UnknownSku(_("There is no SKU with id %(id)s.") % {"id": sku_id})
    if found.is_kit:
        raise InvalidQuantity(
            _("%(code)s is a kit: it holds no stock of its own; book its components instead.") % {"code": found.code}
        )
    return found


def stock_rows_ensure(keys: Iterable[tuple[int, int, int | None]]) -> dict[tuple[int, int, int | None], int]:
    """Ids of the stock rows for (sku, warehouse, seller) keys, creating missing rows (empty)."""
    keys = set(keys)

    def existing():
        rows = Stock.objects.filter(sku_id__in={k[0] for k in keys}, warehouse_id__in={k[1] for k in keys}).values_list(
            "id", "sku_id", "warehouse_id", "seller_id"
        )
        return {(s, w, o): pk for pk, s, w, o in rows if (s, w, o) in keys}

    ids = existing()
    missing = keys - ids.keys()
    if missing:
        Stock.objects.bulk_create(
            [Stock(sku_id=s, warehouse_id=w, seller_id=o) for s, w, o in sorted(missing, key=str)],
            ignore_conflicts=True,
        )
        ids = existing()
    return ids


@dataclass
class LedgerBatch:
    """Changes to stock rows within one transaction, written together by ``flush``.

    The rows passed to ``apply`` must be locked by the caller (``inventory.locks``)
    or have come back from a conditional UPDATE that left them locked; their
    ``ledger_head`` then is the committed chain head, and no one else can move it
    before this transaction ends.
    """

    actor_id: int | None = None
    reference: str = ""
    reason: str = ""

    def __post_init__(self):
        self.movements: list[Movement] = []
        self.touched: dict[int, Stock] = {}
        self.increased = False

    def apply(
        self,
        stock: Stock,
        kind: str,
        *,
        on_hand_delta: int = 0,
        reserved_delta: int = 0,
        reason: str | None = None,
        reference: str | None = None,
    ):
        on_hand = stock.on_hand + on_hand_delta
        reserved = stock.reserved + reserved_delta
        if on_hand < 0 or reserved < 0 or reserved > on_hand:
            raise InsufficientStock(
                _(
                    "Not enough stock: on hand %(on_hand)s, reserved %(reserved)s; "
                    "the change would make it %(new_on_hand)s / %(new_reserved)s."
                )
                % {
                    "on_hand": stock.on_hand,
                    "reserved": stock.reserved,
                    "new_on_hand": on_hand,
                    "new_reserved": reserved,
                }
            )
        now = timezone.now()
        sequence = stock.ledger_sequence + 1
        reason = self.reason if reason is None else reason
        fields = {
            "stock_id": stock.pk,
            "sequence": sequence,
            "kind": str(kind),
            "on_hand_delta": on_hand_delta,
            "reserved_delta": reserved_delta,
            "on_hand_after": on_hand,
            "reserved_after": reserved,
            "actor_id": self.actor_id,
            "reason": reason,
            "reference": self.reference if reference is None else reference,
            "created_at": now,
        }
        digest = movement_hash(prev_hash=stock.ledger_head, **fields)
        self.movements.append(Movement(prev_hash=stock.ledger_head, hash=digest, **fields))
        if on_hand - reserved > stock.on_hand - stock.reserved:
            self.increased = True
        stock.on_hand, stock.reserved, stock.available = on_hand, reserved, on_hand - reserved
        stock.ledger_sequence, stock.ledger_prev_head, stock.ledger_head = sequence, stock.ledger_head, digest
        self.touched[stock.pk] = stock

    def statements(self) -> list["Statement"]:
        """The writes for the collected changes: new balances and chain heads, then the movements."""
        rows = sorted(self.touched.values(), key=lambda row: row.pk)
        return [
            *(_balances_statement(f"balances_{i}", rows[i : i + CHUNK]) for i in range(0, len(rows), CHUNK)),
            *(
                _movements_statement(f"movements_{i}", self.movements[i : i + CHUNK])
                for i in range(0, len(self.movements), CHUNK)
            ),
        ]

    def flush(self, *, safety_stock: dict[int, int] | None = None, then: tuple["Statement", ...] = (), prepared=False):
        """Write everything (one round trip on PostgreSQL), then call ``_stock_changed``.

        ``then``: further statements to run in the same round trip (PostgreSQL only: they
        may name earlier ones, ``WITH name AS (...)``). ``prepared``: the statements have a
        fixed shape that runs often (the hot path), see ``prepared_cursor``. Returns the last
        statement's rows.
        """
        if not self.touched:
            return None
        rows = sorted(self.touched.values(), key=lambda row: row.pk)
        result = execute_together([*self.statements(), *then], prepared=prepared)
        _stock_changed(rows, increased=self.increased, safety_stock=safety_stock)
        self.movements, self.touched, self.increased = [], {}, False
        return result


CHUNK = 1000
MAX_PARAMS_TOGETHER = 30_000  # PostgreSQL allows 65,535 parameters per statement


@dataclass(frozen=True)
class Statement:
    """One SQL statement; ``name`` lets a later statement of the same round trip refer to it."""

    name: str
    sql: str
    params: list

    def __post_init__(self):
        # One line: the same text every time keeps the driver's query cache warm.
        object.__setattr__(self, "sql", " ".join(self.sql.split()))


def prepared_cursor():
    """A cursor whose statements PostgreSQL prepares once per connection and then only executes.

    Django binds parameters on the client and never prepares (so that transaction-mode
    connection poolers keep working); the reservation hot path runs the same two
    statements thousands of times a second, and planning them each time costs more than
    running them. The cursor is still wrapped by Django (error translation, query
    logging, execute wrappers). ``settings.INVENTORY_PREPARED_STATEMENTS = False`` turns
    this off (for a pooler without prepared-statement support); other databases get a
    plain cursor.
    """
    if connection.vendor != "postgresql" or not getattr(settings, "INVENTORY_PREPARED_STATEMENTS", True):
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw_connection = connection.connection
    if raw_connection.prepare_threshold is None:
        # Django turns psycopg's preparing off (threshold None), and then psycopg ignores
        # even an explicit prepare=True. A threshold no query reaches prepares only the
        # statements that ask, and leaves Django's own queries unprepared as before.
        raw_connection.prepare_threshold = ONLY_WHEN_ASKED
    with connection.wrap_database_errors:
        raw = _preparing_cursor_class()(raw_connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


ONLY_WHEN_ASKED = 2**62


@functools.cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

        def _send_query_prepared(self, name, pgq, *, binary=None):
            # psycopg records the query text only when it does not prepare; Django's query
            # log (debug, CaptureQueriesContext) reads it from here.
            self._query = pgq
            return super()._send_query_prepared(name, pgq, binary=binary)

    return PreparingCursor


def execute_together(statements: list[Statement], *, prepared: bool = False):
    """Run data-modifying statements in one round trip on PostgreSQL, one by one elsewhere.

    On PostgreSQL they become ``WITH s1 AS (...), s2 AS (...) <last>``: all run exactly once,
    in one statement, inside the caller's transaction. Returns the last statement's rows.
    """
    combined = connection.vendor == "postgresql" and sum(len(s.params) for s in statements) <= MAX_PARAMS_TOGETHER
    with prepared_cursor() if prepared else connection.cursor() as cursor:
        if combined and len(statements) > 1:
            chain = ", ".join(f"{s.name} AS ({s.sql})" for s in statements[:-1])
            cursor.execute(f"WITH {chain} {statements[-1].sql}", [p for s in statements for p in s.params])
        else:
            for statement in statements:
                cursor.execute(statement.sql, statement.params)
        return cursor.fetchall() if cursor.description else None


def _balances_statement(name: str, rows: list[Stock]) -> Statement:
    """One ``UPDATE ... FROM (VALUES ...)`` for all rows (bulk_update's CASE grows quadratically)."""
    sql, params = values_update_sql(
        Stock,
        ("id", "on_hand", "reserved", "ledger_sequence", "ledger_prev_head", "ledger_head"),
        [
            (row.pk, row.on_hand, row.reserved, row.ledger_sequence, row.ledger_prev_head, row.ledger_head)
            for row in rows
        ],
        "on_hand = v.on_hand, reserved = v.reserved, ledger_sequence = v.ledger_sequence, "
        "ledger_prev_head = v.ledger_prev_head, ledger_head = v.ledger_head",
    )
    return Statement(name, sql, params)


MOVEMENT_COLUMNS = (
    "stock_id",
    "sequence",
    "kind",
    "on_hand_delta",
    "reserved_delta",
    "on_hand_after",
    "reserved_after",
    "actor_id",
    "reason",
    "reference",
    "created_at",
    "prev_hash",
    "hash",
)


def _movements_statement(name: str, movements: list[Movement]) -> Statement:
    table = connection.ops.quote_name(Movement._meta.db_table)
    row = "(" + ", ".join(["%s"] * len(MOVEMENT_COLUMNS)) + ")"
    adapt = connection.ops.adapt_datetimefield_value
    params = [
        adapt(value) if column == "created_at" else value
        for movement in movements
        for column, value in ((c, getattr(movement, c)) for c in MOVEMENT_COLUMNS)
    ]
    sql = f"INSERT INTO {table} ({', '.join(MOVEMENT_COLUMNS)}) VALUES {', '.join([row] * len(movements))}"  # noqa: S608
    return Statement(name, sql, params)


def _stock_changed(
    rows: list[Stock], *, increased: bool, safety_stock: dict[int, int] | None, outbox_written: bool = False
) -> None:
    """Called once after every change to stock quantities, inside the same transaction.

    ``rows`` are the changed stock rows with their new balances; each names its
    ``sku_id``, ``warehouse_id`` and ``seller_id`` (None for the pool). This is THE hook
    for everything that must follow a quantity change atomically:

    - the sync engine writes its outbox row here (one per affected SKU, and the kits
      that contain it: ``inventory.selectors.skus_affected_by``), so a listing update
      is scheduled exactly when the change commits;
    - low-stock alerts are raised and resolved here.

    ``safety_stock`` (sku id -> units: ``alert_thresholds``), when the caller has it, lets the
    hot path skip the alert query when every row still has at least that many available.
    ``outbox_written``: the caller's own statement already inserted the outbox rows (the
    reservation hot path does, to save a round trip).
    """
    from hub.sync.outbox import stock_changed  # the sync engine's outbox (imported late: sync imports inventory)

    stock_changed({row.sku_id for row in rows}, recorded=outbox_written)
    _low_stock_check(rows, increased=increased, safety_stock=safety_stock)


def _low_stock_check(rows, *, increased: bool, safety_stock: dict[int, int] | None) -> None:
    sku_ids = {row.sku_id for row in rows}
    if not increased and safety_stock is not None:
        # A row with at least the threshold available means the SKU's total has it too, and so
        # does every kit containing it (see ``alert_thresholds``): nothing can have fallen below.
        sku_ids = {row.sku_id for row in rows if row.on_hand - row.reserved < safety_stock.get(row.sku_id, 0)}
    if sku_ids:
        low_stock_alerts_refresh(sku_ids)


def alert_thresholds(skus: dict[int, Sku]) -> dict[int, int]:
    """sku id -> the fewest available units (in that SKU) at which no alert can be due.

    The SKU's own safety stock, or more if a kit containing it needs more: a kit's
    available is min over its components of available // units per kit, so it stays at or
    above its safety stock while each component has ``kit safety stock x units per kit``.
    """
    thresholds = {pk: sku.safety_stock for pk, sku in skus.items()}
    for component_id, kit_safety, per in KitComponent.objects.filter(component_id__in=thresholds).values_list(
        "component_id", "kit__safety_stock", "quantity"
    ):
        thresholds[component_id] = max(thresholds[component_id], kit_safety * per)
    return thresholds


def low_stock_alerts_refresh(sku_ids: Iterable[int]) -> None:
    """Open an alert for each SKU or kit below its safety stock (once), close those back above it.

    ``sku_ids``: SKUs whose stock changed (their kits are checked too) or kits. A SKU's
    available is the sum over its stock rows (pool and virtual, every warehouse); a kit's is
    min over its components of that sum // units per kit.
    """
    sku_ids = set(sku_ids)
    kit_ids = set(
        KitComponent.objects.filter(Q(component_id__in=sku_ids) | Q(kit_id__in=sku_ids)).values_list(
            "kit_id", flat=True
        )
    )
    recipes: dict[int, list[tuple[int, int]]] = {}
    for kit_id, component_id, per in KitComponent.objects.filter(kit_id__in=kit_ids).values_list(
        "kit_id", "component_id", "quantity"
    ):
        recipes.setdefault(kit_id, []).append((component_id, per))
    safety = dict(
        Sku.objects.filter(Q(pk__in=sku_ids, is_kit=False) | Q(pk__in=recipes, is_kit=True)).values_list(
            "id", "safety_stock"
        )
    )
    counted = {sku_id for sku_id in safety if sku_id not in recipes} | {
        component_id for recipe in recipes.values() for component_id, _per in recipe
    }
    totals = dict(
        Stock.objects.filter(sku_id__in=counted).values_list("sku_id").annotate(total=Sum("available")).order_by()
    )
    available = {
        sku_id: min(totals.get(c, 0) // per for c, per in recipes[sku_id])
        if sku_id in recipes
        else totals.get(sku_id, 0)
        for sku_id in safety
    }
    open_alerts = set(
        LowStockAlert.objects.filter(sku_id__in=safety, resolved_at=None).values_list("sku_id", flat=True)
    )
    now = timezone.now()
    to_raise = [
        LowStockAlert(sku_id=sku_id, available=available[sku_id], safety_stock=units, raised_at=now)
        for sku_id, units in safety.items()
        if available[sku_id] < units and sku_id not in open_alerts
    ]
    if to_raise:
        LowStockAlert.objects.bulk_create(to_raise, ignore_conflicts=True)
    recovered = [sku_id for sku_id in open_alerts if available[sku_id] >= safety[sku_id]]
    if recovered:
        LowStockAlert.objects.filter(sku_id__in=recovered, resolved_at=None).update(resolved_at=now)
