"""The packing screen of the shipments admin: open a shipment by its barcode, scan items into parcels,
close each parcel with its weight and size, finish packing."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import selectors, services
from .models import Shipment
from .services.warehouse import missing_items, shipment_by_reference


class PackForm(forms.Form):
    """The open parcel's weight and size; empty when every parcel is closed already and packing only finishes."""

    weight_grams = forms.IntegerField(label=_("Weight (g)"), min_value=1, required=False)
    length_mm = forms.IntegerField(label=_("Length (mm)"), min_value=1, required=False)
    width_mm = forms.IntegerField(label=_("Width (mm)"), min_value=1, required=False)
    height_mm = forms.IntegerField(label=_("Height (mm)"), min_value=1, required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        given = [name for name in self.fields if data.get(name) is not None]
        if given and len(given) != len(self.fields):
            raise forms.ValidationError(_("Enter the parcel's weight and all three sizes."))
        if self.data.get("step") == "close_next" and not given:
            raise forms.ValidationError(_("Enter the parcel's weight and size to close it."))
        return data


class PackingScreen:
    """Mixed into the shipments admin: its URLs and view."""

    def get_urls(self):
        return [
            path("pack/", self.admin_site.admin_view(self.pack_view), name="logistics_shipment_pack"),
            path(
                "pack/<int:shipment_id>/",
                self.admin_site.admin_view(self.pack_view),
                name="logistics_shipment_pack_shipment",
            ),
            *super().get_urls(),
        ]

    def pack_view(self, request, shipment_id: int | None = None):
        """Scan the order barcode, then each item; close the parcel with its weight and size."""
        if not request.user.has_perm("logistics.change_shipment"):
            return HttpResponse(status=403)
        here = reverse("admin:logistics_shipment_pack")
        shipment = get_object_or_404(Shipment, pk=shipment_id) if shipment_id else None
        closing = request.POST.get("step") in ("close", "close_next")
        pack_form = PackForm(request.POST if closing else None)
        if request.method == "POST":
            step = request.POST.get("step")
            try:
                if step == "open":
                    shipment = shipment_by_reference(request.POST.get("code", ""))
                    return HttpResponseRedirect(reverse("admin:logistics_shipment_pack_shipment", args=[shipment.pk]))
                if shipment is not None and step == "scan":
                    scan = services.shipment_scan_item(shipment.pk, request.POST.get("barcode", ""))
                    messages.success(
                        request,
                        gettext("%(sku)s: %(packed)s of %(quantity)s packed, into parcel %(parcel)s.")
                        % {
                            "sku": scan.line.order_line.seller_sku,
                            "packed": scan.line.packed_quantity,
                            "quantity": scan.line.quantity,
                            "parcel": scan.parcel.number,
                        },
                    )
                    return HttpResponseRedirect(request.path)
                if shipment is not None and step == "close_next" and pack_form.is_valid():
                    parcel = services.parcel_close(
                        shipment.pk, actor=request.user, open_next=True, **pack_form.cleaned_data
                    )
                    messages.success(
                        request,
                        gettext("Parcel %(parcel)s closed; scan the items of the next parcel.")
                        % {"parcel": parcel.reference},
                    )
                    return HttpResponseRedirect(request.path)
                if shipment is not None and step == "close" and pack_form.is_valid():
                    measures = {k: v for k, v in pack_form.cleaned_data.items() if v is not None}
                    services.shipment_pack(shipment.pk, actor=request.user, **measures)
                    messages.success(request, gettext("%(item)s: packed; print its label next.") % {"item": shipment})
                    return HttpResponseRedirect(here)
                if shipment is not None and step == "remove_empty":
                    number = services.parcel_remove_empty(shipment.pk, actor=request.user)
                    messages.success(request, gettext("Empty parcel %(number)s removed.") % {"number": number})
                    return HttpResponseRedirect(request.path)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                if step == "open":
                    return HttpResponseRedirect(here)
        lines = shipment.lines.select_related("order_line__sku").order_by("pk") if shipment else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Packing"),
            "shipment": shipment,
            "lines": lines,
            "missing": missing_items(shipment) if shipment else [],
            "parcels": selectors.parcels_on_screen(shipment) if shipment else [],
            "pack_form": pack_form,
        }
        return TemplateResponse(request, "admin/logistics/pack.html", context)
