"""Service selection: cheapest eligible within the promise; weight, restrictions and zones exclude; overrides."""

from decimal import Decimal

import pytest

from logistics.exceptions import NoEligibleService
from logistics.models import Shipment
from logistics.rates import Choice, ParcelSpec, service_choose
from logistics.services import order_route, shipment_service_override

from .support import acme_shop, allocated_order, rate_card

pytestmark = pytest.mark.django_db


def test_cheapest_service_within_the_promised_days_is_chosen():
    # given economy (12 days) is cheapest but slower than 14 days is fine
    services = rate_card()
    spec = ParcelSpec(weight_grams=800, volume_mm3=1_000_000, country="DE")

    # when
    choice = service_choose(spec, promised_days=14)

    # then economy at the 1000 g break; standard and express were eligible too
    assert isinstance(choice, Choice)
    assert choice.quote.service == services["economy"]
    assert (choice.quote.price, choice.quote.currency, choice.quote.chargeable_grams) == (Decimal("6.00"), "USD", 800)
    assert choice.reason.startswith("Cheapest of 3 services within the promised 14 days: 6.00 USD for 800 g")


def test_a_slower_cheap_service_is_passed_over_for_the_promise():
    services = rate_card()
    choice = service_choose(ParcelSpec(800, 1_000_000, "DE"), promised_days=10)
    assert choice.quote.service == services["standard"]
    assert choice.quote.price == Decimal("9.00")
    assert "Cheapest of 2 services within the promised 10 days" in choice.reason


def test_overweight_parcel_excludes_a_service():
    # given 2.5 kg: over economy's 2 kg maximum
    services = rate_card()
    choice = service_choose(ParcelSpec(2500, 1_000_000, "DE"), promised_days=30)
    assert choice.quote.service == services["standard"]
    assert choice.quote.price == Decimal("15.00")
    assert "postx/economy: 2500 g is over its maximum of 2000 g" in choice.reason


def test_volumetric_weight_counts_when_larger():
    # given 300 g in a 400 x 300 x 200 mm box: 24,000,000 mm3 / 5000 = 4800 g chargeable
    services = rate_card()
    choice = service_choose(ParcelSpec(300, 400 * 300 * 200, "DE"), promised_days=30)
    assert choice.quote.service == services["standard"]
    assert (choice.quote.chargeable_grams, choice.quote.price) == (4800, Decimal("15.00"))


def test_battery_and_liquid_restrictions_exclude_services():
    services = rate_card()
    battery = service_choose(ParcelSpec(800, 1_000_000, "DE", has_battery=True), promised_days=30)
    liquid = service_choose(ParcelSpec(800, 1_000_000, "DE", has_liquid=True), promised_days=30)
    assert battery.quote.service == services["standard"]
    assert "postx/economy: it does not accept batteries" in battery.reason
    assert liquid.quote.service == services["express"]
    assert "postx/standard: it does not accept liquids" in liquid.reason


def test_no_service_meets_the_promise_so_the_fastest_is_chosen_and_said():
    services = rate_card()
    choice = service_choose(ParcelSpec(800, 1_000_000, "US"), promised_days=2)
    assert choice.quote.service == services["express"]
    assert choice.reason.startswith("No service delivers within the promised 2 days; the fastest (3 days)")


def test_a_country_no_zone_covers_leaves_no_service():
    rate_card()
    reasons = service_choose(ParcelSpec(800, 1_000_000, "BR"), promised_days=30)
    assert sorted(reasons) == [
        "postx/economy: it does not deliver to BR",
        "postx/express: it does not deliver to BR",
        "postx/standard: it does not deliver to BR",
    ]


def test_routing_records_the_chosen_service_and_why():
    # given Acme promises 10 days; the order weighs 2 x 500 g + 100 g
    services = rate_card()
    _seller, account, _warehouse, _mug, _pen = acme_shop()
    order = allocated_order(account)

    # when
    [shipment] = order_route(order.pk)

    # then standard at the 5000 g break (1100 g actual; 2 x 1,000,000 + 150 x 20 x 50 mm3 volumetric = 430 g)
    assert shipment.service == services["standard"]
    assert shipment.service_reason.startswith(
        "Cheapest of 2 services within the promised 10 days: 15.00 USD for 1100 g"
    )


def test_operator_override_is_recorded(warehouse_user):
    services = rate_card()
    _seller, account, _warehouse, _mug, _pen = acme_shop()
    [shipment] = order_route(allocated_order(account).pk)

    shipment_service_override(shipment.pk, services["express"].pk, actor=warehouse_user, note="Buyer paid for express")

    shipment = Shipment.objects.get(pk=shipment.pk)
    assert shipment.service == services["express"]
    assert shipment.service_overridden_by == warehouse_user
    assert shipment.service_reason == "Overridden by wh (was postx/standard): Buyer paid for express"


def test_override_to_a_service_that_cannot_carry_the_parcel_is_refused(warehouse_user):
    # given a battery in the order: economy refuses batteries
    services = rate_card()
    _seller, account, _warehouse, mug, _pen = acme_shop()
    mug.contains_battery = True
    mug.save()
    [shipment] = order_route(allocated_order(account).pk)
    before = Shipment.objects.values().get(pk=shipment.pk)

    with pytest.raises(NoEligibleService) as refused:
        shipment_service_override(shipment.pk, services["economy"].pk, actor=warehouse_user, note="cheaper")

    assert refused.value.messages == [f"postx/economy cannot carry {shipment.reference}: it does not accept batteries."]
    assert Shipment.objects.values().get(pk=shipment.pk) == before
