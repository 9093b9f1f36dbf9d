"""The sync admin: operators read the engine's rows, retry inbox messages and set lag thresholds."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.functional import Promise
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from hub.marketplaces.sandbox.connect import sandbox_account_connect, sandbox_listing_connect
from hub.marketplaces.sandbox.models import SandboxWebhook
from hub.marketplaces.sandbox.shopify import place_order
from hub.sync import health
from hub.sync.enums import InboxSource, InboxState
from hub.sync.models import (
    AccountSyncState,
    InboxMessage,
    ListingPush,
    PushLog,
    StockChange,
    SyncEvent,
    SyncEventKind,
)
from hub.sync.schedules import pull_task_name
from inventory.models import Stock
from orders.enums import OrderState
from orders.models import Order
from tests.factories import ListingFactory, MarketplaceAccountFactory, SellerFactory, SkuFactory, WarehouseFactory
from tests.factories import stocked as stock

INBOX = "/admin/sync/inboxmessage/"
STATES = "/admin/sync/accountsyncstate/"


@pytest.fixture
def shopify_shop(db):
    """Acme's sandbox Shopify shop listing MUG (10 in the pool) as ACME-MUG; no webhook delivery."""
    sku = SkuFactory(code="MUG")
    stock(sku, WarehouseFactory(), 10)
    account, shop = sandbox_account_connect(SellerFactory(code="acme"), "shopify", "acme-shop")
    sandbox_listing_connect(account, shop, sku, "ACME-MUG", 10)
    return account, shop


def stored_push(account, shop, *, state=InboxState.FAILED, error="OperationalError: database restarting"):
    """A buyer order at the sandbox and its signed push as the hub stored it, left in ``state``."""
    shop.webhook_url = "http://hub.invalid/webhooks/shopify/"
    shop.save(update_fields=["webhook_url"])
    order = place_order(shop, [("ACME-MUG", 2)])
    push = SandboxWebhook.objects.filter(shop=shop).latest("pk")
    message = InboxMessage.objects.create(
        platform="shopify",
        account=account,
        source=InboxSource.WEBHOOK,
        topic="orders/create",
        external_id=order.external_id,
        headers=push.headers,
        body=bytes(push.body).decode(),
        state=state,
        error=error,
    )
    return message, order


def retry(client, messages):
    data = {"action": "retry_processing", "_selected_action": [message.pk for message in messages]}
    response = client.post(INBOX, data, follow=True)
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def listed_rows(client, url: str, **params) -> list:
    return list(client.get(url, params).context["cl"].result_list)


def reserved_units() -> int:
    return sum(Stock.objects.values_list("reserved", flat=True))


def test_retry_processes_failed_messages_and_leaves_processed_ones_alone(client, operator_user, shopify_shop):
    # given: a push whose processing failed once, and one already processed
    account, shop = shopify_shop
    failed, order = stored_push(account, shop)
    done, _other = stored_push(account, shop, state=InboxState.PROCESSED, error="")
    client.force_login(operator_user)

    # when
    reported = retry(client, [failed, done])

    # then
    assert reported == [
        ("success", f"shopify webhook {order.external_id}: Processed."),
        (
            "warning",
            f"{done}: only failed or pending messages of a known account are processed again.",
        ),
    ]
    failed.refresh_from_db()
    assert (failed.state, failed.error) == (InboxState.PROCESSED, "")
    assert Order.objects.get().external_id == order.external_id
    assert Order.objects.get().state == OrderState.ALLOCATED
    assert reserved_units() == 2
    assert InboxMessage.objects.get(pk=done.pk).state == InboxState.PROCESSED


