"""Word order and position encodings: the tools and live views of notebook 06.

Self-attention on its own is *permutation-equivariant*: reorder the words and
the weights come out with their rows and columns reordered the same way, and
nothing else changes. Position encodings break that symmetry. This module holds
the small tools to show it with numbers (:func:`permutation_matrix`,
:func:`shuffled_order`, :func:`order_of`, :func:`sentence_attention`), the
linear map that shifts a sinusoidal encoding (:func:`shift_matrix`), a static
heatmap of encodings (:func:`encoding_figure`), and two live views:

- :class:`PermutationView`: reorder a sentence, with or without positions, and
  see whether its attention is "the same weights, just reordered";
- :class:`PositionEncodingView`: pick a position and see its sinusoidal
  encoding and how similar it is to every other position.

Like :class:`attn_lib.AttentionExplorer`, each live view is one HTML string
rebuilt in the kernel per change; its root element has a CSS class and a
``data-version`` attribute that grows by one per repaint.
"""

from __future__ import annotations

import html
import numbers

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ._validate import as_array, as_positive_int
from .attention import self_attention
from .display import FONT_SIZE, HEATMAP_CMAP, OKABE_ITO, Table, heatmap
from .embeddings import D_MODEL, embed
from .positions import sinusoidal_positions
from .tokens import tokenize
from .weights import random_weights
from .widgets import LiveView

LESSON_SENTENCE = "The cat sat on the mat"
"""The sentence of notebook 06."""

MAX_SHUFFLE_SEED = 20
"""The largest seed of :class:`PermutationView`'s shuffle slider (0 keeps the original order)."""

_LUT = [f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"
        for r, g, b, _ in colormaps[HEATMAP_CMAP](np.linspace(0, 1, 256))]


def _shade(v, lo=0.0, hi=1.0) -> str:
    """The cividis colour of ``v`` on the range [lo, hi]."""
    return _LUT[min(255, max(0, int((v - lo) / (hi - lo) * 255)))]


# ----------------------------------------------------------------------------- orders and weights
def lesson_weights(d_model: int = D_MODEL, d_k: int = 4, seed: int = 3, scale: float = 3.0):
    """The fixed, random projection matrices used throughout notebook 06.

    Parameters
    ----------
    d_model : int, default 8
        Rows: the embedding width.
    d_k : int, default 4
        Columns: the width of queries, keys and values.
    seed : int, default 3
        ``W_q``, ``W_k`` and ``W_v`` use the seeds ``seed``, ``seed + 1`` and ``seed + 2``.
    scale : float, default 3.0
        Multiplies :func:`attn_lib.random_weights`, so the attention is clearly uneven.

    Returns
    -------
    tuple of np.ndarray
        ``(W_q, W_k, W_v)``, each of shape (d_model, d_k).
    """
    return tuple(scale * random_weights(d_model, d_k, seed=seed + i) for i in range(3))


def _as_order(order, n=None) -> list:
    """Check that ``order`` is a rearrangement of 0..n-1; return it as a list of int."""
    if isinstance(order, np.ndarray):
        order = order.tolist()
    if not isinstance(order, (list, tuple)) or not order:
        raise TypeError(f"order must be a non-empty list of positions such as [0, 2, 1]; got {order!r}")
    if any(isinstance(k, bool) or not isinstance(k, numbers.Integral) for k in order):
        raise TypeError(f"order must hold whole numbers (positions); got {list(order)!r}")
    order = [int(k) for k in order]
    n = len(order) if n is None else n
    if len(order) != n or sorted(order) != list(range(n)):
        raise ValueError(f"order must list each position 0..{n - 1} exactly once; got {order}")
    return order


def permutation_matrix(order) -> np.ndarray:
    """The matrix P that reorders rows: ``(P @ X)[k] = X[order[k]]``.

    Parameters
    ----------
    order : list of int, length n
        A rearrangement of ``0..n-1``: new position ``k`` holds old word ``order[k]``.

    Returns
    -------
    np.ndarray, shape (n, n)
        One 1 per row and per column. ``P @ W @ P.T`` reorders both the rows and
        the columns of a square matrix ``W``; ``P.T`` undoes ``P``.
    """
    order = _as_order(order)
    return np.eye(len(order))[order]                                    # (n, n), row k = e_order[k]


