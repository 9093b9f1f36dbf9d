"""Reservations per second: the real service against the bare SQL it issues, on PostgreSQL.

How to run (PostgreSQL on 127.0.0.1:5432, user postgres; the script creates and migrates
its own database, ``hub_bench`` by default, and empties its inventory tables first;
Redis for the service's on-commit hooks: REDIS_URL / CELERY_BROKER_URL, default db 2 / 3):

    .venv/bin/python bench/reservations.py            # full run: 3 alternating rounds of 3 s, ~4 min
    .venv/bin/python bench/reservations.py --quick    # one round of 1.5 s per case, under a minute
    .venv/bin/python bench/reservations.py --json     # one JSON object: {"cases": [...], ...}
    .venv/bin/python bench/reservations.py --database-url postgres://postgres@127.0.0.1:5432/other

Cases: one hot SKU, and orders spread over 10,000 SKUs, each at 1, 4 and 16 concurrent
worker processes (one connection each). In every case the workers run in two modes,
alternating over the rounds (the median of each mode is reported):

- service: ``inventory.services.order_lines_reserve``, one single-line order per
  reservation, exactly as callers use it (validation, the one-statement hot path that
  books the stock row, ledger movement, reservation and allocation, the
  ``_stock_changed`` hook with the sync engine's outbox row, commit hooks);
- bare SQL: psycopg alone issuing the same row update and ledger insert (conditional
  UPDATE ... RETURNING, the movement INSERT with its hash computed in Python, the
  chain-head UPDATE), one transaction each, on separate stock rows of the same tables;
- bare SQL, same writes: the above plus the other rows the service must write (the
  reservation, its allocation, the sync outbox row), as plain statements.

``ratio`` is service / bare SQL, the issue's definition (the bare side writes less than
the service); ``ratio_same_writes`` is service / bare SQL with the same writes, which
measures the service layer's own overhead. ``oversold`` counts units held beyond on-hand after the
case (open reservations for the service rows, ledger movements for the bare rows) plus
rows whose reserved exceeds on-hand; it must be 0. Record results in docs/performance.md.
"""

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hub_bench"
SPREAD_SKUS = 10_000
STOCK_PER_ROW = 10_000_000
SIZE = {"weight_grams": 1, "length_mm": 1, "width_mm": 1, "height_mm": 1}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="reduced run, under a minute")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seconds", type=float, default=None, help="measured seconds per case and mode")
    parser.add_argument(
        "--without-sync-outbox",
        action="store_true",
        help="diagnostic only: skip the sync engine's outbox write in the _stock_changed hook, to see its share",
    )
    parser.add_argument("--rounds", type=int, default=None, help="alternating rounds per case (median reported)")
    parser.add_argument("--workers", default="1,4,16", help="comma-separated worker counts")
    return parser.parse_args(argv)


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    # The service's on-commit hooks (the sync engine's outbox) talk to Redis: keep off the test DBs.
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/2")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(quiet: bool):
    """Migrate, empty the inventory tables, create the SKUs and their stock rows (ledger kept valid)."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from inventory.enums import MovementKind
    from inventory.models import Product, Sku, Warehouse
    from inventory.services._core import LedgerBatch, stock_rows_ensure
    from sellers.enums import ShortagePolicy
    from sellers.models import Seller

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE inventory_reservationallocation, inventory_reservation, inventory_movement, "
            "inventory_lowstockalert, inventory_stock, sync_stockchange CASCADE"
        )
    product, _ = Product.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    existing = set(Sku.objects.filter(code__startswith="BENCH-").values_list("code", flat=True))
    codes = ["BENCH-HOT", *(f"BENCH-{i:05d}" for i in range(SPREAD_SKUS))]
    Sku.objects.bulk_create(
        [Sku(product=product, code=code, name=code, unit_cost=1, **SIZE) for code in codes if code not in existing],
        batch_size=2000,
    )
    sku_ids = dict(Sku.objects.filter(code__in=codes).values_list("code", "id"))
    service_wh, _ = Warehouse.objects.get_or_create(code="bench-service", defaults={"name": "Bench", "country": "CN"})
    bare_wh, _ = Warehouse.objects.get_or_create(code="bench-bare", defaults={"name": "Bench bare", "country": "CN"})
    seller, _ = Seller.objects.update_or_create(
        code="bench",
        defaults={"name": "Bench", "country": "US", "shortage_policy": ShortagePolicy.REJECT, "may_draw_on_pool": True},
    )
    keys = [(sku_id, wh.pk, None) for sku_id in sku_ids.values() for wh in (service_wh, bare_wh)]
    with transaction.atomic():
        ids = stock_rows_ensure(keys)
        from inventory.models import Stock

        rows = Stock.objects.filter(pk__in=ids.values()).order_by("pk")
        batch = LedgerBatch(reference="bench:opening")
        for row in rows:
            batch.apply(row, MovementKind.RECEIPT, on_hand_delta=STOCK_PER_ROW)
        batch.flush()
    stock_of = dict(ids)
    hot = sku_ids["BENCH-HOT"]
    spread = [sku_ids[f"BENCH-{i:05d}"] for i in range(SPREAD_SKUS)]
    return {
        "seller_id": seller.pk,
        "hot": hot,
        "spread": spread,
        "bare_rows": {sku_id: stock_of[(sku_id, bare_wh.pk, None)] for sku_id in [hot, *spread]},
        "service_rows": {sku_id: stock_of[(sku_id, service_wh.pk, None)] for sku_id in [hot, *spread]},
    }


def service_worker(args):
    """Reserve through the service until the deadline; return the number of reservations."""
    worker, case, skus, seller_id, start_at, seconds, with_outbox = args
    from django.db import connection

    if not with_outbox:
        import hub.sync.outbox

        hub.sync.outbox.stock_changed = lambda sku_ids, **kwargs: None  # diagnostic run, see --without-sync-outbox

    from inventory.services import OrderLine, order_lines_reserve
    from sellers.models import Seller

    seller = Seller.objects.get(pk=seller_id)
    pick = random.Random(worker).choice
    done = 0
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = start_at + seconds
    while time.time() < deadline:
        order_lines_reserve(seller=seller, lines=[OrderLine(f"bench:{case}:{worker}:{done}", pick(skus), 1)])
        done += 1
    connection.close()
    return done


BARE_UPDATE = """
    UPDATE inventory_stock SET reserved = reserved + %s, ledger_sequence = ledger_sequence + 1
    WHERE id = %s AND on_hand - reserved >= %s
    RETURNING on_hand, reserved, ledger_sequence, ledger_head
