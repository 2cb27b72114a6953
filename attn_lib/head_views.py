"""Looking inside multi-head attention: shapes, columns, per-head heatmaps and live head toggles.

Notebook 07 uses this module. :func:`trace_shapes` follows every array through
:func:`attn_lib.multi_head_steps`; :func:`column_map` shows which columns of Q,
K and V each head owns; :func:`heads_figure` draws one heatmap per head; and
:class:`HeadViewer` switches heads on and off and shows what reaches the output.

The lesson's inputs have ``d_model = 8`` columns: the six meaning features that
"The cat sat on the mat" uses and the explorer's two position features (the
explorer's ``money`` and ``person`` columns are zero for every word of that
sentence, so they are left out).
"""

from __future__ import annotations


import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ._validate import as_positive_int
from .attention import scores
from .display import Table, heatmap
from .explorer import INPUT_FEATURES, THETA, _matrix_html, explorer_inputs
from .multi_head import merge_heads, multi_head_steps
from .tokens import tokenize
from .widgets import LiveView

LESSON_SENTENCE = "The cat sat on the mat"
LESSON_FEATURES = ("animal", "object", "action", "place", "function", "nature", "pos sin", "pos cos")
"""The columns of :func:`lesson_inputs`: six meaning features, then the two position features."""

VALUE_FEATURES = ("animal", "object", "action", "place")
"""The features that each head's value slice of :func:`lesson_weights` carries."""


# ----- the lesson's inputs and weights ----------------------------------------------------------
def lesson_inputs(tokens) -> np.ndarray:
    """The explorer's inputs without the ``money`` and ``person`` columns: ``d_model = 8``.

    Parameters
    ----------
    tokens : list of str

    Returns
    -------
    np.ndarray, shape (n_tokens, 8)
        Columns are :data:`LESSON_FEATURES`.
    """
    keep = [INPUT_FEATURES.index(f) for f in LESSON_FEATURES]
    return explorer_inputs(tokens)[:, keep]                                  # (n, 10) -> (n, 8)


def lesson_weights(noun_strength: float = 3.0, position_strength: float = 5.0) -> dict:
    """The lesson's W_q, W_k, W_v, W_o (each 8 x 8), designed for two heads of width 4.

    * Head 0 (columns 0-3) looks for nouns: in column 0 every meaning feature asks
      (W_q) and ``animal`` + ``object`` answer (W_k).
    * Head 1 (columns 4-7) looks at the previous word: in columns 4-5 the query is
      the word's position turned back by one step (``THETA``), the key its position.
    * W_v gives each head the same four features of the word it attends to
      (:data:`VALUE_FEATURES`): head 0 in columns 0-3, head 1 in columns 4-7.
    * W_o is the identity, so each output column can still be read by name.

    Returns
    -------
    dict
        ``{"W_q", "W_k", "W_v", "W_o"}``, each of shape (8, 8).
    """
    d_model = len(LESSON_FEATURES)
    row = {f: i for i, f in enumerate(LESSON_FEATURES)}
    W_q, W_k, W_v = np.zeros((d_model, d_model)), np.zeros((d_model, d_model)), np.zeros((d_model, d_model))
    meaning = [row[f] for f in LESSON_FEATURES if not f.startswith("pos")]
    W_q[meaning, 0] = noun_strength                                          # head 0: everyone asks...
    W_k[[row["animal"], row["object"]], 0] = noun_strength                   # ...and nouns answer
    c, s = position_strength * np.cos(THETA), position_strength * np.sin(THETA)
    W_q[[row["pos sin"], row["pos cos"]], 4:6] = [[c, s], [-s, c]]          # head 1: my position, one step back
    W_k[row["pos sin"], 4] = W_k[row["pos cos"], 5] = position_strength     # key: my position
    for j, f in enumerate(VALUE_FEATURES):
        W_v[row[f], j] = W_v[row[f], 4 + j] = 1.0                            # both heads pass the same 4 features
    return {"W_q": W_q, "W_k": W_k, "W_v": W_v, "W_o": np.eye(d_model)}


# ----- shapes and columns -----------------------------------------------------------------------
def _shape(a) -> str:
    return str(tuple(int(x) for x in np.shape(a)))


