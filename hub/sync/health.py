"""Per-account sync health: last good pull and push, failures, throttles, drift, lag alerts."""

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from .models import AccountSyncState, ListingPush, SyncEvent, SyncEventKind

logger = logging.getLogger(__name__)

FAILURES_BEFORE_ALERT = 5


PUSH_OK_EVERY_SECONDS = 1  # a busy account pushes many times a second: its last push time is written once a second


def _state(account_id: int) -> AccountSyncState:
    state, _ = AccountSyncState.objects.get_or_create(account_id=account_id)
    return state


def _state_update(account_id: int, **fields) -> None:
    """Update the account's row, creating it the first time."""
    if not AccountSyncState.objects.filter(account_id=account_id).update(**fields):
        _state(account_id)
        AccountSyncState.objects.filter(account_id=account_id).update(**fields)


def _push_ok_key(account_id: int) -> str:
    return f"sync:push-ok-written:{account_id}"


def event(account_id: int, kind: str, detail: str = "") -> None:
    SyncEvent.objects.create(account_id=account_id, kind=kind, detail=detail[:2000])


def failure(account_id: int, message: str) -> None:
    """An error talking to the account's platform; opens an alert after repeated failures."""
    cache.delete(_push_ok_key(account_id))  # the next success is written at once: it ends the failures in a row
    _state_update(
        account_id,
        last_error=message[:2000],
        last_error_at=timezone.now(),
        consecutive_failures=F("consecutive_failures") + 1,
    )
    AccountSyncState.objects.filter(account_id=account_id, consecutive_failures__gte=FAILURES_BEFORE_ALERT).update(
        alert_open=True
    )
    event(account_id, SyncEventKind.ERROR, message)
    logger.warning("sync failure for account %s: %s", account_id, message)


def push_ok(account_id: int) -> None:
    if not cache.add(_push_ok_key(account_id), 1, timeout=PUSH_OK_EVERY_SECONDS):
        return  # written less than a second ago, and no failure since
    _state_update(account_id, last_push_at=timezone.now(), consecutive_failures=0, alert_open=False)


def pull_ok(account_id: int) -> None:
    _state_update(account_id, last_pull_at=timezone.now(), consecutive_failures=0, alert_open=False)


def drift(account_id: int, corrected: int) -> None:
    if corrected:
        _state_update(account_id, drift_found=F("drift_found") + corrected)
        event(account_id, SyncEventKind.DRIFT, f"{corrected} listings corrected")


RECEIVER_KEY = "sync:amazon-receiver"  # one receiver for every Amazon account: its state is not an account's


def receiver_ok() -> None:
    """The Amazon notification queue answered (messages or not)."""
    state = receiver_state() or {}
    state.update(last_ok_at=timezone.now(), consecutive_failures=0)
    cache.set(RECEIVER_KEY, state, timeout=7 * 86400)


def receiver_failure(message: str) -> None:
    state = receiver_state() or {}
    state.update(
        last_error=message[:500],
        last_error_at=timezone.now(),
        consecutive_failures=state.get("consecutive_failures", 0) + 1,
    )
    cache.set(RECEIVER_KEY, state, timeout=7 * 86400)
    logger.warning("amazon notification queue: %s", message)


def receiver_state() -> dict | None:
    """Last good receive, last error and failures in a row of the Amazon notification receiver (None: never ran)."""
    state = cache.get(RECEIVER_KEY)
    if state is not None:
        state["alert"] = state.get("consecutive_failures", 0) >= FAILURES_BEFORE_ALERT
    return state


def account_health_rows(accounts) -> list[dict]:
    """One row per account for the sync status page and the admin: lag, last hour's errors and throttles."""
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    states = {state.account_id: state for state in AccountSyncState.objects.filter(account__in=accounts)}
    counts = {
        row["account_id"]: row
        for row in SyncEvent.objects.filter(account__in=accounts, at__gte=hour_ago)
        .values("account_id")
        .annotate(
            errors=Count("id", filter=Q(kind=SyncEventKind.ERROR)),
            throttles=Count("id", filter=Q(kind=SyncEventKind.THROTTLED)),
        )
    }
    pending = {
        row["account_id"]: row
        for row in ListingPush.objects.filter(account__in=accounts, pushed_version__lt=F("version"))
        .values("account_id")
        .annotate(waiting=Count("id"), oldest=Min("changed_at"))
    }
    rows = []
    for account in accounts:
        state = states.get(account.pk)
        oldest = pending.get(account.pk, {}).get("oldest")
        lag = (now - oldest).total_seconds() if oldest else 0.0
        threshold = state.max_lag_seconds if state else 300
        rows.append(
            {
                "account": account,
                "state": state,
                "pending_listings": pending.get(account.pk, {}).get("waiting", 0),
                "lag_seconds": lag,
                "errors_last_hour": counts.get(account.pk, {}).get("errors", 0),
                "throttles_last_hour": counts.get(account.pk, {}).get("throttles", 0),
                "alert": bool(state and state.alert_open) or lag > threshold,
            }
        )
    return rows
