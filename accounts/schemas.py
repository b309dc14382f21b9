from datetime import datetime

from ninja import Field, Schema

from kernel.access import Role
from kernel.kit import Id, StrictSchema


class TokenIn(StrictSchema):
    username: str = Field(min_length=1, max_length=150, description="用户名")
    password: str = Field(min_length=1, max_length=256, description="密码")
    device_id: str = Field(min_length=1, max_length=128, description="设备唯一标识（App 首次安装时生成）")
    device_name: str = Field(
        "", max_length=128, description="设备名称，便于丢失时识别，例如“张三的华为 Mate 60”"
    )


class TokenOut(Schema):
    token: str = Field(
        description="Bearer 令牌，仅在签发时返回一次；请求时放在 Authorization: Bearer <token>"
    )
    expires_at: datetime = Field(description="过期时间（带时区）")
    device_token_id: int = Field(description="此设备令牌的编号，可用于吊销")


class DeviceOut(Schema):
    id: int = Field(description="设备令牌编号")
    user_id: int = Field(description="用户编号")
    device_id: str = Field(description="设备唯一标识")
    device_name: str = Field(description="设备名称")
    key_prefix: str = Field(description="令牌前缀（用于核对，不可用于登录）")
    created_at: datetime = Field(description="签发时间")
    expires_at: datetime = Field(description="过期时间")
    last_used_at: datetime | None = Field(description="最后使用时间（精确到约 5 分钟）")
    last_ip: str | None = Field(description="最后来源地址")
    revoked_at: datetime | None = Field(description="吊销时间，未吊销为 null")
    revoked_reason: str = Field(
        description="吊销原因：revoked（主动吊销）、replaced（同一设备重新登录）、logout"
    )
    is_current: bool = Field(False, description="是否为本次请求所用的设备")


class ScopeOut(Schema):
    role: str = Field(description="角色代码")
    role_label: str = Field(description="角色名称")
    region_id: int = Field(description="管辖区划编号")
    region_code: str | None = Field(description="区划代码")
    region_name: str = Field(description="区划名称")
    region_level: str = Field(description="区划层级")


class MeOut(Schema):
    id: int = Field(description="用户编号")
    username: str = Field(description="用户名")
    display_name: str = Field(description="姓名")
    is_admin: bool = Field(description="是否系统管理员")
    roles: list[str] = Field(description="角色代码列表")
    scopes: list[ScopeOut] = Field(description="每个角色的管辖区划（含其下级）")
    device_token_id: int | None = Field(description="本次请求使用的设备令牌编号")


class GrantIn(StrictSchema):
    role: Role = Field(
        description="角色：inspector 检查员、town_officer 区镇安监局、planner 规划人员；"
        "district_office、environment_bureau、admin 只能由系统管理员授予"
    )
    region_id: Id = Field(description="管辖区划编号（角色覆盖该区划及其全部下级）")


class UserIn(StrictSchema):
    username: str = Field(
        min_length=1, max_length=150, description="用户名（字母、数字和 @.+-_，不区分大小写不得重复）"
    )
    password: str = Field(
        min_length=1, max_length=256, description="初始密码（按系统密码规则校验，至少 8 位）"
    )
    display_name: str = Field("", max_length=64, description="姓名")
    phone: str = Field("", max_length=20, description="手机号")
    email: str = Field("", max_length=254, description="电子邮箱")
    grants: list[GrantIn] = Field(
        default_factory=list,
        description="同时授予的角色；区安委办新建用户时至少一个（否则该账号不在其管辖范围内）",
    )


class PasswordIn(StrictSchema):
    password: str = Field(min_length=1, max_length=256, description="新密码（按系统密码规则校验）")


class GrantOut(Schema):
    id: int = Field(description="授权编号（撤销时使用）")
    role: str = Field(description="角色代码")
    role_label: str = Field(description="角色名称")
    region_id: int = Field(description="管辖区划编号")
    region_code: str | None = Field(description="区划代码")
    region_name: str = Field(description="区划名称")
    region_level: str = Field(description="区划层级")
    created_at: datetime = Field(description="授权时间")


class UserOut(Schema):
    id: int = Field(description="用户编号")
    username: str = Field(description="用户名")
    display_name: str = Field(description="姓名")
    phone: str = Field(description="手机号")
    email: str = Field(description="电子邮箱")
    is_active: bool = Field(description="是否启用；停用的账号不能登录")
    is_superuser: bool = Field(description="是否超级管理员（只能由超级管理员管理）")
    date_joined: datetime = Field(description="创建时间")
    grants: list[GrantOut] = Field(description="角色授权（只列出您管辖范围内的）")
    manageable: bool = Field(description="您能否修改此用户（重置密码、停用、授权）")