def shuffled_order(n: int, seed: int) -> list:
    """A reproducible rearrangement of ``0..n-1``; seed 0 keeps the original order.

    Parameters
    ----------
    n : int
        Number of words, >= 1.
    seed : int
        >= 0. Any other seed draws ``numpy.random.default_rng(seed).permutation(n)``.

    Returns
    -------
    list of int, length n
    """
    n = as_positive_int(n, "n")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0; got {seed!r}")
    if seed == 0:
        return list(range(n))
    return [int(k) for k in np.random.default_rng(int(seed)).permutation(n)]


def order_of(tokens, reordered) -> list:
    """Which old position each word of ``reordered`` comes from.

    Repeated words are matched left to right, so the result is always a
    rearrangement of ``0..n-1``. Matching is exact: "The" and "the" differ.

    Parameters
    ----------
    tokens : list of str
        The original sentence.
    reordered : list of str
        The same words in another order.

    Returns
    -------
    list of int
        ``order`` with ``reordered[k] == tokens[order[k]]``.

    Raises
    ------
    ValueError
        ``reordered`` does not use exactly the words of ``tokens``.
    """
    tokens, reordered = list(tokens), list(reordered)
    unused = list(range(len(tokens)))
    order = []
    for word in reordered:
        match = next((i for i in unused if tokens[i] == word), None)
        if match is None:
            raise ValueError(f"reordered must use exactly the words of the sentence {tokens}: "
                             f"{word!r} is not one of them (or is used too often)")
        unused.remove(match)
        order.append(match)
    if unused:
        missing = [tokens[i] for i in unused]
        raise ValueError(f"reordered must use exactly the words of the sentence {tokens}: "
                         f"{missing} are missing")
    return order


def sentence_attention(tokens, W_q, W_k, W_v, positions: bool = False):
    """Self-attention on a sentence's embeddings, optionally with sinusoidal positions added.

    Parameters
    ----------
    tokens : list of str, length n
    W_q, W_k : np.ndarray, shape (D_MODEL, d_k)
    W_v : np.ndarray, shape (D_MODEL, d_v)
    positions : bool, default False
        Add :func:`attn_lib.sinusoidal_positions` ``(n, D_MODEL)`` to the embeddings first.

    Returns
    -------
    output : np.ndarray, shape (n, d_v)
    weights : np.ndarray, shape (n, n)
    """
    X = embed(list(tokens))                                             # (n, D_MODEL)
    if positions:
        X = X + sinusoidal_positions(len(X), X.shape[1])                # (n, D_MODEL)
    return self_attention(X, W_q, W_k, W_v)


def shift_matrix(k: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    """The rotation that moves every sinusoidal encoding ``k`` positions on.

    For each frequency pair (columns 2i and 2i+1) it is the 2x2 rotation by
    ``k * base**(-2i/d_model)``, so ``P[p + k] = P[p] @ shift_matrix(k, d_model)``
    for every position p, with ``P = sinusoidal_positions(...)``.

    Parameters
    ----------
    k : int
        The shift; negative moves back.
    d_model : int
        An even width, >= 2.
    base : float, default 10000.0
        As in :func:`attn_lib.sinusoidal_positions`.

    Returns
    -------
    np.ndarray, shape (d_model, d_model)
        Block diagonal; it depends on k, never on p.
    """
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"k must be a whole number of positions; got {k!r}")
    d_model = as_positive_int(d_model, "d_model")
    if d_model % 2:
        raise ValueError(f"d_model must be even (one sine and one cosine per frequency); got {d_model}")
    rates = base ** (-np.arange(0, d_model, 2) / d_model)             # (d_model/2,)
    M = np.zeros((d_model, d_model))
    for i, angle in enumerate(int(k) * rates):
        c, s = np.cos(angle), np.sin(angle)
        # row vector [sin a, cos a] @ [[c, -s], [s, c]] = [sin(a + angle), cos(a + angle)]
        M[2 * i: 2 * i + 2, 2 * i: 2 * i + 2] = [[c, -s], [s, c]]
    return M


