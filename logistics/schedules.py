"""The beat entry that reads carrier tracking events and raises stale-shipment alerts.

Created after every ``migrate`` if missing (a fresh install needs no demo data for it);
it is a row operators edit in the admin (*Periodic tasks*): a changed interval or a
disabled entry is kept, never overwritten. To stop it, disable it rather than delete it
(a deleted entry comes back with the next migrate).
"""

from django.db import connections

TRACKING_EVERY_SECONDS = 15 * 60
TRACKING_TASK_NAME = "logistics: read tracking events, raise stale-shipment alerts"
TRACKING_TASK = "logistics.tasks.tracking_refresh_task"


def tracking_schedule_ensure(using: str = "default"):
    """Create the tracking beat entry unless one with its name exists; returns it (None before beat's tables exist)."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    if PeriodicTask._meta.db_table not in connections[using].introspection.table_names():
        return None
    existing = PeriodicTask.objects.using(using).filter(name=TRACKING_TASK_NAME).first()
    if existing is not None:
        return existing
    every, _ = IntervalSchedule.objects.using(using).get_or_create(
        every=TRACKING_EVERY_SECONDS, period=IntervalSchedule.SECONDS
    )
    task, _ = PeriodicTask.objects.using(using).get_or_create(
        name=TRACKING_TASK_NAME, defaults={"task": TRACKING_TASK, "interval": every}
    )
    return task


def tracking_schedule_after_migrate(sender, *, using="default", **kwargs) -> None:
    tracking_schedule_ensure(using)
