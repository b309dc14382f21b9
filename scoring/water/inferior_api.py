"""劣Ⅴ list of a key section (65号 item 19): tributaries at 劣Ⅴ within km upstream, entries and 清零."""

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from kernel.errors import InvalidInput
from kernel.kit import Id

from .inferior import section_inferior_v
from .inferior_schemas import SectionInferiorVOut

router = Router(tags=["水质"])
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


def _month(text: str | None, field: str, default: date) -> date:
    if text is None:
        return default
    try:
        return date(int(text[:4]), int(text[5:7]), 1)
    except ValueError as exc:
        raise InvalidInput(details={"fields": {field: ["应为 YYYY-MM 格式的月份"]}}) from exc


@router.get(
    "/water/sections/{section_id}/inferior-v",
    response=SectionInferiorVOut,
    summary="断面上游劣Ⅴ类支流清单：沿河网 km 公里内的支流监测点，列入与清零月份、逐月数量",
)
def section_inferior_v_list(
    request: HttpRequest,
    section_id: Id,
    from_: str | None = Query(
        None, alias="from", pattern=MONTH, description="起始月份 YYYY-MM（默认 to 前 11 个月）"
    ),
    to: str | None = Query(None, pattern=MONTH, description="截止月份 YYYY-MM（默认本月）"),
    km: float = Query(10.0, gt=0, le=50, description="沿水流向上游的距离（公里，默认 10）"),
) -> object:
    last = _month(to, "to", timezone.localdate().replace(day=1))
    first = _month(from_, "from", date(last.year - (last.month < 12), (last.month % 12) + 1, 1))
    return section_inferior_v(principal=request.auth, section_id=section_id, first=first, last=last, km=km)
