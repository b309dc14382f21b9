"""One builder per kind of bulletin: the kind's period key → a pure ``BulletinContent`` from the data as it
stands. Adding a kind is one function and one ``BUILDERS`` entry (and, if the period needs checking or the
kind has its own issuers, one ``CHECKS`` entry; the default lets the district roles issue any period).

A builder raises an ``ApplicationError`` (code and zh-Hans message) when the data cannot make the
bulletin — the request that issues it answers 4xx with it, a run that meets it later fails the bulletin
with it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.utils import timezone

from kernel.access import DISTRICT_ROLES, Principal
from kernel.errors import Conflict, InvalidInput, PermissionDenied

from ..assessment.models import Scoreboard, ScoreboardStatus
from ..assessment.services import row_unit, scheme_owner_check
from ..engine.rankings import dekad_of_key
from ..engine.sewage import progress
from ..engine.water.periods import Period, PeriodKind, period_of
from ..rankings import selectors as rankings
from ..sewage import rules as sewage_rules
from ..sewage import services as sewage
from .content import BulletinContent, Chart, Table

# ------------------------------------------------------------------------------------------ assessment


def _published_board(scheme_key: str) -> Scoreboard:
    board = (
        Scoreboard.objects.filter(scheme_key=scheme_key, status=ScoreboardStatus.FINAL)
        .order_by("-published_at", "-id")
        .first()
    )
    if board is None:
        raise Conflict(
            "该考核方案尚无正式发布的考核结果，只能依据正式发布的结果出具通报",
            code="scoreboard_not_published",
            details={"fields": {"period": ["考核结果尚未正式发布"]}, "scheme_key": scheme_key},
        )
    return board


def check_assessment(principal: Principal, period: str) -> str:
    """The scheme's owners issue its result (as they publish it); only from a published (final) board."""
    scheme_owner_check(principal=principal, scheme_key=period)
    _published_board(period)
    return period


def _num(value: Any) -> float:
    return float(Decimal(str(value)))


def build_assessment(period: str) -> BulletinContent:
    """The year's assessment result as published: the table in ranking order (the same columns as the
    published export), the grades counted, a bar chart of the totals, and the board's 内容摘要 (content
    hash) so that a reader can check the document against the published result."""
    board = _published_board(period)
    components = board.scheme_document["components"]
    rows = sorted(board.rows, key=lambda r: (r["rank"], row_unit(r)))
    data_rows: list[dict[str, Any]] = [
        {
            "rank": r["rank"],
            "unit_name": r["unit_name"],
            "components": {c["key"]: str(r["components"][c["key"]]) for c in components},
            "total": str(r["total"]),
            "grade": r["grade"],
            "award": r["award"],
            "vetoed": r["vetoed"],
            "veto_reasons": list(r["veto_reasons"]),
        }
        for r in rows
    ]
    columns = ("排名", "单位", *[f"{c['title']}得分" for c in components], "总分", "等次", "备注")
    table_rows = tuple(
        (
            r["rank"],
            r["unit_name"],
            *[r["components"][c["key"]] for c in components],
            r["total"],
            r["grade"],
            "；".join(
                x
                for x in (f"一票否决：{'；'.join(r['veto_reasons'])}" if r["vetoed"] else "", r["award"])
                if x
            ),
        )
        for r in data_rows
    )
    grades: dict[str, int] = {}
    for r in data_rows:
        grades[r["grade"]] = grades.get(r["grade"], 0) + 1
    published = timezone.localtime(board.published_at) if board.published_at else None
    weights = "、".join(f"{c['title']}{round(float(c['weight']) * 100)}%" for c in components)
    summary = (
        f"根据{board.title}方案（{board.scheme_key}），对{len(rows)}个单位的年度考核结果已经公示并于"
        f"{published:%Y年%m月%d日}正式发布。"
        if published
        else f"{board.title}结果已正式发布。",
        f"总分按{weights}折算，百分制。等次分布：" + "，".join(f"{g}{n}个" for g, n in grades.items()) + "。",
        *(
            [f"{'、'.join(vetoed)}因一票否决事项，考核等次为不合格。"]
            if (vetoed := [r["unit_name"] for r in data_rows if r["vetoed"]])
            else []
        ),
        "请各单位对照考核结果查找不足，认真整改。",
    )
    return BulletinContent(
        title=f"关于{board.title}结果的通报",
        number="",
        summary=summary,
        tables=(Table(f"{board.title}结果", columns, table_rows),),
        chart=Chart(
            f"{board.title}总分",
            tuple(r["unit_name"] for r in data_rows),
            tuple(_num(r["total"]) for r in data_rows),
            unit="分",
        ),
        data={
            "scheme_key": board.scheme_key,
            "scoreboard_id": board.pk,
            "year": board.year,
            "content_hash": board.content_hash,
            "published_at": published.isoformat() if published else None,
            "components": [{"key": c["key"], "title": c["title"]} for c in components],
            "rows": data_rows,
        },
        issuer="海门区安全生产委员会办公室",
        footer=(f"考核结果内容摘要（SHA-256）：{board.content_hash}",),
    )


