"""Helpers of the Amazon and eBay contract tests: call counts, thread clean-up, and a small shape checker.

A schema is a type, a dict of key -> schema, or a one-item list; keys ending in "?" are optional.
``check_shape`` returns the list of mismatches (empty when the value fits).
"""

import threading
import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation

import pytest
from django.db import connections

from hub.marketplaces import adapter_for_account
from hub.marketplaces.sandbox.models import SandboxCall
from hub.marketplaces.sandbox.registry import sandbox_module
from sellers.models import MarketplaceAccount, Seller

ISO_DATETIME = "iso-datetime"
DECIMAL_STRING = "decimal-string"


def _scalar_problem(value, schema) -> str | None:
    if schema == ISO_DATETIME:
        try:
            return None if isinstance(value, str) and datetime.fromisoformat(value).tzinfo else "not an aware timestamp"
        except ValueError:
            return "not an ISO 8601 timestamp"
    if schema == DECIMAL_STRING:
        try:
            Decimal(value)
        except (InvalidOperation, TypeError):
            return "not a decimal string"
        return None if isinstance(value, str) else "not a string"
    if isinstance(schema, tuple):
        return None if isinstance(value, schema) else f"{type(value).__name__} is not one of {schema}"
    if isinstance(value, bool) and schema is not bool:
        return f"bool is not {schema.__name__}"
    return None if isinstance(value, schema) else f"{type(value).__name__} is not {schema.__name__}"


def check_shape(value, schema, where: str = "$") -> list[str]:
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return [f"{where}: expected an object"]
        problems = []
        for key, sub in schema.items():
            name = key.rstrip("?")
            if name not in value:
                if not key.endswith("?"):
                    problems.append(f"{where}.{name}: missing")
                continue
            problems += check_shape(value[name], sub, f"{where}.{name}")
        return problems
    if isinstance(schema, list):
        if not isinstance(value, list):
            return [f"{where}: expected an array"]
        return [problem for i, item in enumerate(value) for problem in check_shape(item, schema[0], f"{where}[{i}]")]
    problem = _scalar_problem(value, schema)
    return [f"{where}: {problem}"] if problem else []


def calls(shop, operation, **filters) -> int:
    return SandboxCall.objects.filter(
        platform=shop.platform, shop_id=shop.shop_id, operation=operation, **filters
    ).count()


def call_items(shop, operation) -> list[int]:
    """Items per successful call, oldest first."""
    return list(
        SandboxCall.objects.filter(platform=shop.platform, shop_id=shop.shop_id, operation=operation, status_code=200)
        .order_by("at", "id")
        .values_list("items", flat=True)
    )


def run_at_once(calls_to_make) -> tuple[list, list]:
    """Start every callable in its own thread behind a barrier; (results, errors) once all are done."""
    barrier = threading.Barrier(len(calls_to_make))
    results, errors = [], []

    def worker(call):
        barrier.wait()
        try:
            results.append(call())
        except Exception as error:  # noqa: BLE001 - handed back to the test
            errors.append(error)
        finally:
            close_thread_connections()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls_to_make]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def close_thread_connections():
    for connection in connections.all():
        connection.close()


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
    account = MarketplaceAccount.objects.create(
        seller=seller,
        platform=platform,
        name=f"{platform} {shop_id}",
        shop_id=shop_id,
        region=region,
        base_url=base_url,
        credentials=credentials,
        settings={**account_settings, **(settings or {})},
    )
    return shop, account


@pytest.fixture
def adapter_of():
    """Builds adapters for stored accounts, as the sync engine does, and closes them afterwards."""
    adapters = []

    def build(account):
        adapter = adapter_for_account(MarketplaceAccount.objects.get(pk=account.pk))
        adapters.append(adapter)
        return adapter

    yield build
    for adapter in adapters:
        adapter.close()
