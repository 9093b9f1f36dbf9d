from django.contrib import admin

from .models import BinLocation, Product, Sku, Warehouse


class SkuInline(admin.TabularInline):
    model = Sku
    extra = 0
    fields = ["code", "name", "barcode", "weight_grams", "unit_cost", "cost_currency", "is_active"]
    show_change_link = True


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    inlines = [SkuInline]


@admin.register(Sku)
class SkuAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "product", "barcode", "weight_grams", "unit_cost", "cost_currency", "is_active"]
    list_filter = ["is_active", "product", "country_of_origin", "contains_battery", "contains_liquid"]
    search_fields = ["code", "name", "barcode", "hs_code"]
    list_select_related = ["product"]


class BinLocationInline(admin.TabularInline):
    model = BinLocation
    extra = 0
    autocomplete_fields = ["sku"]


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "country", "city", "is_active"]
    list_filter = ["kind", "country", "is_active"]
    search_fields = ["code", "name", "city"]
    inlines = [BinLocationInline]


@admin.register(BinLocation)
class BinLocationAdmin(admin.ModelAdmin):
    list_display = ["code", "warehouse", "sku"]
    list_filter = ["warehouse"]
    search_fields = ["code", "sku__code"]
    autocomplete_fields = ["sku"]