class ShapeTrace:
    """The shapes of every step of multi-head attention, printed as aligned text.

    Attributes
    ----------
    rows : list of (str, str)
        ``(step, shapes)`` pairs, in the order of the computation.
    title : str
    """

    def __init__(self, rows, title):
        self.rows = list(rows)
        self.title = title

    @property
    def lines(self) -> list:
        width = max(len(step) for step, _ in self.rows)
        return [f"{step.ljust(width)}   {shapes}" for step, shapes in self.rows]

    def __repr__(self):
        return "\n".join([self.title, *self.lines])

    __str__ = __repr__


def trace_shapes(X, W_q, W_k, W_v, W_o, n_heads: int) -> ShapeTrace:
    """Follow every array of multi-head attention and report its shape.

    The shapes are read from the arrays that :func:`attn_lib.multi_head_steps`
    computes, plus the two intermediate arrays it does not keep: the reshape
    before the axis swap in ``split_heads``, and the swap before the reshape in
    ``merge_heads``.

    Parameters
    ----------
    X : np.ndarray, shape (..., n, d_model)
    W_q, W_k, W_v, W_o : np.ndarray, shape (d_model, d_model)
    n_heads : int
        Must divide ``d_model``.

    Returns
    -------
    ShapeTrace
        Prints one line per step, e.g. ``split_heads(Q, 2): reshape, swap axes   (6, 8) -> (6, 2, 4) -> (2, 6, 4)``.
    """
    s = multi_head_steps(X, W_q, W_k, W_v, W_o, n_heads)
    *batch, n, d_model = s["Q"].shape
    d_head = d_model // n_heads
    rows = [("X", _shape(X))]
    for name, W in (("Q", W_q), ("K", W_k), ("V", W_v)):
        rows.append((f"{name} = X @ W_{name.lower()}", f"{_shape(X)} @ {_shape(W)} -> {_shape(s[name])}"))
    for name in ("Q", "K", "V"):
        reshaped = s[name].reshape(*batch, n, n_heads, d_head)               # (..., n, n_heads, d_head)
        rows.append((f"split_heads({name}, {n_heads}): reshape, swap axes",
                     f"{_shape(s[name])} -> {_shape(reshaped)} -> {_shape(s[name + '_heads'])}"))
    K_T = np.swapaxes(s["K_heads"], -1, -2)                                  # (..., n_heads, d_head, n)
    raw = scores(s["Q_heads"], s["K_heads"])                                 # (..., n_heads, n, n)
    rows += [
        (f"scores = Q_h @ K_h^T / sqrt({d_head})", f"{_shape(s['Q_heads'])} @ {_shape(K_T)} -> {_shape(raw)}"),
        ("weights = softmax(scores), row by row", f"{_shape(raw)} -> {_shape(s['weights'])}"),
        ("heads = weights @ V_h", f"{_shape(s['weights'])} @ {_shape(s['V_heads'])} -> {_shape(s['heads'])}"),
    ]
    swapped = np.swapaxes(s["heads"], -2, -3)                                # (..., n, n_heads, d_head)
    rows += [
        ("merge_heads(heads): swap axes, reshape", f"{_shape(s['heads'])} -> {_shape(swapped)} -> {_shape(s['merged'])}"),
        ("output = merged @ W_o", f"{_shape(s['merged'])} @ {_shape(W_o)} -> {_shape(s['output'])}"),
    ]
    title = (f"Shapes through multi-head attention: n = {n} tokens, d_model = {d_model}, "
             f"n_heads = {n_heads}, d_head = {d_head}")
    return ShapeTrace(rows, title)


def _check_heads(d_model, n_heads):
    d_model, n_heads = as_positive_int(d_model, "d_model"), as_positive_int(n_heads, "n_heads")
    if d_model % n_heads:
        raise ValueError(f"n_heads must divide d_model so every head gets the same width; "
                         f"got n_heads={n_heads} and d_model={d_model}")
    return d_model, n_heads


def head_slices(d_model: int, n_heads: int) -> list:
    """The columns each head owns: ``slice(h * d_head, (h + 1) * d_head)`` for head ``h``.

    Returns
    -------
    list of slice, length n_heads
    """
    d_model, n_heads = _check_heads(d_model, n_heads)
    d_head = d_model // n_heads
    return [slice(h * d_head, (h + 1) * d_head) for h in range(n_heads)]


