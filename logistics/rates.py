"""Rate cards: chargeable weight, quotes per service, and the choice of a service.

A parcel's chargeable weight is the larger of its actual weight and its volumetric
weight, ``length x width x height (mm) / divisor`` in grams (cm³ / divisor kg).
Quotes are compared in one currency (``settings.LOGISTICS_RATE_CURRENCY``, USD unless
set); a service priced in another currency is left out with that reason.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from .enums import BOOKABLE_LEGS
from .models import CarrierService


@dataclass(frozen=True)
class ParcelSpec:
    weight_grams: int
    volume_mm3: int
    country: str
    has_battery: bool = False
    has_liquid: bool = False


@dataclass(frozen=True)
class Quote:
    service: CarrierService
    chargeable_grams: int
    price: Decimal
    currency: str
    transit_days: int


@dataclass(frozen=True)
class Choice:
    quote: Quote
    reason: str


def rate_currency() -> str:
    return getattr(settings, "LOGISTICS_RATE_CURRENCY", "USD")


def chargeable_grams(spec: ParcelSpec, divisor: int) -> int:
    return max(spec.weight_grams, math.ceil(spec.volume_mm3 / divisor))


def quote(service: CarrierService, spec: ParcelSpec) -> Quote | str:
    """A quote, or the reason the service cannot carry this parcel."""
    weight = chargeable_grams(spec, service.volumetric_divisor)
    if not spec.country:
        return _("the destination has no country")
    if service.currency != rate_currency():
        return _("rates in %(currency)s, not %(expected)s") % {
            "currency": service.currency,
            "expected": rate_currency(),
        }
    if weight > service.max_weight_grams:
        return _("%(weight)s g is over its maximum of %(maximum)s g") % {
            "weight": weight,
            "maximum": service.max_weight_grams,
        }
    if spec.has_battery and not service.allows_battery:
        return _("it does not accept batteries")
    if spec.has_liquid and not service.allows_liquid:
        return _("it does not accept liquids")
    zone = next((zone for zone in service.zones.all() if spec.country in zone.countries), None)
    if zone is None:
        return _("it does not deliver to %(country)s") % {"country": spec.country}
    rate = next((rate for rate in zone.rates.all() if rate.max_weight_grams >= weight), None)
    if rate is None:
        return _("its rate card has no break for %(weight)s g") % {"weight": weight}
    return Quote(service, weight, rate.price, service.currency, zone.transit_days)


def bookable_services():
    return (
        CarrierService.objects.filter(is_active=True, carrier__is_active=True, leg__in=BOOKABLE_LEGS)
        .select_related("carrier")
        .prefetch_related("zones__rates")
        .order_by("pk")
    )


def service_choose(spec: ParcelSpec, promised_days: int, services=None) -> Choice | list[str]:
    """The cheapest service that delivers within ``promised_days``; failing that the fastest eligible one.

    Returns the choice with its reason, or the list of reasons every service was left out.
    """
    quotes, excluded = [], []
    for service in services if services is not None else bookable_services():
        result = quote(service, spec)
        if isinstance(result, Quote):
            quotes.append(result)
        else:
            excluded.append(f"{service}: {result}")
    if not quotes:
        return excluded or [_("no active carrier service")]
    on_time = [q for q in quotes if q.transit_days <= promised_days]
    others = "; ".join(excluded)
    if on_time:
        best = min(on_time, key=lambda q: (q.price, q.transit_days, q.service.pk))
        reason = _(
            "Cheapest of %(count)s services within the promised %(days)s days: %(price)s %(currency)s "
            "for %(weight)s g chargeable, %(transit)s days."
        ) % {
            "count": len(on_time),
            "days": promised_days,
            "price": best.price,
            "currency": best.currency,
            "weight": best.chargeable_grams,
            "transit": best.transit_days,
        }
    else:
        best = min(quotes, key=lambda q: (q.transit_days, q.price, q.service.pk))
        reason = _(
            "No service delivers within the promised %(days)s days; the fastest (%(transit)s days) was chosen: "
            "%(price)s %(currency)s for %(weight)s g chargeable."
        ) % {
            "days": promised_days,
            "transit": best.transit_days,
            "price": best.price,
            "currency": best.currency,
            "weight": best.chargeable_grams,
        }
    if others:
        reason = f"{reason} {_('Left out')}: {others}."
    return Choice(best, reason)