def test_retry_that_fails_again_reports_the_error_and_keeps_the_message(client, operator_user, shopify_shop):
    # given: a stored push whose body is not an order Shopify would send
    account, shop = shopify_shop
    broken, _order = stored_push(account, shop)
    InboxMessage.objects.filter(pk=broken.pk).update(body=json.dumps({"id": 42, "line_items": "not a list"}))
    client.force_login(operator_user)

    # when
    reported = retry(client, [broken])

    # then
    assert len(reported) == 1
    level, text = reported[0]
    assert level == "error"
    assert text.startswith(f"{broken}: InvalidPayload")
    broken.refresh_from_db()
    assert broken.state == InboxState.FAILED
    assert broken.error.startswith("InvalidPayload")
    assert broken.body == json.dumps({"id": 42, "line_items": "not a list"})
    assert not Order.objects.exists()
    assert reserved_units() == 0


@pytest.mark.django_db(transaction=True)
def test_retry_of_a_pulled_order_reads_it_again_from_the_marketplace(client, live_server, settings, operator_user):
    # given: an order pulled from the sandbox whose ingest failed
    settings.HUB_BASE_URL = live_server.url
    sku = SkuFactory(code="MUG")
    stock(sku, WarehouseFactory(), 10)
    account, shop = sandbox_account_connect(SellerFactory(code="acme"), "shopify", "acme-pull")
    sandbox_listing_connect(account, shop, sku, "ACME-MUG", 10)
    order = place_order(shop, [("ACME-MUG", 3)])
    message = InboxMessage.objects.create(
        platform="shopify",
        account=account,
        source=InboxSource.PULL,
        external_id=order.external_id,
        body=json.dumps(order.payload),
        state=InboxState.FAILED,
        error="OperationalError: database restarting",
    )
    client.force_login(operator_user)

    # when
    reported = retry(client, [message])

    # then
    assert reported == [("success", f"{message}: Processed.")]
    assert Order.objects.get().external_id == order.external_id
    assert reserved_units() == 3


def test_inbox_list_filters_by_platform_source_state_and_searches_external_id(client, operator_user, shopify_shop):
    # given
    account, shop = shopify_shop
    failed, order = stored_push(account, shop)
    processed, _other = stored_push(account, shop, state=InboxState.PROCESSED, error="")
    pulled = InboxMessage.objects.create(
        platform="ebay", account=None, source=InboxSource.PULL, external_id="12-34567-89012", body="{}"
    )
    client.force_login(operator_user)

    def listed(**params):
        return sorted(message.pk for message in client.get(INBOX, params).context["cl"].result_list)

    # when / then
    assert listed(state=InboxState.FAILED) == [failed.pk]
    assert listed(source=InboxSource.PULL) == [pulled.pk]
    assert listed(platform="shopify") == sorted([failed.pk, processed.pk])
    assert listed(q=order.external_id) == [failed.pk]
    assert client.get(f"{INBOX}{failed.pk}/change/").status_code == 200
    assert client.post(f"{INBOX}{failed.pk}/change/", {"state": "processed"}).status_code == 403
    assert InboxMessage.objects.get(pk=failed.pk).state == InboxState.FAILED


def test_listing_push_list_filters_pending_and_shows_versions(client, operator_user):
    # given
    waiting = ListingFactory(seller_sku="WAITING")
    done = ListingFactory(seller_sku="DONE")
    ListingPush.objects.create(
        listing=waiting,
        account=waiting.account,
        target_quantity=3,
        version=7,
        pushed_version=6,
        changed_at=timezone.now(),
    )
    ListingPush.objects.create(listing=done, account=done.account, target_quantity=5, version=4, pushed_version=4)
    client.force_login(operator_user)

    # when
    pending = listed_rows(client, "/admin/sync/listingpush/", waiting="yes")
    up_to_date = listed_rows(client, "/admin/sync/listingpush/", waiting="no")

    # then
    assert [push.listing.seller_sku for push in pending] == ["WAITING"]
    assert [push.listing.seller_sku for push in up_to_date] == ["DONE"]
    assert client.get("/admin/sync/listingpush/add/").status_code == 403


