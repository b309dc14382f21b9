"""Finding and checking the division list's header row."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kernel.tables import TableReader, cell_text, norm_key

from .layout import (
    _LEVEL_ALIASES,
    _REQUIRED,
    CODE_SOURCES,
    REGION_COLUMNS,
    REGION_HEADERS,
    REGION_LEVELS,
    TOWN_KINDS,
    RegionFileError,
)

# ---------------------------------------------------------------------------------------------- header


def _aliases(mapping: Mapping[str, tuple[str, ...]], *extra: Mapping[str, str]) -> dict[str, str]:
    out = {norm_key(a): key for key, aliases in mapping.items() for a in (key, *aliases)}
    for labels in extra:
        out.update({norm_key(label): key for key, label in labels.items()})
    return out


_COLUMNS = _aliases(REGION_COLUMNS)
_LEVELS = _aliases(_LEVEL_ALIASES, REGION_LEVELS)
_SOURCES = _aliases(CODE_SOURCES)
_KINDS = _aliases(TOWN_KINDS)
_SEPARATORS = re.compile(r"[、,;\s/]+")  # after NFKC: ，→ ,  ；→ ;


@dataclass
class _Header:
    row: int
    columns: dict[str, list[tuple[int, str]]]  # field → [(0-based index, header text)]
    ignored: list[str]

    @property
    def recognised(self) -> int:
        return sum(map(len, self.columns.values()))


def _analyse_header(row: int, cells: Sequence[Any]) -> _Header:
    columns: dict[str, list[tuple[int, str]]] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        text = cell_text(cell)
        if not text:
            continue
        name = _COLUMNS.get(norm_key(text))
        if name is None:
            ignored.append(text)
        else:
            columns.setdefault(name, []).append((index, text))
    return _Header(row, columns, ignored)


_READER = TableReader(
    _analyse_header,
    "未找到表头：前 20 行中没有可识别的列名（如 区划代码、名称、级别、上级代码）",
    error=RegionFileError,
)


def _check_header(header: _Header) -> dict[str, tuple[int, str]]:
    missing = [REGION_HEADERS[list(REGION_COLUMNS).index(f)] for f in _REQUIRED if f not in header.columns]
    if missing:
        raise RegionFileError(
            "missing_column", f"缺少必需的列：{'、'.join(missing)}", header_row=header.row, missing=missing
        )
    for group in header.columns.values():
        if len(group) > 1:
            texts = [text for _, text in group]
            raise RegionFileError(
                "duplicate_column",
                f"多列表示同一内容：{'、'.join(texts)}",
                header_row=header.row,
                columns=texts,
            )
    return {name: group[0] for name, group in header.columns.items()}
