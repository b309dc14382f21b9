"""Photos: uploads from the phone (inspections, rectifications, appeals) and the photo files."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from geo.coords import Datum
from kernel.kit import Id, Moment
from media.files import photo_response
from scoring.assessment.schemas import AppealOut

from .. import selectors
from ..schemas import PhotoOut
from ..services import evidence as evidence_services
from .common import Sha256, _device_meta, _read_photo

router = Router()


@router.post(
    "/inspections/{client_uuid}/photos",
    response={201: PhotoOut},
    summary="上传一张照片（multipart；按照片 UUID 幂等，相同内容只存一份；可附手机定位）",
)
def inspection_photo(
    request: HttpRequest,
    client_uuid: UUID,
    photo_uuid: UUID = Form(..., description="客户端生成的照片 UUID"),
    item_key: str = Form("", max_length=64, description="所属检查项（空为整体照片）"),
    lon: float | None = Form(None, ge=-180, le=180, description="拍摄时手机定位：经度"),
    lat: float | None = Form(None, ge=-90, le=90, description="拍摄时手机定位：纬度"),
    datum: Datum = Form(Datum.WGS84, description="手机定位的坐标系（高德、腾讯为 gcj02）"),
    accuracy_m: float | None = Form(None, ge=0, description="手机定位精度（米）"),
    captured_at: Moment | None = Form(None, description="手机记录的拍摄时间（带时区）"),
    file: UploadedFile = File(..., description="JPEG、PNG 或 HEIC 照片"),
) -> Status:
    link = evidence_services.inspection_photo_add(
        principal=request.auth,
        client_uuid=client_uuid,
        photo_uuid=photo_uuid,
        item_key=item_key,
        data=_read_photo(file),
        device=_device_meta(lon, lat, datum, accuracy_m, captured_at),
    )
    return Status(201, link)


@router.post(
    "/rectifications/{rectification_id}/photos",
    response={201: PhotoOut},
    summary="上传整改照片（在现场拍摄；位置与时间同样核验）",
)
def rectification_photo(
    request: HttpRequest,
    rectification_id: Id,
    photo_uuid: UUID = Form(..., description="客户端生成的照片 UUID"),
    lon: float | None = Form(None, ge=-180, le=180, description="拍摄时手机定位：经度"),
    lat: float | None = Form(None, ge=-90, le=90, description="拍摄时手机定位：纬度"),
    datum: Datum = Form(Datum.WGS84, description="手机定位的坐标系"),
    accuracy_m: float | None = Form(None, ge=0, description="手机定位精度（米）"),
    captured_at: Moment | None = Form(None, description="手机记录的拍摄时间（带时区）"),
    file: UploadedFile = File(..., description="JPEG、PNG 或 HEIC 照片"),
) -> Status:
    link = evidence_services.rectification_photo_add(
        principal=request.auth,
        rectification_id=rectification_id,
        photo_uuid=photo_uuid,
        data=_read_photo(file),
        device=_device_meta(lon, lat, datum, accuracy_m, captured_at),
    )
    return Status(201, link)


@router.post(
    "/appeals/{appeal_id}/photos",
    response={201: AppealOut},
    summary="为申诉补充证据照片（区镇；申诉处理前，一次一张）",
)
def appeal_photo(
    request: HttpRequest,
    appeal_id: Id,
    file: UploadedFile = File(..., description="JPEG、PNG 或 HEIC 照片"),
) -> Status:
    appeal = evidence_services.appeal_photo_add(
        principal=request.auth, appeal_id=appeal_id, data=_read_photo(file)
    )
    return Status(201, appeal)


@router.get(
    "/photos/{sha256}",
    summary="照片文件（仅能看到该照片所证明对象的用户可取；S3 时跳转到有时效的签名地址）",
    openapi_extra={
        "responses": {
            200: {
                "description": "照片（原图按上传格式；phone / list 缩略图为 JPEG）",
                "content": {"image/jpeg": {}, "image/png": {}, "image/heic": {}},
            },
            302: {"description": "对象存储时：跳转到有时效的签名地址"},
        }
    },
)
def photo_file(
    request: HttpRequest,
    sha256: Sha256,
    variant: str = Query(
        "original", pattern="^(original|phone|list)$", description="original / phone / list"
    ),
) -> HttpResponse:
    photo = selectors.photo_visible(principal=request.auth, sha256=sha256)
    return photo_response(photo, variant)
