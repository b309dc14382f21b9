"""River-section water quality: importing measurement files, and turning the database's period means into
evaluations, yearly status, town indicators and the 每旬 reverse ranking with the pure engine."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from geo.models import RiverSection, SectionLevel
from geo.selectors import section_list
from kernel import jobs
from kernel.access import DISTRICT_ROLES, Principal
from kernel.audit.services import audit_record
from kernel.errors import InvalidInput, NotFound, PayloadTooLarge, PermissionDenied

from ..engine import water
from ..models import ImportStatus, Measurement, MeasurementImport, MeasurementSource
from . import parsing, selectors
from .readouts import (
    DekadRank,
    DekadRanking,
    EvaluationRow,
    Evaluations,
    SectionEvaluation,
    SectionStatus,
    SectionStatuses,
    TownIndicator,
    TownIndicators,
    TownRef,
    TownSection,
    evaluation_row,
    period_row,
    section_row,
)

ON_DUPLICATE = ("reject", "replace")
_BATCH = 5000


# ------------------------------------------------------------------------------------------------ import


def _require_importer(principal: Principal) -> None:
    if not principal.has_any(DISTRICT_ROLES):
        raise PermissionDenied("只有生态环境局、区级部门可以导入监测数据")


def measurement_import_create(
    *,
    principal: Principal,
    data: bytes,
    filename: str,
    source: str,
    dry_run: bool,
    on_duplicate: str,
    valid_rows_only: bool,
) -> MeasurementImport:
    """Store the upload and process it: at once when small, else in a Celery task the client polls."""
    _require_importer(principal)
    problems: dict[str, list[str]] = {}
    if source not in MeasurementSource.values:
        problems["source"] = [f"应为 {' / '.join(MeasurementSource.values)}"]
    if on_duplicate not in ON_DUPLICATE:
        problems["on_duplicate"] = ["应为 reject（拒绝重复）或 replace（以新数据替换）"]
    if not data:
        problems["file"] = ["文件为空"]
    if problems:
        raise InvalidInput(details={"fields": problems})
    if len(data) > settings.WATER_IMPORT_MAX_BYTES:
        raise PayloadTooLarge(details={"max_bytes": settings.WATER_IMPORT_MAX_BYTES, "size": len(data)})
    record = MeasurementImport(
        uuid=uuid.uuid4(),
        filename=filename[:255],
        size=len(data),
        source=source,
        dry_run=dry_run,
        on_duplicate=on_duplicate,
        valid_rows_only=valid_rows_only,
        uploaded_by_id=principal.user_id,
    )
    with transaction.atomic():
        record.file.save(f"{record.uuid}{_suffix(filename)}", ContentFile(data), save=False)
        record.save()
        audit_record(
            action="water.import.upload",
            obj=record,
            after={"filename": record.filename, "size": record.size, "dry_run": dry_run},
        )
        if len(data) > settings.WATER_IMPORT_SYNC_BYTES:
            from ..tasks import water_import_process

            jobs.job_dispatch(record, water_import_process)
            return record
    return measurement_import_process(import_id=record.pk)


def _suffix(filename: str) -> str:
    lower = filename.lower()
    return next((s for s in (".xlsx", ".csv") if lower.endswith(s)), "")


def measurement_import_process(*, import_id: int) -> MeasurementImport:
    """Parse, check against the database, then import everything or nothing (unless the user asked for
    the valid rows only). A dry run reports what would happen and writes no measurement. A job
    (``kernel.jobs``): one run at a time, beating while it works, its measurements and its end written in
    one transaction — a redelivered or re-queued run never imports twice."""
    return jobs.job_execute(MeasurementImport, import_id, _process)


def _process(run: jobs.Run[MeasurementImport]) -> None:
    record = run.job
    run.step(5)
    sections = {s.code: s for s in RiverSection.objects.filter(is_active=True)}
    known = {**{s.name: s.code for s in sections.values()}, **{code: code for code in sections}}
    with record.file.open("rb") as fh:
        data = fh.read()
    try:
        parsed = parsing.parse_measurements(
            data, record.filename, known_sections=known, tz=timezone.get_default_timezone()
        )
    except parsing.MeasurementFileError as exc:
        _finish(run, ImportStatus.REJECTED, {"ok": False, "file_error": exc.as_dict()})
        return
    run.step(50)
    existing = _existing_keys(parsed.records, sections)
    duplicates = [r for r in parsed.records if r.key in existing]
    report = parsed.as_dict()
    errors = list(report["errors"])
    records = list(parsed.records)
    if record.on_duplicate == "reject" and duplicates:
        message = "该断面此时刻的此项指标已有数据（如需替换请选择 replace）"
        errors += [
            parsing.RowError(
                r.source_row, water.name_of(r.indicator), "duplicate_existing", message, str(r.value)
            ).as_dict()
            for r in duplicates
        ]
        bad_rows = {r.source_row for r in duplicates}
        records = [r for r in records if r.source_row not in bad_rows]
        errors.sort(key=lambda e: (e["row"], e["column"]))
    report.update(
        errors=errors,
        error_count=parsed.error_count + (len(duplicates) if record.on_duplicate == "reject" else 0),
        duplicates_existing=len(duplicates),
    )
    report["ok"] = report["error_count"] == 0
    if not report["ok"] and not record.valid_rows_only:
        report.update(imported=0, replaced=0)
        _finish(run, ImportStatus.REJECTED, report)
        return
    replaced = [r for r in records if r.key in existing]
    if record.dry_run:
        report.update(imported=0, replaced=0, would_import=len(records), would_replace=len(replaced))
        _finish(run, ImportStatus.DONE, report)
        return
    run.step(60)
    with run.atomic():  # the measurements and the job's end commit together, or not at all
        _delete(replaced, sections)
        for start in range(0, len(records), _BATCH):
            Measurement.objects.bulk_create(
                Measurement(
                    section=sections[r.section_code],
                    sampled_at=r.sampled_at,
                    indicator=r.indicator,
                    value=r.value,
                    below_detection=r.below_detection,
                    source=record.source,
                    batch=record,
                )
                for r in records[start : start + _BATCH]
            )
            run.step(60 + 39 * start // len(records))
        report.update(imported=len(records), replaced=len(replaced))
        audit_record(
            action="water.import.apply",
            obj=record,
            after={
                "imported": len(records),
                "replaced": len(replaced),
                "skipped_errors": report["error_count"],
            },
        )
        run.finish(status=ImportStatus.DONE, report=report)


def _existing_keys(
    records: tuple[parsing.Record, ...], sections: dict[str, RiverSection]
) -> set[tuple[str, Any, str]]:
    """The file's (section, time, indicator) keys already in the database: one range query per section."""
    spans: dict[str, list[Any]] = {}
    for r in records:
        lo_hi = spans.setdefault(r.section_code, [r.sampled_at, r.sampled_at])
        lo_hi[0], lo_hi[1] = min(lo_hi[0], r.sampled_at), max(lo_hi[1], r.sampled_at)
    wanted = {r.key for r in records}
    found: set[tuple[str, Any, str]] = set()
    for code, (lo, hi) in spans.items():
        rows = Measurement.objects.filter(
            section=sections[code], sampled_at__gte=lo, sampled_at__lte=hi
        ).values_list("sampled_at", "indicator")
        found |= {(code, at, ind) for at, ind in rows if (code, at, ind) in wanted}
    return found


