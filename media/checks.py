"""Evidence checks that raise flags, never rejections (pure). Everything is compared in WGS-84."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from geo.coords import LonLat, distance_m


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    value: float | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Thresholds:
    subject_distance_m: float = 200.0
    exif_phone_distance_m: float = 100.0
    time_hours: float = 24.0


def evidence_flags(
    *,
    exif_gps: LonLat | None,
    exif_gps_status: str,
    exif_taken_at: datetime | None,
    phone: LonLat | None,
    phone_accuracy_m: float | None,
    subject: LonLat | None,
    reference_time: datetime | None,
    thresholds: Thresholds = Thresholds(),
) -> list[Flag]:
    """Flags for one photo as evidence about one subject. Inputs are WGS-84 (convert GCJ-02 first)."""
    flags: list[Flag] = []
    if exif_gps is None and phone is None:
        flags.append(Flag("no_gps", "照片与手机均无可用定位"))
    elif exif_gps is None:
        reason = (
            "EXIF 定位信息损坏"
            if exif_gps_status == "invalid"
            else "照片无 EXIF 定位（可能被相册选择器去除）"
        )
        flags.append(Flag("no_exif_gps", reason))
    if phone_accuracy_m is not None and phone_accuracy_m == 0:
        flags.append(Flag("mock_location", "手机定位精度恰为 0 米，疑似模拟定位", 0.0))
    if exif_gps is not None and phone is not None:
        d = distance_m(exif_gps, phone)
        if d > thresholds.exif_phone_distance_m:
            flags.append(Flag("exif_phone_mismatch", f"照片定位与手机定位相距 {d:.0f} 米", round(d, 1)))
    where = exif_gps or phone
    if where is not None and subject is not None:
        d = distance_m(where, subject)
        if d > thresholds.subject_distance_m:
            flags.append(Flag("far_from_subject", f"拍摄位置距检查对象 {d:.0f} 米", round(d, 1)))
    if exif_taken_at is not None and reference_time is not None:
        hours = abs((exif_taken_at - reference_time).total_seconds()) / 3600
        if hours > thresholds.time_hours:
            flags.append(Flag("time_far", f"拍摄时间与检查时间相差 {hours:.1f} 小时", round(hours, 1)))
    return flags
