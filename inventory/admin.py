"""Admin for operators and warehouse staff.

Quantities are read-only everywhere: every change goes through a form that calls one
service in ``inventory.services`` (goods receipt, cycle count, transfer, virtual stock
lock / release, production orders, inbound shipments). A refusal is shown as an error
message and nothing is applied.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import forms, services
from .models import (
    AdaptiveBuffer,
    AllocationRule,
    BinLocation,
    KitComponent,
    LedgerCheck,
    LowStockAlert,
    Movement,
    Product,
    Reservation,
    ReservationAllocation,
    Sku,
    Stock,
    Warehouse,
)


class ReadOnlyAdminMixin:
    """Rows written only by services: listed and viewed, never added, edited or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


def _movement_cells(movement: Movement) -> tuple:
    m = movement
    return (m.sequence, m.created_at, m.get_kind_display(), m.on_hand_delta, m.reserved_delta, m.reference, m.reason)


class SkuInline(admin.TabularInline):
    model = Sku
    extra = 0
    fields = ["code", "name", "barcode", "weight_grams", "unit_cost", "cost_currency", "is_active"]
    show_change_link = True


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    inlines = [SkuInline]


class KitComponentInline(admin.TabularInline):
    model = KitComponent
    fk_name = "kit"
    extra = 0
    autocomplete_fields = ["component"]


@admin.register(Sku)
class SkuAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "product",
        "barcode",
        "weight_grams",
        "unit_cost",
        "cost_currency",
        "safety_stock",
        "is_kit",
        "is_active",
    ]
    list_filter = ["is_active", "is_kit", "product", "country_of_origin", "contains_battery", "contains_liquid"]
    search_fields = ["code", "name", "barcode", "hs_code"]
    list_select_related = ["product"]
    inlines = [KitComponentInline]


class BinLocationInline(admin.TabularInline):
    model = BinLocation
    extra = 0
    autocomplete_fields = ["sku"]


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "country", "city", "latitude", "longitude", "is_active"]
    list_filter = ["kind", "country", "is_active"]
    search_fields = ["code", "name", "city"]
    inlines = [BinLocationInline]


@admin.register(BinLocation)
class BinLocationAdmin(admin.ModelAdmin):
    list_display = ["code", "warehouse", "sku"]
    list_filter = ["warehouse"]
    search_fields = ["code", "sku__code"]
    autocomplete_fields = ["sku"]


def empty_or_set_filter(title, parameter_name: str, field: str, when_empty, when_set):
    """A list filter with two choices: ``field`` empty (``when_empty``) or set (``when_set``)."""

    class EmptyOrSetFilter(admin.SimpleListFilter):
        def lookups(self, request, model_admin):
            return [("empty", when_empty), ("set", when_set)]

        def queryset(self, request, queryset):
            if self.value() in ("empty", "set"):
                return queryset.filter(**{f"{field}__isnull": self.value() == "empty"})
            return queryset

    EmptyOrSetFilter.title = title
    EmptyOrSetFilter.parameter_name = parameter_name
    return EmptyOrSetFilter


OwnerFilter = empty_or_set_filter(_("owner"), "owner", "seller", _("Shared pool"), _("Virtual stock"))
OpenAlertFilter = empty_or_set_filter(_("state"), "state", "resolved_at", _("Open"), _("Resolved"))


