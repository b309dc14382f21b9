"""What the water read routes answer, as frozen rows: one evaluation, a section, a period, and the
per-period, per-year, per-town and dekad views built from them. The API's schemas
(:mod:`scoring.water.schemas`) read these; field order is the order clients receive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from geo.models import RiverSection

from ..engine import water


@dataclass(frozen=True)
class EvaluationRow:
    class_: int | None  # published as "class"
    class_label: str | None
    grade: str | None
    meets_target: bool | None
    deciding: tuple[str, ...]
    exceedances: dict[str, float]
    main_pollutants: tuple[str, ...]
    main_pollutants_text: str
    cwqi: float | None
    missing: tuple[str, ...]
    classes: dict[str, int]
    values: dict[str, float]


def pollutants_text(ev: water.Evaluation) -> str:
    """As the bureau writes it: 氨氮(0.52)、总磷(0.10) — the multiples over the Ⅲ limit."""
    return "、".join(f"{water.name_of(k)}({ev.exceedances[k]:.2f})" for k in ev.main_pollutants)


def evaluation_row(ev: water.Evaluation) -> EvaluationRow:
    """The engine's evaluation as the API publishes it (the POST /water/evaluate contract and more)."""
    return EvaluationRow(
        class_=ev.klass,
        class_label=ev.class_label,
        grade=ev.grade,
        meets_target=ev.meets_target,
        deciding=tuple(ev.deciding),
        exceedances={k: float(v) for k, v in ev.exceedances.items()},
        main_pollutants=tuple(ev.main_pollutants),
        main_pollutants_text=pollutants_text(ev),
        cwqi=None if ev.cwqi is None else float(ev.cwqi),
        missing=tuple(ev.missing),
        classes=dict(ev.classes),
        values={k: float(v) for k, v in ev.values.items()},
    )


@dataclass(frozen=True)
class SectionRow:
    id: int
    code: str
    name: str
    level: str
    water_body: str
    target_class: int
    target_label: str


def section_row(s: RiverSection) -> SectionRow:
    return SectionRow(
        s.pk, s.code, s.name, s.level, s.water_body, s.target_class, water.CLASS_LABELS[s.target_class]
    )


@dataclass(frozen=True)
class PeriodRow:
    kind: str
    key: str
    label: str
    start: date
    end: date


def period_row(p: water.Period) -> PeriodRow:
    return PeriodRow(str(p.kind), p.key, p.label, p.start, p.end)


@dataclass(frozen=True)
class TownRef:
    id: int
    name: str


@dataclass(frozen=True)
class SectionEvaluation:
    section: SectionRow
    samples_found: bool
    evaluation: EvaluationRow | None


@dataclass(frozen=True)
class Evaluations:
    period: PeriodRow
    censored_rule: str
    cwqi_all_sections: float | None
    sections: tuple[SectionEvaluation, ...]


@dataclass(frozen=True)
class SectionStatus:
    section: SectionRow
    responsible_towns: tuple[TownRef, ...]
    months_evaluated: tuple[int, ...]
    months_meeting: tuple[int, ...]
    months_missing: tuple[int, ...]
    steady_iii: bool
    raise_iii: bool
    raise_reasons: tuple[str, ...]
    do_alert_months: tuple[int, ...]
    cwqi: float | None
    trend: dict[str, str]  # month → better / same / worse
    monthly: dict[str, EvaluationRow]  # month → evaluation


@dataclass(frozen=True)
class SectionStatuses:
    year: int
    through_month: int
    average_cwqi: float | None
    do_alert_threshold: float
    sections: tuple[SectionStatus, ...]


@dataclass(frozen=True)
class TownSection(SectionRow):
    class_label: str | None
    meets_target: bool | None
    cwqi: float | None


@dataclass(frozen=True)
class TownIndicator:
    town: TownRef
    sections: tuple[TownSection, ...]
    cwqi: float | None
    sections_meeting_target: int


@dataclass(frozen=True)
class TownIndicators:
    period: PeriodRow
    towns: tuple[TownIndicator, ...]


@dataclass(frozen=True)
class DekadRank:
    rank: int | None  # None without data (listed last)
    town: TownRef
    cwqi: float | None
    sections: tuple[str, ...]


@dataclass(frozen=True)
class DekadRanking:
    period: PeriodRow
    level: str
    ranking: tuple[DekadRank, ...]