"""
BARE_INSERT = """
    INSERT INTO inventory_movement (stock_id, sequence, kind, on_hand_delta, reserved_delta, on_hand_after,
        reserved_after, actor_id, reason, reference, created_at, prev_hash, hash)
    VALUES (%s, %s, %s, 0, %s, %s, %s, NULL, '', %s, %s, %s, %s)
"""
BARE_HEAD = "UPDATE inventory_stock SET ledger_head = %s WHERE id = %s"
# The rows the service writes besides the ledger ("same writes" mode).
BARE_RESERVATION = """
    INSERT INTO inventory_reservation (created_at, updated_at, line_key, seller_id, sku_id, quantity,
        quantity_reserved, status, shortage_policy, reference)
    VALUES (%s, %s, %s, %s, %s, 1, 1, 'reserved', 'reject', '') RETURNING id
"""
BARE_ALLOCATION = "INSERT INTO inventory_reservationallocation (reservation_id, stock_id, quantity) VALUES (%s, %s, 1)"
BARE_OUTBOX = "INSERT INTO sync_stockchange (sku_id, created_at) VALUES (%s, %s)"


def bare_worker(args):
    """The same row updates and ledger insert through psycopg alone (``same_writes``: and the other rows)."""
    worker, case, rows, url, start_at, seconds, seller_id, same_writes = args
    import datetime as dt

    import psycopg

    from inventory.ledger import movement_hash

    pick = random.Random(worker).choice
    done = 0
    with psycopg.connect(url) as conn:
        while time.time() < start_at:
            time.sleep(0.001)
        deadline = start_at + seconds
        while time.time() < deadline:
            sku_id, stock_id = pick(rows)
            reference = f"bench:{case}:{worker}:{done}:{'same' if same_writes else 'narrow'}"
            with conn.transaction(), conn.cursor() as cursor:
                cursor.execute(BARE_UPDATE, [1, stock_id, 1])
                on_hand, reserved, sequence, head = cursor.fetchone()
                now = dt.datetime.now(dt.UTC)
                digest = movement_hash(
                    prev_hash=head,
                    stock_id=stock_id,
                    sequence=sequence,
                    kind="reservation",
                    on_hand_delta=0,
                    reserved_delta=1,
                    on_hand_after=on_hand,
                    reserved_after=reserved,
                    actor_id=None,
                    reason="",
                    reference=reference,
                    created_at=now,
                )
                cursor.execute(
                    BARE_INSERT, [stock_id, sequence, "reservation", 1, on_hand, reserved, reference, now, head, digest]
                )
                cursor.execute(BARE_HEAD, [digest, stock_id])
                if same_writes:
                    cursor.execute(BARE_RESERVATION, [now, now, reference, seller_id, sku_id])
                    cursor.execute(BARE_ALLOCATION, [cursor.fetchone()[0], stock_id])
                    cursor.execute(BARE_OUTBOX, [sku_id, now])
            done += 1
    return done


def run_mode(worker_fn, payloads, seconds):
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(len(payloads)) as pool:
        counts = pool.map(worker_fn, payloads)
    return sum(counts) / seconds


def oversold(stock_ids) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COALESCE(SUM(GREATEST(0, held - s.on_hand)), 0) + COUNT(*) FILTER (WHERE s.reserved > s.on_hand)
            FROM inventory_stock s
            LEFT JOIN (
                SELECT a.stock_id, SUM(a.quantity) AS held FROM inventory_reservationallocation a
                JOIN inventory_reservation r ON r.id = a.reservation_id
                WHERE r.status IN ('reserved', 'backordered', 'picked') GROUP BY a.stock_id
                UNION ALL
                SELECT m.stock_id, SUM(m.reserved_delta) FROM inventory_movement m
                JOIN inventory_stock s2 ON s2.id = m.stock_id JOIN inventory_warehouse w ON w.id = s2.warehouse_id
                WHERE w.code = 'bench-bare' GROUP BY m.stock_id
            ) h ON h.stock_id = s.id
            WHERE s.id = ANY(%s)
            """,
            [list(stock_ids)],
        )
        return int(cursor.fetchone()[0])


