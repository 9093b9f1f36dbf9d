"""Carriers and their rate cards, exchange rates, pick waves, shipments, their parcels and tracking."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.core.models import TimeStampedModel
from orders.models import Order

from .enums import ParcelState, PushState, ServiceLeg, ShipmentState, TrackingStatus, WaveKind, WaveState

DEFAULT_VOLUMETRIC_DIVISOR = 5000  # cm3 per kg, the usual express divisor
MAX_PARCELS = 99  # parcel numbers have two digits in the carrier booking reference


class Carrier(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    adapter = models.CharField(
        _("adapter"), max_length=40, default="sandbox", help_text=_("Which carrier adapter books its parcels.")
    )
    marketplace_name = models.CharField(
        _("name shown to marketplaces"), max_length=80, blank=True, help_text=_("Empty: the carrier's name.")
    )
    requires_postal_code = models.BooleanField(_("requires a postal code"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def name_for_marketplaces(self) -> str:
        return self.marketplace_name or self.name


class CarrierService(TimeStampedModel):
    """A service of a carrier, with its restrictions; prices are in its zones' rate breaks."""

    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="services", verbose_name=_("carrier"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    leg = models.CharField(_("leg"), max_length=16, choices=ServiceLeg.choices, default=ServiceLeg.DOOR_TO_DOOR)
    max_weight_grams = models.PositiveIntegerField(_("maximum chargeable weight (g)"))
    volumetric_divisor = models.PositiveIntegerField(
        _("volumetric divisor (cm³ per kg)"), default=DEFAULT_VOLUMETRIC_DIVISOR
    )
    allows_battery = models.BooleanField(_("accepts batteries"), default=False)
    allows_liquid = models.BooleanField(_("accepts liquids"), default=False)
    cutoff_time = models.TimeField(_("daily cut-off (UTC)"))
    currency = models.CharField(_("rate currency"), max_length=3, default="USD")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("carrier service")
        verbose_name_plural = _("carrier services")
        ordering = ["carrier", "code"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "code"], name="carrier_service_unique_code"),
            models.CheckConstraint(condition=models.Q(volumetric_divisor__gt=0), name="service_divisor_positive"),
            models.CheckConstraint(condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="service_currency_iso"),
        ]

    def __str__(self):
        return f"{self.carrier.code}/{self.code}"


class Zone(models.Model):
    """Destination countries a service delivers to, with the transit days to them."""

    service = models.ForeignKey(CarrierService, on_delete=models.CASCADE, related_name="zones")
    code = models.CharField(_("code"), max_length=40)
    countries = models.JSONField(_("countries (ISO 3166-1 alpha-2)"), default=list)
    transit_days = models.PositiveSmallIntegerField(_("transit days"))

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["service", "code"]
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="zone_unique_code")]

    def __str__(self):
        return f"{self.service} {self.code}"


class RateBreak(models.Model):
    """Price of a parcel whose chargeable weight is at most ``max_weight_grams`` (the lowest such break applies)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="rates", verbose_name=_("zone"))
    max_weight_grams = models.PositiveIntegerField(_("up to weight (g)"))
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("rate break")
        verbose_name_plural = _("rate breaks")
        ordering = ["zone", "max_weight_grams"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "max_weight_grams"], name="rate_break_unique_weight"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="rate_break_price_non_negative"),
            models.CheckConstraint(condition=models.Q(max_weight_grams__gt=0), name="rate_break_weight_positive"),
        ]

    def __str__(self):
        return f"≤{self.max_weight_grams} g: {self.price}"


class ExchangeRate(TimeStampedModel):
    """Operator-maintained: one unit of ``currency`` is worth ``rate`` units of the rate-comparison currency.

    Service selection converts rate cards priced in another currency with the newest rate
    dated on or before the day of the choice.
    """

    currency = models.CharField(_("currency"), max_length=3)
    rate = models.DecimalField(_("value in the comparison currency"), max_digits=14, decimal_places=6)
    valid_from = models.DateField(_("valid from"))

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="exchange_rate_unique_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="exchange_rate_currency_iso"
            ),
        ]

    def __str__(self):
        return f"1 {self.currency} = {self.rate} ({self.valid_from:%Y-%m-%d})"


class Wave(TimeStampedModel):
    """Shipments picked together: one warehouse, one carrier cut-off, single- or multi-item orders."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="waves", verbose_name=_("warehouse")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=WaveKind.choices)
    cutoff_at = models.DateTimeField(_("carrier cut-off"), db_index=True)
    state = models.CharField(_("state"), max_length=8, choices=WaveState.choices, default=WaveState.OPEN)
    picked_at = models.DateTimeField(_("picked at"), null=True, blank=True)
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("pick wave")
        verbose_name_plural = _("pick waves")
        ordering = ["cutoff_at", "code"]

    def __str__(self):
        return self.code


