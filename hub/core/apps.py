from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hub.core"
    label = "core"
    verbose_name = _("Hub")

    def ready(self):
        from django.contrib import admin

        from .roles import sync_role_permissions

        admin.site.site_header = _("Inventory Sync Hub")
        admin.site.site_title = _("Inventory Sync Hub")
        admin.site.index_title = _("Back office")
        # After every migrate, give each role the permissions of models added since.
        post_migrate.connect(sync_role_permissions, dispatch_uid="hub.core.sync_role_permissions")