def _delete(records: list[parsing.Record], sections: dict[str, RiverSection]) -> None:
    """The stored values ``records`` replace: one DELETE per section, indicator and batch of times (a
    re-imported year of hourly data replaces ~70,000 values, which were ~70,000 statements)."""
    times: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for r in records:
        times[(r.section_code, r.indicator)].append(r.sampled_at)
    for (code, indicator), when in times.items():
        for start in range(0, len(when), _BATCH):
            Measurement.objects.filter(
                section=sections[code], indicator=indicator, sampled_at__in=when[start : start + _BATCH]
            ).delete()


def _finish(run: jobs.Run[MeasurementImport], status: str, report: dict[str, Any]) -> None:
    with run.atomic():
        run.finish(status=status, report=report)


def measurement_import_get(*, principal: Principal, import_uuid: uuid.UUID) -> MeasurementImport:
    record = MeasurementImport.objects.filter(uuid=import_uuid).first()
    if record is None or (
        record.uploaded_by_id != principal.user_id and not principal.has_any(DISTRICT_ROLES)
    ):
        raise NotFound("导入记录不存在", details={"import_id": str(import_uuid)})
    return record


def measurement_import_retry(*, principal: Principal, import_uuid: uuid.UUID) -> MeasurementImport:
    """Queue a stalled or failed import again (whoever may read it: its uploader, district roles)."""
    from ..tasks import water_import_process

    record = measurement_import_get(principal=principal, import_uuid=import_uuid)
    return jobs.job_retry(job=record, task=water_import_process)


