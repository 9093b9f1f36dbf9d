"""Helpers every marketplace's tests share: races behind a barrier, answer shapes, sandbox call counts, accounts.

Shapes: a schema is
- a type or tuple of types (``isinstance``; a bool is not an ``int``),
- a dict of keys that must be present (extra keys are allowed); a key is optional when it ends
  in ``"?"`` or its schema is wrapped in ``Optional``,
- a one-item list (every element matches),
- a set of allowed values,
- a callable predicate (``ISO_DATETIME``, ``DECIMAL_STRING``, or one of a test's own).
``shape_errors`` lists the mismatches (empty when the value fits); ``assert_shape`` asserts there are none.
"""

import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connections

from hub.marketplaces.sandbox.models import SandboxCall
from hub.marketplaces.sandbox.registry import sandbox_module
from hub.marketplaces.types import ListingRef
from sellers.models import MarketplaceAccount, Seller


# --- races --------------------------------------------------------------------
def run_at_once(calls_to_make) -> tuple[list, list]:
    """Start every callable in its own thread behind a barrier; (results, errors) once all are done.

    Each thread closes its database connections when done, as a Celery worker's would be.
    """
    barrier = threading.Barrier(len(calls_to_make))
    results, errors = [], []

    def worker(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:  # noqa: BLE001 - handed back to the test
            errors.append(error)
        finally:
            for connection in connections.all():
                connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls_to_make]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


# --- shapes -------------------------------------------------------------------
@dataclass(frozen=True)
class Optional:
    schema: Any


def ISO_DATETIME(value) -> bool:
    """An ISO 8601 timestamp with a UTC offset."""
    try:
        return isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def DECIMAL_STRING(value) -> bool:
    """A decimal amount written as a string."""
    try:
        Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return False
    return isinstance(value, str)


def shape_errors(value, schema, path: str = "$") -> list[str]:
    if isinstance(schema, Optional):
        return shape_errors(value, schema.schema, path)
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {type(value).__name__}"]
        errors = []
        for key, sub in schema.items():
            name = key.removesuffix("?")
            if name not in value:
                if not (key.endswith("?") or isinstance(sub, Optional)):
                    errors.append(f"{path}.{name}: missing")
                continue
            errors += shape_errors(value[name], sub, f"{path}.{name}")
        return errors
    if isinstance(schema, list):
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__}"]
        return [
            error for index, item in enumerate(value) for error in shape_errors(item, schema[0], f"{path}[{index}]")
        ]
    if isinstance(schema, set | frozenset):
        return [] if value in schema else [f"{path}: {value!r} not one of {sorted(schema)}"]
    if isinstance(schema, type | tuple):
        if schema is int and isinstance(value, bool):
            return [f"{path}: expected int, got bool"]
        return [] if isinstance(value, schema) else [f"{path}: expected {schema}, got {type(value).__name__}"]
    try:
        valid = schema(value)
    except (TypeError, ValueError):
        valid = False
    return [] if valid else [f"{path}: {value!r} is not valid ({getattr(schema, '__name__', schema)})"]


def assert_shape(value, schema, path: str = "$") -> None:
    errors = shape_errors(value, schema, path)
    assert errors == [], errors


# --- sandbox calls and accounts -------------------------------------------------
def calls(shop, operation: str, **filters) -> int:
    """How many calls of ``operation`` the sandbox shop answered (``status_code=...`` and so on narrow it)."""
    return SandboxCall.objects.filter(
        platform=shop.platform, shop_id=shop.shop_id, operation=operation, **filters
    ).count()


def call_items(shop, operation: str) -> list[int]:
    """Items per successful call, oldest first."""
    return list(
        SandboxCall.objects.filter(platform=shop.platform, shop_id=shop.shop_id, operation=operation, status_code=200)
        .order_by("at", "id")
        .values_list("items", flat=True)
    )


def listing_ref(listing) -> ListingRef:
    """The hub's reference to a sandbox listing (seller SKU, listing id, variant id)."""
    return ListingRef(seller_sku=listing.seller_sku, listing_id=listing.listing_id, variant_id=listing.variant_id)


def an_hour_ago() -> datetime:
    return datetime.now(UTC) - timedelta(hours=1)


def account_for_shop(
    seller, shop, credentials: dict, base_url: str, *, region: str = "", settings=None, name: str = ""
) -> MarketplaceAccount:
    """The hub account of a provisioned sandbox shop, talking to it at ``base_url``."""
    return MarketplaceAccount.objects.create(
        seller=seller,
        platform=shop.platform,
        name=name or f"{shop.platform} {shop.shop_id}",
        shop_id=shop.shop_id,
        region=region,
        base_url=base_url,
        credentials=credentials,
        settings=settings or {},
    )


def connect_sandbox_account(
    platform, base_url, *, region, access_token_expired=False, skus=(), quantity=10, settings=None, shop_data=None
):
    """A sandbox shop (a fresh id, so its rate buckets are fresh) and a hub account connected to it."""
    module = sandbox_module(platform)
    shop_id = platform[0].upper() + uuid.uuid4().hex[:12].upper()
    shop, credentials, account_settings = module.provision_shop(
        shop_id, region=region, access_token_expired=access_token_expired, base_url=base_url
    )
    if shop_data:
        shop.data = {**shop.data, **shop_data}
        shop.save(update_fields=["data"])
    for sku in skus:
        module.listing_create(shop, sku, quantity, title=f"Item {sku}", price="19.90")
    seller, _ = Seller.objects.get_or_create(code="contract", defaults={"name": "Contract tests", "country": "US"})
    account = account_for_shop(
        seller, shop, credentials, base_url, region=region, settings={**account_settings, **(settings or {})}
    )
    return shop, account
