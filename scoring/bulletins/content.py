"""What a bulletin says, as plain frozen data: the Word renderer reads only this, so a kind's builder
decides the content and the renderer the layout. Pure: no Django (the pure-engines contract checks it).

``data`` is the JSON the tables were made from (stored with the bulletin): a reader can check every
figure of the document against it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Cell = str | int | float | Decimal | None


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Chart:
    """A bar per label (None: no data, written as such); ``reference`` draws a dashed line (a target)
    across the bars, and the bars and values below it are red."""

    title: str
    labels: tuple[str, ...]
    values: tuple[float | None, ...]
    unit: str = ""
    reference: float | None = None
    reference_label: str = ""


@dataclass(frozen=True)
class BulletinContent:
    title: str
    number: str  # 文号 (e.g. 海安办〔2022〕12号); blank until the office fills it in
    summary: tuple[str, ...]
    tables: tuple[Table, ...] = ()
    chart: Chart | None = None
    data: dict[str, Any] = field(default_factory=dict)
    issuer: str = ""  # the issuing office, printed under the text
    footer: tuple[str, ...] = ()


def cell_text(value: Cell) -> str:
    """How a cell reads in the document: empty for None, decimals and floats without a trailing .0."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def to_json(content: BulletinContent) -> dict[str, Any]:
    """The content as JSON (cells as their document text), to store with the bulletin and render again."""
    chart = content.chart
    return {
        "title": content.title,
        "number": content.number,
        "summary": list(content.summary),
        "tables": [
            {
                "caption": t.caption,
                "columns": list(t.columns),
                "rows": [[cell_text(c) for c in r] for r in t.rows],
            }
            for t in content.tables
        ],
        "chart": None
        if chart is None
        else {
            "title": chart.title,
            "labels": list(chart.labels),
            "values": list(chart.values),
            "unit": chart.unit,
            "reference": chart.reference,
            "reference_label": chart.reference_label,
        },
        "data": content.data,
        "issuer": content.issuer,
        "footer": list(content.footer),
    }


def from_json(document: dict[str, Any]) -> BulletinContent:
    chart = document.get("chart")
    return BulletinContent(
        title=document["title"],
        number=document.get("number", ""),
        summary=tuple(document.get("summary", ())),
        tables=tuple(
            Table(t["caption"], tuple(t["columns"]), tuple(tuple(r) for r in t["rows"]))
            for t in document.get("tables", ())
        ),
        chart=None
        if not chart
        else Chart(
            chart["title"],
            tuple(chart["labels"]),
            tuple(None if v is None else float(v) for v in chart["values"]),
            chart.get("unit", ""),
            chart.get("reference"),
            chart.get("reference_label", ""),
        ),
        data=document.get("data", {}),
        issuer=document.get("issuer", ""),
        footer=tuple(document.get("footer", ())),
    )
