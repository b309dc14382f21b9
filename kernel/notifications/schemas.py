from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema


class DeliveryOut(Schema):
    id: UUID = Field(alias="uid", description="投递编号（Webhook 请求头 X-Fieldscore-Delivery）")
    event: str = Field(alias="event.event", description="事件，例如 inspection.rejected")
    event_label: str = Field(alias="event.get_event_display", description="事件名称")
    title: str = Field(alias="event.title", description="标题")
    region_id: int | None = Field(alias="event.region_id", description="事件所属区域（空为全区）")
    endpoint: str = Field(alias="endpoint.name", description="端点名称（地址与密钥不返回）")
    endpoint_kind: str = Field(alias="endpoint.kind", description="端点类型：dingtalk | wecom | webhook")
    status: str = Field(description="pending | sending | retrying | delivered | failed | unknown")
    attempts: int = Field(description="已尝试次数")
    last_status_code: int | None = Field(description="最近一次的 HTTP 响应码（无响应为空）")
    last_response: str = Field(description="最近一次响应正文（前 500 字符）")
    last_error: str = Field(description="最近一次失败原因")
    created_at: datetime = Field(description="创建时间")
    next_attempt_at: datetime | None = Field(description="下次尝试时间")
    delivered_at: datetime | None = Field(description="送达时间")
    log: list[dict[str, Any]] = Field(description="每次尝试：时间、响应码、结论、原因")
