"""The one timer the benchmark scripts share: the median wall time of repeated calls."""

from __future__ import annotations

import statistics
import time


def median_ms(function, repeats: int, warmup: int = 0) -> float:
    """Median wall time of ``function()`` over ``repeats`` calls, in milliseconds, after ``warmup``
    calls that are not counted."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)
