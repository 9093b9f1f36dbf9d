"""Orders in the admin: searched and read by every role, changed only through ``orders.services``.

Every field is read-only (orders arrive from the marketplaces; states change only through
services). Operators resolve orders with three actions: release a hold, place a hold and
cancel (the last two ask for a reason in an intermediate form). Each action reports, per
order, what happened or the service's refusal; a refused order is left exactly as it was.

Who may act: the actions need ``orders.operate_order``, which only Operators (and superusers)
hold (``hub.core.roles``); warehouse staff and accountants may view orders but not act on
them. Orders themselves are never deleted here. A dedicated ``orders.operate_order``
permission would say this more plainly; it needs a migration in ``orders/``.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, AdminForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services
from .enums import ALLOWED_TRANSITIONS, OPEN_STATES, OrderState
from .models import Order, OrderEvent, OrderLine

OPERATE_PERMISSION = "orders.operate_order"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["external_line_id", "seller_sku", "sku", "listing", "title", "quantity", "unit_price"]
    readonly_fields = fields


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["at", "from_state", "to_state", "note", "actor"]
    readonly_fields = fields


class ReasonForm(forms.Form):
    note = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Shown in the order's history; others must understand it."),
        error_messages={"required": _("Say why.")},
    )

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise ValidationError(_("Say why."), code="required")
        return note


def _apply_per_order(request, queryset, call: Callable[[Order], Order], done: str) -> None:
    """Call ``call`` for each order (each in its own transaction) and report every outcome."""
    for order in queryset.order_by("pk"):
        try:
            result = call(order)
        except ValidationError as error:
            messages.error(request, f"{order}: {' '.join(error.messages)}")
        else:
            messages.success(request, done % {"order": str(result), "state": result.get_state_display()})


def _reason_action(modeladmin, request, queryset, *, title: str, call, done: str):
    """Ask for a reason first (an intermediate page), then apply the service to every selected order."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        note = form.cleaned_data["note"]
        _apply_per_order(request, queryset, lambda order: call(order.pk, actor=request.user, note=note), done)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": title,
        "form": form,
        "adminform": AdminForm(form, [(None, {"fields": ["note"]})], {}),
        "orders": queryset.select_related("seller").order_by("pk"),
        "action": request.POST.get("action", ""),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/orders/order/reason_form.html", context)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "platform",
        "account",
        "seller",
        "external_id",
        "state",
        "hold_reason",
        "total_with_currency",
        "placed_at",
    ]
    list_filter = ["seller", "platform", "state", "hold_reason", "details_pending", "placed_at"]
    search_fields = ["external_id", "ship_name", "buyer_email", "lines__seller_sku", "lines__sku__code"]
    list_select_related = ["account", "seller"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, OrderEventInline]
    actions = ["release_hold", "place_hold", "cancel"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "platform",
                    "account",
                    "seller",
                    "external_id",
                    "state",
                    "marketplace_status",
                    "total_with_currency",
                    "placed_at",
                    "marketplace_updated_at",
                    "details_pending",
                ]
            },
        ),
        (_("Hold"), {"fields": ["hold_reason", "hold_note"]}),
        (
            _("Shipping address"),
            {
                "fields": [
                    "ship_name",
                    "ship_address1",
                    "ship_address2",
                    "ship_city",
                    "ship_state",
                    "ship_postal_code",
                    "ship_country",
                    "ship_phone",
                    "buyer_email",
                ]
            },
        ),
        (_("As received"), {"classes": ["collapse"], "fields": ["raw_payload", "created_at", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [name for _title, options in self.fieldsets for name in options["fields"]]

    def has_add_permission(self, request):
        return False  # orders arrive from the marketplaces

    def has_change_permission(self, request, obj=None):
        return False  # nothing is edited in place: the actions call the services

    def has_delete_permission(self, request, obj=None):
        return False

    def has_operate_permission(self, request):
        return request.user.has_perm(OPERATE_PERMISSION)

    def get_urls(self):
        view = self.admin_site.admin_view(self.operate_view)
        return [path("<int:pk>/operate/<slug:name>/", view, name="orders_order_operate"), *super().get_urls()]

    def operate_view(self, request, pk: int, name: str):
        """One order's action from its page: the same actions, with the same checks and reports."""
        if name not in self.actions or not self.has_operate_permission(request):
            raise PermissionDenied
        if name == "release_hold" and request.method != "POST":
            raise PermissionDenied
        queryset = self.get_queryset(request).filter(pk=pk)
        response = getattr(self, name)(request, queryset)
        return response or redirect(reverse("admin:orders_order_change", args=[pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, object_id)
        operations = []
        if order is not None and self.has_operate_permission(request):
            operations = [
                (name, label, method)
                for name, label, method, offered in (
                    ("release_hold", gettext("Release hold"), "post", order.state == OrderState.ON_HOLD),
                    (
                        "place_hold",
                        gettext("Place on hold…"),
                        "get",
                        OrderState.ON_HOLD in ALLOWED_TRANSITIONS[order.state],
                    ),
                    ("cancel", gettext("Cancel…"), "get", order.state in OPEN_STATES),
                )
                if offered
            ]
        extra_context = {**(extra_context or {}), "operations": operations}
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    @admin.display(description=_("total"), ordering="total")
    def total_with_currency(self, obj):
        return f"{obj.total} {obj.currency}"

    @admin.action(description=_("Release hold (map lines again, then reserve stock)"), permissions=["operate"])
    def release_hold(self, request, queryset):
        _apply_per_order(
            request,
            queryset,
            lambda order: services.order_hold_release(order.pk, actor=request.user),
            gettext("%(order)s: hold released, now %(state)s."),
        )

    @admin.action(description=_("Place on hold…"), permissions=["operate"])
    def place_hold(self, request, queryset):
        return _reason_action(
            self,
            request,
            queryset,
            title=gettext("Place orders on hold"),
            call=services.order_hold_place,
            done=gettext("%(order)s: placed on hold."),
        )

    @admin.action(description=_("Cancel and release stock…"), permissions=["operate"])
    def cancel(self, request, queryset):
        return _reason_action(
            self,
            request,
            queryset,
            title=gettext("Cancel orders"),
            call=services.order_cancel_by_operator,
            done=gettext("%(order)s: cancelled, its stock released."),
        )
