"""Helpers of the Amazon and eBay contract tests: call counts, thread clean-up, and a small shape checker.

A schema is a type, a dict of key -> schema, or a one-item list; keys ending in "?" are optional.
``check_shape`` returns the list of mismatches (empty when the value fits).
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import connections

from hub.marketplaces.sandbox.models import SandboxCall

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


def close_thread_connections():
    for connection in connections.all():
        connection.close()
