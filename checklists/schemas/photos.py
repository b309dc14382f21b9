"""Photo attachments and their flags."""

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema

from media.checks import flags_for_viewer


class PhotoFlagOut(Schema):
    code: str = Field(
        description="no_gps、no_exif_gps、mock_location、exif_phone_mismatch、far_from_subject、time_far、"
        "reused_other_item（本次检查其他检查项或同一检查项另一照片编号已用过）、"
        "reused_same_subject（该对象另一次检查或整改已用过）、duplicate_photo（其他检查对象已用过）"
    )
    message: str = Field(description="给审核人看的说明（中文）")
    value: float | None = Field(
        None, description="距离（米）、时间差（小时）或汉明距离（照片复用；同一文件为 0）"
    )
    details: dict[str, Any] | None = Field(
        None,
        description="照片复用：identical（同一文件）、distance（汉明距离）、sha256、uploaded_at，"
        "以及 kind、inspection（检查的 client_uuid）或 rectification_id、photo_uuid、item_key；"
        "其他检查对象只给 subject_kind、subject_id、subject_name，且仅对管辖范围包含该对象的用户；"
        "其他用户只见 identical、distance、uploaded_at、subject_kind 与 outside_scope=true。"
        "time_far：reference（inspection 检查的手机时间 / captured_at 手机记录的拍摄时间 / "
        "uploaded_at 上传时间）、taken_at、from、to",
    )


class PhotoOut(Schema):
    client_uuid: UUID = Field(description="客户端照片编号")
    item_key: str = Field("", description="所属检查项（空为整体照片；整改照片为空）")
    sha256: str = Field(description="内容摘要")
    width: int = Field(description="宽（像素）")
    height: int = Field(description="高（像素）")
    url: str = Field(description="原图地址（需登录；S3 时跳转到签名地址）")
    thumb_url: str = Field(description="手机尺寸缩略图地址（生成前返回原图）")
    exif_taken_at: datetime | None = Field(description="EXIF 拍摄时间")
    exif_gps_status: str = Field(description="EXIF 定位：ok / missing / invalid")
    exif_location: list[float] | None = Field(description="EXIF 位置 [经度, 纬度]（WGS-84）")
    camera: str = Field(description="相机厂商与型号")
    device_location: list[float] | None = Field(description="手机定位 [经度, 纬度]（已换算为 WGS-84）")
    device_accuracy_m: float | None = Field(description="手机定位精度（米）")
    flags: list[PhotoFlagOut] = Field(
        description="核验标记（只提示、不拒收）：上传应答里是当时已知的；近似照片的复用标记在缩略图任务之后出现"
    )
    uploaded_at: datetime = Field(description="上传时间")

    @staticmethod
    def resolve_sha256(obj: Any) -> str:
        return obj.photo.sha256

    @staticmethod
    def resolve_width(obj: Any) -> int:
        return obj.photo.width

    @staticmethod
    def resolve_height(obj: Any) -> int:
        return obj.photo.height

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return f"/api/v1/photos/{obj.photo.sha256}"

    @staticmethod
    def resolve_thumb_url(obj: Any) -> str:
        return f"/api/v1/photos/{obj.photo.sha256}?variant=phone"

    @staticmethod
    def resolve_exif_taken_at(obj: Any) -> datetime | None:
        return obj.photo.exif_taken_at

    @staticmethod
    def resolve_exif_gps_status(obj: Any) -> str:
        return obj.photo.exif_gps_status

    @staticmethod
    def resolve_exif_location(obj: Any) -> list[float] | None:
        loc = obj.photo.exif_location
        return [loc.x, loc.y] if loc else None

    @staticmethod
    def resolve_camera(obj: Any) -> str:
        return f"{obj.photo.exif_make} {obj.photo.exif_model}".strip()

    @staticmethod
    def resolve_device_location(obj: Any) -> list[float] | None:
        return [obj.device_location.x, obj.device_location.y] if obj.device_location else None

    @staticmethod
    def resolve_flags(obj: Any) -> list[dict[str, Any]]:
        # As the viewer may read them (set by the selectors and services that answer with photos); a
        # path that did not say who reads them names no other subject at all.
        viewer_flags = getattr(obj, "viewer_flags", None)
        return viewer_flags if viewer_flags is not None else flags_for_viewer(obj.flags, ())
