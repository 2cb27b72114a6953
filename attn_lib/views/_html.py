""""""

from __future__ import annotations

import base64
import html
import io

import numpy as np
from matplotlib import colormaps
from matplotlib.image import imsave

from ..plots.palette import HEATMAP_CMAP, OKABE_ITO

CIVIDIS = [f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"
        for r, g, b, _ in colormaps[HEATMAP_CMAP](np.linspace(0, 1, 256))]


def matrix_html(values, rows, cols, title, colored=False, highlight_row=None) -> str:
    """An HTML table; with ``colored`` the cells are shaded with the heatmap colours (values in [0, 1])."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    for i, (label, row) in enumerate(zip(rows, values)):
        cells = []
        for v in row:
            if colored:
                shade = CIVIDIS[min(255, max(0, int(v * 255)))]
                ink = "#000" if v > 0.5 else "#fff"
                cells.append(f"<td style='background:{shade};color:{ink}'>{v:.2f}</td>")
            else:
                cells.append(f"<td>{v:.2f}</td>")
        mark = " class='attn-query'" if i == highlight_row else ""
        body.append(f"<tr{mark}><th>{html.escape(label)}</th>{''.join(cells)}</tr>")
    return (f"<div class='attn-view' data-view='{html.escape(title)}'><div class='attn-title'>{html.escape(title)}</div>"
            f"<table class='attn-table'><tr><th></th>{head}</tr>{''.join(body)}</table></div>")


def bars_html(labels, values, highlight=None, title="") -> str:
    """Horizontal HTML bars with values, one per label (fast to update live).

    Parameters
    ----------
    labels : list of str, length n
    values : array_like, shape (n,), each in [0, 1]
    highlight : int, optional
        Index of the bar drawn in a contrasting colour.
    """
    rows = []
    for i, (label, v) in enumerate(zip(labels, values)):
        color = OKABE_ITO["orange"] if i == highlight else OKABE_ITO["blue"]
        rows.append(
            "<div style='display:flex;align-items:center;margin:2px 0'>"
            f"<span style='width:6em;text-align:right;padding-right:8px'>{html.escape(label)}</span>"
            f"<span style='display:inline-block;height:1.1em;width:{300 * v:.1f}px;background:{color}'></span>"
            f"<span style='padding-left:8px' class='attn-value'>{v:.2f}</span></div>")
    head = f"<div style='font-weight:bold;margin-bottom:4px'>{html.escape(title)}</div>" if title else ""
    return f"<div class='attn-bars' style='font-size:16px;font-family:sans-serif'>{head}{''.join(rows)}</div>"


def shade(v, lo=0.0, hi=1.0) -> str:
    """The cividis colour of ``v`` on the range [lo, hi]."""
    return CIVIDIS[min(255, max(0, int((v - lo) / (hi - lo) * 255)))]


def ink(v) -> str:
    """Black text on the light half of cividis, white on the dark half."""
    return "#000" if v > 0.5 else "#fff"


# ----------------------------------------------------------------------------- shared HTML
POSITION_STYLE = """<style>
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


def square_weights_html(values, labels, title, view, mark=None) -> str:
    """A square weight matrix as an HTML table shaded with cividis, values printed."""
    marked = " class='pos-mark'"
    head = "".join(f"<th{marked if j == mark else ''}>{html.escape(t)}</th>" for j, t in enumerate(labels))
    body = []
    for i, (label, row) in enumerate(zip(labels, values)):
        cells = "".join(f"<td style='background:{shade(v)};color:{ink(v)}'>{v:.2f}</td>" for v in row)
        body.append(f"<tr><th{marked if i == mark else ''}>{html.escape(label)}</th>{cells}</tr>")
    return (f"<div class='pos-matrix' data-view='{view}'><div class='pos-title'>{html.escape(title)}</div>"
            f"<table class='pos-table'><tr><th></th>{head}</tr>{''.join(body)}</table></div>")


def arrow_svg(x, y, color, width, css_class, attrs=""):
    """An arrow from the SVG point (0, 0) of the plot to (x, y), given in pixels (y down)."""
    length = np.hypot(x, y)
    ux, uy = (x / length, y / length) if length > 0 else (1.0, 0.0)
    head = min(14.0 + width, 0.45 * length) if length > 0 else 0.0
    bx, by = x - head * ux, y - head * uy                               # base of the head
    px, py = -uy * head * 0.45, ux * head * 0.45                        # half-width of the head
    return (f"<g class='{css_class}'{attrs}>"
            f"<line x1='0' y1='0' x2='{bx:.1f}' y2='{by:.1f}' stroke='{color}' stroke-width='{width:.1f}'/>"
            f"<polygon points='{x:.1f},{y:.1f} {bx + px:.1f},{by + py:.1f} {bx - px:.1f},{by - py:.1f}' "
            f"fill='{color}'/></g>")


def signed_bars_html(labels, values, limit, title) -> str:
    """Bars that grow right (positive, blue) or left (negative, vermillion) from a centre line."""
    half = 150.0
    rows = []
    for label, v in zip(labels, values):
        size = min(half, abs(v) / limit * half)
        left = half if v >= 0 else half - size
        color = OKABE_ITO["blue"] if v >= 0 else OKABE_ITO["vermillion"]
        rows.append(
            f"<div class='qr-score' data-word='{html.escape(label)}' data-score='{v:.6f}' "
            "style='display:flex;align-items:center;margin:2px 0'>"
            f"<span style='width:6em;text-align:right;padding-right:8px'>{html.escape(label)}</span>"
            f"<span style='position:relative;display:inline-block;width:{2 * half:.0f}px;height:1.1em'>"
            f"<span style='position:absolute;left:{half:.0f}px;top:-2px;bottom:-2px;border-left:1px solid #666'></span>"
            f"<span style='position:absolute;left:{left:.1f}px;width:{size:.1f}px;top:0;bottom:0;"
            f"background:{color}'></span></span>"
            f"<span style='padding-left:8px;width:4em;text-align:right' class='attn-value'>{v:+.2f}</span></div>")
    return (f"<div class='qr-scores'><div class='qr-title'>{html.escape(title)}</div>{''.join(rows)}</div>")


def png_base64(image) -> str:
    buffer = io.BytesIO()
    imsave(buffer, image, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def png_data_uri(image) -> str:
    from matplotlib.image import imsave
    buffer = io.BytesIO()
    imsave(buffer, np.clip(np.asarray(image, dtype=np.float64), 0, 1), format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
