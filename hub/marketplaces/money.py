"""Money in marketplace payloads: ISO 4217 minor units and Decimal amounts at the currency's scale.

One table for every adapter (and the sandboxes that render amounts). Two ways to read an amount:
``amount`` rounds half up to the currency's scale (what Amazon, eBay, Shopee and AliExpress
report may carry more decimals than the currency has); ``exact_amount`` refuses an amount with
more decimals than the currency allows (Shopify sends amounts already in the currency's scale).
Every failure is an ``InvalidPayload`` naming the field.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import InvalidPayload

# ISO 4217 minor units that are not 2 (https://www.iso.org/iso-4217-currency-codes.html, table A.1).
MINOR_UNITS = {
    **dict.fromkeys(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX"], 0),
    **dict.fromkeys(["UYI", "VND", "VUV", "XAF", "XOF", "XPF"], 0),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}


def minor_units(currency: str) -> int:
    """Decimals of the currency (JPY 0, KWD 3, most 2)."""
    return MINOR_UNITS.get(currency, 2)


def scale(currency: str) -> Decimal:
    """The currency's smallest unit as a Decimal exponent: ``Decimal("0.01")`` for EUR."""
    return Decimal(1).scaleb(-minor_units(currency))


def quantize(value: Decimal, currency: str) -> Decimal:
    """``value`` at the currency's scale, rounding half up."""
    return value.quantize(scale(currency), rounding=ROUND_HALF_UP)


def decimal_amount(value, field: str) -> Decimal:
    """``value`` (string or number) as a finite Decimal, or InvalidPayload(field)."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidPayload(field, f"payload field {field!r} is not a decimal amount") from None
    if not number.is_finite():
        raise InvalidPayload(field, f"payload field {field!r} is not a decimal amount")
    return number


def amount(value, currency: str, field: str) -> Decimal:
    """``value`` as a Decimal at the currency's scale, rounded half up."""
    return quantize(decimal_amount(value, field), currency)


def exact_amount(value, currency: str, field: str) -> Decimal:
    """``value`` as a Decimal at the currency's scale; more decimals than the currency has is refused."""
    number = decimal_amount(value, field)
    scaled = number.quantize(scale(currency))
    if scaled != number:
        raise InvalidPayload(field, f"payload field {field!r} has more decimals than {currency} allows")
    return scaled
