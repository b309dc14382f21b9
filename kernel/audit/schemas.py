from datetime import datetime
from typing import Any

from ninja import Field, Schema


class AuditEventOut(Schema):
    id: int = Field(description="事件编号")
    at: datetime = Field(description="时间")
    actor_id: int | None = Field(description="操作人编号（系统任务为空）")
    actor_username: str = Field(description="操作人账号")
    device_id: str = Field(description="设备标识")
    ip: str | None = Field(description="来源地址")
    request_id: str = Field(description="请求编号（响应头 X-Request-ID）")
    method: str = Field(description="HTTP 方法")
    path: str = Field(description="请求路径")
    status_code: int | None = Field(description="响应状态（仅请求级事件）")
    action: str = Field(description="动作，例如 geo.facility.update；request 表示请求级记录")
    object_type: str = Field(description="对象类型")
    object_id: str = Field(description="对象编号")
    object_repr: str = Field(description="对象")
    before: Any = Field(description="修改前")
    after: Any = Field(description="修改后")
