"""Rate cards: chargeable weight, quotes per service for a shipment's parcels, and the choice of a service.

A parcel's chargeable weight is the larger of its actual weight and its volumetric
weight, ``length x width x height (mm) / divisor`` in grams (cm³ / divisor kg). A
shipment travels on one service: every parcel must meet its restrictions (maximum
weight, batteries, liquids) and is priced at its own rate break; the shipment costs the
sum. Quotes are compared in one currency (``settings.LOGISTICS_RATE_CURRENCY``, USD
unless set): a rate card in another currency is converted with the operators' newest
``ExchangeRate`` of that currency dated on or before the day, and left out, with that
reason, when there is none.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .enums import BOOKABLE_LEGS
from .models import CarrierService, ExchangeRate

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ParcelSpec:
    weight_grams: int
    volume_mm3: int
    country: str
    has_battery: bool = False
    has_liquid: bool = False


@dataclass(frozen=True)
class ParcelQuote:
    chargeable_grams: int
    price: Decimal  # in the rate card's currency


@dataclass(frozen=True)
class Quote:
    """What a service charges for a shipment's parcels, in its rate card's currency and converted."""

    service: CarrierService
    parcels: tuple[ParcelQuote, ...]
    currency: str  # the rate card's
    transit_days: int
    compared_price: Decimal  # in rate_currency()
    exchange: ExchangeRate | None = None  # the rate used when the card is in another currency

    @property
    def price(self) -> Decimal:
        return sum((parcel.price for parcel in self.parcels), Decimal("0.00"))

    @property
    def chargeable_grams(self) -> int:
        return sum(parcel.chargeable_grams for parcel in self.parcels)

    def describe(self) -> str:
        """ "15.00 USD for 1600 g chargeable", with the conversion and each parcel's weight when there are several."""
        weights = " + ".join(str(parcel.chargeable_grams) for parcel in self.parcels)
        text = _("%(price)s %(currency)s for %(weights)s g chargeable") % {
            "price": self.compared_price,
            "currency": rate_currency(),
            "weights": weights,
        }
        if self.exchange is not None:
            text += " " + _("(%(price)s %(card)s at %(rate)s %(currency)s per %(card)s, rate of %(day)s)") % {
                "price": self.price,
                "card": self.currency,
                "rate": self.exchange.rate.normalize(),
                "currency": rate_currency(),
                "day": self.exchange.valid_from.isoformat(),
            }
        return text


@dataclass(frozen=True)
class Choice:
    quote: Quote
    reason: str


def rate_currency() -> str:
    return getattr(settings, "LOGISTICS_RATE_CURRENCY", "USD")


def chargeable_grams(spec: ParcelSpec, divisor: int) -> int:
    return max(spec.weight_grams, math.ceil(spec.volume_mm3 / divisor))


def exchange_rate(currency: str, day: date) -> ExchangeRate | None:
    """The operators' newest rate for ``currency`` dated on or before ``day``."""
    return ExchangeRate.objects.filter(currency=currency, valid_from__lte=day).order_by("-valid_from").first()


def _parcel_refusal(service: CarrierService, spec: ParcelSpec, weight: int) -> str | None:
    if weight > service.max_weight_grams:
        return _("%(weight)s g is over its maximum of %(maximum)s g") % {
            "weight": weight,
            "maximum": service.max_weight_grams,
        }
    if spec.has_battery and not service.allows_battery:
        return _("it does not accept batteries")
    if spec.has_liquid and not service.allows_liquid:
        return _("it does not accept liquids")
    return None


def quote(service: CarrierService, specs: ParcelSpec | Sequence[ParcelSpec], *, day: date | None = None) -> Quote | str:
    """A quote for the parcels (one spec or several), or the reason the service cannot carry them."""
    specs = [specs] if isinstance(specs, ParcelSpec) else list(specs)
    if not specs or not specs[0].country:
        return _("the destination has no country")
    exchange = None
    if service.currency != rate_currency():
        exchange = exchange_rate(service.currency, day or timezone.now().date())
        if exchange is None:
            return _("rates in %(currency)s and no exchange rate to %(expected)s is known") % {
                "currency": service.currency,
                "expected": rate_currency(),
            }
    zone = next((zone for zone in service.zones.all() if specs[0].country in zone.countries), None)
    parcels = []
    for number, spec in enumerate(specs, start=1):
        weight = chargeable_grams(spec, service.volumetric_divisor)
        refusal = _parcel_refusal(service, spec, weight)
        if refusal is None and zone is None:
            return _("it does not deliver to %(country)s") % {"country": spec.country}
        rate = None if refusal else next((rate for rate in zone.rates.all() if rate.max_weight_grams >= weight), None)
        if refusal is None and rate is None:
            refusal = _("its rate card has no break for %(weight)s g") % {"weight": weight}
        if refusal:
            return (
                _("parcel %(number)s: %(reason)s") % {"number": number, "reason": refusal}
                if len(specs) > 1
                else refusal
            )
        parcels.append(ParcelQuote(weight, rate.price))
    total = sum((parcel.price for parcel in parcels), Decimal("0.00"))
    compared = total if exchange is None else (total * exchange.rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return Quote(service, tuple(parcels), service.currency, zone.transit_days, compared, exchange)


def bookable_services():
    return (
        CarrierService.objects.filter(is_active=True, carrier__is_active=True, leg__in=BOOKABLE_LEGS)
        .select_related("carrier")
        .prefetch_related("zones__rates")
        .order_by("pk")
    )


def service_choose(
    specs: ParcelSpec | Sequence[ParcelSpec], promised_days: int, services=None, *, day: date | None = None
) -> Choice | list[str]:
    """The cheapest service (compared in one currency) that delivers within ``promised_days``;
    failing that the fastest eligible one.

    Returns the choice with its reason, or the list of reasons every service was left out.
    """
    quotes, excluded = [], []
    for service in services if services is not None else bookable_services():
        result = quote(service, specs, day=day)
        if isinstance(result, Quote):
            quotes.append(result)
        else:
            excluded.append(f"{service}: {result}")
    if not quotes:
        return excluded or [_("no active carrier service")]
    on_time = [q for q in quotes if q.transit_days <= promised_days]
    others = "; ".join(excluded)
    if on_time:
        best = min(on_time, key=lambda q: (q.compared_price, q.transit_days, q.service.pk))
        reason = _("Cheapest of %(count)s services within the promised %(days)s days: %(quote)s, %(transit)s days.") % {
            "count": len(on_time),
            "days": promised_days,
            "quote": best.describe(),
            "transit": best.transit_days,
        }
    else:
        best = min(quotes, key=lambda q: (q.transit_days, q.compared_price, q.service.pk))
        reason = _(
            "No service delivers within the promised %(days)s days; the fastest (%(transit)s days) was chosen: "
            "%(quote)s."
        ) % {"days": promised_days, "transit": best.transit_days, "quote": best.describe()}
    if others:
        reason = f"{reason} {_('Left out')}: {others}."
    return Choice(best, reason)
