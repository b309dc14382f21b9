"""Evidence checks that raise flags, never rejections (pure). Everything is compared in WGS-84.

Two families of checks:

* where: GPS missing or broken, the photo's and the phone's fixes disagree, the photo was taken far from
  the subject, a mocked location;
* when (``time_flag``): the photo's capture time against the times the record itself carries. Phones are
  offline for hours or days, so the phone's times are only ever compared with the phone's times — never
  with when the server happened to receive a draft;
* reuse (``reuse_flags``): the same bytes, or a near-identical picture (perceptual hash), already serve
  as evidence elsewhere — in the same inspection or repair, for the same subject on another occasion,
  or for another subject.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from geo.coords import LonLat, distance_m


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    value: float | None = None
    details: Mapping[str, object] | None = None  # what the flag refers to (e.g. the time window)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"code": self.code, "message": self.message, "value": self.value}
        if self.details is not None:
            out["details"] = dict(self.details)
        return out


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
    captured_at: datetime | None = None,
    reference: TimeReference | None = None,
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
    late = time_flag(
        taken_at=exif_taken_at, captured_at=captured_at, reference=reference, hours=thresholds.time_hours
    )
    if late is not None:
        flags.append(late)
    return flags


# --- when -----------------------------------------------------------------------------------------------

TIME_REFERENCES = {
    "inspection": "检查时间（手机记录）",
    "captured_at": "手机记录的拍摄时间",
    "uploaded_at": "上传时间",
}


@dataclass(frozen=True)
class TimeReference:
    """The span a photo is expected to have been taken in, and what those times are (``TIME_REFERENCES``)."""

    start: datetime
    end: datetime
    name: str = "inspection"


def device_window(started_at: datetime | None, submitted_at: datetime | None) -> TimeReference | None:
    """An inspection's own span by the phone's clock: from ``device_started_at`` to ``device_submitted_at``
    (either alone is a single moment), or None when the phone sent neither."""
    known = [t for t in (started_at, submitted_at) if t is not None]
    return TimeReference(min(known), max(known), "inspection") if known else None


def time_flag(
    *,
    taken_at: datetime | None,
    captured_at: datetime | None,
    reference: TimeReference | None,
    hours: float,
) -> Flag | None:
    """``time_far`` when the photo was taken more than ``hours`` outside ``reference``.

    The capture time is the EXIF one, or else the phone's own ``captured_at``. Without a reference (an
    inspection whose phone sent no device time) an EXIF time is compared with the phone's ``captured_at``
    (a gallery photo attached at the visit); with neither there is nothing trustworthy to compare with,
    and no flag.
    """
    moment = taken_at if taken_at is not None else captured_at
    if reference is None and taken_at is not None and captured_at is not None:
        reference = TimeReference(captured_at, captured_at, "captured_at")
    if moment is None or reference is None:
        return None
    if moment < reference.start:
        gap = reference.start - moment
    elif moment > reference.end:
        gap = moment - reference.end
    else:
        return None
    off = gap.total_seconds() / 3600
    if off <= hours:
        return None
    label = TIME_REFERENCES.get(reference.name, reference.name)
    return Flag(
        "time_far",
        f"拍摄时间与{label}相差 {off:.1f} 小时",
        round(off, 1),
        {
            "reference": reference.name,
            "taken_at": moment.isoformat(),
            "from": reference.start.isoformat(),
            "to": reference.end.isoformat(),
        },
    )
