"""Rectification deadlines by finding category (pure; rules are data in ``checklists/rules/``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

RULES_FILE = Path(__file__).resolve().parent / "rules" / "deadlines-2022.yaml"


@dataclass(frozen=True)
class Deadline:
    due: date | None  # None while a district decision is pending
    requires_approval: bool
    rule: str  # how it was computed, shown beside the deadline


@dataclass(frozen=True)
class DeadlineRules:
    default_days: int
    categories: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, path: Path = RULES_FILE) -> DeadlineRules:
        with path.open(encoding="utf-8") as fh:
            raw = yaml.safe_load(fh)
        return cls(int(raw["default_days"]), dict(raw.get("categories") or {}))

    def deadline(self, category: str, found_on: date) -> Deadline:
        rule = self.categories.get(category, {})
        if rule.get("approval"):
            return Deadline(None, True, "需报区审批后重建、退役或拆除")
        if "deadline" in rule:
            month, day = (int(x) for x in str(rule["deadline"]).split("-"))
            fixed = date(found_on.year, month, day)
            if fixed >= found_on:
                return Deadline(fixed, False, f"按类别限期：{month}月{day}日前")
            return Deadline(
                found_on + timedelta(days=self.default_days),
                False,
                f"{month}月{day}日已过，自发现之日起{self.default_days}天",
            )
        days = int(rule.get("days", self.default_days))
        return Deadline(found_on + timedelta(days=days), False, f"自发现之日起{days}天")
