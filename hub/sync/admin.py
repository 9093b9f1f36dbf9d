"""The sync engine in the admin: inbox, push queue, push log, per-account health and events.

Rows here are written by the engine; operators read them. Two things are operable:
an inbox message that failed (or is still pending) can be processed again, and each
account's lag alert threshold (``max_lag_seconds``) can be set. The sync status page
(``sync:status``) shows the same health figures for every account at once.
"""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .enums import InboxState
from .health import account_health_rows
from .ingest import inbox_process
from .models import AccountSyncState, InboxMessage, ListingPush, PushLog, StockChange, SyncEvent

RETRYABLE_STATES = (InboxState.FAILED, InboxState.PENDING)


def column(field: str, label, *, ordering: bool = True, truncate: int | None = 80):
    """A column (or read-only field) for ``field`` with a translated label, for fields declared without one."""

    def cell(obj):
        value = getattr(obj, field)
        if truncate and isinstance(value, str) and len(value) > truncate:
            return Truncator(value).chars(truncate)
        return value

    cell.short_description = label
    cell.admin_order_field = field if ordering else None
    cell.__name__ = f"{field}_column"
    return cell


def titled(base: type, title):
    """A field list filter of class ``base`` whose heading is ``title`` (for fields declared without one)."""

    class Titled(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the sync engine only: listed and viewed, never added, edited or deleted here."""

    # For models whose fields carry no translated labels: ``column(...)``s that make up the detail page.
    detail_columns: list | None = None

    def get_fields(self, request, obj=None):
        if self.detail_columns is not None:
            return list(self.detail_columns)
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if self.detail_columns is not None:
            return list(self.detail_columns)
        return super().get_readonly_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def inbox_retry(message: InboxMessage):
    """Process a stored message again (``inbox_process`` re-fetches pulled orders from the platform)."""
    return inbox_process(message.pk)


@admin.register(InboxMessage)
class InboxMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "received_at",
        "platform",
        "account",
        "source",
        "topic",
        "external_id",
        "state",
        "processed_at",
        column("error", _("error"), ordering=False),
    ]
    list_filter = ["platform", "source", "state", "received_at"]
    search_fields = ["external_id"]
    list_select_related = ["account"]
    readonly_fields = [
        "platform",
        "account",
        "source",
        "topic",
        "external_id",
        "state",
        "error",
        "received_at",
        "processed_at",
        "headers",
        "body",
    ]
    fields = readonly_fields
    actions = ["retry_processing"]

    def has_retry_permission(self, request):
        return request.user.has_perm("sync.change_inboxmessage")

    @admin.action(description=_("Process again (failed or pending messages)"), permissions=["retry"])
    def retry_processing(self, request, queryset):
        for message in queryset.select_related("account").order_by("pk"):
            label = str(message)
            if message.state not in RETRYABLE_STATES or message.account is None:
                messages.warning(
                    request,
                    gettext("%(message)s: only failed or pending messages of a known account are processed again.")
                    % {"message": label},
                )
                continue
            try:
                inbox_retry(message)
            except Exception as error:  # noqa: BLE001 - recorded on the message by the engine; shown here too
                messages.error(request, f"{label}: {type(error).__name__}: {error}")
                continue
            message.refresh_from_db(fields=["state"])
            messages.success(
                request,
                gettext("%(message)s: %(state)s.") % {"message": label, "state": message.get_state_display()},
            )


class WaitingFilter(admin.SimpleListFilter):
    """Rows still waiting for the engine ("yes") or done ("no"); subclasses give the two conditions."""

    parameter_name = "waiting"
    waiting_label = done_label = ""

    def lookups(self, request, model_admin):
        return [("yes", self.waiting_label), ("no", self.done_label)]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(self.waiting)
        if self.value() == "no":
            return queryset.exclude(self.waiting)
        return queryset


class UnprocessedFilter(WaitingFilter):
    title = _("dispatcher")
    waiting_label, done_label = _("Waiting for the dispatcher"), _("Processed")
    waiting = Q(processed_at__isnull=True)


@admin.register(StockChange)
class StockChangeAdmin(ReadOnlyAdmin):
    """The outbox: a backlog of unprocessed rows means the dispatcher is behind or down."""

    list_display = ["pk", "sku", "created_at", "processed_at"]
    list_filter = [UnprocessedFilter]
    search_fields = ["sku__code"]
    list_select_related = ["sku"]
    ordering = ["-id"]


class PendingPushFilter(WaitingFilter):
    title = _("pending")
    waiting_label, done_label = _("Waiting for the marketplace"), _("Up to date")
    waiting = Q(pushed_version__lt=F("version"))


@admin.register(ListingPush)
class ListingPushAdmin(ReadOnlyAdmin):
    list_display = [
        "listing",
        "account",
        "target_quantity",
        "version",
        "pushed_version",
        "pushed_quantity",
        "priority",
        "changed_at",
        "targeted_at",
        "picked_at",
        "sent_at",
        "acked_at",
        "attempts",
        "next_attempt_at",
        column("last_error", _("last error"), ordering=False),
    ]
    list_filter = [PendingPushFilter, "priority", "account__platform", "account"]
    search_fields = ["listing__seller_sku", "listing__sku__code"]
    list_select_related = ["listing__account", "account"]


@admin.register(PushLog)
class PushLogAdmin(ReadOnlyAdmin):
    detail_columns = [
        column("listing", _("listing"), ordering=False),
        column("account", _("account"), ordering=False),
        column("quantity", _("quantity")),
        column("version", _("version")),
        column("outcome", _("outcome")),
        "priority",
        column("changed_at", _("changed at")),
        "targeted_at",
        column("picked_at", _("picked at")),
        column("sent_at", _("sent at")),
        column("acked_at", _("acknowledged at")),
        column("error", _("error"), ordering=False, truncate=None),
    ]
    list_display = [*detail_columns[:-1], column("error", _("error"), ordering=False)]
    list_filter = [
        ("outcome", titled(admin.AllValuesFieldListFilter, _("outcome"))),
        "priority",
        "account__platform",
        ("sent_at", titled(admin.DateFieldListFilter, _("sent at"))),
    ]
    search_fields = ["listing__seller_sku", "listing__sku__code"]
    list_select_related = ["listing__account", "account"]
    ordering = ["-sent_at", "-id"]


class HealthChangeList(ChangeList):
    """Attaches each account's health row (lag, last hour's errors and throttles) in three queries."""

    def get_results(self, request):
        super().get_results(request)
        rows = account_health_rows([state.account for state in self.result_list])
        for state, row in zip(self.result_list, rows, strict=True):
            state.health = row


@admin.register(AccountSyncState)
class AccountSyncStateAdmin(admin.ModelAdmin):
    """Operators may set the lag alert threshold; everything else is the engine's record."""

    list_display = [
        "account",
        "last_pull_at",
        "last_push_at",
        "lag_seconds",
        "pending_listings",
        "errors_last_hour",
        "throttles_last_hour",
        "consecutive_failures",
        "drift_found",
        "max_lag_seconds",
        "alert",
    ]
    list_filter = ["alert_open", "account__platform", "account__seller"]
    search_fields = ["account__name", "account__shop_id", "account__seller__name"]
    list_select_related = ["account", "account__seller"]
    fields = [
        "account",
        "max_lag_seconds",
        "last_pull_at",
        "last_push_at",
        "consecutive_failures",
        "alert_open",
        "last_error_at",
        "last_error",
        "drift_found",
    ]
    readonly_fields = [name for name in fields if name != "max_lag_seconds"]

    def has_add_permission(self, request):
        return False  # created by the engine with the account's first pull or push

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changelist(self, request, **kwargs):
        return HealthChangeList

    def _health(self, obj, key):
        return obj.health[key] if hasattr(obj, "health") else None

    @admin.display(description=_("lag (s)"))
    def lag_seconds(self, obj):
        lag = self._health(obj, "lag_seconds")
        return None if lag is None else f"{lag:.1f}"

    @admin.display(description=_("listings waiting"))
    def pending_listings(self, obj):
        return self._health(obj, "pending_listings")

    @admin.display(description=_("errors (1 h)"))
    def errors_last_hour(self, obj):
        return self._health(obj, "errors_last_hour")

    @admin.display(description=_("throttles (1 h)"))
    def throttles_last_hour(self, obj):
        return self._health(obj, "throttles_last_hour")

    @admin.display(description=_("alert"), boolean=True)
    def alert(self, obj):
        return self._health(obj, "alert")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "sync_status_url": reverse("sync:status")}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(SyncEvent)
class SyncEventAdmin(ReadOnlyAdmin):
    detail_columns = [
        column("at", _("at")),
        column("account", _("account"), ordering=False),
        "kind_label",
        column("detail", _("detail"), ordering=False, truncate=None),
    ]
    list_display = [*detail_columns[:-1], column("detail", _("detail"), ordering=False)]
    list_filter = [
        ("kind", titled(admin.ChoicesFieldListFilter, _("kind"))),
        "account__platform",
        ("at", titled(admin.DateFieldListFilter, _("at"))),
    ]
    search_fields = ["account__name", "detail"]
    list_select_related = ["account"]
    ordering = ["-at", "-id"]

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj):
        return obj.get_kind_display()
