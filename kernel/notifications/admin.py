"""Endpoints and subscriptions are managed here; the delivery log is read-only with a 重新发送 action.

Neither the URL (a robot's URL carries its token) nor the secret is ever shown: the form takes new values
(empty = unchanged) and the list shows the host and whether a secret is set."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from kernel.errors import ApplicationError

from . import secrets, services
from .models import Delivery, Endpoint, Event, Subscription


class EndpointForm(forms.ModelForm):
    url = forms.CharField(
        label="地址", required=False, max_length=1000, widget=forms.PasswordInput(render_value=False),
        help_text="机器人或接收方的完整 URL（钉钉含 access_token，企业微信含 key）。留空表示不修改。",
    )  # fmt: skip
    secret = forms.CharField(
        label="密钥", required=False, max_length=500, widget=forms.PasswordInput(render_value=False),
        help_text="钉钉：加签密钥（SEC 开头）；Webhook：HMAC 签名密钥；企业微信不需要。留空表示不修改。",
    )  # fmt: skip

    class Meta:
        model = Endpoint
        fields = ("kind", "name", "enabled")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.instance.pk and not data.get("url"):
            self.add_error("url", "请填写地址")
        return data


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 1
    autocomplete_fields = ("region",)


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ("name", "kind", "url_hint", "secret_state", "enabled")
    list_filter = ("kind", "enabled")
    search_fields = ("name",)
    inlines = [SubscriptionInline]

    @admin.display(description="密钥")
    def secret_state(self, obj: Endpoint) -> str:
        return secrets.mask_secret(obj.secret_encrypted)

    def save_model(self, request: HttpRequest, obj: Endpoint, form: Any, change: bool) -> None:
        services.endpoint_save(
            endpoint=obj,
            url=form.cleaned_data.get("url") or None,
            secret=form.cleaned_data.get("secret") or None,
        )


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "event", "title", "region")
    list_filter = ("event",)
    search_fields = ("title", "once_key")
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "uid",
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
    )
    list_filter = ("status", "endpoint", "event__event")
    search_fields = ("uid",)
    date_hierarchy = "created_at"
    actions = ["replay"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False

    @admin.action(description="重新发送（新投递编号）")
    def replay(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        done = 0
        for delivery in queryset.order_by("pk"):
            try:
                services.delivery_replay(delivery_id=delivery.pk)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{delivery.uid}：{exc.message}", messages.WARNING)
        if done:
            self.message_user(request, f"已重新发送 {done} 条", messages.SUCCESS)
