from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from backend.access import Principal

from . import services
from .models import DeviceToken, RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    autocomplete_fields = ["region"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, ("单位信息", {"fields": ("display_name", "phone")}))
    list_display = ("username", "display_name", "is_active", "is_staff", "last_login")
    search_fields = ("username", "display_name", "phone")
    inlines = [RoleGrantInline]


@admin.register(DeviceToken)
class DeviceTokenAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "device_name",
        "device_id",
        "key_prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "device_name", "device_id", "key_prefix")
    readonly_fields = [f.name for f in DeviceToken._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="吊销所选设备令牌")
    def revoke(self, request: HttpRequest, queryset: QuerySet[DeviceToken]) -> None:
        admin_principal = Principal(
            user_id=request.user.pk, username=request.user.get_username(), is_superuser=True
        )
        for token in queryset:
            services.token_revoke(principal=admin_principal, token_id=token.pk, reason="revoked_by_admin")
        self.message_user(request, f"已吊销 {queryset.count()} 个设备令牌", messages.SUCCESS)
