"""The ledger's hash chain and its verification.

Every movement of a stock row stores the hash of the row's previous movement
(``prev_hash``; empty for the first) and its own ``hash``: sha256 of ``canonical``
over that previous hash and every field that matters. The stock row keeps the head of its
chain (``ledger_head``) and the number of movements (``ledger_sequence``); both are
written under the same row lock as the balance, so concurrent writers can never
fork a chain: the second writer waits for the first to commit and then reads the
head the first one wrote.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from django.db.models import Sum
from django.utils.translation import gettext as _

from .enums import ReservationStatus
from .models import Movement, ReservationAllocation, Stock

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
CANONICAL_VERSION = "v1"


def microseconds(moment: dt.datetime) -> int:
    """Exact microseconds since the epoch (no float rounding)."""
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def canonical(fields) -> str:
    """``v1|<len>:<value>|...``: unambiguous for any text, and easy to build in SQL too.

    ``inventory.services.reservations`` builds the same string inside PostgreSQL for
    the hot path (``length(x) || ':' || x``); tests verify every chain either way.
    """
    parts = ["" if value is None else str(value) for value in fields]
    return "|".join([CANONICAL_VERSION, *(f"{len(part)}:{part}" for part in parts)])


def movement_hash(
    *,
    prev_hash: str,
    stock_id: int,
    sequence: int,
    kind: str,
    on_hand_delta: int,
    reserved_delta: int,
    on_hand_after: int,
    reserved_after: int,
    actor_id: int | None,
    reason: str,
    reference: str,
    created_at,
) -> str:
    text = canonical(
        [
            prev_hash,
            stock_id,
            sequence,
            kind,
            on_hand_delta,
            reserved_delta,
            on_hand_after,
            reserved_after,
            actor_id,
            reason,
            reference,
            microseconds(created_at),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def hash_of(movement: Movement) -> str:
    return movement_hash(
        prev_hash=movement.prev_hash,
        stock_id=movement.stock_id,
        sequence=movement.sequence,
        kind=movement.kind,
        on_hand_delta=movement.on_hand_delta,
        reserved_delta=movement.reserved_delta,
        on_hand_after=movement.on_hand_after,
        reserved_after=movement.reserved_after,
        actor_id=movement.actor_id,
        reason=movement.reason,
        reference=movement.reference,
        created_at=movement.created_at,
    )


@dataclass(frozen=True)
class Mismatch:
    stock_id: int
    sequence: int | None
    problem: str

    def __str__(self):
        where = f"stock {self.stock_id}" + (f" movement #{self.sequence}" if self.sequence is not None else "")
        return f"{where}: {self.problem}"


def _verify_chain(stock: Stock, movements) -> list[Mismatch]:
    problems = []
    prev_hash, on_hand, reserved, expected_sequence, last_link = "", 0, 0, 1, ""
    for movement in movements:
        last_link = movement.prev_hash
        if movement.sequence != expected_sequence:
            problems.append(
                Mismatch(
                    stock.pk,
                    movement.sequence,
                    _("sequence gap: expected #%(expected)s") % {"expected": expected_sequence},
                )
            )
        if movement.prev_hash != prev_hash:
            problems.append(Mismatch(stock.pk, movement.sequence, _("previous hash does not match the chain")))
        if hash_of(movement) != movement.hash:
            problems.append(Mismatch(stock.pk, movement.sequence, _("hash does not match the movement's content")))
        on_hand += movement.on_hand_delta
        reserved += movement.reserved_delta
        if (on_hand, reserved) != (movement.on_hand_after, movement.reserved_after):
            problems.append(
                Mismatch(stock.pk, movement.sequence, _("balance after does not equal the sum of the changes"))
            )
            on_hand, reserved = movement.on_hand_after, movement.reserved_after
        prev_hash = movement.hash
        expected_sequence = movement.sequence + 1
    if (stock.on_hand, stock.reserved) != (on_hand, reserved):
        problems.append(
            Mismatch(
                stock.pk,
                None,
                _("balance on hand %(on_hand)s / reserved %(reserved)s differs from the ledger's %(l_on)s / %(l_res)s")
                % {"on_hand": stock.on_hand, "reserved": stock.reserved, "l_on": on_hand, "l_res": reserved},
            )
        )
    if (stock.ledger_head, stock.ledger_prev_head, stock.ledger_sequence) != (
        prev_hash,
        last_link,
        expected_sequence - 1,
    ):
        problems.append(Mismatch(stock.pk, None, _("chain head on the stock row does not match the last movement")))
    return problems


def verify_ledger(stock_ids=None) -> list[Mismatch]:
    """Recompute every chain and balance; also check reserved against open reservations."""
    stocks = Stock.objects.order_by("pk")
    if stock_ids is not None:
        stocks = stocks.filter(pk__in=stock_ids)
    allocated = dict(
        ReservationAllocation.objects.filter(
            reservation__status__in=[
                ReservationStatus.RESERVED,
                ReservationStatus.BACKORDERED,
                ReservationStatus.PICKED,
            ]
        )
        .values_list("stock_id")
        .annotate(total=Sum("quantity"))
    )
    movements = Movement.objects.order_by("stock_id", "sequence")
    if stock_ids is not None:
        movements = movements.filter(stock_id__in=stock_ids)
    chains = groupby(movements.iterator(chunk_size=5000), key=attrgetter("stock_id"))
    next_chain = next(chains, None)
    problems: list[Mismatch] = []
    for stock in stocks.iterator(chunk_size=2000):
        while next_chain is not None and next_chain[0] < stock.pk:
            problems.append(Mismatch(next_chain[0], None, _("movements of a stock row that does not exist")))
            next_chain = next(chains, None)
        if next_chain is not None and next_chain[0] == stock.pk:
            problems.extend(_verify_chain(stock, next_chain[1]))
            next_chain = next(chains, None)
        else:
            problems.extend(_verify_chain(stock, []))
        held = allocated.get(stock.pk, 0)
        if held != stock.reserved:
            problems.append(
                Mismatch(
                    stock.pk,
                    None,
                    _("reserved %(reserved)s but open reservations hold %(held)s")
                    % {"reserved": stock.reserved, "held": held},
                )
            )
    return problems