# ----------------------------------------------------------------------------- static figure
def encoding_figure(P, title="Sinusoidal position encodings", highlight=None, ax=None):
    """A heatmap of position encodings: one row per position, one column per dimension.

    Parameters
    ----------
    P : np.ndarray, shape (n, d_model)
        E.g. :func:`attn_lib.sinusoidal_positions`; values in [-1, 1].
    title : str
    highlight : int, optional
        A position whose row gets an orange frame.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    P = as_array(P, "P", "(n, d_model)", min_ndim=2, max_ndim=2)
    n, d = P.shape
    if ax is None:
        fig = Figure(figsize=(min(14.0, 3.0 + 0.32 * d), min(9.0, 2.2 + 0.16 * n)), layout="constrained")
        ax = fig.add_subplot()
    fig = ax.figure
    image = ax.imshow(P, cmap=HEATMAP_CMAP, vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    ax.set_xlabel("dimension (column of P)", fontsize=FONT_SIZE)
    ax.set_ylabel("position", fontsize=FONT_SIZE)
    ax.set_title(title, fontsize=FONT_SIZE + 2)
    ax.tick_params(labelsize=FONT_SIZE - 2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if highlight is not None:
        ax.add_patch(Rectangle((-0.5, highlight - 0.5), d, 1, fill=False, edgecolor=OKABE_ITO["orange"],
                               linewidth=3))
    colorbar = fig.colorbar(image, ax=ax, shrink=0.8)
    colorbar.ax.tick_params(labelsize=FONT_SIZE - 2)
    return fig


def _similarity_floor(similarity) -> float:
    """The bottom of a similarity axis: 0, or lower when some dot product is negative."""
    return min(0.0, float(np.floor(np.min(similarity))))


# ----------------------------------------------------------------------------- shared HTML
_STYLE = """<style>
.pos-view {font-family: sans-serif; font-size: 16px}
.pos-view .pos-row {display: flex; flex-wrap: wrap; gap: 14px 28px; align-items: flex-start}
.pos-view .pos-title {font-weight: bold; margin: 4px 0}
.pos-view table.pos-table {border-collapse: collapse; font-family: monospace; font-size: 15px}
.pos-view table.pos-table td, .pos-view table.pos-table th {padding: 2px 6px; text-align: right}
.pos-view th.pos-mark {outline: 2px solid #E69F00}
.pos-view .pos-readout {font-size: 20px; font-weight: bold; margin: 6px 0}
.pos-view .pos-error {color: #D55E00; font-weight: bold}
.pos-view .pos-caption {margin: 4px 0 8px 0}
</style>"""


def _ink(v) -> str:
    """Black text on the light half of cividis, white on the dark half."""
    return "#000" if v > 0.5 else "#fff"


def _weights_html(values, labels, title, view, mark=None) -> str:
    """A square weight matrix as an HTML table shaded with cividis, values printed."""
    marked = " class='pos-mark'"
    head = "".join(f"<th{marked if j == mark else ''}>{html.escape(t)}</th>" for j, t in enumerate(labels))
    body = []
    for i, (label, row) in enumerate(zip(labels, values)):
        cells = "".join(f"<td style='background:{_shade(v)};color:{_ink(v)}'>{v:.2f}</td>" for v in row)
        body.append(f"<tr><th{marked if i == mark else ''}>{html.escape(label)}</th>{cells}</tr>")
    return (f"<div class='pos-matrix' data-view='{view}'><div class='pos-title'>{html.escape(title)}</div>"
            f"<table class='pos-table'><tr><th></th>{head}</tr>{''.join(body)}</table></div>")


# ----------------------------------------------------------------------------- PermutationView
class PermutationView(LiveView, widgets.VBox):
    """Reorder a sentence and see whether its attention is just the old attention, reordered.

    Three matrices are shown side by side: the attention weights of the original
    sentence; those of the reordered sentence, computed afresh with
    :func:`sentence_attention`; and the original weights with rows and columns
    moved to the new order, ``P @ W @ P.T``. The readout says whether the last two
    agree (``np.allclose``). Without positions they always do; with sinusoidal
    positions added to the embeddings they do not.

    Parameters
    ----------
    sentence : str, default :data:`LESSON_SENTENCE`
    reordered : str, optional
        The same words in another order; default the original order.
    positions : bool, default False
        Start with "add positions" ticked.
    weights : tuple of np.ndarray, optional
        ``(W_q, W_k, W_v)``, each with :data:`attn_lib.D_MODEL` rows; default :func:`lesson_weights`.

    Attributes
    ----------
    tokens : list of str
        The original sentence.
    order : list of int
        New position k holds original word ``order[k]``.
    sentence_box, reordered_box : ipywidgets.Text
    shuffle_slider : ipywidgets.IntSlider
        0 keeps the original order; every other value is a seed for a random order.
    word_picker : ipywidgets.Dropdown
        The word the buttons move; its row and column are outlined.
    left_button, right_button, original_button : ipywidgets.Button
    positions_box : ipywidgets.Checkbox
    view : ipywidgets.HTML
        Root element ``div.permutation-view`` with ``data-version``.
    version : int
        Number of repaints so far.
    """

    STYLE = _STYLE

    def __init__(self, sentence=LESSON_SENTENCE, reordered=None, positions=False, weights=None):
        self.tokens = tokenize(sentence)
        self.order = order_of(self.tokens, tokenize(reordered)) if reordered is not None \
            else list(range(len(self.tokens)))
        W = lesson_weights() if weights is None else weights
        if not isinstance(W, (tuple, list)) or len(W) != 3:
            raise TypeError("weights must be a tuple (W_q, W_k, W_v)")
        self.weights = tuple(np.array(w, dtype=np.float64) for w in W)
        sentence_attention(self.tokens[:1], *self.weights)              # validates the shapes
        self.version = 0
        self._holding = False
        self._error = None

        style = {"description_width": "8em"}
        wide = widgets.Layout(width="460px")
        self.sentence_box = widgets.Text(value=" ".join(self.tokens), description="Sentence",
                                         continuous_update=False, layout=wide, style=style)
        self.reordered_box = widgets.Text(value=" ".join(self.reordered_tokens), description="Reordered",
                                          continuous_update=False, layout=wide, style=style)
        self.shuffle_slider = widgets.IntSlider(value=0, min=0, max=MAX_SHUFFLE_SEED,
                                                description="Shuffle (seed)", continuous_update=True,
                                                layout=wide, style=style)
        self.word_picker = widgets.Dropdown(description="Word to move", style=style,
                                            layout=widgets.Layout(width="260px"))
        self.left_button = widgets.Button(description="move left", icon="arrow-left")
        self.right_button = widgets.Button(description="move right", icon="arrow-right")
        self.original_button = widgets.Button(description="original order", icon="undo")
        self.positions_box = widgets.Checkbox(value=bool(positions), description="add positions (sinusoidal)",
                                              indent=False)
        self.view = widgets.HTML()
        controls = widgets.VBox([
            self.sentence_box, self.reordered_box, self.shuffle_slider,
            widgets.HBox([self.word_picker, self.left_button, self.right_button, self.original_button]),
            self.positions_box])
        super().__init__([controls, self.view])
        self.add_class("permutation-view-widget")

        self._set_picker(0)
        self.sentence_box.observe(self._on_sentence, names="value")
        self.reordered_box.observe(self._on_reordered, names="value")
        self.shuffle_slider.observe(self._on_shuffle, names="value")
        self.word_picker.observe(self.refresh, names="value")
        self.positions_box.observe(self.refresh, names="value")
        self.left_button.on_click(lambda button: self.move(self.word_picker.value, -1))
        self.right_button.on_click(lambda button: self.move(self.word_picker.value, +1))
        self.original_button.on_click(lambda button: self.set_order(list(range(len(self.tokens)))))
        self.refresh()

    # ----- controls -------------------------------------------------------------------------
    @property
    def reordered_tokens(self) -> list:
        """The words in their new order."""
        return [self.tokens[i] for i in self.order]

    def _set_picker(self, index):
        with self._batch(repaint=False):
            self.word_picker.options = [(f"{k}: {t}", k) for k, t in enumerate(self.reordered_tokens)]
            self.word_picker.value = int(min(max(index, 0), len(self.tokens) - 1))

    def set_order(self, order, picked=None):
        """Put the words in ``order`` (new position k holds original word ``order[k]``); one repaint."""
        self.order = _as_order(order, len(self.tokens))
        self._error = None
        with self._batch():
            self.reordered_box.value = " ".join(self.reordered_tokens)
            self._set_picker(self.word_picker.value if picked is None else picked)

    def move(self, k, step):
        """Move the word at position ``k`` one place left (step -1) or right (+1), if it can go there."""
        j = k + step
        if not 0 <= j < len(self.tokens):
            return
        order = list(self.order)
        order[k], order[j] = order[j], order[k]
        self.set_order(order, picked=j)

    def _on_sentence(self, change):
        try:
            tokens = tokenize(change["new"])
        except ValueError as error:
            self._show_error(str(error))
            return
        self.tokens = tokens
        with self._batch(repaint=False):
            self.shuffle_slider.value = 0
        self.set_order(list(range(len(tokens))), picked=0)

    def _on_reordered(self, change):
        if self._holding:                       # set by set_order itself
            return
        try:
            order = order_of(self.tokens, tokenize(change["new"]))
        except ValueError as error:
            self._show_error(str(error))
            return
        self.set_order(order)

    def _on_shuffle(self, change):
        if not self._holding:
            self.set_order(shuffled_order(len(self.tokens), change["new"]))

    def _show_error(self, message):
        self._error = message
        self.refresh()

    # ----- computation ----------------------------------------------------------------------
    def state(self) -> dict:
        """Everything the view shows, computed with attn_lib.

        Returns
        -------
        dict
            ``tokens``, ``reordered_tokens`` (lists), ``order`` (list), ``positions`` (bool);
            ``weights`` (n, n) of the original sentence, ``reordered_weights`` (n, n) of the
            reordered one, ``moved_weights`` = ``P @ weights @ P.T``; ``outputs`` and
            ``reordered_outputs`` (n, d_v); ``same_weights`` and ``same_outputs`` (bool);
            ``largest_difference`` (float), between ``reordered_weights`` and ``moved_weights``.
        """
        positions = bool(self.positions_box.value)
        P = permutation_matrix(self.order)                                         # (n, n)
        out, W = sentence_attention(self.tokens, *self.weights, positions=positions)
        out_r, W_r = sentence_attention(self.reordered_tokens, *self.weights, positions=positions)
        moved = P @ W @ P.T                                                        # rows and columns moved
        return {"tokens": list(self.tokens), "reordered_tokens": self.reordered_tokens,
                "order": list(self.order), "positions": positions,
                "weights": W, "reordered_weights": W_r, "moved_weights": moved,
                "outputs": out, "reordered_outputs": out_r,
                "same_weights": bool(np.allclose(W_r, moved)),
                "same_outputs": bool(np.allclose(out_r, P @ out)),
                "largest_difference": float(np.abs(W_r - moved).max())}

    # ----- views ----------------------------------------------------------------------------
    def render_html(self, s) -> str:
        """The whole view as one HTML string."""
        same = s["same_weights"]
        color = OKABE_ITO["blue"] if same else OKABE_ITO["vermillion"]
        where = "with positions added" if s["positions"] else "without positions"
        error = f"<div class='pos-error'>{html.escape(self._error)}</div>" if self._error else ""
        pick = self.word_picker.value
        parts = [
            _weights_html(s["weights"], s["tokens"], "Original sentence", "original"),
            _weights_html(s["reordered_weights"], s["reordered_tokens"], "Reordered: computed afresh",
                          "reordered", mark=pick),
            _weights_html(s["moved_weights"], s["reordered_tokens"], "Original, rows and columns moved (P W Pᵀ)",
                          "moved", mark=pick),
        ]
        return (f"<div class='pos-view permutation-view' data-version='{self.version}' "
                f"data-same='{str(same).lower()}' data-positions='{str(s['positions']).lower()}'>{error}"
                f"<div class='pos-caption'>“{html.escape(' '.join(s['reordered_tokens']))}”, {where}</div>"
                f"<div class='pos-readout' style='color:{color}'>Same weights, just reordered: {same}</div>"
                f"<div class='pos-caption'>largest difference: {s['largest_difference']:.2f}; "
                f"same outputs, just reordered: {s['same_outputs']}</div>"
                f"<div class='pos-row'>{''.join(parts)}</div></div>")

    def table(self) -> Table:
        """The reordered sentence's weights, titled with the readout."""
        s = self.state()
        where = "with positions" if s["positions"] else "without positions"
        return Table(s["reordered_weights"], s["reordered_tokens"], s["reordered_tokens"],
                     title=f"'{' '.join(s['reordered_tokens'])}' {where}: same weights, just reordered: "
                           f"{s['same_weights']}")

    def static_figure(self):
        """The three matrices as one matplotlib figure (the snapshot)."""
        s = self.state()
        n = len(s["tokens"])
        size = 1.6 + 0.75 * n
        fig = Figure(figsize=(3 * size + 1.5, size + 0.9), layout="constrained")
        axes = fig.subplots(1, 3)
        heatmap(s["weights"], s["tokens"], ax=axes[0], title="Original sentence")
        heatmap(s["reordered_weights"], s["reordered_tokens"], ax=axes[1], title="Reordered: computed afresh")
        heatmap(s["moved_weights"], s["reordered_tokens"], ax=axes[2], title="Original, moved (P W Pᵀ)")
        where = "With positions" if s["positions"] else "Without positions"
        fig.suptitle(f"{where}: same weights, just reordered: {s['same_weights']}", fontsize=FONT_SIZE + 4,
                     color=OKABE_ITO["blue"] if s["same_weights"] else OKABE_ITO["vermillion"])
        return fig


# ----------------------------------------------------------------------------- PositionEncodingView
def _dimension_labels(d_model) -> list:
    return [f"{j} {'sin' if j % 2 == 0 else 'cos'}" for j in range(d_model)]


class PositionEncodingView(LiveView, widgets.VBox):
    """Pick a position and see its sinusoidal encoding and its similarity to every other position.

    The view shows the whole encoding matrix ``P = sinusoidal_positions(n_positions, d_model)``
    as a heatmap with the chosen row framed, that row as signed bars with their values,
    and the dot products ``P[position] @ P[j]`` for every position j. A dot product
    adds up ``cos((position - j) * rate)`` over the frequencies, so it depends only on
    the distance, is largest (``d_model / 2``) at the position itself, and is high for
    neighbours.

    Parameters
    ----------
    position : int, default 3
    d_model : int, default 16
        Even, between 2 and :attr:`MAX_D_MODEL`.
    n_positions : int, default 32
        Rows of the heatmap, between 2 and :attr:`MAX_POSITIONS`.

    Attributes
    ----------
    position_slider, d_model_slider : ipywidgets.IntSlider
    view : ipywidgets.HTML
        Root element ``div.position-encoding-view`` with ``data-version``.
    version : int
    """

    STYLE = _STYLE

    MAX_D_MODEL = 32
    MAX_POSITIONS = 64
    CELL = 11                           # px per heatmap cell

    def __init__(self, position: int = 3, d_model: int = 16, n_positions: int = 32):
        n_positions = as_positive_int(n_positions, "n_positions")
        if not 2 <= n_positions <= self.MAX_POSITIONS:
            raise ValueError(f"n_positions must be between 2 and {self.MAX_POSITIONS}; got {n_positions}")
        d_model = as_positive_int(d_model, "d_model")
        if d_model % 2 or d_model > self.MAX_D_MODEL:
            raise ValueError(f"d_model must be even and between 2 and {self.MAX_D_MODEL}; got {d_model}")
        if isinstance(position, bool) or not isinstance(position, numbers.Integral) \
                or not 0 <= position < n_positions:
            raise ValueError(f"position must be a whole number from 0 to {n_positions - 1}; got {position!r}")
        self.n_positions = n_positions
        self.version = 0
        self._heat_cache = {}
        style = {"description_width": "7em"}
        self.position_slider = widgets.IntSlider(value=int(position), min=0, max=n_positions - 1,
                                                 description="position", continuous_update=True,
                                                 layout=widgets.Layout(width="460px"), style=style)
        self.d_model_slider = widgets.IntSlider(value=d_model, min=2, max=self.MAX_D_MODEL, step=2,
                                                description="d_model", continuous_update=True,
                                                layout=widgets.Layout(width="460px"), style=style)
        self.view = widgets.HTML()
        super().__init__([self.position_slider, self.d_model_slider, self.view])
        self.add_class("position-encoding-view-widget")
        self.position_slider.observe(self.refresh, names="value")
        self.d_model_slider.observe(self.refresh, names="value")
        self.refresh()

    # ----- numbers --------------------------------------------------------------------------
    @property
    def position(self) -> int:
        return int(self.position_slider.value)

    @property
    def d_model(self) -> int:
        return int(self.d_model_slider.value)

    def state(self) -> dict:
        """The encodings and the chosen position's similarities, computed with attn_lib.

        Returns
        -------
        dict
            ``position``, ``d_model`` (int); ``P`` (n_positions, d_model); ``encoding`` (d_model,),
            the row ``P[position]``; ``similarity`` (n_positions,), ``P @ P[position]``.
        """
        P = sinusoidal_positions(self.n_positions, self.d_model)                 # (n, d_model)
        encoding = P[self.position]                                               # (d_model,)
        return {"position": self.position, "d_model": self.d_model, "P": P, "encoding": encoding,
                "similarity": P @ encoding}                                       # (n,)

    # ----- views ----------------------------------------------------------------------------
    def _heatmap_svg(self, P) -> str:
        """The encoding matrix as SVG rectangles (cached per d_model: only the frame moves)."""
        key = P.shape
        if key not in self._heat_cache:
            c = self.CELL
            rects = "".join(f"<rect x='{j * c}' y='{i * c}' width='{c}' height='{c}' fill='{_shade(v, -1, 1)}'/>"
                            for (i, j), v in np.ndenumerate(P))
            self._heat_cache[key] = rects
        return self._heat_cache[key]

    def _heat(self, s) -> str:
        n, d, c = self.n_positions, s["d_model"], self.CELL
        left, top = 34, 8
        w, h = d * c, n * c
        p = s["position"]
        ticks = "".join(f"<text x='{left - 6}' y='{top + i * c + c - 1}' text-anchor='end'>{i}</text>"
                        for i in range(0, n, 8))
        return (f"<div><div class='pos-title'>All encodings (rows: positions)</div>"
                f"<svg class='pos-heat' width='{left + w + 6}' height='{top + h + 28}' "
                f"xmlns='http://www.w3.org/2000/svg' font-family='sans-serif' font-size='13'>"
                f"<g transform='translate({left},{top})'>{self._heatmap_svg(s['P'])}"
                f"<rect class='pos-frame' x='-1' y='{p * c - 1}' width='{w + 2}' height='{c + 2}' fill='none' "
                f"stroke='{OKABE_ITO['orange']}' stroke-width='3'/></g>{ticks}"
                f"<text x='{left + w / 2}' y='{top + h + 20}' text-anchor='middle'>dimension →</text></svg></div>")

    @staticmethod
    def _bars(s) -> str:
        half = 110.0
        rows = []
        for label, v in zip(_dimension_labels(s["d_model"]), s["encoding"]):
            size = abs(v) * half
            left = half if v >= 0 else half - size
            color = OKABE_ITO["blue"] if v >= 0 else OKABE_ITO["vermillion"]
            rows.append(
                f"<div class='pos-bar' style='display:flex;align-items:center;height:20px'>"
                f"<span style='width:4.5em;text-align:right;padding-right:8px;font-family:monospace'>{label}</span>"
                f"<span style='position:relative;display:inline-block;width:{2 * half:.0f}px;height:15px'>"
                f"<span style='position:absolute;left:{half:.0f}px;top:-3px;bottom:-3px;border-left:1px solid #666'></span>"
                f"<span style='position:absolute;left:{left:.1f}px;width:{size:.1f}px;top:0;bottom:0;"
                f"background:{color}'></span></span>"
                f"<span class='pos-value' style='padding-left:8px;font-family:monospace'>{v:+.2f}</span></div>")
        return (f"<div><div class='pos-title'>Encoding of position {s['position']}</div>"
                f"<div class='pos-bars'>{''.join(rows)}</div></div>")

    def _similarity_svg(self, s) -> str:
        sim, p, d = s["similarity"], s["position"], s["d_model"]
        n = len(sim)
        width, height, left, top = 420, 260, 46, 12
        plot_w, plot_h = width - left - 12, height - top - 48
        half, low = d / 2, _similarity_floor(sim)

        def x(j):
            return left + plot_w * j / (n - 1)

        def y(v):
            return top + plot_h * (half - v) / (half - low)

        points = " ".join(f"{x(j):.1f},{y(v):.1f}" for j, v in enumerate(sim))
        dots = "".join(f"<circle cx='{x(j):.1f}' cy='{y(v):.1f}' r='3' fill='{OKABE_ITO['blue']}'/>"
                       for j, v in enumerate(sim))
        labels = "".join(f"<text x='{left - 6}' y='{y(v) + 5:.1f}' text-anchor='end'>{v:g}</text>"
                         for v in sorted({low, 0.0, half}))
        xticks = "".join(f"<text x='{x(j):.1f}' y='{top + plot_h + 18}' text-anchor='middle'>{j}</text>"
                         for j in range(0, n, 8))
        return (f"<div><div class='pos-title'>Similarity P[{p}] · P[j] for every position j</div>"
                f"<svg class='pos-similarity' width='{width}' height='{height}' "
                f"xmlns='http://www.w3.org/2000/svg' font-family='sans-serif' font-size='14'>"
                f"<rect width='{width}' height='{height}' fill='white'/>"
                f"<line x1='{left}' y1='{y(0):.1f}' x2='{left + plot_w}' y2='{y(0):.1f}' stroke='#bbbbbb'/>"
                f"<line x1='{left}' y1='{top}' x2='{left}' y2='{top + plot_h}' stroke='#888888'/>"
                f"<polyline points='{points}' fill='none' stroke='{OKABE_ITO['blue']}' stroke-width='2'/>{dots}"
                f"<circle class='pos-self' cx='{x(p):.1f}' cy='{y(sim[p]):.1f}' r='7' fill='{OKABE_ITO['orange']}'/>"
                f"{labels}{xticks}<text x='{left + plot_w / 2}' y='{height - 6}' text-anchor='middle'>"
                f"position j</text></svg></div>")

    @staticmethod
    def neighbours(s) -> dict:
        """The chosen position's dot product with itself, its neighbours and the least similar position."""
        sim, p = s["similarity"], s["position"]
        out = {"itself": float(sim[p])}
        for k in (1, 5):
            near = [sim[j] for j in (p - k, p + k) if 0 <= j < len(sim)]
            out[f"{k} away"] = float(np.mean(near)) if near else float("nan")
        far = int(np.argmin(sim))
        out["least similar"] = (far, float(sim[far]))
        return out

    def render_html(self, s) -> str:
        """The whole view as one HTML string."""
        near = self.neighbours(s)
        far, far_value = near["least similar"]
        readout = (f"P[{s['position']}] · itself = {near['itself']:.2f} (= d_model / 2); "
                   f"1 away: {near['1 away']:.2f}; 5 away: {near['5 away']:.2f}; "
                   f"least similar: position {far} ({far_value:.2f})")
        return (f"<div class='pos-view position-encoding-view' data-version='{self.version}' "
                f"data-position='{s['position']}' data-d-model='{s['d_model']}'>"
                f"<div class='pos-caption'>{readout}</div>"
                f"<div class='pos-row'>{self._heat(s)}{self._bars(s)}{self._similarity_svg(s)}</div></div>")

    def table(self) -> Table:
        """The chosen position's encoding as a labelled row."""
        s = self.state()
        return Table(s["encoding"], [f"P[{s['position']}]"], _dimension_labels(s["d_model"]),
                     title=f"Encoding of position {s['position']}, d_model = {s['d_model']}")

    def static_figure(self):
        """The heatmap, the chosen row as bars and its similarities as one figure (the snapshot)."""
        s = self.state()
        fig = Figure(figsize=(16, 5.2), layout="constrained")
        heat, bars, line = fig.subplots(1, 3, width_ratios=[1, 1.2, 1.3])
        encoding_figure(s["P"], title="All encodings", highlight=s["position"], ax=heat)
        x = np.arange(s["d_model"])
        colors = [OKABE_ITO["blue"] if v >= 0 else OKABE_ITO["vermillion"] for v in s["encoding"]]
        bars.bar(x, s["encoding"], color=colors)
        bars.axhline(0, color="#666666", linewidth=0.8)
        bars.set_ylim(-1.1, 1.1)
        bars.set_xlabel("dimension", fontsize=FONT_SIZE)
        bars.set_title(f"Encoding of position {s['position']}", fontsize=FONT_SIZE + 2)
        bars.tick_params(labelsize=FONT_SIZE - 2)
        j = np.arange(self.n_positions)
        line.plot(j, s["similarity"], "o-", color=OKABE_ITO["blue"], markersize=4)
        line.plot([s["position"]], [s["similarity"][s["position"]]], "o", color=OKABE_ITO["orange"],
                  markersize=12)
        line.axhline(0, color="#bbbbbb", linewidth=1)
        line.set_ylim(_similarity_floor(s["similarity"]) - 0.5, s["d_model"] / 2 + 0.5)
        line.set_xlabel("position j", fontsize=FONT_SIZE)
        line.set_title(f"P[{s['position']}] · P[j]", fontsize=FONT_SIZE + 2)
        line.tick_params(labelsize=FONT_SIZE - 2)
        return fig
