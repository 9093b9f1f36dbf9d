"""The one currency table and amount readers every adapter uses (hub/marketplaces/money.py)."""

from decimal import Decimal

import pytest

from hub.marketplaces.errors import InvalidPayload
from hub.marketplaces.money import amount, exact_amount, minor_units


@pytest.mark.parametrize(
    ("currency", "places"),
    [("EUR", 2), ("USD", 2), ("JPY", 0), ("KRW", 0), ("VND", 0), ("XPF", 0), ("KWD", 3), ("BHD", 3), ("CLF", 4)],
)
def test_minor_units_follow_iso_4217(currency, places):
    assert minor_units(currency) == places


def test_amount_rounds_half_up_to_the_currency_scale():
    # given amounts with more decimals than their currencies have
    # when they are read / then they are rounded half up, at each currency's scale
    assert amount("19.905", "EUR", "total") == Decimal("19.91")
    assert amount(3980.5, "JPY", "total") == Decimal("3981")
    assert amount(" 12.3455 ", "KWD", "total") == Decimal("12.346")
    assert str(amount("7", "USD", "total")) == "7.00"


def test_exact_amount_refuses_more_decimals_than_the_currency_has():
    assert str(exact_amount("12.345", "KWD", "total_price")) == "12.345"
    assert str(exact_amount("5980", "JPY", "total_price")) == "5980"

    with pytest.raises(InvalidPayload, match="more decimals than JPY allows") as error:
        exact_amount("5980.50", "JPY", "total_price")

    assert error.value.field == "total_price"


@pytest.mark.parametrize("value", ["", "abc", "NaN", "Infinity", None, {"amount": "1"}])
@pytest.mark.parametrize("read", [amount, exact_amount])
def test_an_unreadable_amount_names_its_field(read, value):
    with pytest.raises(InvalidPayload, match="is not a decimal amount") as error:
        read(value, "EUR", "lines[0].price")

    assert error.value.field == "lines[0].price"
