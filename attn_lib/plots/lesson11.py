"""The figures of notebook 11 (A tiny GPT writes): loss curves, attention while writing, the KV cache's cost,
and the snapshot of the sampling view."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..core.validate import as_array, as_positive_int
from ..lessons.lesson11 import multiply_adds
from .charts import heatmap
from .palette import FONT_SIZE, OKABE_ITO


def _running_mean(values, window):
    """The mean of each ``window`` consecutive values (shorter at the start), shape (n,)."""
    cumulative = np.cumsum(np.insert(values, 0, 0.0))                       # (n + 1,)
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(0, ends - window)
    return (cumulative[ends] - cumulative[starts]) / (ends - starts)


def loss_figure(losses, best: float, unmasked_losses=None, window: int = 20):
    """The training loss of every step (thin) and its running mean over ``window`` steps (thick).

    A log scale when both curves are drawn (losses near 0.05 and near 3 on one axis).

    Parameters
    ----------
    losses : array_like, shape (steps,)
        The honest model's training loss (with the causal mask).
    best : float
        The loss of a model that knows the grammar exactly, drawn as a dashed line.
    unmasked_losses : array_like, shape (steps2,), optional
        The loss of the same model trained without the mask.
    window : int, default 20

    Returns
    -------
    matplotlib.figure.Figure
    """
    losses = as_array(np.asarray(losses, dtype=float), "losses", "(steps,)", max_ndim=1)
    window = as_positive_int(window, "window")
    fig = Figure(facecolor="white", figsize=(10, 5), layout="constrained")
    ax = fig.add_subplot()
    curves = [(losses, OKABE_ITO["blue"], "-", "with the causal mask")]
    if unmasked_losses is not None:
        unmasked = as_array(np.asarray(unmasked_losses, dtype=float), "unmasked_losses", "(steps,)", max_ndim=1)
        curves.append((unmasked, OKABE_ITO["vermillion"], "-.", "without the mask (peeking)"))
    for values, color, style, label in curves:
        steps = np.arange(1, len(values) + 1)
        ax.plot(steps, values, color=color, lw=0.8, alpha=0.35)                     # every step
        smooth = _running_mean(values, window)
        ax.plot(steps[window - 1:], smooth[window - 1:], color=color, lw=2.5, ls=style, label=label)
    ax.axhline(best, color="0.3", ls="--", lw=1.5, label=f"best possible for an honest model: {best:.2f}")
    if unmasked_losses is not None:                        # losses near 0.05 and near 3 on one axis
        ax.set_yscale("log")
        ticks = [0.05, 0.1, 0.2, 0.5, 1, 2, 3]
        ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()
    ax.set_xlabel("training step", fontsize=FONT_SIZE)
    ax.set_ylabel("loss (log scale)" if unmasked_losses is not None else "loss", fontsize=FONT_SIZE)
    ax.set_title(f"Training loss: every step (thin) and the mean of {window} steps", fontsize=FONT_SIZE + 2)
    ax.tick_params(labelsize=FONT_SIZE - 2)
    ax.grid(True, which="both", color="0.92")
    ax.legend(fontsize=FONT_SIZE - 1)
    return fig


def writing_figure(tokens, weights, n_prompt: int):
    """Each head's causal attention over a written text: row ``i`` is token ``i`` as the query.

    Parameters
    ----------
    tokens : list of str, length n
    weights : np.ndarray, shape (H, n, n)
        Attention weights of one layer (lower triangular: causal).
    n_prompt : int
        How many tokens came from the prompt; the rows of the others are marked ``*``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    weights = as_array(weights, "weights", "(H, n, n)", min_ndim=3, max_ndim=3)
    n = weights.shape[-1]
    if len(tokens) != n:
        raise ValueError(f"tokens must have one entry per row of weights ({n}); got {len(tokens)}")
    rows = [f"{t} *" if i >= n_prompt else t for i, t in enumerate(tokens)]
    fig = Figure(facecolor="white", figsize=(8.5 * len(weights), 0.55 * n + 2.4), layout="constrained")
    for h, ax in enumerate(np.atleast_1d(fig.subplots(1, len(weights)))):
        heatmap(weights[h], rows, list(tokens), ax=ax, annotate=n <= 12, title=f"Head {h}",
                ylabel="query (* = written by the model)")
    return fig