def test_push_log_and_sync_events_are_read_only(client, operator_user):
    # given
    listing = ListingFactory()
    log = PushLog.objects.create(
        listing=listing, account=listing.account, quantity=3, version=2, sent_at=timezone.now(), outcome="ok"
    )
    event = SyncEvent.objects.create(account=listing.account, kind=SyncEventKind.THROTTLED, detail="429")
    client.force_login(operator_user)

    # when / then
    for url, pk in (("/admin/sync/pushlog/", log.pk), ("/admin/sync/syncevent/", event.pk)):
        listing_page = client.get(url)
        assert listing_page.status_code == 200
        assert [row.pk for row in listing_page.context["cl"].result_list] == [pk]
        assert client.get(f"{url}add/").status_code == 403
        assert client.post(f"{url}{pk}/delete/").status_code == 403
    assert PushLog.objects.get().quantity == 3
    assert SyncEvent.objects.get().detail == "429"


def test_operators_edit_only_the_lag_threshold_of_an_account(client, operator_user):
    # given
    account = MarketplaceAccountFactory(name="Acme US")
    for _ in range(health.FAILURES_BEFORE_ALERT):
        health.failure(account.pk, "pull: HTTP 500")
    state = AccountSyncState.objects.get(account=account)
    client.force_login(operator_user)

    # when
    response = client.post(
        f"{STATES}{state.pk}/change/",
        {
            "max_lag_seconds": "45",
            "consecutive_failures": "0",
            "alert_open": "",
            "last_error": "",
            "drift_found": "99",
        },
    )

    # then
    assert response.status_code == 302
    state.refresh_from_db()
    assert state.max_lag_seconds == 45
    assert (state.consecutive_failures, state.alert_open, state.last_error, state.drift_found) == (
        5,
        True,
        "pull: HTTP 500",
        0,
    )
    assert client.get(f"{STATES}add/").status_code == 403
    assert client.post(f"{STATES}{state.pk}/delete/").status_code == 403


def test_account_states_list_shows_health_figures_and_links_the_status_page(client, operator_user):
    # given
    account = MarketplaceAccountFactory(name="Acme US")
    health.failure(account.pk, "push: HTTP 503")
    SyncEvent.objects.create(account=account, kind=SyncEventKind.THROTTLED)
    client.force_login(operator_user)

    # when
    response = client.get(STATES)

    # then
    (state,) = response.context["cl"].result_list
    assert {key: state.health[key] for key in ("errors_last_hour", "throttles_last_hour", "alert")} == {
        "errors_last_hour": 1,
        "throttles_last_hour": 1,
        "alert": False,
    }
    assert 'href="/sync/status/"' in response.content.decode()


@pytest.mark.parametrize("role_fixture", ["warehouse_user", "accountant_user"])
def test_other_roles_cannot_open_the_sync_admin(client, request, role_fixture):
    # given
    client.force_login(request.getfixturevalue(role_fixture))

    # when / then
    for url in (INBOX, STATES, "/admin/sync/listingpush/"):
        assert client.get(url).status_code == 403
    assert b'href="/sync/status/"' not in client.get("/admin/").content


def test_admin_index_links_the_sync_status_page_for_operators(client, operator_user):
    client.force_login(operator_user)

    response = client.get("/admin/")

    assert 'href="/sync/status/"' in response.content.decode()


def rows_of(kind: str, account, index: int) -> None:
    listing = ListingFactory(account=account, seller_sku=f"LST-{kind}-{index}")
    if kind == "listingpush":
        ListingPush.objects.create(listing=listing, account=account, target_quantity=1, version=2, pushed_version=1)
    elif kind == "pushlog":
        PushLog.objects.create(
            listing=listing, account=account, quantity=1, version=1, sent_at=timezone.now(), outcome="ok"
        )
    elif kind == "accountsyncstate":
        health.failure(MarketplaceAccountFactory(seller=account.seller).pk, "push: HTTP 500")
    elif kind == "syncevent":
        SyncEvent.objects.create(account=account, kind=SyncEventKind.ERROR)
    else:
        InboxMessage.objects.create(platform="shopify", account=account, source=InboxSource.PULL, body="{}")


