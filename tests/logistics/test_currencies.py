"""Rate cards in several currencies are compared in one, with the operators' exchange rates."""

from datetime import date, time
from decimal import Decimal

import pytest

from logistics.models import Carrier, ExchangeRate
from logistics.rates import ParcelSpec, service_choose

from .support import EU, rate_card, service

pytestmark = pytest.mark.django_db
PARCEL = ParcelSpec(800, 1_000_000, "DE")  # standard (USD) quotes 9.00 at the 1000 g break, 7 days


def foreign_cards():
    """EuroPost (EUR, 5 days) at 8.00 EUR and SinoPost (CNY, 6 days) at 60.00 CNY for 1 kg to the EU."""
    euro = Carrier.objects.create(code="europost", name="EuroPost", adapter="sandbox")
    sino = Carrier.objects.create(code="sinopost", name="SinoPost", adapter="sandbox")
    europe = [("eu", EU, 5, [(1000, "8.00"), (5000, "14.00")])]
    cards = {
        "eur": service(euro, "priority", max_weight=5000, cutoff=time(12, 0), zones=europe),
        "cny": service(sino, "air", max_weight=5000, cutoff=time(12, 0), zones=[("eu", EU, 6, [(1000, "60.00")])]),
    }
    cards["eur"].currency, cards["cny"].currency = "EUR", "CNY"
    for card in cards.values():
        card.save()
    return cards


def test_a_card_in_euros_is_converted_and_the_conversion_is_the_reason():
    # given 1 EUR = 1.08 USD since 1 November (and a newer rate that is not valid yet)
    rate_card()
    cards = foreign_cards()
    ExchangeRate.objects.create(currency="EUR", rate=Decimal("1.05"), valid_from=date(2026, 10, 1))
    ExchangeRate.objects.create(currency="EUR", rate=Decimal("1.08"), valid_from=date(2026, 11, 1))
    ExchangeRate.objects.create(currency="EUR", rate=Decimal("2.00"), valid_from=date(2026, 12, 1))

    choice = service_choose(PARCEL, promised_days=10, day=date(2026, 11, 25))

    # then 8.00 EUR = 8.64 USD beats standard's 9.00 USD; the card's own price and currency are kept
    assert choice.quote.service == cards["eur"]
    assert (choice.quote.price, choice.quote.currency, choice.quote.compared_price) == (
        Decimal("8.00"),
        "EUR",
        Decimal("8.64"),
    )
    assert choice.reason.startswith(
        "Cheapest of 3 services within the promised 10 days: 8.64 USD for 800 g chargeable "
        "(8.00 EUR at 1.08 USD per EUR, rate of 2026-11-01), 5 days."
    )
    # SinoPost has no CNY rate: left out, saying so
    assert "sinopost/air: rates in CNY and no exchange rate to USD is known" in choice.reason


def test_a_dearer_converted_card_loses_and_a_rate_makes_the_cny_card_comparable():
    rate_card()
    cards = foreign_cards()
    ExchangeRate.objects.create(currency="EUR", rate=Decimal("1.20"), valid_from=date(2026, 11, 1))  # 9.60 USD
    ExchangeRate.objects.create(currency="CNY", rate=Decimal("0.14"), valid_from=date(2026, 11, 20))  # 8.40 USD

    choice = service_choose(PARCEL, promised_days=10, day=date(2026, 11, 25))

    assert choice.quote.service == cards["cny"]
    assert choice.quote.compared_price == Decimal("8.40")
    assert "(60.00 CNY at 0.14 USD per CNY, rate of 2026-11-20)" in choice.reason
    assert "Left out" not in choice.reason


def test_no_rate_before_the_day_leaves_the_foreign_cards_out():
    services = rate_card()
    foreign_cards()
    ExchangeRate.objects.create(currency="EUR", rate=Decimal("1.08"), valid_from=date(2026, 12, 1))

    choice = service_choose(PARCEL, promised_days=10, day=date(2026, 11, 25))

    assert choice.quote.service == services["standard"]
    assert "europost/priority: rates in EUR and no exchange rate to USD is known" in choice.reason
