"""Ranking schemes as data: ``scoring/schemes/dekad/<key>.yaml``, or the office's own file of the same name
in ``FIELDSCORE_VAR_DIR/schemes/dekad/`` (read first)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from django.conf import settings

from kernel.errors import Conflict, NotFound

from ..engine.rankings import RankingScheme, SchemeError, scheme_from_mapping

DEFAULT_KEY = "dekad-2022"
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "schemes" / "dekad"
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class RankingSchemeNotFound(NotFound):
    code, message = "ranking_scheme_not_found", "排名方案不存在"


class RankingSchemeInvalid(Conflict):
    """The file exists but cannot be used: a 409 naming the file and the mistake, until it is corrected."""

    code, message = "ranking_scheme_invalid", "排名方案文件有误，须由区办公室修正"


def directories() -> list[Path]:
    return [Path(settings.VAR_DIR) / "schemes" / "dekad", SHIPPED_DIR]


def load(key: str = DEFAULT_KEY) -> RankingScheme:
    if KEY.fullmatch(key):
        for directory in directories():
            path = directory / f"{key}.yaml"
            if path.is_file():
                return _read(path, key)
    raise RankingSchemeNotFound(
        f"排名方案 {key[:64]} 不存在", details={"fields": {"scheme": ["排名方案不存在"]}}
    )


def _read(path: Path, key: str) -> RankingScheme:
    try:
        with path.open(encoding="utf-8") as fh:
            return scheme_from_mapping(yaml.safe_load(fh), path.name)
    except (SchemeError, yaml.YAMLError, OSError, UnicodeDecodeError) as exc:
        text = str(exc) if isinstance(exc, SchemeError) else f"{path.name}: 无法读取（{exc}）"
        raise RankingSchemeInvalid(text, details={"scheme": key, "error": text}) from exc
