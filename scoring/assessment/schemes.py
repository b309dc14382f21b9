"""Assessment schemes as data (``scoring/schemes/*.yaml``): components → checklist templates, weights,
bands, rounding, routine/annual rule, tie-break, award quotas and award eligibility (one option per
reading of 81号, each with the sentence it reads). Parsed into the pure engine's types."""

from __future__ import annotations

import logging
import re
import stat
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from kernel.access import DISTRICT_ROLES, Role
from kernel.errors import Conflict, NotFound

from ..engine.assessment import (
    READINGS,
    Award,
    Band,
    Eligibility,
    Exclusion,
    RoutineRule,
    Scheme,
    SchemeError,
    SingleAward,
)

SCHEME_DIR = Path(__file__).resolve().parents[1] / "schemes"  # scoring/schemes/, beside the sewage rules
# A scheme's key is its file's name: letters, digits, ``_ . -`` (never a path, a NUL or 300 characters).
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")

logger = logging.getLogger(__name__)


class SchemeNotFound(NotFound, SchemeError):
    """No scheme file by that key: a 404 through the API, a SchemeError to everything else."""

    code, message = "scheme_not_found", "考核方案不存在"


class SchemeInvalid(Conflict, SchemeError):
    """The scheme file exists but cannot be read (an office's own file with a mistake): a 409 naming the
    file and the mistake, until the office corrects it."""

    code, message = "scheme_invalid", "考核方案文件有误，须由区办公室修正"


# Who acts on a scheme (notice, appeal decisions, publication, required tasks, award decisions, written
# corrections of the inspections it counts) when its file names nobody: the 安全生产 / 消防 schemes are
# the 区安委办's / 区消委办's. Administrators may always act.
DEFAULT_OWNERS = frozenset({Role.DISTRICT_OFFICE})


@dataclass(frozen=True)
class Component:
    key: str
    title: str
    template_key: str


@dataclass(frozen=True)
class SchemeDefinition:
    key: str
    year: int
    subject_kind: str
    title: str
    components: tuple[Component, ...]
    scheme: Scheme
    routine: RoutineRule
    document: dict[str, Any]
    owners: frozenset[Role] = DEFAULT_OWNERS  # the roles that act on the scheme (others may only see it)


