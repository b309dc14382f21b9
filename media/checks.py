"""Evidence checks that raise flags, never rejections (pure). Everything is compared in WGS-84.

Three families of checks:

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

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from geo.coords import LonLat, distance_m

from .imaging import hamming


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    value: float | None = None
    details: Mapping[str, object] | None = None  # what the flag refers to (a reused photo, a time window)

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


# --- reuse ----------------------------------------------------------------------------------------------

# Most specific first: the same inspection (or repair), the same subject another time, another subject.
REUSE_CODES = ("reused_other_item", "reused_same_subject", "duplicate_photo")
MAX_MATCHES_PER_CODE = 5  # a photo of a blank wall matches everything: name the closest few


@dataclass(frozen=True)
class EvidenceUse:
    """One attachment of a photo as evidence: an inspection's (optionally for one item) or a repair's."""

    kind: str  # "inspection" | "rectification"
    link_id: int  # the attachment row (0 for the one being uploaded, not saved yet)
    owner_id: int  # the inspection's or rectification's row
    subject: tuple[str, int]  # (subject_kind, subject_id)
    sha256: str
    phash: str = ""  # empty until the derivative task has run
    subject_name: str = ""
    item_key: str = ""
    owner_ref: str = ""  # an inspection's client_uuid (a rectification is referred to by its id)
    photo_uuid: str = ""
    uploaded_at: datetime | None = None  # local time; None for the one being uploaded (the newest)

    @property
    def link(self) -> tuple[str, int]:
        return self.kind, self.link_id

    @property
    def owner(self) -> tuple[str, int]:
        return self.kind, self.owner_id

    def came_before(self, other: EvidenceUse) -> bool:
        """Attached before ``other`` (ties broken by row, so two attachments are never both first)."""
        if other.uploaded_at is None:
            return self.uploaded_at is not None or self.link < other.link
        if self.uploaded_at is None:
            return False
        return (self.uploaded_at, self.link) < (other.uploaded_at, other.link)


def _likeness(mine: EvidenceUse, other: EvidenceUse, max_distance: int) -> int | None:
    """0 for the same bytes; the Hamming distance of the perceptual hashes when within ``max_distance``."""
    if other.sha256 == mine.sha256:
        return 0
    if not (mine.phash and other.phash):
        return None
    d = hamming(mine.phash, other.phash)
    return d if d <= max_distance else None


def _scope(mine: EvidenceUse, other: EvidenceUse) -> tuple[str, tuple[object, ...]]:
    """The flag code, and what one flag is per: each item of this inspection (or this repair), each other
    occasion (inspection or repair) of this subject, each other subject."""
    if other.owner == mine.owner:
        return "reused_other_item", (other.item_key,)
    if other.subject == mine.subject:
        return "reused_same_subject", other.owner
    return "duplicate_photo", other.subject


def _where(code: str, mine: EvidenceUse, other: EvidenceUse) -> str:
    day = other.uploaded_at.date().isoformat() if other.uploaded_at else ""
    item = f"（检查项「{other.item_key}」）" if other.item_key else ""
    if code == "duplicate_photo":
        return f"其他检查对象「{other.subject_name}」"
    if code == "reused_same_subject":
        if other.kind == "rectification":
            return f"该对象{day}的整改"
        return f"该对象{day}的{'另一次' if mine.kind == 'inspection' else ''}检查{item}"
    if other.kind == "rectification":
        return "本整改"
    if not other.item_key:
        return "本次检查（整体照片）"
    same = "同一" if other.item_key == mine.item_key else ""
    return f"本次检查的{same}检查项「{other.item_key}」"


def _details(code: str, other: EvidenceUse, identical: bool, distance: int) -> dict[str, object]:
    out: dict[str, object] = {
        "identical": identical,
        "distance": distance,
        "sha256": other.sha256,
        "uploaded_at": other.uploaded_at.isoformat() if other.uploaded_at else None,
    }
    if code == "duplicate_photo":
        # another subject's records may lie outside what this photo's viewers may see: name the subject only
        kind, subject_id = other.subject
        return out | {"subject_kind": kind, "subject_id": subject_id, "subject_name": other.subject_name}
    ref: dict[str, object] = (
        {"inspection": other.owner_ref}
        if other.kind == "inspection"
        else {"rectification_id": other.owner_id}
    )
    return out | {"kind": other.kind, **ref, "photo_uuid": other.photo_uuid, "item_key": other.item_key}


def reuse_flags(
    mine: EvidenceUse,
    others: Iterable[EvidenceUse],
    *,
    max_distance: int,
    per_code: int = MAX_MATCHES_PER_CODE,
) -> list[Flag]:
    """Flags for ``mine`` being the same photo (same bytes) as, or near-identical to (perceptual hashes
    within ``max_distance``), photos attached elsewhere before it: the reuse is flagged on the copy, never
    on the original. ``mine`` itself (the same attachment, as an idempotent retry finds it) never matches.
    One flag per item of the same inspection (or for the same repair), per other occasion of the same
    subject, per other subject; the closest ``per_code`` of each. Only the same bytes are called
    "同一张照片": a distance of 0 between two files is a likeness."""
    best: dict[tuple[str, tuple[object, ...]], tuple[bool, int, float, EvidenceUse]] = {}
    for other in others:
        if other.link == mine.link or not other.came_before(mine):
            continue
        d = _likeness(mine, other, max_distance)
        if d is None:
            continue
        identical = other.sha256 == mine.sha256
        key = _scope(mine, other)
        recent = other.uploaded_at.timestamp() if other.uploaded_at else 0.0
        rank = (not identical, d, -recent, other)
        if key not in best or rank[:3] < best[key][:3]:
            best[key] = rank
    flags: list[Flag] = []
    for code in REUSE_CODES:
        ranked = sorted((r for (c, _), r in best.items() if c == code), key=lambda r: r[:3])
        for differs, d, _, other in ranked[:per_code]:
            where = _where(code, mine, other)
            message = f"与{where}的照片高度相似（汉明距离 {d}）" if differs else f"同一张照片已用于{where}"
            flags.append(Flag(code, message, float(d), _details(code, other, not differs, d)))
    return flags


# What a viewer who may not see the other subject reads instead of its name (see flags_for_viewer).
OUTSIDE_SCOPE = "管辖范围以外的检查对象"


def flags_for_viewer(
    flags: Iterable[Mapping[str, object]], visible: Collection[tuple[object, object]]
) -> list[dict[str, object]]:
    """The stored flags as one viewer may read them. A ``duplicate_photo`` flag names another subject
    (its name, id and the matching photo's SHA-256); a viewer who may not see that subject — ``visible``
    holds the (subject_kind, subject_id) pairs they may — reads that the photo was used for a subject
    outside their scope, how alike it is and when, and nothing that identifies it. A flag whose subject
    is unknown (older flags without details) is read the same way."""
    out: list[dict[str, object]] = []
    for flag in flags:
        details = flag.get("details")
        details = details if isinstance(details, Mapping) else {}
        if flag.get("code") != "duplicate_photo" or (
            (details.get("subject_kind"), details.get("subject_id")) in visible
        ):
            out.append(dict(flag))
            continue
        message = str(flag.get("message", ""))
        identical = details.get("identical", "同一张照片" in message) is True
        distance = details.get("distance", flag.get("value"))
        where = OUTSIDE_SCOPE
        text = f"同一张照片已用于{where}" if identical else f"与{where}的照片高度相似（汉明距离 {distance}）"
        out.append({
            "code": "duplicate_photo",
            "message": text,
            "value": flag.get("value"),
            "details": {
                "identical": identical, "distance": distance, "uploaded_at": details.get("uploaded_at"),
                "subject_kind": details.get("subject_kind"), "outside_scope": True,
            },
        })  # fmt: skip
    return out


def later_likenesses(
    mine: EvidenceUse, others: Iterable[EvidenceUse], *, max_distance: int
) -> list[EvidenceUse]:
    """Attachments made after ``mine`` of a near-identical but different file. Their own check may have
    run before ``mine`` had a perceptual hash (derivative tasks finish in any order), so they are checked
    again once it has one. (The same bytes need no second look: they match at upload.)"""
    return [
        o
        for o in others
        if mine.came_before(o) and o.sha256 != mine.sha256 and _likeness(mine, o, max_distance) is not None
    ]
