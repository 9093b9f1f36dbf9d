"""Demo logistics: one sandbox carrier with three services and rate cards to the demo buyers' countries
(the tracking beat entry exists after migrate already; ensured here too)."""

from datetime import time
from decimal import Decimal

from django.utils import timezone

from .enums import ServiceLeg
from .models import Carrier, CarrierService, ExchangeRate, RateBreak, Zone
from .schedules import tracking_schedule_ensure

ZONES = {
    # zone: (countries, transit days for economy / standard / express)
    "americas": (["US", "CA", "BR", "MX"], (14, 8, 4)),
    "europe": (["DE", "FR", "GB", "NL", "IT", "ES"], (12, 7, 3)),
    "asia": (["JP", "VN", "MY", "SG", "KR", "TH"], (7, 4, 2)),
}
# service: (max g, batteries, liquids, cut-off UTC, breaks [(up to g, price per zone americas/europe/asia)])
SERVICES = {
    "economy": (
        2000,
        False,
        False,
        time(9, 0),
        [(500, (4.2, 3.9, 2.5)), (1000, (6.4, 5.8, 3.6)), (2000, (10.5, 9.2, 5.9))],
    ),
    "standard": (
        10000,
        True,
        False,
        time(10, 0),
        [(500, (7.5, 6.9, 4.8)), (1000, (9.8, 8.9, 6.2)), (5000, (18.0, 16.5, 11.0)), (10000, (29.0, 26.0, 18.0))],
    ),
    "express": (30000, True, True, time(11, 0), [(1000, (22.0, 19.5, 12.0)), (30000, (68.0, 61.0, 40.0))]),
}


# value of one unit in USD, from 1 January: lets operators try rate cards in EUR or CNY
EXCHANGE_RATES = {"EUR": Decimal("1.08"), "CNY": Decimal("0.138")}


def build() -> str:
    carrier, _ = Carrier.objects.update_or_create(
        code="hubpost",
        defaults={"name": "HubPost (sandbox)", "marketplace_name": "HubPost", "adapter": "sandbox"},
    )
    for code, (max_weight, battery, liquid, cutoff, breaks) in SERVICES.items():
        service, _ = CarrierService.objects.update_or_create(
            carrier=carrier,
            code=code,
            defaults={
                "name": code.title(),
                "leg": ServiceLeg.DOOR_TO_DOOR,
                "max_weight_grams": max_weight,
                "allows_battery": battery,
                "allows_liquid": liquid,
                "cutoff_time": cutoff,
                "currency": "USD",
            },
        )
        speed = list(SERVICES).index(code)
        for index, (zone_code, (countries, transit)) in enumerate(ZONES.items()):
            zone, _ = Zone.objects.update_or_create(
                service=service, code=zone_code, defaults={"countries": countries, "transit_days": transit[speed]}
            )
            for grams, prices in breaks:
                RateBreak.objects.update_or_create(
                    zone=zone, max_weight_grams=grams, defaults={"price": Decimal(str(prices[index]))}
                )
    new_year = timezone.now().date().replace(month=1, day=1)
    for currency, rate in EXCHANGE_RATES.items():
        ExchangeRate.objects.get_or_create(currency=currency, valid_from=new_year, defaults={"rate": rate})
    tracking_schedule_ensure()
    return (
        f"logistics: carrier {carrier.code} with {len(SERVICES)} services in {len(ZONES)} zones; "
        f"exchange rates for {', '.join(EXCHANGE_RATES)}; tracking every 15 min"
    )
