"""Users, their roles per region, and per-device bearer tokens (stored hashed)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from kernel.access import ROLE_LABELS, Role

ROLE_CHOICES = [(r.value, ROLE_LABELS[r]) for r in Role]


class User(AbstractUser):
    # Chinese names do not split into first/last the way AbstractUser assumes.
    display_name = models.CharField("姓名", max_length=64, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleGrant(models.Model):
    """A role held in a region; the region's subtree is the scope of that role."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="grants")
    role = models.CharField("角色", max_length=24, choices=ROLE_CHOICES)
    region = models.ForeignKey(
        "geo.Region", verbose_name="管辖区划", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region"], name="grant_unique"),
            models.CheckConstraint(condition=Q(role__in=[r.value for r in Role]), name="grant_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region}"


class DeviceToken(models.Model):
    """A bearer token issued to one device of one user. Only its SHA-256 is stored."""

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="device_tokens"
    )
    device_id = models.CharField("设备标识", max_length=128)
    device_name = models.CharField("设备名称", max_length=128, blank=True)
    key_hash = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    key_prefix = models.CharField("令牌前缀", max_length=12, editable=False)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间")
    last_used_at = models.DateTimeField("最后使用", null=True, blank=True)
    last_ip = models.GenericIPAddressField("最后来源地址", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_reason = models.CharField("吊销原因", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "设备令牌"
        ordering = ["-created_at"]
        constraints = [
            # A device holds at most one live token: logging in again replaces it.
            models.UniqueConstraint(
                fields=["user", "device_id"],
                condition=Q(revoked_at__isnull=True),
                name="token_one_live_per_device",
            ),
        ]
        indexes = [models.Index(fields=["expires_at"], name="token_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.device_name or self.device_id}"
