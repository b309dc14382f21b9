"""Every value a client sends is bounded where it is declared (issue 13): integers fit a 64-bit column,
dates and datetimes lie in 1900–2999, and strings in a URL path follow a pattern. A new endpoint that
takes a bare ``int``, ``date``, ``datetime`` or path ``str`` fails here, before a fuzzer finds its 500."""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from backend.api import api
from kernel.kit import INT64_MAX, INT64_MIN, LAST_DAY, _moment_in_range


def _operations() -> Iterator[tuple[str, Any]]:
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    yield f"{method} {prefix.rstrip('/')}{path}", operation


def _bounds(metadata: list[Any]) -> tuple[Any, Any]:
    low = high = None
    for m in metadata:
        for name in ("ge", "gt"):
            if getattr(m, name, None) is not None:
                low = getattr(m, name)
        for name in ("le", "lt"):
            if getattr(m, name, None) is not None:
                high = getattr(m, name)
    return low, high


def _leaves(annotation: Any, metadata: list[Any], where: str) -> Iterator[tuple[str, Any, list[Any]]]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *meta = typing.get_args(annotation)
        extra = [x for m in meta for x in (m.metadata if isinstance(m, FieldInfo) else [m])]
        yield from _leaves(inner, metadata + extra, where)
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _leaves(arg, metadata, where)
    elif origin in (list, tuple, set, frozenset):
        for arg in typing.get_args(annotation):
            yield from _leaves(arg, [], f"{where}[]")
    elif origin is dict:
        yield from _leaves(typing.get_args(annotation)[1], [], f"{where}{{}}")
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from _model_leaves(annotation, where)
    else:
        yield where, annotation, metadata


def _model_leaves(model: type[BaseModel], where: str) -> Iterator[tuple[str, Any, list[Any]]]:
    for name, field in model.model_fields.items():
        yield from _leaves(field.annotation, list(field.metadata), f"{where}.{name}" if where else name)


def _problems() -> list[str]:
    problems = []
    for label, operation in _operations():
        for model in operation.models:
            source = model.__ninja_param_source__
            for where, kind, metadata in _model_leaves(model, source):
                low, high = _bounds(metadata)
                if kind is bool or kind is type(None):
                    continue
                if kind is int and not (
                    low is not None and high is not None and low >= INT64_MIN and high <= INT64_MAX
                ):
                    problems.append(f"{label}: {where} int without 64-bit bounds")
                elif kind is dt.date and not (low is not None and high is not None and high <= LAST_DAY):
                    problems.append(f"{label}: {where} date without bounds")
                elif kind is dt.datetime and not any(
                    getattr(m, "func", None) is _moment_in_range for m in metadata
                ):
                    problems.append(f"{label}: {where} datetime without bounds (use kernel.kit.Moment)")
                elif (
                    kind is str
                    and source == "path"
                    and not any(getattr(m, "pattern", None) for m in metadata)
                ):
                    problems.append(f"{label}: {where} path string without a pattern")
    return problems


def test_every_input_is_bounded_where_it_is_declared() -> None:
    problems = _problems()
    assert not problems, "\n".join(problems)