@pytest.mark.parametrize("kind", ["inboxmessage", "listingpush", "pushlog", "accountsyncstate", "syncevent"])
def test_sync_lists_take_as_many_queries_for_twenty_rows_as_for_two(client, operator_user, kind):
    # given
    account = MarketplaceAccountFactory()
    client.force_login(operator_user)
    url = f"/admin/sync/{kind}/"

    def queries_for(rows: int) -> int:
        for index in range(rows):
            rows_of(kind, account, index + 1000 * rows)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    # when
    few = queries_for(2)
    many = queries_for(18)

    # then
    assert many == few


def form_data(form) -> dict:
    """What a browser would post back for an unchanged admin form."""
    data = {}
    for bound in form:
        value = bound.value()
        widget = bound.field.widget
        if hasattr(widget, "widgets"):  # split date and time
            for index, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif value is not None:
            data[bound.html_name] = value
    return data


def test_operators_edit_an_accounts_pull_schedule_in_the_admin(client, operator_user, shopify_shop):
    # given: connecting the account created its periodic pull
    account, _shop = shopify_shop
    task = PeriodicTask.objects.get(name=pull_task_name(account))
    slower, _ = IntervalSchedule.objects.get_or_create(every=120, period=IntervalSchedule.SECONDS)
    client.force_login(operator_user)
    url = f"/admin/django_celery_beat/periodictask/{task.pk}/change/"
    data = form_data(client.get(url).context["adminform"].form)

    # when
    response = client.post(url, {**data, "interval": slower.pk, "enabled": ""})

    # then
    assert response.status_code == 302, response.context["adminform"].form.errors
    task.refresh_from_db()
    assert (task.interval_id, task.enabled, task.task) == (slower.pk, False, "hub.sync.tasks.account_pull_task")
    assert task.args == f"[{account.pk}]"


def detail_labels(response) -> list:
    return [field.field["label"] for fieldset in response.context["adminform"] for line in fieldset for field in line]


def test_push_log_and_sync_event_pages_label_every_field_through_gettext(client, operator_user):
    # given: models declared without verbose names; long texts
    listing = ListingFactory(seller_sku="ACME-MUG")
    error, detail = "HTTP 500 " + "x" * 200, "429 " + "y" * 200
    log = PushLog.objects.create(
        listing=listing,
        account=listing.account,
        quantity=3,
        version=2,
        sent_at=timezone.now(),
        outcome="error",
        error=error,
    )
    event = SyncEvent.objects.create(account=listing.account, kind=SyncEventKind.THROTTLED, detail=detail)
    client.force_login(operator_user)

    # when
    log_page = client.get(f"/admin/sync/pushlog/{log.pk}/change/")
    event_page = client.get(f"/admin/sync/syncevent/{event.pk}/change/")

    # then
    assert [str(label) for label in detail_labels(log_page)] == [
        "listing",
        "account",
        "quantity",
        "version",
        "outcome",
        "priority",
        "changed at",
        "target computed",
        "picked at",
        "sent at",
        "acknowledged at",
        "error",
    ]
    assert [str(label) for label in detail_labels(event_page)] == ["at", "account", "kind", "detail"]
    assert all(isinstance(label, Promise) for label in detail_labels(log_page) + detail_labels(event_page))
    assert error in log_page.content.decode()
    assert detail in event_page.content.decode()
    assert 'name="quantity"' not in log_page.content.decode()


def test_outbox_rows_are_listed_read_only_with_a_backlog_filter(client, operator_user):
    # given: two stock changes written by the inventory hook (goods receipts), one then processed
    first, second = SkuFactory(code="MUG"), SkuFactory(code="PLATE")
    stock(first, WarehouseFactory(), 1)
    stock(second, WarehouseFactory(), 1)
    StockChange.objects.filter(sku=first).update(processed_at=timezone.now())
    client.force_login(operator_user)

    # when
    backlog = listed_rows(client, "/admin/sync/stockchange/", waiting="yes")
    done = listed_rows(client, "/admin/sync/stockchange/", waiting="no")

    # then
    assert [change.sku.code for change in backlog] == ["PLATE"]
    assert [change.sku.code for change in done] == ["MUG"]
    assert client.get("/admin/sync/stockchange/add/").status_code == 403
