from django.contrib import admin

from .models import Listing, MarketplaceAccount, Seller, SellerMember


class SellerMemberInline(admin.TabularInline):
    model = SellerMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "country", "currency", "priority", "shortage_policy", "is_active"]
    list_filter = ["is_active", "country", "shortage_policy", "may_draw_on_pool", "split_policy"]
    search_fields = ["code", "name", "legal_name", "contact_email"]
    inlines = [SellerMemberInline]


@admin.register(SellerMember)
class SellerMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "seller", "role", "created_at"]
    list_filter = ["role", "seller"]
    search_fields = ["user__username", "user__email", "seller__name", "seller__code"]
    autocomplete_fields = ["user", "seller"]


@admin.register(MarketplaceAccount)
class MarketplaceAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "seller", "platform", "shop_id", "region", "status", "updated_at"]
    list_filter = ["platform", "status", "seller"]
    search_fields = ["name", "shop_id", "seller__name", "seller__code"]
    autocomplete_fields = ["seller"]
    readonly_fields = ["cursors"]
    # credentials and webhook_secret are not editable here and never displayed


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = [
        "seller_sku",
        "sku",
        "account",
        "last_pushed_quantity",
        "last_pushed_at",
        "sync_state",
        "is_active",
    ]
    list_filter = ["sync_state", "is_active", "account__platform", "account__seller"]
    search_fields = ["seller_sku", "sku__code", "external_listing_id", "external_variant_id"]
    autocomplete_fields = ["account", "sku"]
    list_select_related = ["sku", "account", "account__seller"]
    readonly_fields = ["last_pushed_quantity", "last_pushed_at", "sync_state", "sync_error"]
