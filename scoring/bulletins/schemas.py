from datetime import datetime
from typing import Any

from ninja import Field

from kernel.jobs import JobOut
from kernel.kit import StrictSchema


class BulletinIn(StrictSchema):
    kind: str = Field(
        max_length=20,
        description="类型：assessment 年度考核结果通报（期别为考核方案，如 towns-2022，须已正式发布）/ "
        "sewage_warning 农村生活污水治理进度预警通报（期别为截至日期 YYYY-MM-DD）/ dekad 每旬逆序排名通报",
    )
    period: str = Field(min_length=1, max_length=64, description="期别：见 kind")


class BulletinNumberIn(StrictSchema):
    number: str = Field(max_length=64, description="文号，如 海安办〔2022〕12号；空字符串清除")


class BulletinOut(JobOut):
    id: int = Field(description="通报编号")
    kind: str = Field(description="类型：dekad / assessment / sewage_warning")
    kind_label: str = Field(description="类型名称")
    period: str = Field(description="期别（考核方案、截至日期或旬）")
    title: str = Field(description="标题（生成后才有）")
    number: str = Field(description="文号（默认空白，可由区级部门填写）")
    status: str = Field(description="queued 排队中 / running 生成中 / done 已生成 / failed 生成失败")
    error: str = Field(description="生成失败的原因（中文）；成功时为空")
    error_code: str = Field(description="生成失败的代码，如 scoreboard_not_published、font_missing")
    created_by: str | None = Field(description="出具人（用户名）")
    created_at: datetime = Field(description="出具时间")
    finished_at: datetime | None = Field(description="生成完成或失败的时间")
    has_pdf: bool = Field(description="PDF 已转换并保存（首次下载 PDF 时转换）")
    docx_url: str | None = Field(description="Word 文件下载地址（生成后）")
    pdf_url: str | None = Field(description="PDF 下载地址（生成后；服务器未装 LibreOffice 时返回 409）")

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_error(obj: Any) -> str:
        return str(obj.report.get("error", "")) if obj.status == "failed" else ""

    @staticmethod
    def resolve_error_code(obj: Any) -> str:
        return str(obj.report.get("code", "")) if obj.status == "failed" else ""

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.username if obj.created_by_id else None

    @staticmethod
    def resolve_has_pdf(obj: Any) -> bool:
        return bool(obj.pdf)

    @staticmethod
    def resolve_docx_url(obj: Any) -> str | None:
        return f"/api/v1/bulletins/{obj.pk}/file?format=docx" if obj.status == "done" else None

    @staticmethod
    def resolve_pdf_url(obj: Any) -> str | None:
        return f"/api/v1/bulletins/{obj.pk}/file?format=pdf" if obj.status == "done" else None


class BulletinDetailOut(BulletinOut):
    content: dict[str, Any] = Field(
        description="通报内容及其所依据的数据：title、number、summary、tables（caption、columns、rows，"
        "与 Word 文件中的表格逐格相同）、chart、data（原始数据，如考核结果各行与内容摘要、各区镇比率）"
    )
