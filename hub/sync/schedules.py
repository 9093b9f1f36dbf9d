"""Beat schedules per marketplace account, kept as rows operators can edit in the admin.

Each connected account gets a pull of its orders and a reconciliation of its listings;
a global sweep drains the outbox and restarts stalled pushers. Changing an interval or
disabling a task in the admin (Periodic tasks) takes effect without a deploy.
"""

import json

from django_celery_beat.models import IntervalSchedule, PeriodicTask

from .limits import PACE

RECONCILE_EVERY_SECONDS = 15 * 60
SWEEP_EVERY_SECONDS = 5
ADAPTIVE_BUFFERS_EVERY_SECONDS = 10 * 60


def _every(seconds: int) -> IntervalSchedule:
    schedule, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
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
