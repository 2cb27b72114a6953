"""What does attention cost as n grows? attention vs tiled_attention: time and peak memory.

Usage (from the repository root)::

    python benchmarks/attention_cost.py            # n = 512, 1024, 2048, 4096 (about 15 s)
    python benchmarks/attention_cost.py --quick    # n = 256, 512, 1024 (a few seconds)
    python benchmarks/attention_cost.py --threads 0   # BLAS's own thread count instead of 1

For each n (one sequence, d = 64, float64) it prints the median wall time of a few calls
and the peak memory that one call allocates (tracemalloc, which sees numpy's arrays) of
``attention`` (the whole n x n score matrix at once) and ``tiled_attention`` (one block of
keys at a time), their ratios, the largest difference between their outputs, and, when
PyTorch is installed, the time of ``torch.nn.functional.scaled_dot_product_attention``
on the same float64 inputs for scale. A second table shows tiled_attention at the largest
n for a few block sizes, which is how its default was chosen. The goals are printed beside
the figures, met or not; nothing is asserted, because timings depend on the machine and on
whatever else it is doing (the load average is printed for that reason).
"""

from __future__ import annotations

import argparse
import inspect
import os
import pathlib
import sys
import tracemalloc

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from attn_lib import attention, tiled_attention  # noqa: E402
from timing import median_ms  # noqa: E402

D = 64
SIZES = (512, 1024, 2048, 4096)
QUICK_SIZES = (256, 512, 1024)
BLOCK_SIZES = (64, 128, 256)
GOAL_MEMORY = 1 / 8          # tiled peak / attention peak, at the largest n
GOAL_TIME = 2.0              # tiled time / attention time, at the largest n
MIB = 2 ** 20


def peak_mib(function):
    """The most memory ``function()`` holds at once while it runs (tracemalloc), in MiB."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / MIB
    finally:
        tracemalloc.stop()


def limit_blas_threads(threads):
    """Run numpy's BLAS on ``threads`` threads (0: leave its default); returns the count in use and how it is known."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return os.cpu_count() or 1, "BLAS default, the CPU count: threadpoolctl is not installed"
    if threads:
        threadpool_limits(threads, user_api="blas")
    counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    return (counts[0], "threadpoolctl") if counts else (os.cpu_count() or 1, "CPU count")


def torch_sdpa(threads):
    """``(Q, K, V) -> milliseconds`` for PyTorch's scaled_dot_product_attention, or None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads)

    def time_ms(Q, K, V, repeats):
        q, k, v = (torch.from_numpy(a) for a in (Q, K, V))
        with torch.no_grad():
            return median_ms(lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v), repeats, warmup=1)
    return time_ms


def verdict(value, goal):
    return "met" if value <= goal else "NOT met"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"n = {QUICK_SIZES} instead of {SIZES}")
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per measurement (median)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS (and PyTorch) threads; 0 leaves BLAS's default. Default 1: tiled attention "
                             "makes many small matrix products, and on a shared machine BLAS threads waiting "
                             "for a busy core make their timings swing tenfold")
    args = parser.parse_args()
    sizes = QUICK_SIZES if args.quick else SIZES

    threads, source = limit_blas_threads(args.threads)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.2f}; numpy {np.__version__}, "
          f"BLAS threads {threads} ({source})")
    sdpa_ms = torch_sdpa(threads)
    default_block = inspect.signature(tiled_attention).parameters["block_size"].default
    print(f"one sequence, d = {D}, float64; time: median of {args.repeats} calls after 1 warm-up; "
          f"peak: tracemalloc, one call; tiled block_size = {default_block}")
    print(f"{'n':>5} {'n*n f64':>9} | {'attention':>10} {'tiled':>9} {'ratio':>6} | "
          f"{'attention':>10} {'tiled':>9} {'ratio':>6} | {'max|diff|':>9} | {'torch SDPA':>10}")
    print(f"{'':>5} {'MiB':>9} | {'ms':>10} {'ms':>9} {'':>6} | {'peak MiB':>10} {'peak MiB':>9} {'':>6} | "
          f"{'':>9} | {'ms':>10}")

    rng = np.random.default_rng(0)
    for n in sizes:
        Q, K, V = (rng.standard_normal((1, n, D)) for _ in range(3))      # (1, n, D) each
        full_ms = median_ms(lambda: attention(Q, K, V), args.repeats, warmup=1)
        tiled_ms = median_ms(lambda: tiled_attention(Q, K, V), args.repeats, warmup=1)
        full_peak, tiled_peak = peak_mib(lambda: attention(Q, K, V)), peak_mib(lambda: tiled_attention(Q, K, V))
        diff = np.abs(tiled_attention(Q, K, V) - attention(Q, K, V)[0]).max()
        torch_ms = f"{sdpa_ms(Q, K, V, args.repeats):10.1f}" if sdpa_ms else f"{'-':>10}"
        print(f"{n:>5} {n * n * 8 / MIB:>9.1f} | {full_ms:>10.1f} {tiled_ms:>9.1f} {tiled_ms / full_ms:>6.2f} | "
              f"{full_peak:>10.1f} {tiled_peak:>9.1f} {tiled_peak / full_peak:>6.3f} | {diff:>9.1e} | {torch_ms}")

    largest = sizes[-1]
    print(f"goal at n = {largest}: tiled peak memory <= 1/8 of attention's: "
          f"{tiled_peak / full_peak:.3f} {verdict(tiled_peak / full_peak, GOAL_MEMORY)}; "
          f"tiled time <= {GOAL_TIME:.0f}x attention's: {tiled_ms / full_ms:.2f}x "
          f"{verdict(tiled_ms / full_ms, GOAL_TIME)}"
          + ("" if largest == SIZES[-1] else f"  (the goals are set for n = {SIZES[-1]}; run without --quick)"))
    if sdpa_ms is None:
        print("torch SDPA: not measured (PyTorch is not installed)")

    print(f"\ntiled_attention at n = {largest} by block_size (attention: {full_ms:.1f} ms, {full_peak:.1f} MiB peak)")
    print(f"{'block_size':>10} | {'ms':>8} {'ratio':>6} | {'peak MiB':>9} {'ratio':>6}")
    for block_size in BLOCK_SIZES:
        ms = median_ms(lambda: tiled_attention(Q, K, V, block_size=block_size), args.repeats, warmup=1)
        peak = peak_mib(lambda: tiled_attention(Q, K, V, block_size=block_size))
        print(f"{block_size:>10} | {ms:>8.1f} {ms / full_ms:>6.2f} | {peak:>9.1f} {peak / full_peak:>6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
