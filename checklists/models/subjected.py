"""Who or what is inspected: the subject kinds and the reference every subjected row carries."""

from django.contrib.gis.db import models

SUBJECT_KIND_CHOICES = [
    ("town", "区镇"),
    ("department", "区级部门"),
    ("enterprise", "企事业单位"),
    ("village", "行政村"),
    ("sewage_facility", "污水处理设施"),
    ("river_section", "监测断面"),
    ("outfall", "排污口"),
    ("pump_station", "排涝泵站"),
]


class Subjected(models.Model):
    """A reference to an inspection subject (see ``geo.selectors.subject_get``) and its scoping region."""

    subject_kind = models.CharField("检查对象类型", max_length=20, choices=SUBJECT_KIND_CHOICES)
    subject_id = models.PositiveBigIntegerField("检查对象编号")
    subject_name = models.CharField("检查对象", max_length=128)
    subject_region = models.ForeignKey(
        "geo.Region", verbose_name="对象所在区划", on_delete=models.PROTECT, related_name="+"
    )
    subject_town = models.ForeignKey(
        "geo.Region",
        verbose_name="对象所在区镇",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True
