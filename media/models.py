"""Photos, stored once per content (sha256) and linked to whatever they are evidence for.

The original is kept untouched; derivatives (phone- and list-sized JPEGs) and the perceptual hash are
made by a Celery task after the upload has been committed.
"""

from django.conf import settings
from django.contrib.gis.db import models


def photo_path(instance: "Photo", filename: str) -> str:
    # Content-addressed: the same bytes always land at the same path, and a path never changes meaning.
    h = instance.sha256
    return f"photos/{h[:2]}/{h[2:4]}/{h}.{instance.extension}"


def derivative_path(instance: "Photo", variant: str) -> str:
    h = instance.sha256
    return f"derivatives/{h[:2]}/{h[2:4]}/{h}-{variant}.jpg"


class GpsStatus(models.TextChoices):
    OK = "ok", "可用"
    MISSING = "missing", "无定位"
    INVALID = "invalid", "定位信息损坏（无可用定位）"


class Photo(models.Model):
    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    file = models.FileField("原图", upload_to=photo_path, max_length=200)
    content_type = models.CharField("格式", max_length=32)
    extension = models.CharField("扩展名", max_length=8)
    size_bytes = models.PositiveIntegerField("字节数")
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    exif_taken_at = models.DateTimeField("拍摄时间（EXIF）", null=True, blank=True)
    exif_location = models.PointField("拍摄位置（EXIF，WGS-84）", srid=4326, null=True, blank=True)
    exif_altitude_m = models.FloatField("海拔（米）", null=True, blank=True)
    exif_direction_deg = models.FloatField("拍摄方向（度）", null=True, blank=True)
    exif_gps_status = models.CharField(
        "EXIF 定位", max_length=8, choices=GpsStatus.choices, default=GpsStatus.MISSING
    )
    exif_make = models.CharField("相机厂商", max_length=64, blank=True)
    exif_model = models.CharField("相机型号", max_length=64, blank=True)
    exif_orientation = models.PositiveSmallIntegerField("方向标记", null=True, blank=True)
    phash = models.CharField("感知哈希", max_length=16, blank=True, db_index=True)
    thumb_phone = models.FileField("手机尺寸缩略图", max_length=200, blank=True)
    thumb_list = models.FileField("列表缩略图", max_length=200, blank=True)
    derivatives_at = models.DateTimeField("缩略图生成时间", null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="首次上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("首次上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "照片"
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.sha256[:12]