def column_map(d_model: int, n_heads: int) -> Table:
    """A table: for each column of Q (or K, V), the head that owns it and its column inside that head.

    Returns
    -------
    Table, 2 rows x d_model columns
    """
    d_model, n_heads = _check_heads(d_model, n_heads)
    d_head = d_model // n_heads
    columns = np.arange(d_model)
    return Table(np.stack([columns // d_head, columns % d_head]), ["head", "column inside the head"],
                 [str(j) for j in columns], digits=0,
                 title=f"Column of Q, K or V (d_model = {d_model}, n_heads = {n_heads}, d_head = {d_head})")


def divisors(d_model: int) -> list:
    """The head counts that split ``d_model`` evenly, smallest first."""
    d_model = as_positive_int(d_model, "d_model")
    return [h for h in range(1, d_model + 1) if d_model % h == 0]


# ----- outputs with some heads switched off -----------------------------------------------------
def output_with_heads(heads, W_o, active):
    """Merge the heads with the switched-off ones set to zero, then apply ``W_o``.

    Parameters
    ----------
    heads : np.ndarray, shape (..., n_heads, n, d_head)
        Each head's attention output (``multi_head_steps(...)["heads"]``).
    W_o : np.ndarray, shape (d_model, d_model)
    active : sequence of bool, length n_heads
        True for a head that contributes.

    Returns
    -------
    merged : np.ndarray, shape (..., n, d_model)
        Zero in the columns of every switched-off head.
    output : np.ndarray, shape (..., n, d_model)
    """
    heads = np.asarray(heads, dtype=np.float64)
    active = np.asarray(active, dtype=bool)
    if heads.ndim < 3 or active.shape != (heads.shape[-3],):
        raise ValueError(f"active must have one entry per head: expected shape ({heads.shape[-3] if heads.ndim >= 3 else 'n_heads'},) "
                         f"for heads of shape {heads.shape}; got shape {active.shape}")
    merged = merge_heads(heads * active[:, None, None])                      # (..., n, d_model)
    return merged, merged @ np.asarray(W_o, dtype=np.float64)               # (..., n, d_model)


# ----- static figures ---------------------------------------------------------------------------
def heads_figure(weights, tokens, titles=None, active=None, per_row: int = 4, fig=None):
    """One attention heatmap per head, with every value printed; switched-off heads are faded.

    Parameters
    ----------
    weights : array_like, shape (n_heads, n, n)
    tokens : list of str, length n
    titles : list of str, optional
        One per head; default ``"head h"``.
    active : sequence of bool, optional
        Heads drawn faded and titled "(off)" where False.
    per_row : int
        Heatmaps per row of the figure.
    fig : matplotlib Figure or SubFigure, optional
        Draw into it instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 3 or weights.shape[1:] != (len(tokens), len(tokens)):
        raise ValueError(f"weights must have shape (n_heads, n, n) with n = {len(tokens)} tokens; "
                         f"got shape {weights.shape}")
    n_heads, n = weights.shape[0], len(tokens)
    titles = list(titles) if titles is not None else [f"head {h}" for h in range(n_heads)]
    active = np.ones(n_heads, bool) if active is None else np.asarray(active, dtype=bool)
    cols = min(n_heads, per_row)
    rows = -(-n_heads // cols)
    size = 1.1 + 0.75 * n
    if fig is None:
        fig = Figure(figsize=(cols * (size + 1.5), rows * (size + 0.3)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for h, ax in enumerate(axes):
        if h >= n_heads:
            ax.set_visible(False)
            continue
        heatmap(weights[h], tokens, ax=ax, title=titles[h] + ("" if active[h] else " (off)"))
        if not active[h]:
            for artist in [*ax.images, *ax.texts]:
                artist.set_alpha(0.3)
    return fig


# ----- the live viewer --------------------------------------------------------------------------
_STYLE = """<style>
.head-viewer {font-family: sans-serif; font-size: 15px}
.head-viewer .hv-grid {display: flex; flex-wrap: wrap; gap: 14px 28px; align-items: flex-start; margin-bottom: 10px}
.head-viewer .attn-title {font-weight: bold; margin: 4px 0}
.head-viewer table.attn-table {border-collapse: collapse; font-family: monospace}
.head-viewer table.attn-table td, .head-viewer table.attn-table th {padding: 2px 6px; text-align: right}
.head-viewer .hv-off {opacity: 0.35}
.head-viewer .hv-note {color: #0072B2; font-weight: bold; margin-bottom: 6px}
.head-viewer .hv-alert {color: #D55E00; font-weight: bold; margin-bottom: 6px}
</style>"""


def _clean(values):
    """Round to the 2 printed digits and turn -0.0 into 0.0, so no "-0.00" is shown."""
    return np.round(values, 2) + 0.0


def _on_list(active) -> str:
    return ", ".join(str(h) for h in np.flatnonzero(active))


class HeadViewer(LiveView, widgets.VBox):
    """Switch attention heads on and off and watch what reaches the output.

    Parameters
    ----------
    X : np.ndarray, shape (n, d_model), optional
        Default: :func:`lesson_inputs` of :data:`LESSON_SENTENCE`.
    tokens : list of str, optional
        Row labels; default the tokens of the lesson's sentence (or ``0..n-1`` when X is given).
    weights : dict, optional
        ``W_q``, ``W_k``, ``W_v``, ``W_o``, each (d_model, d_model); default :func:`lesson_weights`.
    n_heads : int, default 2
        Must divide d_model; the picker offers every divisor.
    columns : list of str, optional
        Labels of the output columns; default ``d1 .. d{d_model}``.

    Attributes
    ----------
    heads_picker : ipywidgets.Dropdown
        The number of heads.
    toggles : list of ipywidgets.Checkbox
        One per head; ticked heads contribute to the output.
    view : ipywidgets.HTML
        Every view, rebuilt in the kernel after each change (one message per repaint).
    version : int
        Increases by one per repaint; shown as ``data-version`` on the root element.
    """

    STYLE = _STYLE

    def __init__(self, X=None, tokens=None, weights=None, n_heads=2, columns=None):
        if X is None:
            tokens = tokenize(LESSON_SENTENCE) if tokens is None else list(tokens)
            X = lesson_inputs(tokens)
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"X must have shape (n, d_model); got shape {X.shape}")
        self.X = X
        n, d_model = X.shape
        self.tokens = [str(t) for t in tokens] if tokens is not None else [str(i) for i in range(n)]
        if len(self.tokens) != n:
            raise ValueError(f"tokens must have one label per row of X: expected {n}; got {len(self.tokens)}")
        self.weights = {k: np.asarray(v, dtype=np.float64).copy()
                        for k, v in (weights if weights is not None else lesson_weights()).items()}
        if sorted(self.weights) != ["W_k", "W_o", "W_q", "W_v"]:
            raise ValueError(f"weights must have the keys W_q, W_k, W_v and W_o; got {sorted(self.weights)}")
        self.columns = list(columns) if columns is not None else [f"d{j + 1}" for j in range(d_model)]
        if len(self.columns) != d_model:
            raise ValueError(f"columns must have one label per column of X: expected {d_model}; "
                             f"got {len(self.columns)}")
        _check_heads(d_model, n_heads)
        self.version = 0
        self._holding = False

        self.heads_picker = widgets.Dropdown(options=divisors(d_model), value=int(n_heads),
                                             description="Heads", style={"description_width": "4em"},
                                             layout=widgets.Layout(width="160px"))
        self.toggle_box = widgets.HBox()
        self.toggles = []
        self.view = widgets.HTML()
        super().__init__([widgets.HBox([self.heads_picker, widgets.Label("Contribute to the output:"),
                                        self.toggle_box]), self.view])
        self.add_class("head-viewer-widget")
        self.heads_picker.observe(self._on_heads, names="value")
        self._on_heads()

    # ----- controls -------------------------------------------------------------------------
    def _on_heads(self, change=None):
        n_heads = int(self.heads_picker.value)
        self._steps = multi_head_steps(self.X, **self.weights, n_heads=n_heads)
        for box in self.toggles:
            box.unobserve(self.refresh, names="value")
        self.toggles = [widgets.Checkbox(value=True, description=f"head {h}", indent=False,
                                         layout=widgets.Layout(width="auto", margin="0 12px 0 0"))
                        for h in range(n_heads)]
        for box in self.toggles:
            box.observe(self.refresh, names="value")
        self.toggle_box.children = self.toggles
        self.refresh()

    def set_active(self, heads):
        """Switch on exactly the heads listed (indices), the others off, with one repaint."""
        heads = {int(h) for h in heads}
        unknown = sorted(heads - set(range(len(self.toggles))))
        if unknown:
            raise ValueError(f"heads must be numbered 0 to {len(self.toggles) - 1}; got {unknown}")
        with self._batch():
            for h, box in enumerate(self.toggles):
                box.value = h in heads

    # ----- computation ----------------------------------------------------------------------
    def state(self) -> dict:
        """Everything the view shows.

        Returns
        -------
        dict
            ``tokens``; ``n_heads``, ``d_head``; ``active`` (n_heads,) bool; ``weights``
            (n_heads, n, n); ``heads`` (n_heads, n, d_head); ``merged`` and ``output``
            (n, d_model), computed with only the active heads; ``full_output`` (n, d_model),
            with every head.
        """
        s = self._steps
        active = np.array([box.value for box in self.toggles], dtype=bool)
        merged, output = output_with_heads(s["heads"], self.weights["W_o"], active)
        n_heads = len(active)
        return {"tokens": list(self.tokens), "n_heads": n_heads, "d_head": self.X.shape[1] // n_heads,
                "active": active, "weights": s["weights"], "heads": s["heads"], "merged": merged,
                "output": output, "full_output": s["output"]}

    # ----- views ----------------------------------------------------------------------------
    def render_html(self, s) -> str:
        """The whole view as one HTML string."""
        tokens, active, d_head = s["tokens"], s["active"], s["d_head"]
        panels = []
        for h in range(s["n_heads"]):
            cols = f"{h * d_head}-{(h + 1) * d_head - 1}" if d_head > 1 else f"{h * d_head}"
            title = f"Head {h} (columns {cols})" + ("" if active[h] else ": off")
            panels.append(f"<div class='{'hv-on' if active[h] else 'hv-off'}' data-head='{h}'>"
                          + _matrix_html(s["weights"][h], tokens, tokens, title, colored=True) + "</div>")
        if active.any():
            note = (f"<div class='hv-note'>Heads on: {_on_list(active)} of {s['n_heads']} "
                    f"(d_head = {d_head}). Rows: queries; columns: keys.</div>")
        else:
            note = ("<div class='hv-alert'>Every head is off: merged is all zeros, so the output is "
                    "all zeros.</div>")
        merged_cols = [f"h{j // d_head}.{j % d_head}" for j in range(len(self.columns))]
        outputs = [
            _matrix_html(_clean(s["merged"]), tokens, merged_cols,
                         "Merged: the heads side by side (h1.2 = head 1, its column 2; 0 when the head is off)"),
            _matrix_html(_clean(s["output"]), tokens, self.columns, "Output = merged @ W_o"),
        ]
        return (f"<div class='head-viewer' data-version='{self.version}' "
                f"data-n-heads='{s['n_heads']}' data-active='{_on_list(active)}'>{note}"
                f"<div class='hv-grid'>{''.join(panels)}</div>"
                f"<div class='hv-grid'>{''.join(outputs)}</div></div>")

    def table(self) -> Table:
        """The output rows with the current heads, as text."""
        s = self.state()
        if s["active"].any():
            title = f"Output rows (heads on: {_on_list(s['active'])} of {s['n_heads']})"
        else:
            title = "Output rows: every head is off, so the output is all zeros"
        return Table(s["output"], s["tokens"], self.columns, title=title)

    def static_figure(self):
        """Every head's heatmap (switched-off heads faded) and the output, as one matplotlib figure."""
        s = self.state()
        n, n_heads = len(s["tokens"]), s["n_heads"]
        cols, rows = min(n_heads, 4), -(-n_heads // 4)
        size = 1.1 + 0.75 * n
        width = max(cols * (size + 1.5), 1.1 + 0.75 * len(self.columns) + 1.5)
        fig = Figure(figsize=(width, (rows + 1) * (size + 0.3)), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[rows, 1])
        heads_figure(s["weights"], s["tokens"], active=s["active"], fig=top)
        on = _on_list(s["active"])
        title = f"Output (heads on: {on})" if on else "Output: every head is off, so all zeros"
        grid = bottom.add_gridspec(1, max(cols, 2))
        heatmap(_clean(s["output"]), s["tokens"], self.columns, title=title, xlabel="output column",
                ylabel="token", vmin=None, vmax=None, ax=bottom.add_subplot(grid[0, :2]))
        return fig