# ---------------------------------------------------------------------------------------- sewage warning


def _day(period: str) -> date:
    try:
        on = date.fromisoformat(period)
    except ValueError:
        raise InvalidInput(
            "期别应为截至日期 YYYY-MM-DD",
            code="bulletin_period_invalid",
            details={"fields": {"period": ["期别应为截至日期 YYYY-MM-DD"]}},
        ) from None
    if on > timezone.localdate() or on.year < 2000:
        raise InvalidInput(
            "截至日期不能晚于今天",
            code="bulletin_period_invalid",
            details={"fields": {"period": ["截至日期不能晚于今天，也不能早于 2000 年"]}},
        )
    return on


def check_sewage_warning(principal: Principal, period: str) -> str:
    _district_only(principal, period)
    return _day(period).isoformat()


def _pct(value: Fraction | Decimal | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def build_sewage_warning(period: str) -> BulletinContent:
    """The 通报预警 of 65号 item 28 as of the day ``period``: each town's 治理率 against its 序时 target and
    正常运行率 against the target (``scoring.engine.sewage.progress`` says what "lags" means); the table
    lists every town, those that lag first."""
    on = _day(period)
    rules = sewage_rules.load()
    year_start, deadline = date(on.year, 1, 1), date(on.year, 12, 31)
    now = sewage.report(on, rules)
    start = sewage.report(year_start, rules) if on != year_start else now
    targets = rules.rates
    towns = []
    for t in now.towns.values():
        begun = start.towns[t.id].treatment if t.id in start.towns else t.treatment
        treatment = progress.treatment_progress(
            start=begun, now=t.treatment, target=targets.treatment_target, on=on,
            year_start=year_start, deadline=deadline,
        )  # fmt: skip
        operation = progress.operation_progress(now=t.operation, target=targets.operation_target)
        towns.append((t, treatment, operation))
    lagging = [x for x in towns if x[1].lags or x[2].lags]
    ordered = lagging + [x for x in towns if x not in lagging]
    data_rows: list[dict[str, Any]] = [
        {
            "town_id": t.id,
            "town": t.name,
            "treatment_start": _pct(tp.start.percent if tp.start else None),
            "treatment": _pct(t.treatment.percent),
            "treatment_expected": _pct(tp.expected),
            "treatment_lags": tp.lags,
            "operation": _pct(t.operation.percent),
            "operation_lags": op.lags,
            "treated_villages": t.treatment.numerator,
            "villages": t.treatment.denominator,
            "normal_facilities": t.operation.numerator,
            "facilities": t.operation.denominator,
        }
        for t, tp, op in ordered
    ]

    def verdict(r: dict[str, Any]) -> str:
        parts = [
            "治理率滞后于序时进度" if r["treatment_lags"] else "",
            "正常运行率未达标" if r["operation_lags"] else "",
        ]
        return "预警：" + "、".join(p for p in parts if p) if any(parts) else "—"

    columns = ("区镇", "年初治理率(%)", "治理率(%)", "序时目标(%)", "正常运行率(%)", "结论")
    table_rows = tuple(
        (r["town"], r["treatment_start"], r["treatment"], r["treatment_expected"], r["operation"], verdict(r))
        for r in data_rows
    )
    names = "、".join(t.name for t, _, _ in lagging)
    summary = (
        f"根据海政办发〔2022〕65号第28条，对序时进度仍不达要求的区镇进行通报预警。截至{on:%Y年%m月%d日}，"
        f"全区农村生活污水治理率（双60）{_pct(now.treatment.percent)}%，设施正常运行率"
        f"{_pct(now.operation.percent)}%；年度目标分别为不低于{targets.treatment_target}%和"
        f"{targets.operation_target}%。",
        "序时目标：各区镇治理率自年初水平起至年底均匀提升至年度目标，截至当日应达到的水平；"
        "正常运行率按年度目标判断。",
        f"以下{len(lagging)}个区镇进度滞后，予以预警：{names}。请相关区镇加快推进治理项目建设，"
        "落实运维管理，确保完成年度目标。"
        if lagging
        else "各区镇均达到序时进度要求。",
    )
    return BulletinContent(
        title=f"关于农村生活污水治理进度的预警通报（截至{on:%Y年%m月%d日}）",
        number="",
        summary=summary,
        tables=(Table("各区镇农村生活污水治理进度", columns, table_rows),),
        chart=Chart(
            "各区镇农村生活污水治理率",
            tuple(r["town"] for r in data_rows),
            tuple(None if r["treatment"] == "—" else float(r["treatment"]) for r in data_rows),
            unit="%",
            reference=float(targets.treatment_target),
            reference_label=f"年度目标 {targets.treatment_target}%",
        ),
        data={
            "on": on.isoformat(),
            "rules": rules.key,
            "treatment_target": str(targets.treatment_target),
            "operation_target": str(targets.operation_target),
            "district": {"treatment": _pct(now.treatment.percent), "operation": _pct(now.operation.percent)},
            "lagging": [t.id for t, _, _ in lagging],
            "rows": data_rows,
        },
        issuer="海门区住房和城乡建设局　海门区生态环境局",
    )


# ----------------------------------------------------------------------------------------------- dekad


def _dekad(period: str) -> Period:
    try:
        dekad = dekad_of_key(period)
    except ValueError:
        raise InvalidInput(
            "期别应为旬，如 2026-11-D3（11 月下旬）",
            code="bulletin_period_invalid",
            details={"fields": {"period": ["期别应为旬：YYYY-MM-D1 / D2 / D3（上 / 中 / 下旬）"]}},
        ) from None
    if dekad.start > timezone.localdate():
        raise InvalidInput(
            "该旬尚未开始",
            code="bulletin_period_invalid",
            details={"fields": {"period": ["不能通报尚未开始的旬"]}},
        )
    return dekad


def check_dekad(principal: Principal, period: str) -> str:
    _district_only(principal, period)
    return _dekad(period).key


def _value(value: str | None) -> str:
    return "—" if value is None else value


def build_dekad(period: str) -> BulletinContent:
    """The 每旬逆序排名 of 65号 item 38 for the 旬 ``period`` ("2026-11-D3"): the ranking of
    ``GET /rankings/dekad`` (worst first, the scheme's indicators), a bar chart of the scores, and the towns
    at the bottom for the scheme's N 旬 in a row up to this one (约谈 candidates)."""
    dekad = _dekad(period)
    rule = rankings.schemes.load(rankings.schemes.DEFAULT_KEY).persistent
    first = dekad.start
    for _ in range(rule.in_a_row - 1):
        first = period_of(first - timedelta(days=1), PeriodKind.DEKAD).start
    history = rankings.history_of(first=first, last=dekad.start)
    ranking = history.dekads[-1]
    persistent = [s for s in history.persistent_bottom if s.ongoing and s.length >= rule.in_a_row]
    counted = [i for i in ranking.indicators if i.counted]
    data_rows: list[dict[str, Any]] = [
        {
            "rank": r.rank,
            "town_id": r.town.id,
            "town": r.town.name,
            "score": None if r.score is None else str(r.score),
            "values": {i.key: None if r.values.get(i.key) is None else str(r.values[i.key]) for i in counted},
            "at_bottom": r.at_bottom,
            "persistent": any(s.town.id == r.town.id for s in persistent),
        }
        for r in ranking.ranking
    ]

    def remark(r: dict[str, Any]) -> str:
        return "持续靠后" if r["persistent"] else "靠后" if r["at_bottom"] else ""

    columns = (
        "逆序名次",
        "区镇",
        "综合得分",
        *[f"{i.title}（{i.unit}）" if i.unit else i.title for i in counted],
        "备注",
    )
    table_rows = tuple(
        (
            "—" if r["rank"] is None else r["rank"],
            r["town"],
            _value(r["score"]),
            *[_value(r["values"][i.key]) for i in counted],
            remark(r),
        )
        for r in data_rows
    )
    weights = "、".join(f"{i.title}{i.weight * 100:g}%" for i in counted)
    bottom = [r["town"] for r in data_rows if r["at_bottom"]]
    summary = (
        f"根据海政办发〔2022〕65号第38条，现将{dekad.label}各区镇环境质量逆序排名情况通报如下。",
        f"排名依据{ranking.title}：{weights}（综合得分越低排名越靠前，第 1 名为最差）。",
        f"本旬排名靠后的区镇：{'、'.join(bottom)}。" if bottom else "本旬无排名靠后的区镇。",
        f"连续{rule.in_a_row}旬排名靠后的区镇：{'、'.join(s.town.name for s in persistent)}，列为约谈对象。"
        if persistent
        else f"无连续{rule.in_a_row}旬排名靠后的区镇。",
        "请各区镇对照排名查找问题，落实整改措施，切实改善环境质量。",
    )
    return BulletinContent(
        title=f"关于{dekad.label}区镇环境质量逆序排名情况的通报",
        number="",
        summary=summary,
        tables=(Table(f"{dekad.label}区镇环境质量逆序排名", columns, table_rows),),
        chart=Chart(
            f"{dekad.label}各区镇综合得分",
            tuple(r["town"] for r in data_rows),
            tuple(None if r["score"] is None else float(r["score"]) for r in data_rows),
            unit="分",
        ),
        data={
            "period": dekad.key,
            "scheme": ranking.scheme,
            "indicators": [
                {"key": i.key, "title": i.title, "unit": i.unit, "weight": str(i.weight)} for i in counted
            ],
            "persistent": {
                "bottom": rule.bottom,
                "in_a_row": rule.in_a_row,
                "towns": [s.town.id for s in persistent],
            },
            "rows": data_rows,
        },
        issuer="海门区打好污染防治攻坚战指挥部办公室",
    )


# ------------------------------------------------------------------------------------------- registry


def _district_only(principal: Principal, period: str) -> str:
    if not principal.has_any(DISTRICT_ROLES):
        raise PermissionDenied("只有区级部门可以出具通报")
    return period


Builder = Callable[[str], BulletinContent]
Check = Callable[[Principal, str], str]  # may the principal issue it; the period normalised

BUILDERS: dict[str, Builder] = {
    "assessment": build_assessment,
    "sewage_warning": build_sewage_warning,
    "dekad": build_dekad,
}
CHECKS: dict[str, Check] = {
    "assessment": check_assessment,
    "sewage_warning": check_sewage_warning,
    "dekad": check_dekad,
}


def check(principal: Principal, kind: str, period: str) -> str:
    return CHECKS.get(kind, _district_only)(principal, period)
