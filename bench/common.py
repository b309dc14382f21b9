"""What every benchmark shares."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(n: int, fn: Callable[[], object]) -> float:
    """The fastest of ``n`` runs, in seconds (the least disturbed by the rest of the machine)."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