def measurement_imports_requeue_stalled() -> dict[str, int]:
    """The beat sweep of measurement imports: those whose process died, queued again (or given up)."""
    from ..tasks import water_import_process

    return jobs.job_requeue_stalled(MeasurementImport, water_import_process)


# -------------------------------------------------------------------------------------------- evaluation


def evaluate_stateless(*, water_body: str, values: dict[str, Any], target_class: int = 3) -> EvaluationRow:
    try:
        return evaluation_row(water.evaluate(values, water_body, target_class))
    except water.WaterInputError as exc:
        fields: dict[str, list[str]] = defaultdict(list)
        for p in exc.problems:
            fields["water_body" if p.code == "unknown_water_body" else f"values.{p.key}"].append(p.message)
        raise InvalidInput(
            "监测值未通过校验",
            code=exc.code,
            details={"fields": dict(fields), "codes": sorted({p.code for p in exc.problems})},
        ) from exc


def _sections(principal: Principal, *, level: str | None = None) -> list[RiverSection]:
    return list(section_list(paths=principal.region_paths(), level=level).filter(is_active=True))


def _section(principal: Principal, section_id: int) -> RiverSection:
    found = [s for s in _sections(principal) if s.pk == section_id]
    if not found:
        raise NotFound("断面不存在或不在您的管辖范围内", details={"section_id": section_id})
    return found[0]


def section_ids(*, principal: Principal, section_id: int | None) -> list[int]:
    if section_id is not None:
        return [_section(principal, section_id).pk]
    return [s.pk for s in _sections(principal)]


def period_of(kind: str, on: date) -> water.Period:
    try:
        return water.period_of(on, kind)
    except water.WaterInputError as exc:
        raise InvalidInput(details={"fields": {"period": [exc.message]}}) from exc


def evaluations(*, principal: Principal, kind: str, on: date, section_id: int | None = None) -> Evaluations:
    """Every section in scope (or one) evaluated over the period containing ``on``."""
    period = period_of(kind, on)
    sections = [_section(principal, section_id)] if section_id is not None else _sections(principal)
    values = selectors.period_values([s.pk for s in sections], period)
    rows = []
    for s in sections:
        ev = selectors.evaluate_values(s, values.get(s.pk, {})) if values.get(s.pk) else None
        rows.append(
            SectionEvaluation(section_row(s), bool(values.get(s.pk)), evaluation_row(ev) if ev else None)
        )
    measured = [values[s.pk] for s in sections if values.get(s.pk)]
    district = water.group_cwqi(measured) if measured and section_id is None else None
    return Evaluations(
        period=period_row(period),
        censored_rule=str(selectors.censored_rule()),
        cwqi_all_sections=None if district is None else float(district),
        sections=tuple(rows),
    )