class Shipment(TimeStampedModel):
    """What one warehouse sends for one order, in one or more parcels on one carrier service.

    Routing creates it (warehouse and why), service selection sets the carrier service
    (and why), packing fills its parcels, the carrier adapter issues a tracking number per
    parcel. ``tracking_number`` is the first parcel's (the master), ``carrier_cost`` the sum
    of the parcels' costs.
    """

    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="shipments", verbose_name=_("order")
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, related_name="shipments", verbose_name=_("warehouse")
    )
    routing_reason = models.TextField(_("why this warehouse"))
    service = models.ForeignKey(
        CarrierService,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shipments",
        verbose_name=_("carrier service"),
    )
    service_reason = models.TextField(_("why this service"), blank=True)
    service_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service chosen by"),
    )
    wave = models.ForeignKey(
        Wave, on_delete=models.SET_NULL, null=True, blank=True, related_name="shipments", verbose_name=_("wave")
    )
    state = models.CharField(_("state"), max_length=16, choices=ShipmentState.choices, default=ShipmentState.ROUTED)
    carrier_cost = models.DecimalField(_("carrier cost"), max_digits=10, decimal_places=2, null=True, blank=True)
    cost_currency = models.CharField(_("cost currency"), max_length=3, blank=True)
    tracking_number = models.CharField(_("master tracking number"), max_length=64, blank=True, db_index=True)
    labelled_at = models.DateTimeField(_("labelled at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("last tracking event"), null=True, blank=True)
    stale_alert_at = models.DateTimeField(_("stale alert raised"), null=True, blank=True, db_index=True)
    push_state = models.CharField(
        _("tracking at the marketplace"), max_length=16, choices=PushState.choices, default=PushState.NOT_SENT
    )
    push_attempts = models.PositiveSmallIntegerField(_("push attempts"), default=0)
    push_error = models.TextField(_("last push error"), blank=True)
    pushed_at = models.DateTimeField(_("tracking pushed at"), null=True, blank=True)
    push_note = models.TextField(_("what the marketplace shows"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancellation_note = models.TextField(_("cancellation"), blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "warehouse"], name="shipment_one_per_order_warehouse"),
            models.UniqueConstraint(
                fields=["tracking_number"], condition=~models.Q(tracking_number=""), name="shipment_unique_tracking"
            ),
            models.CheckConstraint(
                condition=models.Q(carrier_cost__isnull=True) | models.Q(carrier_cost__gte=0),
                name="shipment_cost_non_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["labelled", "shipped", "delivered"]) | ~models.Q(tracking_number=""),
                name="shipment_labelled_has_tracking",
            ),
        ]
        indexes = [models.Index(fields=["state", "warehouse"], name="shipment_state_warehouse")]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        """What the order barcode on the pick list and packing slip encodes."""
        return f"SHP{self.pk:08d}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("shipment"))
    order_line = models.OneToOneField(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="shipment_line", verbose_name=_("order line")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    packed_quantity = models.PositiveIntegerField(_("packed"), default=0)

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["shipment", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="shipment_line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(packed_quantity__lte=models.F("quantity")), name="shipment_line_packed_within"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.order_line.seller_sku}"


class Parcel(TimeStampedModel):
    """One box of a shipment: what was packed in it, its weight and size, its cost, label and tracking.

    Packing fills the open parcel and closes it with its measures; the carrier books each
    parcel with its own tracking number; the carrier's events are read per parcel.
    """

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="parcels", verbose_name=_("shipment"))
    number = models.PositiveSmallIntegerField(_("parcel number"))
    state = models.CharField(_("state"), max_length=12, choices=ParcelState.choices, default=ParcelState.OPEN)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), null=True, blank=True)
    length_mm = models.PositiveIntegerField(_("length (mm)"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width (mm)"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height (mm)"), null=True, blank=True)
    chargeable_weight_grams = models.PositiveIntegerField(_("chargeable weight (g)"), null=True, blank=True)
    cost = models.DecimalField(_("carrier cost"), max_digits=10, decimal_places=2, null=True, blank=True)
    cost_currency = models.CharField(_("cost currency"), max_length=3, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True, db_index=True)
    labelled_at = models.DateTimeField(_("labelled at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("last tracking event"), null=True, blank=True)
    pushed_at = models.DateTimeField(_("tracking pushed at"), null=True, blank=True)
    label_voided_at = models.DateTimeField(_("label voided at the carrier"), null=True, blank=True)

    class Meta:
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        ordering = ["shipment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "number"], name="parcel_unique_number"),
            models.UniqueConstraint(
                fields=["shipment"], condition=models.Q(state="open"), name="parcel_one_open_per_shipment"
            ),
            models.UniqueConstraint(
                fields=["tracking_number"], condition=~models.Q(tracking_number=""), name="parcel_unique_tracking"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=MAX_PARCELS), name="parcel_number_in_range"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["open", "cancelled"])
                | models.Q(
                    weight_grams__isnull=False,
                    length_mm__isnull=False,
                    width_mm__isnull=False,
                    height_mm__isnull=False,
                ),
                name="parcel_closed_is_measured",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["labelled", "shipped", "delivered"]) | ~models.Q(tracking_number=""),
                name="parcel_labelled_has_tracking",
            ),
            models.CheckConstraint(
                condition=models.Q(cost__isnull=True) | models.Q(cost__gte=0), name="parcel_cost_non_negative"
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        """The shipment's reference and the parcel number: what the carrier booking is keyed on."""
        return f"{self.shipment.reference}-{self.number:02d}"


class ParcelItem(models.Model):
    """How many units of a shipment line went into a parcel."""

    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="items", verbose_name=_("parcel"))
    line = models.ForeignKey(
        ShipmentLine, on_delete=models.CASCADE, related_name="parcel_items", verbose_name=_("shipment line")
    )
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("parcel item")
        verbose_name_plural = _("parcel items")
        ordering = ["parcel", "line"]
        constraints = [
            models.UniqueConstraint(fields=["parcel", "line"], name="parcel_item_unique_line"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="parcel_item_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.line.order_line.seller_sku}"


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="tracking_events", verbose_name=_("shipment")
    )
    parcel = models.ForeignKey(
        Parcel, on_delete=models.CASCADE, related_name="tracking_events", verbose_name=_("parcel")
    )
    external_id = models.CharField(_("carrier event id"), max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=TrackingStatus.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["shipment", "occurred_at", "id"]
        constraints = [models.UniqueConstraint(fields=["parcel", "external_id"], name="tracking_event_unique")]

    def __str__(self):
        return f"{self.parcel}: {self.get_status_display()}"


class SandboxCarrierParcel(models.Model):
    """The sandbox carrier's own record of a booked parcel and the events it will report."""

    tracking_number = models.CharField(max_length=64, unique=True)
    service_code = models.CharField(max_length=40)
    recipient_country = models.CharField(max_length=2)
    booked_at = models.DateTimeField()
    events = models.JSONField(default=list, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sandbox carrier parcel")
        verbose_name_plural = _("sandbox carrier parcels")

    def __str__(self):
        return self.tracking_number


class WarehouseOrder(Order):
    """Orders as the warehouse sees them (allocated ones wait to be routed and released), for the admin."""

    class Meta:
        proxy = True
        verbose_name = _("order to fulfil")
        verbose_name_plural = _("orders to fulfil")
