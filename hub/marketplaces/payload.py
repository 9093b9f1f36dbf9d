"""Reading platform payloads safely: required fields, aware datetimes, ISO codes (money: ``money.py``).

Every helper raises ``InvalidPayload`` naming the field (a dotted path), never ``KeyError``.
Platform-neutral: the Amazon and eBay parsers walk their payloads with ``required``/``optional``
(dotted paths), the Shopee and AliExpress parsers with ``require``/``optional_text`` (one key, the
field's path given), and every parser takes its codes, numbers and timestamps from here.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .errors import InvalidPayload
from .money import quantize

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def required(mapping, path: str, prefix: str = ""):
    """The value at a dotted ``path``; InvalidPayload(prefix + path) when a step is missing, null or empty."""
    value = mapping
    for step in path.split("."):
        if not isinstance(value, dict) or value.get(step) in (None, ""):
            raise InvalidPayload(prefix + path)
        value = value[step]
    return value


def optional(mapping, path: str, default=None):
    value = mapping
    for step in path.split("."):
        if not isinstance(value, dict) or value.get(step) is None:
            return default
        value = value[step]
    return value


_MISSING = object()


def order_object(payload) -> dict:
    """The order payload itself, which must be a JSON object (InvalidPayload("<root>") otherwise)."""
    if not isinstance(payload, dict):
        raise InvalidPayload("<root>", "order payload must be a JSON object")
    return payload


def require(container: Any, key: str, path: str) -> Any:
    """``container[key]``, or InvalidPayload(path) when the container is not an object or lacks a value."""
    if not isinstance(container, dict):
        raise InvalidPayload(path)
    value = container.get(key, _MISSING)
    if value is _MISSING or value is None or value == "":
        raise InvalidPayload(path)
    return value


def optional_text(container: Any, key: str) -> str:
    """``container[key]`` as stripped text; "" when absent, null or the container is not an object."""
    if not isinstance(container, dict):
        return ""
    value = container.get(key)
    return "" if value is None else str(value).strip()


def currency_code(value, field: str) -> str:
    if not isinstance(value, str) or not _CURRENCY.match(value.strip().upper()):
        raise InvalidPayload(field, f"payload field {field!r} is not an ISO 4217 currency code")
    return value.strip().upper()


def unit_price(line_total: Decimal, quantity: int, currency: str) -> Decimal:
    """The price of one unit from a line total (what Amazon and eBay report per line)."""
    if quantity <= 0:
        return quantize(line_total, currency)
    return quantize(line_total / quantity, currency)


def country_code(value, field: str) -> str:
    if not isinstance(value, str) or not _COUNTRY.match(value.strip().upper()):
        raise InvalidPayload(field, f"payload field {field!r} is not an ISO 3166-1 alpha-2 country code")
    return value.strip().upper()


def aware_datetime(value, field: str) -> datetime:
    """An ISO 8601 timestamp as an aware UTC datetime; a timestamp without offset is refused."""
    if not isinstance(value, str):
        raise InvalidPayload(field, f"payload field {field!r} is not an ISO 8601 timestamp")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidPayload(field, f"payload field {field!r} is not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        raise InvalidPayload(field, f"payload field {field!r} has no UTC offset")
    return parsed.astimezone(UTC)


def positive_int(value, field: str, *, allow_zero: bool = True) -> int:
    """A whole number (an int or its string), not negative; not zero either unless ``allow_zero``."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidPayload(field, f"payload field {field!r} is not a whole number") from None
    if number < 0 or (number == 0 and not allow_zero):
        raise InvalidPayload(field, f"payload field {field!r} must be positive")
    return number


def from_unix(value: Any, field: str) -> datetime:
    """Unix seconds as an aware UTC datetime."""
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise InvalidPayload(field, f"payload field {field!r} is not a Unix timestamp") from None
