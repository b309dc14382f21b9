"""The one NinjaAPI: every app's router is mounted here under /api/v1."""

from ninja import NinjaAPI

from accounts.api import router as accounts_router
from accounts.auth import DeviceTokenAuth
from checklists.api import router as checklists_router
from checklists.maps.api import router as maps_router
from geo.air.api import router as air_points_router
from geo.api import router as geo_router
from geo.outfalls.api import router as outfall_router
from geo.pumps.api import router as pumps_router
from kernel.audit.api import router as audit_router
from kernel.errors import install_exception_handlers
from kernel.kit import Renderer, TextCheckingParser
from kernel.notifications.api import router as notifications_router
from scoring.air.api import router as air_router
from scoring.assessment.api import router as assessment_router
from scoring.bulletins.api import router as bulletins_router
from scoring.rankings.api import router as rankings_router
from scoring.sewage.api import router as sewage_router
from scoring.water.api import router as water_router
from scoring.water.inferior_api import router as inferior_v_router

api = NinjaAPI(
    title="fieldscore API",
    version="1",
    description=(
        "海门区现场检查、考核计分与区镇排名服务。所有错误均为 `{code, message, details}`："
        "`code` 稳定、供程序判断，`message` 为中文说明，`details` 指出出错字段。"
        "除登录外的接口都需要 `Authorization: Bearer <token>`。"
    ),
    auth=DeviceTokenAuth(),
    renderer=Renderer(),
    parser=TextCheckingParser(),
    urls_namespace="api-v1",
    docs_url="/docs",
)
install_exception_handlers(api)

api.add_router("/", accounts_router)
api.add_router("/geo", geo_router)
api.add_router("/geo/outfalls", outfall_router)
api.add_router("/geo", pumps_router)
api.add_router("/geo", air_points_router)
api.add_router("/geo/tiles", maps_router)
api.add_router("/audit", audit_router)
api.add_router("/notifications", notifications_router)
api.add_router("/", checklists_router)
api.add_router("/", assessment_router)
api.add_router("/", water_router)
api.add_router("/", inferior_v_router)
api.add_router("/", sewage_router)
api.add_router("/", rankings_router)
api.add_router("/", bulletins_router)
api.add_router("/", air_router)
