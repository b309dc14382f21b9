"""The period an inspection assesses (考核年度): which year's assessment it counts in.

Pure. The period is its own value, never the server's submit time: an annual assessment of 2022 is
often carried out (and submitted) in January 2023, and a phone offline over the New Year submits a
December inspection in January. Schemes are per calendar year (81号: 1 January – 31 December), so the
period is a year.

Precedence: the assignment's period when it sets one (a client contradicting it is refused); else the
client's; else the year the phone started the inspection (``device_started_at``, the phone's own clock:
an offline phone knows when the inspection was done, the server only knows when it arrived); else the
server's date. A default is checked like a stated period, so a phone whose clock was reset to 1970 is
told to state the period instead of having its inspection filed in some year.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

# The templates are written from the 2022 documents (海政办发〔2022〕65/80/81号): no period before
# them can be assessed with them.
FIRST_PERIOD = 2022


@dataclass(frozen=True)
class PeriodChoice:
    period: int
    source: str  # assignment / client / device / server


@dataclass(frozen=True)
class PeriodRefusal:
    code: str
    message: str


class PeriodMismatch(ValueError):
    def __init__(self, required: int) -> None:
        super().__init__(f"检查任务规定的考核年度为 {required} 年")
        self.required = required


_SOURCES = {
    "assignment": "检查任务规定的",
    "client": "",
    "device": "未填写考核年度，按设备开始填写时间取",
    "server": "未填写考核年度，按服务器日期取",
}


def choose_period(
    *, assignment: int | None, client: int | None, device_started_at: datetime | None, today: date
) -> PeriodChoice:
    """The period of a new inspection (see the module docstring for the order)."""
    if assignment is not None:
        if client is not None and client != assignment:
            raise PeriodMismatch(assignment)
        return PeriodChoice(assignment, "assignment")
    if client is not None:
        return PeriodChoice(client, "client")
    if device_started_at is not None:
        # The year on the phone's wall clock; callers pass it in local time.
        return PeriodChoice(device_started_at.year, "device")
    return PeriodChoice(today.year, "server")


def check_period(
    choice: PeriodChoice, *, today: date, scheme_years: Collection[int] | None
) -> PeriodRefusal | None:
    """Why this period cannot be assessed, or None. ``scheme_years``: the years of the schemes that
    use the template (None when no scheme uses it)."""
    prefix = _SOURCES[choice.source]
    shown = f"{prefix} {choice.period} 年：" if prefix else ""
    last = today.year + 1  # next year's tasks may be planned ahead, nothing beyond
    if not FIRST_PERIOD <= choice.period <= last:
        return PeriodRefusal(
            "period_out_of_range", f"{shown}考核年度应在 {FIRST_PERIOD}–{last} 年之间".strip()
        )
    if scheme_years is not None and choice.period not in scheme_years:
        years = "、".join(str(y) for y in sorted(scheme_years))
        return PeriodRefusal(
            "period_out_of_scheme",
            f"{shown}该模板用于考核方案，但没有 {choice.period} 年度的方案（现有：{years}）",
        )
    return None
