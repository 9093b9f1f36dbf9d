from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Logistics")

    def ready(self):
        from .schedules import tracking_schedule_after_migrate

        # the tracking beat entry exists on every install, created (if missing) after each migrate
        post_migrate.connect(tracking_schedule_after_migrate, sender=self, dispatch_uid="logistics.tracking_schedule")
