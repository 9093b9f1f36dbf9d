"""The warehouse's screens: route and release orders, waves, pick lists, packing, labels, shipping, tracking.

Every action calls one service per selected row (each in its own transaction) and reports
each outcome; a refused row is left exactly as it was. Warehouse staff hold the logistics
permissions (``hub.core.roles``); the actions need ``change`` on the model.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, AdminForm
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.admin import ReadOnlyInline
from orders.enums import OrderState

from . import pdf, selectors, services
from .enums import ShipmentState
from .models import (
    Carrier,
    CarrierService,
    ExchangeRate,
    Parcel,
    RateBreak,
    Shipment,
    ShipmentLine,
    TrackingEvent,
    WarehouseOrder,
    Wave,
    Zone,
)
from .packing_admin import PackingScreen


def _report(request, items, call: Callable, done: str) -> list:
    """Call ``call(item)`` for each item and add a message per outcome; returns the results that succeeded."""
    results = []
    for item in items:
        try:
            result = call(item)
        except ValidationError as error:
            messages.error(request, f"{item}: {' '.join(error.messages)}")
        else:
            results.append(result)
            messages.success(request, done % {"item": item})
    return results


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class CountsShipmentsAdmin(admin.ModelAdmin):
    """Lists rows with how many shipments they have; rows are made by the services, never here."""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(Count("shipments"))

    @admin.display(description=_("shipments"), ordering="shipments__count")
    def shipment_count(self, obj):
        return obj.shipments__count

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- carriers and rate cards ------------------------------------------------------------


class CarrierServiceInline(admin.TabularInline):
    model = CarrierService
    extra = 0
    fields = ["code", "name", "leg", "max_weight_grams", "allows_battery", "allows_liquid", "cutoff_time", "currency"]
    show_change_link = True


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "adapter", "requires_postal_code", "is_active"]
    inlines = [CarrierServiceInline]


class ZoneInline(admin.TabularInline):
    model = Zone
    extra = 0
    fields = ["code", "countries", "transit_days"]
    show_change_link = True


@admin.register(CarrierService)
class CarrierServiceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "name", "leg", "max_weight_grams", "allows_battery", "allows_liquid", "cutoff_time"]
    list_filter = ["carrier", "leg", "is_active"]
    inlines = [ZoneInline]


class RateBreakInline(admin.TabularInline):
    model = RateBreak
    extra = 0


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["__str__", "countries", "transit_days"]
    list_filter = ["service__carrier"]
    inlines = [RateBreakInline]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Operators keep these: rate cards in another currency are compared after conversion."""

    list_display = ["currency", "rate", "valid_from", "updated_at"]
    list_filter = ["currency"]
    ordering = ["currency", "-valid_from"]


# --- orders waiting for the warehouse ---------------------------------------------------


@admin.register(WarehouseOrder)
class WarehouseOrderAdmin(CountsShipmentsAdmin):
    list_display = ["external_id", "platform", "seller", "state", "ship_country", "placed_at", "shipment_count"]
    list_filter = ["state", "platform", "seller"]
    search_fields = ["external_id", "ship_name"]
    actions = ["route"]

    def get_queryset(self, request):
        states = [OrderState.ALLOCATED, OrderState.RELEASED, OrderState.SHIPPED]
        return super().get_queryset(request).filter(state__in=states).select_related("seller")

    def has_change_permission(self, request, obj=None):
        return obj is None and request.user.has_perm("logistics.change_shipment")

    @admin.action(description=_("Route to a warehouse and release"), permissions=["change"])
    def route(self, request, queryset):
        _report(
            request,
            queryset.order_by("pk"),
            lambda order: services.order_route(order.pk, actor=request.user),
            gettext("%(item)s: routed and released to the warehouse."),
        )


# --- waves -------------------------------------------------------------------------------


