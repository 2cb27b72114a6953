"""The patch attention view of notebook 08: pick a patch of the image, see where it looks."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..core.attention import self_attention
from ..core.validate import as_array, as_positive_int, as_positive_number
from ..lessons.lesson08 import (
    PATCH_SIZE,
    grid_shape,
    identity_weights,
    patch_tokens,
    sample_image,
    top_patches,
)
from ..plots.charts import bar_chart
from ..plots.lesson08 import overlay_darkness, overlay_figure
from ..plots.palette import FONT_SIZE
from ..plots.table import Table
from ._base import LiveView
from ._html import (
    PATCH_ATTENTION_STYLE,
    bars_html,
    div,
    patch_overlay_svg,
    png_data_uri,
    root_html,
    row_html,
    text_div,
)


class PatchAttentionView(LiveView, widgets.VBox):
    """Pick a patch of the image and see how it spreads its attention over all patches.

    Parameters
    ----------
    image : np.ndarray, shape (H, W, 3), optional
        Default: :func:`sample_image`.
    patch_size : int, default 8
    patch : int, optional
        The starting patch; default the one with the most yellow-orange colour (the sun).
    temperature : float, default 1.0
    use_positions : bool, default True
    display_size : int, default 384
        Width of the live image, in screen pixels.

    Attributes
    ----------
    rows, cols : int
        The patch grid.
    row_slider, col_slider : ipywidgets.IntSlider
        The chosen patch's row and column.
    temperature_slider : ipywidgets.FloatLogSlider
    positions_box : ipywidgets.Checkbox
    view : ipywidgets.HTML
        The live view, repainted after each change; its root has ``data-version``.
    version : int
        How many times the view has been painted.
    """

    STYLE = PATCH_ATTENTION_STYLE

    def __init__(self, image=None, patch_size=PATCH_SIZE, patch=None, temperature=1.0, use_positions=True,
                 display_size=384):
        self.image = sample_image() if image is None else as_array(image, "image", "(H, W, 3)",
                                                                     min_ndim=3, max_ndim=3)
        self.patch_size = patch_size
        self.rows, self.cols = grid_shape(self.image, patch_size)
        self.display_size = as_positive_int(display_size, "display_size")
        self._tokens = {flag: patch_tokens(self.image, patch_size, flag) for flag in (True, False)}
        self._uri = png_data_uri(self.image)                              # encoded once
        self._holding = False
        self.version = 0
        if patch is None:
            patch = int(np.argmax(self._tokens[True][:, 0] + self._tokens[True][:, 1]
                                  - 2 * self._tokens[True][:, 2]))          # red + green - blue: the sun
        r, c = self._row_col(patch)

        style = {"description_width": "7em"}
        self.row_slider = widgets.IntSlider(value=r, min=0, max=self.rows - 1, description="Patch row",
                                            style=style, continuous_update=True)
        self.col_slider = widgets.IntSlider(value=c, min=0, max=self.cols - 1, description="Patch column",
                                            style=style, continuous_update=True)
        self.temperature_slider = widgets.FloatLogSlider(
            value=as_positive_number(temperature, "temperature"), base=10, min=-1, max=1, step=0.01,
            description="Temperature", readout_format=".2f", style=style, continuous_update=True)
        self.positions_box = widgets.Checkbox(value=bool(use_positions), description="use positions",
                                              indent=False)
        self.view = widgets.HTML()
        controls = widgets.VBox([self.row_slider, self.col_slider, self.temperature_slider, self.positions_box])
        super().__init__([controls, self.view])
        self.add_class("vit-attention-widget")
        for control in (self.row_slider, self.col_slider, self.temperature_slider, self.positions_box):
            control.observe(self.refresh, names="value")
        self.refresh()

    # ----- controls -------------------------------------------------------------------------
    def _row_col(self, patch):
        n = self.rows * self.cols
        if isinstance(patch, bool) or not isinstance(patch, (int, np.integer)):
            raise TypeError(f"patch must be a whole number from 0 to {n - 1}; got {patch!r}")
        if not 0 <= patch < n:
            raise ValueError(f"patch must be from 0 to {n - 1} ({self.rows} x {self.cols} patches); got {patch}")
        return divmod(int(patch), self.cols)

    @property
    def patch(self) -> int:
        """The chosen patch's index: ``row * cols + col``."""
        return self.row_slider.value * self.cols + self.col_slider.value

    def set_patch(self, patch):
        """Choose a patch by its index (one repaint)."""
        r, c = self._row_col(patch)
        with self._batch():
            self.row_slider.value, self.col_slider.value = r, c

    # ----- computation ----------------------------------------------------------------------
    def state(self) -> dict:
        """Everything the view shows, computed with :func:`attn_lib.self_attention`.

        Returns
        -------
        dict
            ``X`` (n, 9) tokens; ``weights`` (n, n); ``output`` (n, 9); ``patch``, ``row``, ``col``;
            ``temperature``; ``use_positions``; ``top`` (indices of the 5 largest weights of the patch).
        """
        use_positions = bool(self.positions_box.value)
        X = self._tokens[use_positions]                                      # (n, 9)
        temperature = float(self.temperature_slider.value)
        output, weights = self_attention(X, *identity_weights(X.shape[1]), temperature=temperature)
        patch = self.patch
        return {"X": X, "weights": weights, "output": output, "patch": patch,
                "row": self.row_slider.value, "col": self.col_slider.value, "temperature": temperature,
                "use_positions": use_positions, "top": top_patches(weights[patch])}

    # ----- views ----------------------------------------------------------------------------
    def render_html(self, s) -> str:
        """The live view as one HTML string: image, SVG overlay with the weights, top-5 bars."""
        w = s["weights"][s["patch"]]                                       # (n,)
        r, c = s["row"], s["col"]
        svg = patch_overlay_svg(self._uri, w, overlay_darkness(w), self.rows, self.cols, self.display_size, r, c)
        top = s["top"]
        bar_labels = [f"{j} ({j // self.cols},{j % self.cols})" for j in top]
        own = [k for k, j in enumerate(top) if j == s["patch"]]
        bars = bars_html(bar_labels, w[top], own[0] if own else None, title=f"Top {len(top)} patches (row, column)")
        positions = "on" if s["use_positions"] else "off"
        note = text_div("vit-note", f"Brighter = more attention (the most attended patch is not darkened). "
                                    f"Itself: {w[s['patch']]:.2f}; top {len(top)} together: {w[top].sum():.2f}. "
                                    f"Positions {positions}, temperature {s['temperature']:.2f}.")
        title = text_div("vit-title", f"Patch {s['patch']} (row {r}, column {c}): where it looks")
        return root_html("vit-attention", self.version, title + row_html([svg, div(bars + note, "vit-side")]))

    def table(self) -> Table:
        """The chosen patch's weights on the patch grid, as text."""
        s = self.state()
        grid = s["weights"][s["patch"]].reshape(self.rows, self.cols)       # (rows, cols)
        return Table(grid, [f"row {r}" for r in range(self.rows)], [f"col {c}" for c in range(self.cols)],
                     title=f"Attention of patch {s['patch']} (row {s['row']}, column {s['col']}) "
                           f"over the patches")

    def static_figure(self):
        """The overlay and the top-5 bars as one matplotlib figure (the snapshot)."""
        s = self.state()
        w = s["weights"][s["patch"]]
        fig = Figure(facecolor="white", figsize=(10.5, 5.0), layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[1.1, 1])
        overlay_figure(self.image, w, s["patch"], self.patch_size, ax=left,
                       title=f"Attention of patch {s['patch']} (snapshot)")
        top = s["top"]
        own = [k for k, j in enumerate(top) if j == s["patch"]]
        bar_chart([str(j) for j in top], w[top], ax=right, highlight=own[0] if own else None,
                  title=f"Top {len(top)} patches", ylim=(0, max(0.05, 1.15 * float(w[top].max()))))
        right.set_xlabel("patch", fontsize=FONT_SIZE)
        return fig
