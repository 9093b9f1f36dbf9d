"""Reading platform payloads: required fields, money with the currency's scale, timestamps.

Shared by the Shopee and AliExpress parsers. Every failure is an ``InvalidPayload`` naming
the field by its path in the payload, never a bare KeyError or decimal error.
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .. import money as currency_money
from ..errors import InvalidPayload

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


def currency_code(value: Any, path: str) -> str:
    code = str(value).strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise InvalidPayload(path, f"payload field {path!r} is not an ISO 4217 currency code")
    return code


def money(value: Any, currency: str, path: str) -> Decimal:
    """A Decimal at the currency's scale (JPY 0 places, KWD 3, most 2), rounded half up; floats by their repr."""
    if isinstance(value, bool) or value is None:
        raise InvalidPayload(path)
    return currency_money.amount(value, currency, path)


def positive_int(value: Any, path: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidPayload(path, f"payload field {path!r} is not a whole number") from None
    if number <= 0:
        raise InvalidPayload(path, f"payload field {path!r} must be positive")
    return number


def from_unix(value: Any, path: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise InvalidPayload(path, f"payload field {path!r} is not a Unix timestamp") from None


def country_code(value: Any, path: str) -> str:
    code = str(value).strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise InvalidPayload(path, f"payload field {path!r} is not an ISO 3166 alpha-2 country code")
    return code