@dataclass(frozen=True)
class _Year:
    months: dict[int, dict[int, water.Evaluation]]  # section → month → evaluation
    last_year: dict[int, dict[int, water.Evaluation]]
    values: dict[int, dict[int, dict[str, Decimal]]]  # section → month → means


def _year(sections: list[RiverSection], year: int, through: int) -> _Year:
    last_day = water.period_of(date(year, through, 1), water.PeriodKind.MONTH).end
    means = selectors.monthly_means([s.pk for s in sections], date(year - 1, 1, 1), last_day)
    months: dict[int, dict[int, water.Evaluation]] = defaultdict(dict)
    last: dict[int, dict[int, water.Evaluation]] = defaultdict(dict)
    values: dict[int, dict[int, dict[str, Decimal]]] = defaultdict(dict)
    by_id = {s.pk: s for s in sections}
    for section_id, per_month in means.items():
        for (y, m), vals in per_month.items():
            ev = selectors.evaluate_values(by_id[section_id], vals)
            if y == year:
                months[section_id][m] = ev
                values[section_id][m] = vals
            elif m <= through:
                last[section_id][m] = ev
    return _Year(months, last, values)


def _through(year: int) -> int:
    today = timezone.localdate()
    return 12 if year < today.year else today.month if year == today.year else 0


def section_statuses(*, principal: Principal, year: int, section_id: int | None = None) -> SectionStatuses:
    """Per section and year: months meeting the target, 稳Ⅲ, 提Ⅲ (CWQI above the average of all the
    district's sections, flagged, or a DO alert), DO alert months, trend against last year's months."""
    through = _through(year)
    if through == 0:
        raise InvalidInput(details={"fields": {"year": ["不能查询未来年份"]}})
    everyone = _sections(principal)  # the average is over all sections the caller can see
    data = _year(everyone, year, through)
    annual = {
        s.pk: water.group_cwqi(list(data.values[s.pk].values()), s.water_body)
        if data.values.get(s.pk)
        else None
        for s in everyone
    }
    known = [v for v in annual.values() if v is not None]
    average = water.round_half_up(sum(known, Decimal(0)) / len(known), 4) if known else None
    rows = []
    for s in everyone:
        if section_id is not None and s.pk != section_id:
            continue
        status = water.section_status(
            data.months.get(s.pk, {}),
            target_class=s.target_class,
            average_cwqi=average,
            cwqi=annual[s.pk],
            do_alert=Decimal(str(settings.WATER_DO_ALERT)),
            flagged=s.watch_flag,
            last_year=data.last_year.get(s.pk, {}),
            through=through,
        )
        rows.append(
            SectionStatus(
                section=section_row(s),
                responsible_towns=tuple(TownRef(t.pk, t.name) for t in s.responsible_towns.all()),
                months_evaluated=tuple(status.months_evaluated),
                months_meeting=tuple(status.months_meeting),
                months_missing=tuple(status.months_missing),
                steady_iii=status.steady_iii,
                raise_iii=status.raise_iii,
                raise_reasons=tuple(water.RAISE_REASON_LABELS[r] for r in status.raise_reasons),
                do_alert_months=tuple(status.do_alert_months),
                cwqi=None if status.cwqi is None else float(status.cwqi),
                trend={str(m): t for m, t in status.trend.items()},
                monthly={str(m): evaluation_row(ev) for m, ev in sorted(data.months.get(s.pk, {}).items())},
            )
        )
    if section_id is not None and not rows:
        raise NotFound("断面不存在或不在您的管辖范围内", details={"section_id": section_id})
    return SectionStatuses(
        year=year,
        through_month=through,
        average_cwqi=None if average is None else float(average),
        do_alert_threshold=float(settings.WATER_DO_ALERT),
        sections=tuple(rows),
    )


