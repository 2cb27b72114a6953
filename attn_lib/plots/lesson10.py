"""The figures of notebook 10 (Watch attention learn): the loss curve, attention before and after
training, the intended pattern beside the learned one, and the snapshot of the training replay."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..core.validate import as_array
from .charts import heatmap
from .palette import FONT_SIZE, OKABE_ITO
from .table import _check_labels


def _curve(values, name):
    return as_array(np.asarray(values, dtype=np.float64), name, "(steps,)", max_ndim=1)


def _outline_row(ax, row, n_cols, color=OKABE_ITO["orange"]):
    """A thick frame around one row of a heatmap drawn by :func:`heatmap`."""
    ax.add_patch(Rectangle((-0.5, row - 0.5), n_cols, 1, fill=False, edgecolor=color, lw=3.5, clip_on=False))


def loss_axes(ax, losses, sound_losses, lowest=None, step=None, guess=None):
    """Draw both loss curves into ``ax``: over every word (blue) and on the sound alone (orange).

    Parameters
    ----------
    losses, sound_losses : array_like, shape (steps,)
        The loss of each training step's batch, before that step's update.
    lowest : float, optional
        The lowest possible average loss, drawn as a dashed line.
    step : int, optional
        A training step to mark with a vertical line (the replay's current step).
    guess : float, optional
        The loss on the sound of a model that does not look back, drawn as a dash-dotted line.
    """
    losses, sound_losses = _curve(losses, "losses"), _curve(sound_losses, "sound_losses")
    ax.plot(np.arange(len(losses)), losses, color=OKABE_ITO["blue"], lw=2, label="loss over every word")
    ax.plot(np.arange(len(sound_losses)), sound_losses, color=OKABE_ITO["orange"], lw=2, ls="--",
            label="loss on the sound (the word after 'it')")
    if lowest is not None:
        ax.axhline(lowest, color="0.35", ls=":", lw=1.5, label=f"lowest possible average loss: {lowest:.2f}")
    if guess is not None:
        ax.axhline(guess, color=OKABE_ITO["orange"], ls="-.", lw=1.2,
                   label=f"the sound, guessed without looking back: {guess:.2f}")
    if step is not None:
        ax.axvline(step, color=OKABE_ITO["vermillion"], lw=2, label=f"step {step}")
    ax.set_xlabel("training step", fontsize=FONT_SIZE)
    ax.set_ylabel("loss", fontsize=FONT_SIZE)
    ax.set_ylim(0, max(losses.max(), sound_losses.max()) * 1.05)
    ax.tick_params(labelsize=FONT_SIZE - 2)
    ax.grid(True, color="0.92")
    ax.legend(fontsize=FONT_SIZE - 2)
    return ax


def loss_figure(losses, sound_losses, lowest=None, guess=None):
    """The training loss curve of notebook 10, section 5.

    Parameters
    ----------
    losses, sound_losses : array_like, shape (steps,)
    lowest, guess : float, optional
        See :func:`loss_axes`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = Figure(facecolor="white", figsize=(11, 5), layout="constrained")
    ax = fig.add_subplot()
    loss_axes(ax, losses, sound_losses, lowest, guess=guess)
    ax.set_title("Training loss, step by step", fontsize=FONT_SIZE + 2)
    return fig


def before_after_figure(tokens, before, after, query, steps=(0, None)):
    """Two heatmaps of one sentence's attention weights, before and after training, one row framed.

    Parameters
    ----------
    tokens : list of str, length n
    before, after : array_like, shape (n, n)
    query : int
        The row to frame (the word "it").
    steps : tuple of (int, int or None)
        The training steps of the two pictures, for the titles.

    Returns
    -------
    matplotlib.figure.Figure
    """
    before = as_array(np.asarray(before, dtype=np.float64), "before", "(n, n)", min_ndim=2, max_ndim=2)
    after = as_array(np.asarray(after, dtype=np.float64), "after", "(n, n)", min_ndim=2, max_ndim=2)
    tokens = _check_labels(tokens, before.shape[0], "tokens")
    if after.shape != before.shape:
        raise ValueError(f"after must have the shape of before, {before.shape}; got {after.shape}")
    n = len(tokens)
    fig = Figure(facecolor="white", figsize=(2.4 + 1.45 * n, 1.2 + 0.62 * n), layout="constrained")
    left, right = fig.subplots(1, 2)
    first, last = steps
    heatmap(before, tokens, title=f"Before training (step {first})", ax=left)
    heatmap(after, tokens, title="After training" + (f" (step {last})" if last is not None else ""), ax=right)
    for ax in (left, right):
        _outline_row(ax, query, n)
    return fig


def intended_vs_learned_figure(tokens, intended, learned, query_word="it"):
    """The attention of one query as bars: the intended weights beside the learned ones.

    Parameters
    ----------
    tokens : list of str, length n
        The words the query may see (itself included).
    intended, learned : array_like, shape (n,)

    Returns
    -------
    matplotlib.figure.Figure
    """
    intended = as_array(np.asarray(intended, dtype=np.float64), "intended", "(n,)", max_ndim=1)
    learned = as_array(np.asarray(learned, dtype=np.float64), "learned", "(n,)", max_ndim=1)
    tokens = _check_labels(tokens, len(intended), "tokens")
    if learned.shape != intended.shape:
        raise ValueError(f"learned must have the shape of intended, {intended.shape}; got {learned.shape}")
    fig = Figure(facecolor="white", figsize=(2 + 1.1 * len(tokens), 4.6), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(tokens))
    ax.bar(x - 0.2, intended, width=0.4, color="0.7", edgecolor="0.3", hatch="//", label="intended")
    ax.bar(x + 0.2, learned, width=0.4, color=OKABE_ITO["blue"], label="learned")
    for xi, v in zip(x, learned):
        ax.annotate(f"{v:.2f}", (xi + 0.2, v), xytext=(0, 3), textcoords="offset points", ha="center",
                    va="bottom", fontsize=FONT_SIZE - 3)
    ax.set_xticks(x, tokens, fontsize=FONT_SIZE, rotation=30, ha="right")
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("attention weight", fontsize=FONT_SIZE)
    ax.tick_params(axis="y", labelsize=FONT_SIZE - 2)
    ax.set_title(f"Attention of '{query_word}': intended and learned", fontsize=FONT_SIZE + 2)
    ax.legend(fontsize=FONT_SIZE - 1)
    return fig


def replay_figure(tokens, weights, query, step, losses, sound_losses, lowest=None):
    """The training replay's snapshot: the weights at one step (one row framed), and the loss curves.

    Parameters
    ----------
    tokens : list of str, length n
    weights : array_like, shape (n, n)
        The attention weights at ``step``.
    query : int
        The row to frame.
    step : int
    losses, sound_losses : array_like, shape (steps,)
    lowest : float, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    weights = as_array(np.asarray(weights, dtype=np.float64), "weights", "(n, n)", min_ndim=2, max_ndim=2)
    tokens = _check_labels(tokens, weights.shape[0], "tokens")
    n = len(tokens)
    fig = Figure(facecolor="white", figsize=(15, 1.4 + 0.62 * n), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1.15, 1])
    heatmap(weights, tokens, title=f"Attention weights at step {step}", ax=left)
    _outline_row(left, query, n)
    loss_axes(right, losses, sound_losses, lowest, step=step)
    right.set_title("Where this step lies on the loss curve", fontsize=FONT_SIZE + 2)
    return fig
