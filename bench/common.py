"""What every benchmark shares."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(n: int, *fns: Callable[[], object]) -> list[float]:
    """For each function, the fastest of ``n`` runs in seconds (the least disturbed by the rest of the
    machine). The functions take turns (a, b, a, b, …) so that a slow spell of a shared machine falls
    on both sides of a ratio, not on one."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(n):
        for fn, spent in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - start)
    return [min(spent) for spent in times]
