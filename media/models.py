"""Photos, stored once per content (sha256) and linked to whatever they are evidence for."""

from django.conf import settings
from django.db import models


def photo_path(instance: "Photo", filename: str) -> str:
    # Content-addressed: the same bytes always land at the same path, and a path never changes meaning.
    h = instance.sha256
    return f"photos/{h[:2]}/{h[2:4]}/{h}.{instance.extension}"


class Photo(models.Model):
    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    file = models.FileField("原图", upload_to=photo_path, max_length=200)
    content_type = models.CharField("格式", max_length=32)
    extension = models.CharField("扩展名", max_length=8)
    size_bytes = models.PositiveIntegerField("字节数")
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="首次上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("首次上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "照片"
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.sha256[:12]
