from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "hub.sync"
    label = "sync"
    verbose_name = _("Marketplace sync")

    def ready(self):
        from inventory import velocity

        from . import notification_tasks  # noqa: F401 - registers the notification tasks with Celery
        from .ingest import inbox_pending_by_platform
        from .schedules import notifications_schedule_after_migrate

        velocity.pending_orders_source = inbox_pending_by_platform  # the low-stock hold-back counts the inbox

        # the Amazon notification receiver's beat entry exists on every install, created (if missing) after migrate
        post_migrate.connect(notifications_schedule_after_migrate, sender=self, dispatch_uid="sync.notifications")
