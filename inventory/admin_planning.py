"""Admin for production orders and inbound shipments: documents with lines, created and received through services.

A document is created with its lines in one form (the lines are an inline) and is then
read-only: actions start, cancel or receive everything outstanding, and "Receive" opens a
form with one field per outstanding line for a partial receipt.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services
from .admin import _refusal, service_action
from .enums import INBOUND_OPEN, PRODUCTION_OPEN
from .models import InboundShipment, InboundShipmentLine, ProductionOrder, ProductionOrderLine


class IncomingLinesFormSet(forms.BaseInlineFormSet):
    """At least one line; each SKU once, a stocked SKU (not a kit), on one line."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            sku = form.cleaned_data.get("sku")
            if not sku or form.cleaned_data.get("DELETE"):
                continue
            if sku.is_kit or not sku.is_active:
                raise ValidationError(gettext("%(code)s is a kit or inactive: it cannot be received.") % {"code": sku})
            if sku.pk in seen:
                raise ValidationError(gettext("%(code)s appears on two lines; put its units on one.") % {"code": sku})
            seen.add(sku.pk)
        if not seen:
            raise ValidationError(gettext("A document needs at least one line."))


class IncomingLineInline(admin.TabularInline):
    """Editable while the document is being created; read-only afterwards (receipts go through "Receive")."""

    formset = IncomingLinesFormSet
    autocomplete_fields = ["sku"]
    extra = 3

    def get_fields(self, request, obj=None):
        return ["sku", "quantity"] if obj is None else ["sku", "quantity", "quantity_received"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["sku", "quantity", "quantity_received"]

    def get_extra(self, request, obj=None, **kwargs):
        return self.extra if obj is None else 0

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class ProductionOrderLineInline(IncomingLineInline):
    model = ProductionOrderLine


class InboundShipmentLineInline(IncomingLineInline):
    model = InboundShipmentLine


class IncomingAdmin(admin.ModelAdmin):
    """Created here through ``create`` (header and lines at once), moved on only by actions and "Receive"."""

    list_select_related = ["warehouse", "seller"]
    list_filter = ["status", "warehouse"]
    readonly_fields = ["status"]
    create = None  # the service that creates a document from the header fields and lines
    receive = None  # (document, {sku id: units}, user) -> document: calls the receiving service
    open_statuses = ()

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lines__sku")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [*self.fields, "receipt"]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, "receipt"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("lines (received / expected)"))
    def line_summary(self, obj):
        return format_html_join(
            ", ", "{} {}/{}", ((line.sku.code, line.quantity_received, line.quantity) for line in obj.lines.all())
        )

    @admin.display(description=_("receipt"))
    def receipt(self, obj):
        if obj.pk is None or obj.status not in self.open_statuses:
            return "-"
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_receive", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Receive"))

    def save_model(self, request, obj, form, change):
        pass  # created with its lines in save_related; nothing is editable once created

    def save_related(self, request, form, formsets, change):
        if change:
            return
        lines = [
            (line.cleaned_data["sku"], line.cleaned_data["quantity"])
            for formset in formsets
            for line in formset.forms
            if line.cleaned_data.get("sku") and not line.cleaned_data.get("DELETE")
        ]
        header = {name: form.cleaned_data[name] for name in self.fields if name != "status"}
        document = type(self).create(**header, lines=lines)
        form.instance.pk = document.pk
        for formset in formsets:  # what the admin's change message reads after formset.save()
            formset.new_objects, formset.changed_objects, formset.deleted_objects = list(document.lines.all()), [], []

    def get_urls(self):
        view = self.admin_site.admin_view(self.receive_view)
        name = f"{self.model._meta.app_label}_{self.model._meta.model_name}_receive"
        return [path("<int:pk>/receive/", view, name=name), *super().get_urls()]

    def receive_view(self, request, pk):
        """One field per outstanding line (default: all of it); a valid POST books the receipt."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        document = get_object_or_404(self.model.objects.prefetch_related("lines__sku"), pk=pk)
        outstanding = [line for line in document.lines.all() if line.quantity_outstanding]
        form = forms.Form(request.POST or None)
        for line in outstanding:
            form.fields[f"sku_{line.sku_id}"] = forms.IntegerField(
                label=line.sku.code,
                min_value=0,
                max_value=line.quantity_outstanding,
                initial=line.quantity_outstanding,
                help_text=gettext("%(received)s of %(quantity)s received so far.")
                % {"received": line.quantity_received, "quantity": line.quantity},
            )
        if request.method == "POST" and form.is_valid():
            received = {line.sku_id: form.cleaned_data[f"sku_{line.sku_id}"] for line in outstanding}
            try:
                document = type(self).receive(document, received, request.user)
            except ValidationError as error:
                form.add_error(None, _refusal(error))
                messages.error(request, _refusal(error))
            else:
                messages.success(
                    request,
                    gettext("%(document)s: received; it is now %(status)s.")
                    % {"document": document, "status": document.get_status_display()},
                )
                return redirect(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_change", pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Receive %(document)s") % {"document": document},
            "form": form,
            "stock": None,
            "submit_label": gettext("Receive into stock"),
        }
        return TemplateResponse(request, "admin/inventory/stock_operation.html", context)


def _receive_production(order, received, user):
    return services.production_order_receive(order=order, received=received, actor=user)


def _receive_inbound(shipment, received, user):
    return services.inbound_shipment_receive(shipment=shipment, received=received, actor=user)


@admin.register(ProductionOrder)
class ProductionOrderAdmin(IncomingAdmin):
    list_display = ["number", "line_summary", "warehouse", "seller", "eta", "status", "receipt"]
    search_fields = ["number", "lines__sku__code"]
    fields = ["number", "warehouse", "seller", "eta", "note", "status"]
    inlines = [ProductionOrderLineInline]
    create = services.production_order_create
    receive = _receive_production
    open_statuses = PRODUCTION_OPEN[1:]  # receivable once in production
    actions = [
        service_action(
            "start",
            _("Start production"),
            lambda order, user: services.production_order_start(order=order),
            _("%(count)s production orders started."),
        ),
        service_action(
            "complete",
            _("Complete and receive everything outstanding into stock"),
            lambda order, user: services.production_order_complete(order=order, actor=user),
            _("%(count)s production orders completed and received."),
        ),
        service_action(
            "cancel",
            _("Cancel (what was received stays)"),
            lambda order, user: services.production_order_cancel(order=order),
            _("%(count)s production orders cancelled."),
        ),
    ]


@admin.register(InboundShipment)
class InboundShipmentAdmin(IncomingAdmin):
    list_display = ["reference", "line_summary", "warehouse", "seller", "carrier", "eta", "status", "receipt"]
    search_fields = ["reference", "lines__sku__code", "carrier"]
    fields = ["reference", "warehouse", "seller", "carrier", "eta", "status"]
    inlines = [InboundShipmentLineInline]
    create = services.inbound_shipment_create
    receive = _receive_inbound
    open_statuses = INBOUND_OPEN
    actions = [
        service_action(
            "receive",
            _("Receive everything outstanding into stock"),
            lambda shipment, user: services.inbound_shipment_receive(shipment=shipment, actor=user),
            _("%(count)s inbound shipments received."),
        ),
        service_action(
            "cancel",
            _("Cancel (what was received stays)"),
            lambda shipment, user: services.inbound_shipment_cancel(shipment=shipment),
            _("%(count)s inbound shipments cancelled."),
        ),
    ]
