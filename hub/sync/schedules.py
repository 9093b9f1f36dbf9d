"""Beat schedules per marketplace account, kept as rows operators can edit in the admin.

Each connected account gets a pull of its orders and a reconciliation of its listings
(an Amazon account is also subscribed to ORDER_CHANGE notifications, once connected);
a global sweep drains the outbox and restarts stalled pushers, and the Amazon notification
receiver reads the application's queue every second. Changing an interval or disabling a
task in the admin (Periodic tasks) takes effect without a deploy.
"""

import functools
import json

from django.db import connections, transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from .limits import PACE

RECONCILE_EVERY_SECONDS = 15 * 60
SWEEP_EVERY_SECONDS = 5
ADAPTIVE_BUFFERS_EVERY_SECONDS = 10 * 60
NOTIFICATIONS_RECEIVE_EVERY_SECONDS = 1
NOTIFICATIONS_RECEIVE_EXPIRES_SECONDS = 5
NOTIFICATIONS_RECEIVE_TASK_NAME = "amazon notifications: receive ORDER_CHANGE from the SQS queue"


def _every(seconds: int, using: str = "default") -> IntervalSchedule:
    schedule, _ = IntervalSchedule.objects.using(using).get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
    return schedule


def pull_task_name(account) -> str:
    return f"pull orders: {account.platform} {account.shop_id} (account {account.pk})"


def reconcile_task_name(account) -> str:
    return f"reconcile listings: {account.platform} {account.shop_id} (account {account.pk})"


def account_schedules_ensure(account) -> None:
    """Create the account's periodic tasks if missing; operators' later edits are kept."""
    args = json.dumps([account.pk])
    PeriodicTask.objects.get_or_create(
        name=pull_task_name(account),
        defaults={
            "task": "hub.sync.tasks.account_pull_task",
            "interval": _every(PACE[account.platform].pull_interval_seconds),
            "args": args,
        },
    )
    PeriodicTask.objects.get_or_create(
        name=reconcile_task_name(account),
        defaults={
            "task": "hub.sync.tasks.account_reconcile_task",
            "interval": _every(RECONCILE_EVERY_SECONDS),
            "args": args,
        },
    )
    if account.platform == "amazon":
        from .notification_tasks import amazon_notifications_subscribe_task

        # HTTP calls to Amazon: after the commit, in a worker, never inside the caller's transaction
        transaction.on_commit(functools.partial(amazon_notifications_subscribe_task.delay, account.pk))


def sweep_schedule_ensure() -> None:
    """The hub-wide schedules: the sync sweep and the adaptive-buffer refresh."""
    PeriodicTask.objects.get_or_create(
        name="sync sweep: drain outbox, restart stalled pushers",
        defaults={"task": "hub.sync.tasks.sync_sweep_task", "interval": _every(SWEEP_EVERY_SECONDS)},
    )
    PeriodicTask.objects.get_or_create(
        name="adaptive buffers: recompute from order velocity and measured latency",
        defaults={
            "task": "hub.sync.tasks.adaptive_buffers_refresh_task",
            "interval": _every(ADAPTIVE_BUFFERS_EVERY_SECONDS),
        },
    )
    notifications_schedule_ensure()


def notifications_schedule_ensure(using: str = "default") -> None:
    """The Amazon notification receiver: every second, a short long-poll of the application's queue."""
    PeriodicTask.objects.using(using).get_or_create(
        name=NOTIFICATIONS_RECEIVE_TASK_NAME,
        defaults={
            "task": "hub.sync.notification_tasks.amazon_notifications_receive_task",
            "interval": _every(NOTIFICATIONS_RECEIVE_EVERY_SECONDS, using),
            "expire_seconds": NOTIFICATIONS_RECEIVE_EXPIRES_SECONDS,  # a run still queued by then is dropped
        },
    )


def notifications_schedule_after_migrate(sender, *, using="default", **kwargs) -> None:
    if PeriodicTask._meta.db_table in connections[using].introspection.table_names():
        notifications_schedule_ensure(using)
