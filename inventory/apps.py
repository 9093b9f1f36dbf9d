from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _forget_pool_rankings(**kwargs):
    from .nearest import pool_ranking_forget

    pool_ranking_forget()


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")

    def ready(self):
        from .models import Warehouse

        # A cache, not a domain flow: this process ranks warehouses afresh after a change it
        # made; other processes within inventory.nearest.CACHE_SECONDS.
        post_save.connect(_forget_pool_rankings, sender=Warehouse, dispatch_uid="inventory.nearest.saved")
        post_delete.connect(_forget_pool_rankings, sender=Warehouse, dispatch_uid="inventory.nearest.deleted")
