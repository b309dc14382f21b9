"""Reading cells: blanks and not-measured marks, below-detection flags, dates and times of day."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

from kernel.tables import excel_datetime, norm

from .codes import XLSX

_NO_CENSORING = frozenset({"ph", "temp"})  # "below detection" makes no sense for these


_CENSORED_FLAGS = frozenset({"nd", "n.d.", "l", "<", "未检出"})
_NORMAL_FLAGS = frozenset({"", "n", "正常"})
_NOT_MEASURED = frozenset({"-", "--", "—", "——", "/", "//"})


def _is_blank(cell: Any) -> bool:
    if cell is None:
        return True
    if isinstance(cell, str):
        text = norm(cell)
        return not text or text in _NOT_MEASURED
    return False


_DATETIME = re.compile(
    r"(?P<y>\d{4})[-/.年](?P<mo>\d{1,2})[-/.月](?P<d>\d{1,2})日?"
    r"(?:(?:\s+|T)(?P<time>\d{1,2}(?::\d{1,2}(?::\d{1,2}(?:\.\d{1,6})?)?|时(?:\d{1,2}分)?)))?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?"
)
_TIME_OF_DAY = re.compile(
    r"(?P<h>\d{1,2})(?::(?P<m>\d{1,2})(?::(?P<s>\d{1,2})(?:\.(?P<f>\d{1,6}))?)?|时(?:(?P<m2>\d{1,2})分)?)"
)


def _parse_time_of_day(text: str) -> time | None:
    m = _TIME_OF_DAY.fullmatch(text)
    if m is None:
        return None
    micro = int((m["f"] or "0").ljust(6, "0"))
    return time(int(m["h"]), int(m["m"] or m["m2"] or 0), int(m["s"] or 0), micro)


# A parsed time cell: a datetime (has_time False for a date alone) or a time of day.
_TimePart = tuple[datetime, bool] | time


# The years a sampling time may lie in: the API's own bounds for dates (kernel.kit.FIRST_DAY / LAST_DAY).
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _parse_time_cell(cell: Any, fmt: str) -> _TimePart:
    """Raises ValueError when the cell is not a date / time."""
    if isinstance(cell, datetime):
        return cell, cell.time() != time(0) or cell.tzinfo is not None
    if isinstance(cell, date):
        return datetime.combine(cell, time(0)), False
    if isinstance(cell, time):
        return cell
    if fmt == XLSX and (parsed := excel_datetime(cell)) is not None:
        return parsed, parsed.time() != time(0)  # a date stored as a serial number without a date format
    text = norm(str(cell))
    m = _DATETIME.fullmatch(text)
    if m is None:
        t = _parse_time_of_day(text)
        if t is None:
            raise ValueError(text)
        return t
    t = _parse_time_of_day(m["time"]) if m["time"] else time(0)
    if t is None:  # pragma: no cover - the patterns agree
        raise ValueError(text)
    tz: tzinfo | None = None
    if m["tz"] == "Z":
        tz = UTC
    elif m["tz"]:
        sign = -1 if m["tz"][0] == "-" else 1
        digits = m["tz"][1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0)))
    dt = datetime(int(m["y"]), int(m["mo"]), int(m["d"]), t.hour, t.minute, t.second, t.microsecond, tz)
    if not FIRST_YEAR <= dt.year <= LAST_YEAR:
        # 0001-01-01 in Beijing time is no UTC time at all; 9999-12-31 has no next day.
        raise ValueError(text)
    return dt, bool(m["time"]) or tz is not None


_INVALID_TIME = "无法识别的时间「{}」（示例：2022-09-20 08:00、2022/9/20 8:00、2022-09-20）"


def _at(cells: Sequence[Any], index: int) -> Any:
    return cells[index] if index < len(cells) else None