def _dec(value: Any, where: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise SchemeError(f"{where}: 应为数值") from exc


def _basis(entry: Any, award: str) -> tuple[str, str]:
    component, sep, items = str(entry).partition(":")
    if not sep or not component or not items:
        raise SchemeError(
            f"single_awards.{award}.basis: “{entry}” 应为 组成部分:检查项（如 safety:training.）"
        )
    return component, items


# The fields of one eligibility option: what it bars, and (for people and the API) the sentences of the
# rule it reads, where they stand, and the reading in words.
_OPTION_FIELDS = ("exclude_tiers", "exclude_single_awards", "clause", "source", "reading")


def _eligibility(raw: Any, awards: tuple[Award, ...]) -> Eligibility | None:
    """The ``eligibility`` block: per situation (``READINGS``), the tiers and whether the single awards a
    unit loses. An absent block, situation or field takes ``Eligibility.default``'s value."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise SchemeError(f"eligibility: 应为各情形的选项（{'、'.join(READINGS)}）")
    for name in raw:
        if name not in READINGS:
            raise SchemeError(f"eligibility.{name}: 未知的选项（可用：{'、'.join(READINGS)}）")
    default = Eligibility.default(awards)
    readings: dict[str, Exclusion] = {}
    for name in READINGS:
        base: Exclusion = getattr(default, name)
        option = raw.get(name)
        where = f"eligibility.{name}"
        if option is None:
            readings[name] = base
            continue
        if not isinstance(option, dict):
            raise SchemeError(f"{where}: 应为选项（{'、'.join(_OPTION_FIELDS)}）")
        for field in option:
            if field not in _OPTION_FIELDS:
                raise SchemeError(f"{where}.{field}: 未知的选项（可用：{'、'.join(_OPTION_FIELDS)}）")
        tiers = option.get("exclude_tiers", sorted(base.tiers))
        if not isinstance(tiers, list) or not all(isinstance(t, str) for t in tiers):
            raise SchemeError(f"{where}.exclude_tiers: 应为综合奖标识的列表（如 [advanced]，可为 []）")
        single = option.get("exclude_single_awards", base.single_awards)
        if not isinstance(single, bool):
            raise SchemeError(f"{where}.exclude_single_awards: 应为 true 或 false")
        for field in ("clause", "reading"):
            if not isinstance(option.get(field, ""), str):
                raise SchemeError(f"{where}.{field}: 应为文字")
        text = option.get("source", [])
        if not isinstance(text, list) or not all(isinstance(t, str) and t.strip() for t in text):
            raise SchemeError(f"{where}.source: 应为所依据原文句子的列表")
        readings[name] = Exclusion(frozenset(tiers), single)
    return Eligibility(**readings)


def _owners(raw: Any) -> frozenset[Role]:
    """The ``owners`` list: district-level roles (absent → :data:`DEFAULT_OWNERS`)."""
    if raw is None:
        return DEFAULT_OWNERS
    usable = "、".join(r.value for r in Role if r in DISTRICT_ROLES)
    if not isinstance(raw, list) or not raw:
        raise SchemeError(f"owners: 应为负责该方案的角色列表（如 [district_office]；可用：{usable}）")
    owners = set()
    for value in raw:
        try:
            role = Role(value)
        except ValueError:
            raise SchemeError(f"owners: 未知的角色 {value}（可用：{usable}）") from None
        if role not in DISTRICT_ROLES:
            raise SchemeError(
                f"owners: {role.value}（{role.label}）不是区级角色，不能负责考核方案（可用：{usable}）"
            )
        owners.add(role)
    return frozenset(owners)


def parse(document: dict[str, Any], source: str = "<memory>") -> SchemeDefinition:
    try:
        components = tuple(Component(c["key"], c["title"], c["template"]) for c in document["components"])
        weights = {
            c["key"]: _dec(c["weight"], f"components.{c['key']}.weight") for c in document["components"]
        }
        bands = tuple(
            Band(_dec(b["min"], "bands") if "min" in b else Decimal("-Infinity"), b["label"])
            for b in document["bands"]
        )
        awards = tuple(Award(a["key"], a["label"], int(a["quota"])) for a in document.get("awards", ()))
        single_awards = tuple(
            SingleAward(a["key"], a["label"], int(a["quota"]), tuple(_basis(b, a["key"]) for b in a["basis"]))
            for a in document.get("single_awards", ())
        )
        routine_raw = document.get("routine") or {}
        routine = RoutineRule(
            _dec(routine_raw.get("routine_weight", 0), "routine.routine_weight"),
            routine_raw.get("when_no_routine", "annual_only"),
        )
        scheme = Scheme(
            weights=weights,
            bands=bands,
            places=int(document.get("places", 2)),
            tie_break=tuple(document.get("tie_break", ())),
            awards=awards,
            single_awards=single_awards,
            eligibility=_eligibility(document.get("eligibility"), awards),
        )
        if not (0 <= routine.routine_weight <= 1) or routine.when_no_routine not in {"annual_only", "zero"}:
            raise SchemeError(
                "routine: routine_weight 应在 0 到 1 之间，when_no_routine 为 annual_only 或 zero"
            )
        return SchemeDefinition(
            key=str(document["key"]),
            year=int(document["year"]),
            subject_kind=str(document["subject_kind"]),
            title=str(document["title"]),
            components=components,
            scheme=scheme,
            routine=routine,
            document=document,
            owners=_owners(document.get("owners")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, SchemeError):
            raise SchemeError(f"{source}: {exc}") from exc
        raise SchemeError(f"{source}: 方案格式不正确（{exc}）") from exc


def _directories() -> list[Path]:
    """The shipped schemes, then the office's own (``FIELDSCORE_VAR_DIR/schemes``: a new year's scheme is
    a file the office adds, not a code change)."""
    from django.conf import settings

    return [SCHEME_DIR, Path(settings.VAR_DIR) / "schemes"]


# Parsed schemes by (file, mtime, size): a recomputation loads its scheme more than once, and parsing
# the YAML again costs more than most of the scoring. A changed file is parsed afresh. Callers must not
# mutate what they get (the definition is frozen; its ``document`` is shared).
_parsed: dict[tuple[str, int, int], SchemeDefinition] = {}


def load(key: str, directory: Path | None = None) -> SchemeDefinition:
    """The scheme ``key`` (shipped files first). :class:`SchemeNotFound` when there is no such file,
    :class:`SchemeInvalid` when it cannot be read; both are also :class:`SchemeError`."""
    if not KEY.fullmatch(key):
        raise SchemeNotFound(f"考核方案 {key[:64]!r} 不存在", details={"scheme_key": key[:64]})
    for d in [directory] if directory else _directories():
        path = d / f"{key}.yaml"
        try:
            info = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            text = f"{path.name}: 无法读取（{exc}）"
            raise SchemeInvalid(text, details={"scheme_key": key, "error": text}) from exc
        if not stat.S_ISREG(info.st_mode):
            continue
        cache_key = (str(path), info.st_mtime_ns, info.st_size)
        if cache_key not in _parsed:
            definition = _read(path, key)
            for stale in [k for k in _parsed if k[0] == cache_key[0]]:
                del _parsed[stale]
            _parsed[cache_key] = definition
        return _parsed[cache_key]
    raise SchemeNotFound(f"考核方案 {key} 不存在", details={"scheme_key": key})


def _read(path: Path, key: str) -> SchemeDefinition:
    try:
        with path.open(encoding="utf-8") as fh:
            return parse(yaml.safe_load(fh), path.name)
    except (SchemeError, yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
        text = str(exc) if isinstance(exc, SchemeError) else f"{path.name}: 无法读取（{exc}）"
        # The message is the mistake itself, naming the file and the option (what the office must fix).
        raise SchemeInvalid(text, details={"scheme_key": key, "error": text}) from exc


@dataclass(frozen=True)
class SchemeFile:
    """A scheme file as the catalogue sees it: parsed, or the reason it cannot be (an office's own file
    with a mistake must show up with its error, not vanish or break the whole list)."""

    key: str
    definition: SchemeDefinition | None
    error: str = ""


def catalogue(directory: Path | None = None) -> list[SchemeFile]:
    """Every scheme file once per key, in the order :func:`load` resolves keys (shipped files first)."""
    seen: set[str] = set()
    files: list[SchemeFile] = []
    for d in [directory] if directory else _directories():
        if not d.is_dir():
            continue
        for path in sorted(d.glob("*.yaml")):
            if path.stem in seen:
                continue
            seen.add(path.stem)
            if not KEY.fullmatch(path.stem):
                files.append(SchemeFile(path.stem, None, f"{path.name}: 文件名只能由字母、数字和 _ . - 组成"))
                continue
            try:
                files.append(SchemeFile(path.stem, load(path.stem, d)))
            except SchemeInvalid as exc:
                files.append(SchemeFile(path.stem, None, exc.details["error"]))
    return files


def available(directory: Path | None = None) -> list[SchemeDefinition]:
    """Every scheme that can be read. A file that cannot be read is left out (with a warning in the log;
    the catalogue shows the district its error): an office's broken file for one year must not stop the
    phones recording another year's inspections."""
    readable = []
    for file in catalogue(directory):
        if file.definition is None:
            logger.warning("scheme file left out: %s", file.error)
        else:
            readable.append(file.definition)
    return readable


def schemes_using(template_key: str, year: int) -> list[str]:
    """The schemes of ``year`` that score this template (whose boards its inspections count in)."""
    return [
        d.key
        for d in available()
        if d.year == year and any(c.template_key == template_key for c in d.components)
    ]


def scheme_years_using(template_key: str) -> frozenset[int] | None:
    """The years of the schemes scoring this template, or None when no scheme uses it."""
    years = frozenset(
        d.year for d in available() if any(c.template_key == template_key for c in d.components)
    )
    return years or None