def town_indicators(*, principal: Principal, kind: str, on: date) -> TownIndicators:
    """For each responsible town: its sections' evaluations over the period and the town's CWQI (each
    indicator averaged over its sections first) — the water inputs of the town rankings."""
    period = period_of(kind, on)
    sections = _sections(principal)
    values = selectors.period_values([s.pk for s in sections], period)
    towns: dict[int, TownRef] = {}
    rows: dict[int, list[TownSection]] = defaultdict(list)
    measured: dict[int, list[dict[str, Decimal]]] = defaultdict(list)
    for s in sections:
        ev = selectors.evaluate_values(s, values[s.pk]) if values.get(s.pk) else None
        row = TownSection(
            **vars(section_row(s)),
            class_label=ev.class_label if ev else None,
            meets_target=ev.meets_target if ev else None,
            cwqi=float(ev.cwqi) if ev and ev.cwqi is not None else None,
        )
        for town in s.responsible_towns.all():
            towns.setdefault(town.pk, TownRef(town.pk, town.name))
            rows[town.pk].append(row)
            if values.get(s.pk):
                measured[town.pk].append(values[s.pk])
    out = []
    for town in sorted(towns.values(), key=lambda t: t.name):
        vs = measured.get(town.id)
        cwqi = water.group_cwqi(vs) if vs else None
        out.append(
            TownIndicator(
                town=town,
                sections=tuple(rows[town.id]),
                cwqi=None if cwqi is None else float(cwqi),
                sections_meeting_target=sum(1 for x in rows[town.id] if x.meets_target),
            )
        )
    return TownIndicators(period=period_row(period), towns=tuple(out))


def dekad_ranking(*, principal: Principal, on: date, level: str = SectionLevel.PROVINCIAL) -> DekadRanking:
    """每旬 reverse ranking (逆序, worst first) of the towns responsible for the given level's sections
    (the provincial ones by default), by the CWQI of those sections over the dekad containing ``on``."""
    period = period_of(water.PeriodKind.DEKAD, on)
    sections = _sections(principal, level=level)
    values = selectors.period_values([s.pk for s in sections], period)
    per_town: dict[int, list[dict[str, Decimal]]] = defaultdict(list)
    names: dict[int, str] = {}
    section_names: dict[int, list[str]] = defaultdict(list)
    for s in sections:
        for town in s.responsible_towns.all():
            names[town.pk] = town.name
            section_names[town.pk].append(s.name)
            if values.get(s.pk):
                per_town[town.pk].append(values[s.pk])
    cwqi = {
        t: (water.group_cwqi(per_town[t]) if per_town.get(t) else None) for t in sorted(names, key=names.get)
    }
    ranking = water.reverse_ranking(cwqi)
    return DekadRanking(
        period=period_row(period),
        level=level,
        ranking=tuple(
            DekadRank(
                rank=r.rank,
                town=TownRef(r.town, names[r.town]),
                cwqi=None if r.cwqi is None else float(r.cwqi),
                sections=tuple(section_names[r.town]),
            )
            for r in ranking
        ),
    )


def monthly_report(*, principal: Principal, year: int, month: int) -> dict[str, Any]:
    """The bureau's monthly section table: this month's class, the same month last year, main pollutants
    with their exceedance multiples, CWQI."""
    if not 1 <= month <= 12:
        raise InvalidInput(details={"fields": {"month": ["应为 1 到 12"]}})
    sections = _sections(principal)
    ids = [s.pk for s in sections]
    this = selectors.period_means(ids, *_month_range(year, month))
    last = selectors.period_means(ids, *_month_range(year - 1, month))
    rows = []
    for s in sections:
        now = selectors.evaluate_values(s, this[s.pk]) if this.get(s.pk) else None
        before = selectors.evaluate_values(s, last[s.pk]) if last.get(s.pk) else None
        rows.append(
            {
                "section": asdict(section_row(s)),
                "level_label": SectionLevel(s.level).label,
                "now": now,
                "before": before,
            }
        )
    return {"year": year, "month": month, "rows": rows}


def _month_range(year: int, month: int) -> tuple[date, date]:
    p = water.period_of(date(year, month, 1), water.PeriodKind.MONTH)
    return p.start, p.end