def main(argv=None):
    options = parse_args(argv)
    seconds = options.seconds or (1.5 if options.quick else 3.0)
    rounds = options.rounds or (1 if options.quick else 3)
    with_outbox = not options.without_sync_outbox
    worker_counts = [int(n) for n in options.workers.split(",")]
    ensure_database(options.database_url)
    setup_django(options.database_url)
    started = time.time()
    data = prepare(quiet=options.json)
    cases = []
    for skus_label in ("hot", "spread"):
        skus = [data["hot"]] if skus_label == "hot" else data["spread"]
        for workers in worker_counts:
            case = f"{skus_label}-{workers}"
            bare_rows = [(sku, data["bare_rows"][sku]) for sku in skus]
            service_rates, sql_rates, same_rates = [], [], []
            for round_number in range(rounds):
                # alternate the two modes so that a change in machine load hits both alike
                start_at = time.time() + 1.0
                payloads = [
                    (w, f"{case}-{round_number}", skus, data["seller_id"], start_at, seconds, with_outbox)
                    for w in range(workers)
                ]
                service_rates.append(run_mode(service_worker, payloads, seconds))
                for same_writes, rates in ((False, sql_rates), (True, same_rates)):
                    start_at = time.time() + 1.0
                    payloads = [
                        (
                            w,
                            f"{case}-{round_number}",
                            bare_rows,
                            options.database_url,
                            start_at,
                            seconds,
                            data["seller_id"],
                            same_writes,
                        )
                        for w in range(workers)
                    ]
                    rates.append(run_mode(bare_worker, payloads, seconds))
            service_rate, sql_rate = statistics.median(service_rates), statistics.median(sql_rates)
            same_rate = statistics.median(same_rates)
            over = oversold([data["service_rows"][sku] for sku in skus] + [row for _sku, row in bare_rows])
            result = {
                "skus": skus_label,
                "workers": workers,
                "service_per_s": round(service_rate, 1),
                "sql_per_s": round(sql_rate, 1),
                "ratio": round(service_rate / sql_rate, 3) if sql_rate else None,
                "oversold": over,
                "sql_same_writes_per_s": round(same_rate, 1),
                "ratio_same_writes": round(service_rate / same_rate, 3) if same_rate else None,
            }
            cases.append(result)
            if not options.json:
                print(
                    f"{skus_label:>6} x{workers:<3} service {result['service_per_s']:>8.1f}/s   "
                    f"bare SQL {result['sql_per_s']:>8.1f}/s   ratio {result['ratio']}   "
                    f"same writes {result['sql_same_writes_per_s']:>8.1f}/s   ratio {result['ratio_same_writes']}   "
                    f"oversold {over}",
                    flush=True,
                )
    from inventory.ledger import verify_ledger

    service_rows = list(data["service_rows"].values())
    ledger_problems = len(verify_ledger(stock_ids=service_rows))
    summary = {
        "cases": cases,
        "seconds_per_round": seconds,
        "rounds": rounds,
        "sync_outbox": with_outbox,
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        "spread_skus": SPREAD_SKUS,
        "ledger_problems": ledger_problems,
        "elapsed_s": round(time.time() - started, 1),
    }
    if options.json:
        print(json.dumps(summary))
    else:
        print(f"ledger problems on the service rows: {ledger_problems}; elapsed {summary['elapsed_s']} s")
    return 0 if all(c["oversold"] == 0 for c in cases) and ledger_problems == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