class BelowSafetyFilter(admin.SimpleListFilter):
    title = _("available below safety stock")
    parameter_name = "low"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(available__lt=F("sku__safety_stock"))
        return queryset


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    """Stock rows with their operations; quantities change only through the forms below."""

    list_display = ["sku", "warehouse", "owner", "on_hand", "reserved", "available", "operations"]
    list_filter = [OwnerFilter, BelowSafetyFilter, "warehouse", "seller"]
    search_fields = ["sku__code", "sku__name", "seller__code"]
    list_select_related = ["sku", "warehouse", "seller"]
    readonly_fields = [
        "sku",
        "warehouse",
        "seller",
        "on_hand",
        "reserved",
        "available",
        "ledger_sequence",
        "ledger_head",
        "recent_movements",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def can_operate(self, request) -> bool:
        return request.user.has_perm("inventory.change_stock")

    @admin.display(description=_("owner"))
    def owner(self, obj):
        return obj.seller.name if obj.seller_id else gettext("Shared pool")

    @admin.display(description=_("operations"))
    def operations(self, obj):
        links = [
            ("inventory_stock_count", gettext("Count")),
            ("inventory_stock_transfer", gettext("Transfer")),
            ("inventory_stock_release", gettext("Release to pool"))
            if obj.seller_id
            else ("inventory_stock_lock", gettext("Lock for seller")),
        ]
        return format_html_join(
            " · ", '<a href="{}">{}</a>', ((reverse(f"admin:{name}", args=[obj.pk]), label) for name, label in links)
        )

    @admin.display(description=_("recent movements"))
    def recent_movements(self, obj):
        movements = obj.movements.order_by("-sequence")[:20]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (_movement_cells(m) for m in movements),
        )
        return format_html("<table>{}</table>", rows)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_operate": self.can_operate(request)}
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        urls = []
        for name, operation in STOCK_OPERATIONS.items():
            route = f"{name}/" if operation.on_new_row else f"<int:pk>/{name}/"
            view = wrap(functools.partial(self.operation_view, operation=operation))
            urls.append(path(route, view, name=f"inventory_stock_{name}"))
        return [*urls, *super().get_urls()]

    def operation_view(self, request, pk=None, *, operation: "StockOperation"):
        """Render the operation's form; on a valid POST call its service and report the outcome."""
        if not self.can_operate(request):
            raise PermissionDenied
        stock = None
        if pk is not None:
            stock = get_object_or_404(Stock.objects.select_related("sku", "warehouse", "seller"), pk=pk)
        form = operation.form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                done = operation.apply(request.user, stock, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, _refusal(error))
                messages.error(request, _refusal(error))
            else:
                messages.success(request, done)
                return redirect("admin:inventory_stock_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": operation.title,
            "form": form,
            "stock": stock,
            "submit_label": operation.submit_label,
        }
        return TemplateResponse(request, "admin/inventory/stock_operation.html", context)


@dataclass(frozen=True)
class StockOperation:
    title: str
    form_class: type
    submit_label: str
    apply: Callable  # (user, stock row or None, cleaned data) -> success message
    on_new_row: bool = False


def _receive(user, stock, data):
    row = services.stock_receive(
        sku=data["sku"],
        warehouse=data["warehouse"],
        seller=data["seller"],
        quantity=data["quantity"],
        reference=data["reference"],
        actor=user,
    )
    return gettext("Received %(quantity)s units; on hand is now %(on_hand)s.") % {
        "quantity": data["quantity"],
        "on_hand": row.on_hand,
    }


def _count(user, stock, data):
    row = services.stock_count(stock=stock, counted=data["counted"], reason=data["reason"], actor=user)
    return gettext("Adjusted: on hand is now %(on_hand)s.") % {"on_hand": row.on_hand}


def _transfer(user, stock, data):
    services.stock_transfer(
        sku=stock.sku_id,
        from_warehouse=stock.warehouse_id,
        to_warehouse=data["to_warehouse"],
        seller=stock.seller_id,
        quantity=data["quantity"],
        reference=data["reference"],
        actor=user,
    )
    return gettext("Transferred %(quantity)s units to %(warehouse)s.") % {
        "quantity": data["quantity"],
        "warehouse": data["to_warehouse"],
    }


def _lock(user, stock, data):
    services.virtual_stock_lock(
        seller=data["seller"],
        sku=stock.sku_id,
        warehouse=stock.warehouse_id,
        quantity=data["quantity"],
        reference=data["reference"],
        actor=user,
    )
    return gettext("Locked %(quantity)s units for %(seller)s.") % {
        "quantity": data["quantity"],
        "seller": data["seller"],
    }


def _release(user, stock, data):
    services.virtual_stock_release(
        seller=stock.seller_id,
        sku=stock.sku_id,
        warehouse=stock.warehouse_id,
        quantity=data["quantity"],
        reference=data["reference"],
        actor=user,
    )
    return gettext("Released %(quantity)s units to the shared pool.") % {"quantity": data["quantity"]}


STOCK_OPERATIONS = {
    "receive": StockOperation(_("Goods receipt"), forms.GoodsReceiptForm, _("Receive"), _receive, on_new_row=True),
    "count": StockOperation(_("Cycle count"), forms.CycleCountForm, _("Record count"), _count),
    "transfer": StockOperation(_("Transfer between warehouses"), forms.TransferForm, _("Transfer"), _transfer),
    "lock": StockOperation(_("Lock virtual stock for a seller"), forms.VirtualLockForm, _("Lock"), _lock),
    "release": StockOperation(_("Release virtual stock to the pool"), forms.VirtualReleaseForm, _("Release"), _release),
}


