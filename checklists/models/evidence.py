"""Photos used as evidence: of an inspection, of a repair, of an appeal."""

from django.conf import settings
from django.contrib.gis.db import models

from .inspections import Inspection


class EvidencePhoto(models.Model):
    """A photo used as evidence, with where the phone said it was and the checks' flags."""

    client_uuid = models.UUIDField("客户端照片编号", unique=True)
    photo = models.ForeignKey("media.Photo", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Some Android pickers strip EXIF GPS, so the phone's own fix at capture time is kept beside it.
    device_location = models.PointField("手机定位（WGS-84）", srid=4326, null=True, blank=True)
    device_location_datum = models.CharField("手机原始坐标系", max_length=10, blank=True)
    device_location_raw = models.JSONField("手机原始坐标", null=True, blank=True)
    device_accuracy_m = models.FloatField("定位精度（米）", null=True, blank=True)
    device_captured_at = models.DateTimeField("手机记录的拍摄时间", null=True, blank=True)
    flags = models.JSONField("核验标记", default=list, blank=True)
    flag_count = models.PositiveSmallIntegerField("核验标记数", default=0)  # for review-list sums

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "id"]


class InspectionPhoto(EvidencePhoto):
    """A photo attached to an inspection (optionally to one item), uploaded separately from the answers."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    revision = models.PositiveIntegerField("修订次数")
    item_key = models.CharField("检查项", max_length=64, blank=True)

    class Meta(EvidencePhoto.Meta):
        verbose_name = verbose_name_plural = "检查照片"


class RectificationPhoto(EvidencePhoto):
    """Evidence of a repair, taken at the subject (its location is checked like any evidence)."""

    rectification = models.ForeignKey("Rectification", on_delete=models.CASCADE, related_name="photos")

    class Meta(EvidencePhoto.Meta):
        verbose_name = verbose_name_plural = "整改照片"


class AppealPhoto(models.Model):
    """A photo uploaded as evidence to an appeal (申诉): what lets those who may see the appeal (its
    town, the district) see the photo. A photo an appeal only *names* by SHA-256 grants nothing: the
    appellant could already see it (an inspection's or repair's about the appealing unit), and it stays
    visible through that — so an appeal can never open another town's photo."""

    appeal = models.ForeignKey("scoring.Appeal", on_delete=models.CASCADE, related_name="+")
    photo = models.ForeignKey("media.Photo", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "申诉照片"
        ordering = ["appeal", "uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["appeal", "photo"], name="appeal_photo_unique")]

    def __str__(self) -> str:
        return f"{self.appeal_id} · {self.photo_id}"
