"""Reading platform payloads: required fields, money with the currency's scale, timestamps.

Shared by the Shopee and AliExpress parsers. Every failure is an ``InvalidPayload`` naming
the field by its path in the payload, never a bare KeyError or decimal error.
"""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ..errors import InvalidPayload

# ISO 4217 minor units where they differ from 2 (currencies these platforms settle in).
CURRENCY_EXPONENTS = {
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
    "CLP": 0,
    "ISK": 0,
    "JPY": 0,
    "KRW": 0,
    "PYG": 0,
    "UGX": 0,
    "VND": 0,
    "XAF": 0,
    "XOF": 0,
}

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
    """A Decimal at the currency's scale (JPY 0 places, KWD 3, most 2); floats go through their repr."""
    if isinstance(value, bool) or value is None:
        raise InvalidPayload(path)
    try:
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidPayload(path, f"payload field {path!r} is not an amount") from None
    if not amount.is_finite():
        raise InvalidPayload(path, f"payload field {path!r} is not an amount")
    places = CURRENCY_EXPONENTS.get(currency, 2)
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


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