@admin.register(Movement)
class MovementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "stock",
        "sequence",
        "kind",
        "on_hand_delta",
        "reserved_delta",
        "on_hand_after",
        "reserved_after",
        "actor",
        "reference",
        "reason",
    ]
    list_filter = ["kind", "stock__warehouse"]
    search_fields = ["reference", "reason", "stock__sku__code"]
    list_select_related = ["stock__sku", "stock__warehouse", "stock__seller", "actor"]
    date_hierarchy = "created_at"


class ReservationAllocationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReservationAllocation
    fields = ["stock", "quantity", "reason"]
    readonly_fields = fields
    extra = 0


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["line_key", "seller", "sku", "quantity", "quantity_reserved", "status", "created_at"]
    list_filter = ["status", "seller"]
    search_fields = ["line_key", "reference", "sku__code"]
    list_select_related = ["seller", "sku"]
    inlines = [ReservationAllocationInline]


@admin.register(LowStockAlert)
class LowStockAlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sku", "is_kit", "available", "safety_stock", "raised_at", "resolved_at"]
    list_filter = [OpenAlertFilter, ("sku__is_kit", admin.BooleanFieldListFilter)]
    search_fields = ["sku__code"]
    list_select_related = ["sku"]

    @admin.display(boolean=True, description=_("kit"), ordering="sku__is_kit")
    def is_kit(self, alert):
        return alert.sku.is_kit


class LedgerCheckResultFilter(admin.SimpleListFilter):
    title = _("result")
    parameter_name = "result"

    def lookups(self, request, model_admin):
        return [("mismatches", _("Mismatches found")), ("clean", _("Clean"))]

    def queryset(self, request, queryset):
        if self.value() == "mismatches":
            return queryset.filter(mismatch_count__gt=0)
        if self.value() == "clean":
            return queryset.filter(mismatch_count=0)
        return queryset


@admin.register(LedgerCheck)
class LedgerCheckAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Runs of the nightly ledger verification; a run with mismatches is what to look at."""

    list_display = ["started_at", "finished_at", "is_clean", "mismatch_count"]
    list_filter = [LedgerCheckResultFilter]
    readonly_fields = ["started_at", "finished_at", "mismatch_count", "mismatch_list"]
    exclude = ["mismatches"]

    @admin.display(boolean=True, description=_("clean"))
    def is_clean(self, check):
        return check.is_clean

    @admin.display(description=_("mismatches found"))
    def mismatch_list(self, check):
        if not check.mismatches:
            return "-"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}</li>",
                (
                    (
                        gettext("stock %(stock)s, movement #%(sequence)s: %(problem)s")
                        % {"stock": m["stock_id"], "sequence": m["sequence"] or "-", "problem": m["problem"]},
                    )
                    for m in check.mismatches
                ),
            ),
        )


@admin.register(AllocationRule)
class AllocationRuleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "seller",
        "platform",
        "account",
        "is_priority",
        "buffer_mode",
        "buffer_units",
        "buffer_percent",
        "max_per_listing",
        "low_stock_threshold",
        "is_active",
    ]
    list_filter = ["is_active", "is_priority", "platform", "buffer_mode"]
    search_fields = ["name"]
    list_editable = ["is_active"]


@admin.register(AdaptiveBuffer)
class AdaptiveBufferAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What adaptive rules hold back per SKU and platform, and why (recomputed every 10 minutes)."""

    list_display = ["sku", "platform", "units", "units_sold", "detection_seconds", "push_seconds", "computed_at"]
    list_filter = ["platform"]
    search_fields = ["sku__code"]
    list_select_related = ["sku"]
    readonly_fields = [
        "sku",
        "platform",
        "units",
        "reasoning",
        "units_sold",
        "window_hours",
        "detection_seconds",
        "push_seconds",
        "computed_at",
    ]


def service_action(name: str, description, call, done_message):
    """An admin action that calls ``call(record, user)`` per selected record and reports each refusal."""

    def action(modeladmin, request, queryset):
        done = 0
        for record in queryset:
            try:
                call(record, request.user)
            except ValidationError as error:
                messages.error(request, f"{record}: {_refusal(error)}")
            else:
                done += 1
        if done:
            messages.success(request, str(done_message) % {"count": done})

    action.__name__ = name
    return admin.action(description=description, permissions=["change"])(action)


# Production orders and inbound shipments (documents with lines) have their own module.
from . import admin_planning  # noqa: E402, F401
