from django.contrib import admin

from .models import Seller, SellerMember


class SellerMemberInline(admin.TabularInline):
    model = SellerMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "country", "currency", "priority", "shortage_policy", "is_active"]
    list_filter = ["is_active", "country", "shortage_policy", "may_draw_on_pool"]
    search_fields = ["code", "name", "legal_name", "contact_email"]
    inlines = [SellerMemberInline]


@admin.register(SellerMember)
class SellerMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "seller", "role", "created_at"]
    list_filter = ["role", "seller"]
    search_fields = ["user__username", "user__email", "seller__name", "seller__code"]
    autocomplete_fields = ["user", "seller"]
