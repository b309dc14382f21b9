"""A sewage facility's dossier: audits, photos, operating condition and rectifications."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from geo.schemas import FacilityOut
from kernel.kit import Id

from .. import selectors
from ..schemas import InspectionSummary, RectificationOut

router = Router()


class FacilityServesOut(Schema):
    natural_village_id: int = Field(description="自然村编号")
    natural_village: str = Field(description="自然村名称")
    households: int = Field(description="该设施服务的户数")
    village_households: int | None = Field(description="自然村总户数（未登记为 null）")


class FacilityConditionOut(Schema):
    conditions: list[str] = Field(description="运行状况（normal / stopped / damaged / …）")
    status: str = Field(description="核查后的设施状态")
    approved_at: datetime = Field(description="核查审核通过时间")
    inspection: str = Field(description="依据的核查（检查客户端编号）")
    withdrawn_at: datetime | None = Field(description="撤销时间（核查经区级撤销后不再计入）")
    withdrawal_reason: str = Field(description="撤销理由")


class FacilityDossierOut(Schema):
    facility: FacilityOut = Field(description="设施登记信息")
    serves: list[FacilityServesOut] = Field(description="服务的自然村与户数")
    conditions: list[FacilityConditionOut] = Field(
        description="运行状况历史（每次核查通过后；最新在前；区级撤销的核查标有 withdrawn_at，不再计入）"
    )
    audits: list[InspectionSummary] = Field(description="核查记录（含照片核验标记数）")
    rectifications: list[RectificationOut] = Field(description="问题与整改（含整改照片）")


@router.get(
    "/sewage/facilities/{facility_id}",
    response=FacilityDossierOut,
    summary="设施档案：核查、照片、运行状况与整改",
)
def facility_dossier(request: HttpRequest, facility_id: Id) -> object:
    return selectors.facility_dossier(principal=request.auth, facility_id=facility_id)
