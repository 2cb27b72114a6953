"""How fast do the trained models of notebooks 10 and 11 train, and how fast does notebook 11's tiny GPT write?

Usage (from the repository root)::

    python benchmarks/tiny_gpt_speed.py              # 3 training runs per model, 40 texts per way of writing
    python benchmarks/tiny_gpt_speed.py --quick      # 1 training run, 10 texts

It prints:

- the wall time of training notebook 11's tiny GPT (``lesson11.train()``, the run of its section 3,
  and the 300-step run without the mask of section 4), and of notebook 10's model when
  ``attn_lib.lessons.lesson10`` has a ``train`` function (it says so when it does not);
- the writing speed in tokens per second, greedy, 15 tokens after "the" (the model's longest text),
  without a cache (``generate``: the whole text through the model at every step) and with the KV
  cache (``generate_with_cache``), their ratio, and the ratio of their multiply-adds;
- the kernel side of one repaint of the sampling view (``state()`` + ``render_html()``), p50 and p90.

The targets are printed beside the figures, met or not; nothing is asserted, because timings depend
on the machine and on whatever else it is doing (the load average is printed for that reason).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from attn_lib.lessons import lesson11 as gpt
from timing import median_ms  # noqa: E402

GOAL_TRAIN_11 = 20.0          # seconds: the notebook trains in the learner's kernel (the issue allows 60)
GOAL_TRAIN_10 = 20.0
GOAL_REPAINT_P50, GOAL_REPAINT_P90 = 50.0, 100.0     # ms, the live views' targets (kernel side is a part of it)


def verdict(value, goal):
    return "met" if value <= goal else "NOT met"


def lesson10_trainer():
    """Notebook 10's training function, or None with the reason."""
    try:
        lesson10 = importlib.import_module("attn_lib.lessons.lesson10")
    except ImportError as error:
        return None, f"attn_lib.lessons.lesson10 cannot be imported ({error})"
    train = getattr(lesson10, "train", None)
    if not callable(train):
        return None, "attn_lib.lessons.lesson10 has no train() function"
    return train, "lesson10.train()"


def tokens_per_second(write, params, n_texts):
    """Greedy texts of 15 tokens after "the", written ``n_texts`` times: tokens per second."""
    elapsed = median_ms(lambda: [write(params, "the", 15) for _ in range(n_texts)], 1) / 1000
    return 15 * n_texts / elapsed


def repaint_ms(view, n):
    """Kernel time of ``n`` repaints of the sampling view, each at a new temperature: (p50, p90) in ms."""
    times = []
    for temperature in np.geomspace(0.2, 5.0, n):
        view.temperature_slider.value = float(temperature)          # repaints once; then time one repaint alone
        start = time.perf_counter()
        view.render_html(view.state())
        times.append(1000 * (time.perf_counter() - start))
    p50, p90 = np.percentile(times, [50, 90])
    return p50, p90


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 training run and 10 texts per way of writing")
    args = parser.parse_args(argv)
    repeats, n_texts = (1, 10) if args.quick else (3, 40)
    print(f"load average at the start: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})")

    print(f"\nTraining (median of {repeats} run{'s' if repeats > 1 else ''})")
    t11 = median_ms(gpt.train, repeats) / 1000
    print(f"  notebook 11, tiny GPT, {gpt.TRAINING['steps']} steps with the mask: {t11:6.2f} s   "
          f"(goal <= {GOAL_TRAIN_11:.0f} s: {verdict(t11, GOAL_TRAIN_11)})")
    t11_peek = median_ms(lambda: gpt.train(causal=False, steps=300), repeats) / 1000
    print(f"  notebook 11, the same model, 300 steps without the mask: {t11_peek:6.2f} s")
    train10, source = lesson10_trainer()
    if train10 is None:
        print(f"  notebook 10: not measured: {source}")
    else:
        t10 = median_ms(train10, repeats) / 1000
        print(f"  notebook 10, {source}: {t10:6.2f} s   (goal <= {GOAL_TRAIN_10:.0f} s: {verdict(t10, GOAL_TRAIN_10)})")

    params, _ = gpt.train()
    print(f"\nWriting: greedy, 15 tokens after 'the', {n_texts} texts each way")
    plain = tokens_per_second(gpt.generate, params, n_texts)
    cached = tokens_per_second(gpt.generate_with_cache, params, n_texts)
    ops_plain = gpt.multiply_adds(gpt.CONFIG, 1, 15, cache=False)
    ops_cached = gpt.multiply_adds(gpt.CONFIG, 1, 15, cache=True)
    print(f"  without a cache : {plain:8.0f} tokens/s   {ops_plain:>9,} multiply-adds")
    print(f"  with the KV cache: {cached:8.0f} tokens/s   {ops_cached:>9,} multiply-adds")
    print(f"  ratio (cache / no cache): {cached / plain:.2f}x faster; {ops_plain / ops_cached:.2f}x fewer multiply-adds")
    print("  (at this size numpy's fixed cost per call, not arithmetic, sets the pace: the speed-up is smaller "
          "than the multiply-add ratio)")

    from attn_lib.views import SamplingView

    view = SamplingView(params)
    p50, p90 = repaint_ms(view, 40 if not args.quick else 15)
    print(f"\nSampling view, one repaint in the kernel (state + render_html): p50 {p50:.1f} ms, p90 {p90:.1f} ms "
          f"(the whole round trip's goal, p50 <= {GOAL_REPAINT_P50:.0f} / p90 <= {GOAL_REPAINT_P90:.0f} ms: "
          f"{verdict(p50, GOAL_REPAINT_P50)} / {verdict(p90, GOAL_REPAINT_P90)}; measure the browser round trip "
          f"with explorer_latency.py)")
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
