"""The back office for accounts. Role grants, password changes and deactivation go through the same
services as the API (``accounts.services``): validated, audited, and device tokens revoked
where a password changes or an account closes."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from kernel.access import Principal
from kernel.errors import ApplicationError

from . import services
from .models import DeviceToken, RoleGrant, User


def _back_office(request: HttpRequest | None = None) -> Principal:
    """Who acts in the back office: Django's model permissions already decided that they may."""
    if request is None:
        return Principal(user_id=0, username="back-office", is_superuser=True)
    return Principal(user_id=request.user.pk, username=request.user.get_username(), is_superuser=True)


class RoleGrantInline(admin.TabularInline):
    """A user's grants. Each needs a role and a region (the model requires both); adding, changing
    (withdraw and grant anew) and deleting go through the grant services."""

    model = RoleGrant
    extra = 0
    fields = ("role", "region", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ["region"]


class PasswordSetForm(AdminPasswordChangeForm):
    """The back office's password change: Django's validators, then ``user_password_reset``, which also
    revokes the user's device tokens. No "unusable password" option: deactivate the account instead."""

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields.pop("usable_password", None)
        self.fields["password1"].required = self.fields["password2"].required = True

    def save(self, commit: bool = True) -> User:
        password = self.cleaned_data["password1"]
        services.user_password_reset(principal=_back_office(), user_id=self.user.pk, password=password)
        self.user.refresh_from_db()
        return self.user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, ("单位信息", {"fields": ("display_name", "phone")}))
    list_display = ("username", "display_name", "is_active", "is_staff", "last_login")
    search_fields = ("username", "display_name", "phone")
    inlines = [RoleGrantInline]
    change_password_form = PasswordSetForm
    actions = ["deactivate", "activate"]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        # Closing an account also revokes its devices: the actions below do both.
        return ("is_active",) if obj is not None else ()

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        if formset.model is not RoleGrant:
            super().save_formset(request, form, formset, change)
            return
        principal, user = _back_office(request), form.instance
        grants = formset.save(commit=False)
        for grant in formset.deleted_objects:
            services.grant_revoke(principal=principal, user_id=user.pk, grant_id=grant.pk)
        for grant in grants:
            if grant.pk is not None:  # changed in place: withdraw it and grant the new role / region
                services.grant_revoke(principal=principal, user_id=user.pk, grant_id=grant.pk)
            services.grant_create(
                principal=principal, user_id=user.pk, role=grant.role, region_id=grant.region_id
            )

    @admin.action(description="停用所选账号（吊销其全部设备令牌）")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._each(request, queryset, services.user_deactivate, "已停用")

    @admin.action(description="重新启用所选账号")
    def activate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._each(request, queryset, services.user_activate, "已启用")

    def _each(self, request: HttpRequest, queryset: QuerySet[User], action: Any, done: str) -> None:
        principal, count = _back_office(request), 0
        for user in queryset:
            try:
                action(principal=principal, user_id=user.pk)
                count += 1
            except ApplicationError as exc:
                self.message_user(request, f"{user.username}：{exc.message}", messages.ERROR)
        self.message_user(request, f"{done} {count} 个账号", messages.SUCCESS)


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
        principal = _back_office(request)
        for token in queryset:
            services.token_revoke(principal=principal, token_id=token.pk, reason="revoked_by_admin")
        self.message_user(request, f"已吊销 {queryset.count()} 个设备令牌", messages.SUCCESS)