def peeking_figure(tokens, honest, peeking, head_honest: int, head_peeking: int):
    """One head of the honest model beside one head of the model trained without the mask, same text.

    Parameters
    ----------
    tokens : list of str, length n
    honest, peeking : np.ndarray, shape (H, n, n)
        Attention weights of the two models' layer.
    head_honest, head_peeking : int
        The head shown for each.
    """
    fig = Figure(facecolor="white", figsize=(16, 7.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    heatmap(honest[head_honest], tokens, ax=left, annotate=False,
            title=f"With the causal mask (head {head_honest})")
    heatmap(peeking[head_peeking], tokens, ax=right, annotate=False,
            title=f"Trained without the mask (head {head_peeking})")
    return fig


def kv_cost_figure(config: dict, n_prompt: int, n_new: int):
    """Multiply-adds to write 1, 2, ..., ``n_new`` tokens after a prompt, with and without the KV cache.

    The numbers come from :func:`attn_lib.lessons.lesson11.multiply_adds`.
    """
    n_prompt, n_new = as_positive_int(n_prompt, "n_prompt"), as_positive_int(n_new, "n_new")
    written = np.arange(1, n_new + 1)
    without = [multiply_adds(config, n_prompt, k, cache=False) / 1000 for k in written]
    with_cache = [multiply_adds(config, n_prompt, k, cache=True) / 1000 for k in written]
    fig = Figure(facecolor="white", figsize=(10, 5), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(written, without, "o-", color=OKABE_ITO["vermillion"], lw=2.5, ms=7, label="without a cache")
    ax.plot(written, with_cache, "s--", color=OKABE_ITO["blue"], lw=2.5, ms=7, label="with the KV cache")
    for values in (without, with_cache):
        ax.annotate(f"{values[-1]:,.0f}k", (written[-1], values[-1]), xytext=(6, 0), textcoords="offset points",
                    va="center", fontsize=FONT_SIZE - 1)
    ax.set_xlabel(f"tokens written after a {n_prompt}-token prompt", fontsize=FONT_SIZE)
    ax.set_ylabel("multiply-adds (thousands)", fontsize=FONT_SIZE)
    ax.set_title("What writing costs", fontsize=FONT_SIZE + 2)
    ax.set_xlim(0.5, n_new + 2.5)
    ax.tick_params(labelsize=FONT_SIZE - 2)
    ax.grid(True, color="0.92")
    ax.legend(fontsize=FONT_SIZE - 1)
    return fig


def sampling_figure(labels, probabilities, samples, title: str):
    """The snapshot of the sampling view: the next-token probabilities as bars, and the samples as text.

    Parameters
    ----------
    labels : list of str, length n
    probabilities : array_like, shape (n,)
    samples : list of str
        One line of text per sample.
    title : str
    """
    probabilities = np.asarray(probabilities, dtype=float)
    fig = Figure(facecolor="white", figsize=(14, 0.42 * len(labels) + 1.8), layout="constrained")
    bars, text = fig.subplots(1, 2, width_ratios=[1, 1.1])
    y = np.arange(len(labels))
    bars.barh(y, probabilities, color=OKABE_ITO["blue"])
    bars.set_yticks(y, labels, fontsize=FONT_SIZE)
    bars.invert_yaxis()
    bars.set_xlim(0, 1.12)
    bars.set_xlabel("probability", fontsize=FONT_SIZE)
    bars.tick_params(axis="x", labelsize=FONT_SIZE - 2)
    for yi, p in zip(y, probabilities):
        bars.annotate(f"{p:.2f}", (p, yi), xytext=(4, 0), textcoords="offset points", va="center",
                      fontsize=FONT_SIZE - 2)
    bars.set_title(title, fontsize=FONT_SIZE + 1, loc="left")
    text.axis("off")
    text.set_title("Samples (seeded)", fontsize=FONT_SIZE + 1, loc="left")
    for i, line in enumerate(samples):
        text.text(0, 1 - 0.09 * (i + 1), f"{i + 1}. {line}", fontsize=FONT_SIZE - 1, family="monospace",
                  transform=text.transAxes, va="top")
    return fig
