"""Forms for the warehouse staff's admin screens; each one feeds one service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sellers.models import Seller

from .models import Sku, Warehouse


def _sellers():
    return Seller.objects.filter(is_active=True).order_by("name")


def _warehouses():
    return Warehouse.objects.filter(is_active=True).order_by("code")


class GoodsReceiptForm(forms.Form):
    sku = forms.ModelChoiceField(
        label=_("SKU"), queryset=Sku.objects.filter(is_active=True, is_kit=False).order_by("code")
    )
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=_warehouses())
    seller = forms.ModelChoiceField(
        label=_("Into a seller's virtual stock"),
        queryset=_sellers(),
        required=False,
        help_text=_("Leave empty to receive into the shared pool."),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    reference = forms.CharField(label=_("Reference (delivery note, PO)"), max_length=128, required=False)


class CycleCountForm(forms.Form):
    counted = forms.IntegerField(label=_("Counted on hand"), min_value=0)
    reason = forms.CharField(label=_("Reason"), max_length=255)


class TransferForm(forms.Form):
    to_warehouse = forms.ModelChoiceField(label=_("To warehouse"), queryset=_warehouses())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    reference = forms.CharField(label=_("Reference"), max_length=128, required=False)


class VirtualLockForm(forms.Form):
    seller = forms.ModelChoiceField(label=_("Seller"), queryset=_sellers())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    reference = forms.CharField(label=_("Reference (seller's purchase)"), max_length=128, required=False)


class VirtualReleaseForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity to release to the pool"), min_value=1)
    reference = forms.CharField(label=_("Reference"), max_length=128, required=False)
