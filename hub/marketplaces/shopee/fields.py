"""Reading platform payloads: required fields, money with the currency's scale, timestamps.

Shared by the Shopee and AliExpress parsers (ISO codes and whole numbers as every platform reads
them, from ``hub/marketplaces/payload.py``). Every failure is an ``InvalidPayload`` naming the
field by its path in the payload, never a bare KeyError or decimal error.
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .. import money as currency_money
from .. import payload
from ..errors import InvalidPayload
from ..payload import country_code, currency_code

__all__ = ["country_code", "currency_code", "from_unix", "money", "optional_text", "positive_int", "require"]

_MISSING = object()


def require(container: Any, key: str, path: str) -> Any:
    """``container[key]``, or InvalidPayload(path) when the container is not an object or lacks a value."""
    if not isinstance(container, dict):
        raise InvalidPayload(path)
    value = container.get(key, _MISSING)
    if value is _MISSING or value is None or value == "":
        raise InvalidPayload(path)
    return value


def optional_text(container: Any, key: str) -> str:
    if not isinstance(container, dict):
        return ""
    value = container.get(key)
    return "" if value is None else str(value).strip()


def money(value: Any, currency: str, path: str) -> Decimal:
    """A Decimal at the currency's scale (JPY 0 places, KWD 3, most 2), rounded half up; floats by their repr."""
    if isinstance(value, bool) or value is None:
        raise InvalidPayload(path)
    return currency_money.amount(value, currency, path)


def positive_int(value: Any, path: str) -> int:
    """A whole number above zero."""
    return payload.positive_int(value, path, allow_zero=False)


def from_unix(value: Any, path: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise InvalidPayload(path, f"payload field {path!r} is not a Unix timestamp") from None
