"""Reading platform payloads safely: required fields, aware datetimes, ISO codes (money: ``money.py``).

Every helper raises ``InvalidPayload`` naming the field (a dotted path), never ``KeyError``.
Platform-neutral: the Amazon and eBay parsers read their payloads with it, the Shopee, AliExpress
and Shopify parsers its codes, numbers and timestamps.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal

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
