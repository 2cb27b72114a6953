"""The figures of notebook 12 (The cost of attention): cost against n, and one step of the online softmax."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ..core.validate import as_array, as_positive_int
from ..lessons.lesson12 import MIB
from .palette import FONT_SIZE, OKABE_ITO


def _doubling_axis(ax, sizes, ylabel, title):
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xticks(sizes, [str(n) for n in sizes])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))     # 64, not 2^6
    ax.margins(x=0.06, y=0.12)
    ax.set_xlabel("n (tokens in the sequence)", fontsize=FONT_SIZE)
    ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
    ax.set_title(title, fontsize=FONT_SIZE + 2)
    ax.tick_params(labelsize=FONT_SIZE - 2)
    ax.grid(True, color="0.9")


def _n_squared_guide(ax, sizes, values, label):
    """A dashed line growing like n^2 through the last point: a curve parallel to it grows like n^2 too."""
    sizes = np.asarray(sizes, dtype=float)
    ax.plot(sizes, values[-1] * (sizes / sizes[-1]) ** 2, color=OKABE_ITO["black"], ls=":", lw=2, label=label)


def cost_figure(measured: dict):
    """Two panels against n, both axes doubling at each step: wall time, and peak memory.

    Parameters
    ----------
    measured : dict
        From :func:`attn_lib.lessons.lesson12.measure_attention`: ``n``, ``seconds``, ``peak_bytes``
        (at least two sizes).

    Returns
    -------
    matplotlib.figure.Figure
        Left: milliseconds (measured, varies from run to run). Right: peak MiB (the same every
        run) beside the formula "4 matrices of n x n float64". Each has a dotted n^2 guide.
    """
    sizes = [as_positive_int(n, "each n") for n in measured["n"]]
    if len(sizes) < 2:
        raise ValueError(f"measured must hold at least 2 sizes; got {len(sizes)}")
    ms = 1000 * np.asarray(measured["seconds"], dtype=float)
    mib = np.asarray(measured["peak_bytes"], dtype=float) / MIB
    formula = 4 * 8 * np.asarray(sizes, dtype=float) ** 2 / MIB
    style = {"color": OKABE_ITO["vermillion"], "marker": "o", "lw": 2.5, "ms": 9}

    fig = Figure(facecolor="white", figsize=(13, 5.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    left.plot(sizes, ms, label="attention, measured", **style)
    _n_squared_guide(left, sizes, ms, "grows like n²")
    _doubling_axis(left, sizes, "milliseconds (shortest of 3 calls)", "Time: measured, varies run to run")
    right.plot(sizes, mib, label="attention, measured peak", **style)
    right.plot(sizes, formula, color=OKABE_ITO["blue"], marker="s", ls="--", lw=2, ms=8,
               label="formula: 4 × n × n × 8 bytes")
    _doubling_axis(right, sizes, "peak memory (MiB)", "Memory: ×4 each time n doubles")
    for ax in (left, right):
        ax.legend(fontsize=FONT_SIZE - 2)
    return fig


def memory_figure(sizes, full_bytes, tiled_bytes, block_size: int):
    """Peak memory of attention and of tiled attention against n (both axes doubling).

    Parameters
    ----------
    sizes : sequence of int
    full_bytes, tiled_bytes : sequence of int, one per size
        Peak bytes of :func:`attn_lib.attention` and :func:`attn_lib.tiled_attention`.
    block_size : int
        The tiled call's block size, for the legend.

    Returns
    -------
    matplotlib.figure.Figure
    """
    sizes = [as_positive_int(n, "each size") for n in sizes]
    full = np.asarray(full_bytes, dtype=float) / MIB
    tiled = np.asarray(tiled_bytes, dtype=float) / MIB
    if full.shape != (len(sizes),) or tiled.shape != (len(sizes),):
        raise ValueError(f"full_bytes and tiled_bytes need one number per size ({len(sizes)}); "
                         f"got shapes {full.shape} and {tiled.shape}")
    fig = Figure(facecolor="white", figsize=(8, 5.2), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(sizes, full, color=OKABE_ITO["vermillion"], marker="o", lw=2.5, ms=9, label="attention (n × n)")
    ax.plot(sizes, tiled, color=OKABE_ITO["blue"], marker="s", ls="--", lw=2.5, ms=9,
            label=f"tiled_attention (blocks of {block_size} keys)")
    for n, f, t in zip(sizes, full, tiled):
        ax.annotate(f"{f:.0f}" if f >= 10 else f"{f:.1f}", (n, f), xytext=(0, 8), textcoords="offset points",
                    ha="center", fontsize=FONT_SIZE - 3, color=OKABE_ITO["vermillion"])
        ax.annotate(f"{t:.1f}", (n, t), xytext=(0, -18), textcoords="offset points", ha="center",
                    fontsize=FONT_SIZE - 3, color=OKABE_ITO["blue"])
    _doubling_axis(ax, sizes, "peak memory (MiB)", "Peak memory of one call, d = 64")
    ax.legend(fontsize=FONT_SIZE - 2)
    return fig


def online_softmax_figure(x, steps, step: int):
    """One step of the online softmax: the scores by block, and the weights known so far.

    Parameters
    ----------
    x : np.ndarray, shape (n,)
        The row of scores.
    steps : list of dict
        From :func:`attn_lib.lessons.lesson12.online_softmax_trace`.
    step : int
        Blocks read, 1 to ``len(steps)``.

    Returns
    -------
    matplotlib.figure.Figure
        Left: each score as a bar (blocks read in blue, the current block in orange and hatched,
        the rest grey) and the running maximum as a dashed line. Right: the weights after this
        block (bars) beside the final softmax weights (black ticks).
    """
    x = as_array(x, "x", "(n,)", min_ndim=1, max_ndim=1)
    step = as_positive_int(step, "step")
    if step > len(steps):
        raise ValueError(f"step must be from 1 to {len(steps)} (the number of blocks); got {step}")
    now = steps[step - 1]
    labels = [f"k{j + 1}" for j in range(x.size)]
    colors = [OKABE_ITO["blue"] if j < now["start"] else OKABE_ITO["orange"] if j < now["stop"] else "0.75"
              for j in range(x.size)]
    hatches = ["//" if now["start"] <= j < now["stop"] else "" for j in range(x.size)]

    fig = Figure(facecolor="white", figsize=(13, 4.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    bars = left.bar(labels, x, color=colors, edgecolor="black", linewidth=0.6)
    for bar, hatch in zip(bars, hatches):
        bar.set_hatch(hatch)
    left.axhline(now["running_max"], color=OKABE_ITO["vermillion"], ls="--", lw=2,
                 label=f"running max = {now['running_max']:.2f}")
    left.axhline(0, color="0.5", lw=1)
    for s in steps[1:]:
        left.axvline(s["start"] - 0.5, color="0.4", ls=":", lw=1.5)
    left.set_title(f"Scores: block {step} of {len(steps)} (orange), read so far (blue)", fontsize=FONT_SIZE + 1)
    left.legend(fontsize=FONT_SIZE - 2, loc="lower left")

    final = steps[-1]["weights"]
    right.bar(labels, now["weights"], color=[c if c != "0.75" else "0.9" for c in colors],
              edgecolor="black", linewidth=0.6, label="weights after this block")
    right.scatter(labels, final, marker="_", s=500, color="black", linewidths=3, label="final softmax weights",
                  zorder=3)
    right.set_ylim(0, max(final.max(), now["weights"].max()) * 1.25)
    right.set_title(f"Weights so far (running sum = {now['running_sum']:.2f})", fontsize=FONT_SIZE + 1)
    right.legend(fontsize=FONT_SIZE - 2, loc="upper right")
    for ax in (left, right):
        ax.tick_params(labelsize=FONT_SIZE - 2)
        ax.grid(True, axis="y", color="0.9")
    return fig
