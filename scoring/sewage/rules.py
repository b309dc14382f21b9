"""The sewage rate rules as data (``scoring/schemes/sewage/*.yaml``, or the office's own file of the same
name in ``FIELDSCORE_VAR_DIR/schemes/sewage/``): the engine's RateRules, and how an approved audit's findings
become the facility's operating conditions and registry status."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from ..engine import sewage

DEFAULT_KEY = "sewage-2022"
RULES_DIR = Path(__file__).resolve().parents[1] / "schemes" / "sewage"


@dataclass(frozen=True)
class SewageRules:
    key: str
    title: str
    rates: sewage.RateRules
    conditions_from_findings: dict[str, str]  # finding category → condition
    status_from_findings: tuple[tuple[str, str], ...]  # (finding category, status), first match wins

    def audit_outcome(self, categories: set[str]) -> tuple[list[str], str]:
        """The conditions and registry status an approved audit with findings of ``categories`` gives."""
        conditions = sorted(
            {self.conditions_from_findings[c] for c in categories if c in self.conditions_from_findings}
        )
        status = next((s for c, s in self.status_from_findings if c in categories), "in_service")
        return conditions or ["normal"], status


def parse(document: dict[str, Any], source: str) -> SewageRules:
    try:
        rates = sewage.RateRules.from_mapping(document.get("rates") or {})
        conditions = {str(k): str(v) for k, v in (document.get("conditions_from_findings") or {}).items()}
        statuses = tuple((str(c), str(s)) for c, s in document.get("status_from_findings") or ())
    except (sewage.RulesError, TypeError, ValueError) as exc:
        raise sewage.RulesError("", f"{source}: {exc}") from exc
    bad = [v for v in conditions.values() if v not in sewage.CONDITIONS]
    bad += [s for _, s in statuses if s not in sewage.STATUSES]
    if bad:
        raise sewage.RulesError("", f"{source}: 未知的运行状况或设施状态：{'、'.join(bad)}")
    return SewageRules(str(document["key"]), str(document.get("title", "")), rates, conditions, statuses)


def load(key: str = DEFAULT_KEY) -> SewageRules:
    for directory in (
        Path(settings.VAR_DIR) / "schemes" / "sewage",
        RULES_DIR,
    ):  # the office's own file first
        path = directory / f"{key}.yaml"
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                return parse(yaml.safe_load(fh), path.name)
    raise sewage.RulesError("", f"污水治理口径 {key} 不存在")
