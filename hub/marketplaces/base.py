"""The one interface every marketplace adapter implements."""

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

import httpx

from .errors import ServerError, Throttled
from .http import http_client
from .types import (
    AccountConfig,
    CanonicalOrder,
    ListingRef,
    OrderPage,
    OrderStamp,
    PushResult,
    QuantityUpdate,
    ShipmentPush,
)


class MarketplaceAdapter(ABC):
    """Speaks HTTP to one platform for one shop and returns plain dataclasses.

    Adapters never touch the ORM and never run inside a transaction holding locks.
    Every method raises only the typed errors of ``hub.marketplaces.errors``.
    """

    platform: str = ""
    default_base_url: str = ""
    batch_limit: int = 1  # most listings one quantity-push call may carry
    signs_webhooks: bool = False
    # Documented per-operation limits the platform enforces per seller: {operation: (rate per s, burst)}.
    operation_limits: dict[str, tuple[float, float]] = {}

    def __init__(self, account: AccountConfig, client: httpx.Client | None = None):
        self.account = account
        self.base_url = (account.base_url or self.default_base_url).rstrip("/")
        self.client = client or http_client(httpx.Timeout(account.timeout_seconds, connect=5.0))
        # Set by the caller. ``orders_known``: given the stamps of listed orders, the ids the caller
        # already holds in that state (their detail is not fetched again). ``pace``: called before
        # each call of an operation in ``operation_limits``; answers the seconds to wait (0: go now).
        self.orders_known: Callable[[list[OrderStamp]], set[str]] | None = None
        self.pace: Callable[[str], float] | None = None
        self.pace_budget = float(account.settings.get("pace_wait_budget", 20.0))

    # --- orders -------------------------------------------------------------
    @abstractmethod
    def list_orders(self, since: datetime, cursor: str | None = None) -> OrderPage:
        """One page of orders changed since ``since``; pass ``next_cursor`` back for the next page."""

    def iter_orders(self, since: datetime) -> Iterator[OrderPage]:
        cursor = None
        while True:
            page = self.list_orders(since, cursor)
            yield page
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    @abstractmethod
    def get_order(self, external_id: str) -> tuple[CanonicalOrder, dict]:
        """One order, canonical and raw."""

    # --- stock --------------------------------------------------------------
    @abstractmethod
    def push_quantities_batch(self, updates: list[QuantityUpdate]) -> PushResult:
        """Push at most ``batch_limit`` updates in one platform call (or the platform's minimum)."""

    def push_quantities(self, updates: Iterable[QuantityUpdate]) -> PushResult:
        """Push any number of updates in batches of ``batch_limit``; item failures are collected."""
        updates = list(updates)
        total = PushResult()
        for start in range(0, len(updates), self.batch_limit):
            result = self.push_quantities_batch(updates[start : start + self.batch_limit])
            total.succeeded += result.succeeded
            total.failed += result.failed
            total.calls += result.calls
        return total

    @abstractmethod
    def read_quantities(self, listings: list[ListingRef]) -> dict[str, int]:
        """Quantities the platform shows now, keyed by seller SKU (for reconciliation)."""

    # --- fulfilment ---------------------------------------------------------
    @abstractmethod
    def push_shipment(self, shipment: ShipmentPush) -> None:
        """Tell the platform the order shipped, with carrier and tracking number."""

    # --- payloads -----------------------------------------------------------
    @staticmethod
    @abstractmethod
    def parse_order(payload: dict) -> CanonicalOrder:
        """Map one order payload, exactly as the platform's order API returns it, to a CanonicalOrder."""

    @staticmethod
    def verify_webhook(headers: dict, body: bytes, secret: str) -> bool:
        """True when a push notification's signature is valid. Platforms that do not sign pushes return False."""
        return False

    # --- helpers ------------------------------------------------------------
    def unknown_orders(self, stamps: list[OrderStamp]) -> set[str]:
        """The ids among ``stamps`` whose detail the caller still needs."""
        known = self.orders_known(stamps) if self.orders_known and stamps else set()
        return {stamp.external_id for stamp in stamps} - known

    def paced(self, operation: str) -> None:
        """Wait for the caller's pace before a call of ``operation``; Throttled when the wait is too long.

        Waits are spent from ``pace_budget`` (seconds per adapter), so one pull never sleeps for long.
        """
        if self.pace is None or operation not in self.operation_limits:
            return
        while (wait := self.pace(operation)) > 0:
            if wait > self.pace_budget:
                raise Throttled(wait, f"{self.platform} {operation}: paced, next call in {wait:.1f} s")
            self.pace_budget -= wait
            time.sleep(wait)

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        """One HTTP call; transport failures become ServerError (retryable)."""
        try:
            return self.client.request(method, url, **kwargs)
        except httpx.TimeoutException as error:
            raise ServerError(f"{self.platform}: timeout calling {method} {_path(url)}") from error
        except httpx.TransportError as error:
            raise ServerError(f"{self.platform}: {type(error).__name__} calling {method} {_path(url)}") from error

    def close(self):
        self.client.close()


def _path(url: str) -> str:
    """The URL without its query string, which may carry signatures or tokens."""
    return url.split("?", 1)[0]