@admin.register(Wave)
class WaveAdmin(CountsShipmentsAdmin):
    list_display = ["code", "warehouse", "kind", "cutoff_at", "state", "shipment_count", "picked_at"]
    list_filter = ["warehouse", "kind", "state", "cutoff_at"]
    readonly_fields = ["code", "warehouse", "kind", "cutoff_at", "state", "picked_at", "picked_by"]
    actions = ["print_pick_list", "confirm_pick", "print_labels", "ship"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("warehouse")

    def _one(self, request, queryset):
        if queryset.count() != 1:
            messages.error(request, gettext("Select exactly one wave."))
            return None
        return queryset.get()

    @admin.action(description=_("Print pick list (PDF, sorted by bin)"), permissions=["change"])
    def print_pick_list(self, request, queryset):
        wave = self._one(request, queryset)
        return wave and _pdf_response(pdf.pick_list_pdf(wave), f"pick-list-{wave.code}.pdf")

    @admin.action(description=_("Confirm pick (reserved → picked)"), permissions=["change"])
    def confirm_pick(self, request, queryset):
        _report(
            request,
            queryset.order_by("pk"),
            lambda wave: services.wave_pick_confirm(wave.pk, actor=request.user),
            gettext("%(item)s: picked."),
        )

    @admin.action(description=_("Print labels of the wave (one PDF; books packed parcels)"), permissions=["change"])
    def print_labels(self, request, queryset):
        wave = self._one(request, queryset)
        if wave is None:
            return None
        shipments = selectors.shipment_documents_queryset().filter(wave=wave).order_by("pk")
        return _labels(request, shipments, f"labels-{wave.code}.pdf")

    @admin.action(description=_("Ship every labelled parcel of the wave"), permissions=["change"])
    def ship(self, request, queryset):
        shipments = Shipment.objects.filter(wave__in=queryset, state=ShipmentState.LABELLED).order_by("pk")
        if not shipments:
            messages.error(request, gettext("No labelled parcel in the selected waves."))
        _ship(request, shipments)


def _labels(request, shipments, filename: str):
    """Book a label for each packed parcel, then return every labelled one as one PDF."""
    packed = [s for s in shipments if s.state == ShipmentState.PACKED]
    _report(
        request,
        packed,
        lambda shipment: services.shipment_label(shipment.pk, actor=request.user),
        gettext("%(item)s: label booked."),
    )
    labelled = [
        s
        for s in selectors.shipment_documents_queryset().filter(pk__in=[s.pk for s in shipments]).order_by("pk")
        if s.tracking_number
    ]
    skipped = [s.reference for s in shipments if s.state not in (ShipmentState.PACKED,) and not s.tracking_number]
    if skipped:
        messages.warning(request, gettext("No label for %(refs)s: pack them first.") % {"refs": ", ".join(skipped)})
    if not labelled:
        return None
    return _pdf_response(pdf.labels_pdf(labelled), filename)


def _ship(request, shipments):
    _report(
        request,
        shipments,
        lambda shipment: services.shipment_ship(shipment.pk, actor=request.user),
        gettext("%(item)s: shipped; tracking goes to the marketplace."),
    )


# --- shipments ---------------------------------------------------------------------------


class ShipmentLineInline(ReadOnlyInline):
    model = ShipmentLine
    fields = ["order_line", "quantity", "packed_quantity"]
    readonly_fields = fields


class ParcelInline(ReadOnlyInline):
    model = Parcel
    fields = [
        "number",
        "state",
        "weight_grams",
        "length_mm",
        "width_mm",
        "height_mm",
        "chargeable_weight_grams",
        "cost",
        "cost_currency",
        "tracking_number",
        "delivered_at",
        "pushed_at",
        "label_voided_at",
    ]
    readonly_fields = fields
    ordering = ["number"]


class TrackingEventInline(ReadOnlyInline):
    model = TrackingEvent
    fields = ["occurred_at", "parcel", "status", "description", "location"]
    readonly_fields = fields
    ordering = ["occurred_at", "id"]
    verbose_name_plural = _("tracking timeline")


class StaleFilter(admin.SimpleListFilter):
    title = _("tracking alert")
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("yes", _("No tracking event for too long"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(stale_alert_at__isnull=False)
        return queryset


class OverrideForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Carrier service"), queryset=CarrierService.objects.filter(is_active=True).select_related("carrier")
    )
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


@admin.register(Shipment)
class ShipmentAdmin(PackingScreen, admin.ModelAdmin):
    list_display = [
        "reference",
        "order",
        "seller",
        "warehouse",
        "service",
        "state",
        "wave",
        "tracking_number",
        "cost",
        "push_state",
        "stale_alert_at",
    ]
    list_filter = [
        "state",
        "wave",
        "service__carrier",
        "wave__cutoff_at",
        "warehouse",
        "push_state",
        StaleFilter,
    ]
    search_fields = ["order__external_id", "tracking_number", "parcels__tracking_number", "order__ship_name"]
    list_select_related = ["order__seller", "warehouse", "service__carrier", "wave"]
    inlines = [ShipmentLineInline, ParcelInline, TrackingEventInline]
    actions = [
        "build_waves",
        "print_labels",
        "print_packing_slips",
        "ship",
        "override_service",
        "refresh_tracking",
        "push_tracking",
    ]
    change_list_template = "admin/logistics/shipment/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Shipment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("seller"), ordering="order__seller__name")
    def seller(self, obj):
        return obj.order.seller

    @admin.display(description=_("carrier cost"), ordering="carrier_cost")
    def cost(self, obj):
        return f"{obj.carrier_cost} {obj.cost_currency}" if obj.carrier_cost is not None else "-"

    @admin.action(description=_("Group routed shipments into waves"), permissions=["change"])
    def build_waves(self, request, queryset):
        warehouses = {s.warehouse for s in queryset.filter(state=ShipmentState.ROUTED).select_related("warehouse")}
        if not warehouses:
            messages.error(request, gettext("None of the selected shipments waits for a wave."))
        for warehouse in sorted(warehouses, key=lambda w: w.pk):
            for wave in services.waves_build(warehouse=warehouse, actor=request.user):
                messages.success(
                    request,
                    gettext("Wave %(wave)s: %(count)s shipments.") % {"wave": wave, "count": wave.shipments.count()},
                )
        unrouted = queryset.filter(state=ShipmentState.ROUTED, service__isnull=True)
        for shipment in unrouted:
            messages.warning(request, f"{shipment}: {shipment.service_reason}")

    @admin.action(description=_("Print labels (one PDF; books packed parcels)"), permissions=["change"])
    def print_labels(self, request, queryset):
        return _labels(request, list(selectors.shipment_documents_queryset().filter(pk__in=queryset)), "labels.pdf")

    @admin.action(description=_("Print packing slips (PDF)"), permissions=["change"])
    def print_packing_slips(self, request, queryset):
        return _pdf_response(
            pdf.packing_slip_pdf(selectors.shipment_documents_queryset().filter(pk__in=queryset).order_by("pk")),
            "packing-slips.pdf",
        )

    @admin.action(description=_("Ship (parcel handed to the carrier)"), permissions=["change"])
    def ship(self, request, queryset):
        _ship(request, queryset.order_by("pk"))

    @admin.action(description=_("Refresh tracking from the carrier"), permissions=["change"])
    def refresh_tracking(self, request, queryset):
        _report(
            request,
            queryset.exclude(tracking_number="").order_by("pk"),
            lambda shipment: services.shipment_tracking_refresh(shipment.pk),
            gettext("%(item)s: tracking refreshed."),
        )

    @admin.action(description=_("Push tracking to the marketplace again"), permissions=["change"])
    def push_tracking(self, request, queryset):
        from .tasks import shipment_tracking_push_task

        for shipment in queryset.filter(state__in=[ShipmentState.SHIPPED, ShipmentState.DELIVERED]).order_by("pk"):
            shipment_tracking_push_task.delay(shipment.pk)
            messages.success(request, gettext("%(item)s: push queued.") % {"item": shipment})

    @admin.action(description=_("Override carrier service…"), permissions=["change"])
    def override_service(self, request, queryset):
        form = OverrideForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            service, note = form.cleaned_data["service"], form.cleaned_data["note"]
            _report(
                request,
                queryset.order_by("pk"),
                lambda shipment: services.shipment_service_override(
                    shipment.pk, service.pk, actor=request.user, note=note
                ),
                gettext("%(item)s: service overridden."),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Override the carrier service"),
            "adminform": AdminForm(form, [(None, {"fields": ["service", "note"]})], {}),
            "form": form,
            "objects": queryset.order_by("pk"),
            "action": request.POST.get("action", ""),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/logistics/shipment/override_form.html", context)
