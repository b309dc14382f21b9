"""The network's value types: input lines, nodes, edges, per-feature issues and their codes."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Coord = tuple[float, float]

# Distances are floats summed along paths; a site this close past the limit still counts as at the limit, so
# "a point exactly 10 km upstream is included" does not hang on the last bit of a float (1 µm).
LIMIT_EPS_M = 1e-6


class Severity(StrEnum):
    ERROR = "error"  # the line is left out of the network
    WARNING = "warning"  # the line is in the network; the importer shows it and may refuse the file


class IssueCode(StrEnum):
    DUPLICATE_ID = "duplicate_line_id"
    MISSING_RIVER = "missing_river"
    TOO_FEW_VERTICES = "too_few_vertices"
    INVALID_COORDINATE = "invalid_coordinate"
    ZERO_LENGTH = "zero_length"
    SELF_INTERSECTION = "self_intersection"
    CROSSING_WITHOUT_NODE = "crossing_without_node"
    DISCONNECTED = "disconnected"
    REVERSED_FLOW = "reversed_flow"
    NO_OUTLET = "no_outlet"


ISSUE_SEVERITY: Mapping[IssueCode, Severity] = {
    IssueCode.DUPLICATE_ID: Severity.ERROR,
    IssueCode.MISSING_RIVER: Severity.ERROR,
    IssueCode.TOO_FEW_VERTICES: Severity.ERROR,
    IssueCode.INVALID_COORDINATE: Severity.ERROR,
    IssueCode.ZERO_LENGTH: Severity.ERROR,
    IssueCode.SELF_INTERSECTION: Severity.ERROR,
    IssueCode.CROSSING_WITHOUT_NODE: Severity.WARNING,
    IssueCode.DISCONNECTED: Severity.WARNING,
    IssueCode.REVERSED_FLOW: Severity.WARNING,
    IssueCode.NO_OUTLET: Severity.WARNING,
}

# zh-Hans messages; ``{other}`` is the other line's id, ``{tolerance}`` the snapping tolerance in metres.
ISSUE_MESSAGES: Mapping[IssueCode, str] = {
    IssueCode.DUPLICATE_ID: "河段编号与前面的河段 {other} 重复",
    IssueCode.MISSING_RIVER: "河段未填写所属河流",
    IssueCode.TOO_FEW_VERTICES: "河段至少需要两个顶点",
    IssueCode.INVALID_COORDINATE: "河段含有无效坐标（非有限数值）",
    IssueCode.ZERO_LENGTH: "河段长度为零或不超过捕捉容差 {tolerance} 米",
    IssueCode.SELF_INTERSECTION: "河段自相交或首尾相接成环",
    IssueCode.CROSSING_WITHOUT_NODE: (
        "河段与河段 {other} 相交但交点处没有节点（水流不在此处连通，请核对是否漏断）"
    ),
    IssueCode.DISCONNECTED: "河段与河网主体不连通",
    IssueCode.REVERSED_FLOW: "河段流向与同一河流相邻河段 {other} 相反，请核对顶点顺序（应按水流方向）",
    IssueCode.NO_OUTLET: "顺流而下到不了任何出口（入江口、入海口或区界），本河段或其下游河段可能流向相反",
}

# Messages for snapping sites (sections, outfalls, pump stations, facilities) to the network.
SNAP_MESSAGES: Mapping[str, str] = {
    "too_far": "点位距最近河段 {distance} 米，超过最大捕捉距离 {max_distance} 米",
    "no_river_line": "河网中没有该点位所在河流 {river} 的河段",
    "invalid_coordinate": "点位坐标无效（非有限数值）",
    "empty_network": "河网为空",
}


@dataclass(frozen=True, slots=True)
class RiverLine:
    """One feature of the river file: ``coords`` in a projected metric CRS (planar metres), in flow order."""

    id: str
    river_id: str
    coords: tuple[Coord, ...]
    river_name: str = ""

    def reversed(self) -> RiverLine:
        """The same line drawn the other way (what an importer applies to a ``reversed_flow`` line)."""
        return RiverLine(self.id, self.river_id, tuple(reversed(self.coords)), self.river_name)


@dataclass(frozen=True, slots=True)
class LineIssue:
    """A problem with one feature: a stable ``code``, a zh-Hans ``message``, where it is (``at``) and the
    other feature involved, if any."""

    line_id: str
    code: IssueCode
    message: str
    other_line_id: str | None = None
    at: Coord | None = None

    @property
    def severity(self) -> Severity:
        return ISSUE_SEVERITY[self.code]

    def as_dict(self) -> dict[str, Any]:
        return {
            "line_id": self.line_id,
            "code": str(self.code),
            "severity": str(self.severity),
            "message": self.message,
            "other_line_id": self.other_line_id,
            "at": list(self.at) if self.at is not None else None,
        }


def make_issue(
    line_id: str,
    code: IssueCode,
    *,
    other: str | None = None,
    at: Coord | None = None,
    tolerance_m: float = 0.0,
) -> LineIssue:
    message = ISSUE_MESSAGES[code].format(other=other or "", tolerance=_fmt_m(tolerance_m))
    return LineIssue(line_id, code, message, other, at)


def _fmt_m(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if math.isfinite(value) else str(value)


@dataclass(frozen=True, slots=True)
class Node:
    """A junction or an end: the first line end point seen there (others lie within the tolerance)."""

    index: int
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Edge:
    """A piece of one line between two nodes, in flow order ``source`` → ``target``. ``start_m`` and
    ``end_m`` are offsets along the line from its first vertex; a line is split where another line's end
    point lies on it (a tributary drawn to the main river without the main river being cut there)."""

    index: int
    line_id: str
    river_id: str
    source: int
    target: int
    start_m: float
    end_m: float

    @property
    def length_m(self) -> float:
        return self.end_m - self.start_m


@dataclass(frozen=True, eq=False)
class Network:
    """The directed river network. Build it with ``build_network``; ``issues`` lists every feature's
    problems, ``lines`` only the lines that made it in (no ``error`` issue)."""

    tolerance_m: float
    lines: Mapping[str, RiverLine]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    issues: tuple[LineIssue, ...]
    river_names: Mapping[str, str]
    # Adjacency by node: edge indexes flowing in (target == node) and out (source == node).
    incoming: tuple[tuple[int, ...], ...] = field(repr=False)
    outgoing: tuple[tuple[int, ...], ...] = field(repr=False)
    # Shapely geometries of the edges (planar metres) and their STRtree, for snapping.
    edge_geoms: tuple[Any, ...] = field(repr=False)
    edge_tree: Any = field(repr=False)
    # Nodes matched by the ``outlets`` given to ``build_network``, and the outlets that matched none.
    outlets: tuple[int, ...] = ()
    unmatched_outlets: tuple[Coord, ...] = ()

    @property
    def ok(self) -> bool:
        """No feature was left out (warnings may remain)."""
        return not any(i.severity is Severity.ERROR for i in self.issues)

    def issues_by_line(self) -> dict[str, list[LineIssue]]:
        out: dict[str, list[LineIssue]] = {}
        for issue in self.issues:
            out.setdefault(issue.line_id, []).append(issue)
        return out

    def rivers(self) -> tuple[str, ...]:
        """River ids in the order their first line came."""
        return tuple(dict.fromkeys(line.river_id for line in self.lines.values()))
