"""Sync health: per account lag, last hour's errors and throttles, alerts; the status page for operators."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from hub.sync import health
from hub.sync.health import FAILURES_BEFORE_ALERT, account_health_rows
from hub.sync.models import AccountSyncState, ListingPush, SyncEvent, SyncEventKind
from tests.factories import ListingFactory, MarketplaceAccountFactory, SellerFactory

STATUS = "/sync/status/"


def pending_push(account, *, waiting_seconds: float, version=3, pushed_version=2):
    listing = ListingFactory(account=account)
    return ListingPush.objects.create(
        listing=listing,
        account=account,
        target_quantity=4,
        version=version,
        pushed_version=pushed_version,
        changed_at=timezone.now() - timedelta(seconds=waiting_seconds),
    )


def events(account, kind, count, *, minutes_ago=1):
    for _ in range(count):
        event = SyncEvent.objects.create(account=account, kind=kind, detail=f"{kind} test")
        SyncEvent.objects.filter(pk=event.pk).update(at=timezone.now() - timedelta(minutes=minutes_ago))


@pytest.fixture
def accounts(db):
    """Shopify account of "acme" with trouble; eBay account of "zeta" that is quiet."""
    busy = MarketplaceAccountFactory(seller=SellerFactory(code="acme", name="Acme"), platform="shopify", name="Acme US")
    quiet = MarketplaceAccountFactory(seller=SellerFactory(code="zeta", name="Zeta"), platform="ebay", name="Zeta DE")
    pending_push(busy, waiting_seconds=90)
    pending_push(busy, waiting_seconds=20)
    pending_push(busy, waiting_seconds=600, version=5, pushed_version=5)  # acknowledged: not waiting
    events(busy, SyncEventKind.ERROR, 2)
    events(busy, SyncEventKind.ERROR, 4, minutes_ago=61)  # older than an hour
    events(busy, SyncEventKind.THROTTLED, 3)
    events(quiet, SyncEventKind.PUSH_OK, 2)
    health.pull_ok(busy.pk)
    health.drift(busy.pk, 7)
    return busy, quiet


def figures(row) -> dict:
    return {key: row[key] for key in ("pending_listings", "errors_last_hour", "throttles_last_hour", "alert")}


def test_account_health_rows_count_only_each_accounts_waiting_listings_and_last_hour(accounts):
    # given
    busy, quiet = accounts

    # when
    rows = account_health_rows([busy, quiet])

    # then
    assert [row["account"] for row in rows] == [busy, quiet]
    assert figures(rows[0]) == {"pending_listings": 2, "errors_last_hour": 2, "throttles_last_hour": 3, "alert": False}
    assert 90 <= rows[0]["lag_seconds"] < 100  # the oldest waiting change
    assert rows[0]["state"].drift_found == 7
    assert rows[0]["state"].last_pull_at is not None
    assert figures(rows[1]) == {"pending_listings": 0, "errors_last_hour": 0, "throttles_last_hour": 0, "alert": False}
    assert rows[1]["lag_seconds"] == 0.0
    assert rows[1]["state"] is None


def test_lag_past_the_operators_threshold_raises_an_alert(accounts):
    # given
    busy, _quiet = accounts
    AccountSyncState.objects.filter(account=busy).update(max_lag_seconds=60)

    # when
    over = account_health_rows([busy])[0]
    AccountSyncState.objects.filter(account=busy).update(max_lag_seconds=120)
    under = account_health_rows([busy])[0]

    # then
    assert over["alert"] is True
    assert under["alert"] is False


def test_alert_opens_after_repeated_failures_and_closes_on_the_next_success(accounts):
    # given
    _busy, quiet = accounts
    for attempt in range(FAILURES_BEFORE_ALERT - 1):
        health.failure(quiet.pk, f"push: HTTP 503 (attempt {attempt})")
    before = account_health_rows([quiet])[0]

    # when
    health.failure(quiet.pk, "push: HTTP 503 (last)")
    failing = account_health_rows([quiet])[0]
    health.push_ok(quiet.pk)
    recovered = account_health_rows([quiet])[0]

    # then
    assert before["alert"] is False
    assert before["state"].consecutive_failures == FAILURES_BEFORE_ALERT - 1
    assert failing["alert"] is True
    assert (failing["state"].consecutive_failures, failing["state"].last_error) == (5, "push: HTTP 503 (last)")
    assert failing["errors_last_hour"] == FAILURES_BEFORE_ALERT
    assert recovered["alert"] is False
    assert recovered["state"].consecutive_failures == 0


def test_a_busy_accounts_push_time_is_written_once_a_second_but_a_failure_is_cleared_by_the_next_success(accounts):
    from hub.sync.models import AccountSyncState

    _busy, quiet = accounts
    health.push_ok(quiet.pk)
    first = AccountSyncState.objects.get(account=quiet).last_push_at

    health.push_ok(quiet.pk)  # within the second: not written again
    assert AccountSyncState.objects.get(account=quiet).last_push_at == first

    health.failure(quiet.pk, "push: HTTP 503")
    health.push_ok(quiet.pk)
    state = AccountSyncState.objects.get(account=quiet)
    assert state.consecutive_failures == 0
    assert state.last_push_at > first


def test_status_page_shows_every_account_with_lag_errors_throttles_and_alerts(client, operator_user, accounts):
    # given
    _busy, quiet = accounts
    for _ in range(FAILURES_BEFORE_ALERT):
        health.failure(quiet.pk, "push: HTTP 503 from eBay")
    client.force_login(operator_user)

    # when
    response = client.get(STATUS)

    # then
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["account"].name for row in rows] == ["Acme US", "Zeta DE"]
    body = response.content.decode()
    acme, zeta = body.split("<td>Acme</td>")[1].split("</tr>")[0], body.split("<td>Zeta</td>")[1].split("</tr>")[0]
    acme_cells = [cell.split("</td>")[0] for cell in acme.split("<td>")[1:]]
    assert acme_cells[0:2] == ["Acme US", "Shopify"]
    assert acme_cells[3:4] == ["—"]  # never pushed
    assert acme_cells[4] == "2"  # listings waiting
    assert 90 <= float(acme_cells[5]) < 100  # lag (s)
    assert acme_cells[6:9] == ["2", "3", "7"]  # errors, throttles, drift corrected
    assert acme_cells[9:11] == ["300", "OK"]  # threshold, alert
    assert '<tr class="sync-alert">\n      <td>Zeta</td>' in body
    assert "<strong>Needs attention</strong>: push: HTTP 503 from eBay" in zeta
    assert body.count('<li class="warning">') == 1
    assert '<li class="warning">Zeta · Zeta DE needs attention.</li>' in body
    assert "2 accounts." in body
    assert 'href="/admin/sync/accountsyncstate/"' in body


def test_status_page_keeps_out_anonymous_and_non_staff_users(client, accounts):
    # given
    seller_user = get_user_model().objects.create_user(username="seller", password="pw")

    # when
    anonymous = client.get(STATUS)
    client.force_login(seller_user)
    non_staff = client.get(STATUS)

    # then
    for response in (anonymous, non_staff):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=/sync/status/")
        assert b"Acme" not in response.content
