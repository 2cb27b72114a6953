"""Markup of the live views: the one place where HTML, SVG, CSS and the colour table live.

A view's ``render_html(state)`` composes these builders into one string; nothing here computes
attention, it only draws numbers it is given. Text is escaped here, so a view passes plain
strings (a learner's sentence included).

The pieces, from small to large:

- colours: :data:`CIVIDIS`, :func:`shade`, :func:`ink`;
- elements: :func:`div`, :func:`text_div`, :func:`verdict_div`, :func:`root_html`, :func:`row_html`,
  :func:`panel_html`;
- tables: :func:`td`, :func:`number_td`, :func:`heat_td`, :func:`table_html`, :func:`matrix_html`;
- bars: :func:`bars_html` (0 to 1), :func:`signed_bars_html` (either sign);
- SVG: :func:`svg_html`, :func:`arrow_svg` and one drawing per view that needs one;
- images: :func:`png_data_uri`;
- style sheets: ``LIVE_STYLE`` and one ``*_STYLE`` per view, sent once per widget.

Every table is ``<div class='attn-view' data-view=…><table class='attn-table'>`` with a
``<caption>`` naming it, ``<th scope='col'>`` column labels and ``<th scope='row'>`` row labels.
"""

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
"""The heatmap colour map as 256 CSS colours, darkest first (the same cividis as the figures)."""

ORANGE, BLUE, VERMILLION = OKABE_ITO["orange"], OKABE_ITO["blue"], OKABE_ITO["vermillion"]
"""Data colours (bar fills, arrows, outlines): the same in every theme."""

INK_BLUE, INK_VERMILLION, INK_GREY = "var(--attn-ink-blue)", "var(--attn-ink-vermillion)", "var(--attn-ink-grey)"
"""Text colours: Okabe-Ito hues that reach a 4.5:1 contrast on the page, set per theme in
:data:`LIVE_STYLE` (blue #0072B2, a darker vermillion #B34700 and grey #595959 on a light page;
sky #56B4E9, a light vermillion #FF8B3D and grey #B0B0B0 on JupyterLab's dark one)."""
INK_TEXT = "var(--jp-content-font-color1, #000)"
"""The page's own text colour (black in the Light theme, white in the Dark one)."""

CARD_VERMILLION = "#B34700"
"""Vermillion text on an SVG drawn on its own white card (5.5:1 there, in every theme)."""


# ----- colours -----------------------------------------------------------------------------------
def shade(v, lo=0.0, hi=1.0) -> str:
    """The cividis colour of ``v`` on the range [lo, hi]."""
    return CIVIDIS[min(255, max(0, int((v - lo) / (hi - lo) * 255)))]


def _luminance(css) -> float:
    """The WCAG relative luminance of a ``#rrggbb`` colour."""
    channels = [int(css[k:k + 2], 16) / 255 for k in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    lo, hi = sorted([_luminance(a), _luminance(b)])
    return (hi + 0.05) / (lo + 0.05)


def ink(v, lo=0.0, hi=1.0) -> str:
    """Black or white, whichever contrasts more with the cividis colour of ``v`` (always >= 4.5:1)."""
    background = shade(v, lo, hi)
    return "#000" if contrast(background, "#000000") >= contrast(background, "#ffffff") else "#fff"


# ----- elements ----------------------------------------------------------------------------------
def esc(text) -> str:
    """``text`` as HTML text or attribute value (quotes escaped too)."""
    return html.escape(str(text))


def _attrs(css_class=None, data=None, style=None) -> str:
    """`` class='…' data-k='…' style='…'`` for the given parts; ``data`` keys use - for _."""
    out = f" class='{esc(css_class)}'" if css_class else ""
    for key, value in (data or {}).items():
        value = str(value).lower() if isinstance(value, bool) else value
        out += f" data-{key.replace('_', '-')}='{esc(value)}'"
    return out + (f" style='{style}'" if style else "")


def div(body, css_class=None, data=None, style=None) -> str:
    """``<div>`` around ``body`` (markup, not escaped)."""
    return f"<div{_attrs(css_class, data, style)}>{body}</div>"


def text_div(css_class, text, style=None) -> str:
    """``<div class=css_class>`` holding ``text`` (escaped): a title, a note, a readout, an error."""
    return div(esc(text), css_class, style=style)


def verdict_div(css_class, text, yes) -> str:
    """A readout answering a yes/no question: blue when ``yes``, vermillion when not."""
    return text_div(css_class, text, style=f"color:{INK_BLUE if yes else INK_VERMILLION}")


def root_html(css_class, version, body, data=None) -> str:
    """A view's root element: ``css_class``, ``data-version`` (omitted when None), more ``data``."""
    data = {} if version is None else {"version": version, **(data or {})}
    return div(body, css_class, data)


def row_html(parts, css_class="attn-row") -> str:
    """Panels side by side, wrapping onto the next line when the page is narrow."""
    return div("".join(parts), css_class)


def panel_html(body, view, title=None) -> str:
    """A titled block that is not a table (bars, a drawing): ``div.attn-view[data-view]``."""
    return div((text_div("attn-title", title) if title else "") + body, "attn-view", {"view": view})


def bold(text) -> str:
    """``text`` in bold (the label of a group of controls)."""
    return f"<b>{esc(text)}</b>"


def stacked_lines(lines) -> str:
    """Short lines one under the other, e.g. the corner label of a grid of controls."""
    return div("<br>".join(esc(line) for line in lines), style="line-height:1.3")


# ----- tables ------------------------------------------------------------------------------------
def td(text, css_class=None, style=None, colspan=None) -> str:
    """One data cell holding ``text`` (escaped)."""
    span = f" colspan='{colspan}'" if colspan else ""
    return f"<td{_attrs(css_class, style=style)}{span}>{esc(text)}</td>"


def number_td(v) -> str:
    """A cell printing ``v`` with two decimals."""
    return td(f"{v:.2f}")


def heat_td(v) -> str:
    """A cell printing ``v`` (in [0, 1]) with two decimals on its cividis colour."""
    return td(f"{v:.2f}", style=f"background:{shade(v)};color:{ink(v)}")


def _th(label, scope, marked) -> str:
    return f"<th scope='{scope}'{_attrs('attn-mark' if marked else None)}>{esc(label)}</th>"


def table_html(cells, row_labels, col_labels, caption, view=None, row_classes=None, mark=None) -> str:
    """A labelled table in its panel, ``div.attn-view[data-view] > table.attn-table``.

    Parameters
    ----------
    cells : list of list of str, one list per row
        Each row's ``<td>`` markup (see :func:`td`, :func:`number_td`, :func:`heat_td`).
    row_labels : list of str
        One ``<th scope='row'>`` per row.
    col_labels : list of str or None
        One ``<th scope='col'>`` per column, after an empty corner cell; None: no header row.
    caption : str
        The table's ``<caption>``, which names it.
    view : str, optional
        The panel's ``data-view``; default the caption.
    row_classes : dict of int to str, optional
        The class of some rows' ``<tr>`` (e.g. ``attn-query``).
    mark : int, optional
        The row and column whose header cells get the class ``attn-mark`` (outlined).
    """
    row_classes = row_classes or {}
    head = ""
    if col_labels is not None:
        labels = "".join(_th(label, "col", j == mark) for j, label in enumerate(col_labels))
        head = f"<thead><tr><th></th>{labels}</tr></thead>"
    body = "".join(f"<tr{_attrs(row_classes.get(i))}>{_th(label, 'row', i == mark)}{''.join(row)}</tr>"
                   for i, (label, row) in enumerate(zip(row_labels, cells)))
    table = (f"<table class='attn-table'><caption>{esc(caption)}</caption>{head}"
             f"<tbody>{body}</tbody></table>")
    return div(table, "attn-view", {"view": caption if view is None else view})


def matrix_html(values, rows, cols, caption, view=None, colored=False, highlight_row=None, mark=None) -> str:
    """A matrix as a :func:`table_html`, two decimals per entry.

    Parameters
    ----------
    values : array_like, shape (len(rows), len(cols))
    colored : bool, default False
        Shade each cell with its cividis colour (values in [0, 1]).
    highlight_row : int, optional
        The row whose ``<tr>`` gets the class ``attn-query``.
    mark : int, optional
        See :func:`table_html`.
    """
    cell = heat_td if colored else number_td
    cells = [[cell(v) for v in row] for row in values]
    row_classes = {} if highlight_row is None else {highlight_row: "attn-query"}
    return table_html(cells, rows, cols, caption, view, row_classes, mark)


# ----- bars --------------------------------------------------------------------------------------
def bars_html(labels, values, highlight=None, title="") -> str:
    """Horizontal bars with their values, one per label, in ``div.attn-bars``.

    Parameters
    ----------
    labels : list of str, length n
    values : array_like, shape (n,), each in [0, 1]
    highlight : int, optional
        Index of the bar drawn in a contrasting colour.
    title : str, optional
    """
    rows = []
    for i, (label, v) in enumerate(zip(labels, values)):
        color = ORANGE if i == highlight else BLUE
        rows.append(
            "<div style='display:flex;align-items:center;margin:2px 0'>"
            f"<span style='width:6em;text-align:right;padding-right:8px'>{esc(label)}</span>"
            f"<span aria-hidden='true' style='display:inline-block;height:1.1em;width:{300 * v:.1f}px;"
            f"background:{color}'></span>"
            f"<span style='padding-left:8px' class='attn-value'>{v:.2f}</span></div>")
    head = f"<div style='font-weight:bold;margin-bottom:4px'>{esc(title)}</div>" if title else ""
    name = f" role='figure' aria-label='{esc(title)}'" if title else ""
    return f"<div class='attn-bars'{name} style='font-size:16px;font-family:sans-serif'>{head}{''.join(rows)}</div>"


def signed_bars_html(labels, values, limit, title, view, half=150) -> str:
    """Bars growing right (positive, blue) or left (negative, vermillion) from a centre line.

    Parameters
    ----------
    labels : list of str, length n
    values : array_like, shape (n,)
    limit : float
        The value of a full half-bar (larger values are cut there).
    title : str
    view : str
        The panel's ``data-view``.
    half : float, default 150
        Width of a half-bar, in px.

    Each row is ``div.attn-signed-bar`` with ``data-label`` and ``data-value``; the view's
    style sheet sizes the label, the track and the value (see :data:`QUERY_ROTATION_STYLE`).
    """
    rows = []
    for label, v in zip(labels, values):
        size = min(half, abs(v) / limit * half)
        left = half if v >= 0 else half - size
        color = BLUE if v >= 0 else VERMILLION
        rows.append(div(
            f"<span class='attn-label'>{esc(label)}</span>"
            f"<span class='attn-track' aria-hidden='true' style='width:{2 * half:.0f}px'>"
            f"<span class='attn-axis' style='left:{half:.0f}px'></span>"
            f"<span class='attn-fill' style='left:{left:.1f}px;width:{size:.1f}px;background:{color}'></span>"
            f"</span><span class='attn-value'>{v:+.2f}</span>",
            "attn-signed-bar", {"label": label, "value": f"{v:.6f}"}))
    return panel_html("".join(rows), view, title)


def signed_bars_css(root, label_width, track_height, axis_overhang, row="margin:2px 0", mono=False,
                    value="") -> str:
    """The rules that size :func:`signed_bars_html` inside the view whose root has class ``root``."""
    r = f".{root} .attn-signed-bar"
    font = "font-family:monospace;" if mono else ""
    return (f"{r} {{display:flex;align-items:center;{row}}}\n"
            f"{r} .attn-label {{width:{label_width};text-align:right;padding-right:8px;{font}}}\n"
            f"{r} .attn-track {{position:relative;display:inline-block;height:{track_height}}}\n"
            f"{r} .attn-axis {{position:absolute;top:-{axis_overhang};bottom:-{axis_overhang};"
            f"border-left:1px solid var(--jp-border-color0, #666)}}\n"
            f"{r} .attn-fill {{position:absolute;top:0;bottom:0}}\n"
            f"{r} .attn-value {{padding-left:8px;{font}{value}}}\n")


# ----- SVG ---------------------------------------------------------------------------------------
def svg_html(css_class, width, height, body, font_size=None, view_box=False, label=None) -> str:
    """An inline ``<svg>`` of ``width`` x ``height`` px around ``body`` (SVG markup).

    ``label``: a sentence saying what the drawing shows, with its numbers; the SVG becomes one
    image (``role='img'``) named by it for screen readers. Without it the SVG is left to the
    text and tables beside it (``aria-hidden``). Text in an SVG with the class ``attn-themed``
    takes the page's text colour (drawings without a white card of their own).
    """
    box = f" viewBox='0 0 {width} {height}'" if view_box else ""
    font = f" font-size='{font_size}'" if font_size else ""
    aria = f" role='img' aria-label='{esc(label)}'" if label else " aria-hidden='true'"
    return (f"<svg class='{css_class}' width='{width}' height='{height}'{box}{aria} "
            f"xmlns='http://www.w3.org/2000/svg' font-family='sans-serif'{font}>{body}</svg>")


def svg_text(x, y, text, anchor=None, extra="") -> str:
    """An SVG ``<text>`` at (x, y); ``x`` and ``y`` are written as given (format them first)."""
    anchor = f" text-anchor='{anchor}'" if anchor else ""
    return f"<text x='{x}' y='{y}'{anchor}{extra}>{esc(text)}</text>"


def arrow_svg(x, y, color, width, css_class, data=None) -> str:
    """An arrow from the SVG point (0, 0) to (x, y), given in pixels (y down), in ``g.css_class``."""
    length = np.hypot(x, y)
    ux, uy = (x / length, y / length) if length > 0 else (1.0, 0.0)
    head = min(14.0 + width, 0.45 * length) if length > 0 else 0.0
    bx, by = x - head * ux, y - head * uy                               # base of the head
    px, py = -uy * head * 0.45, ux * head * 0.45                        # half-width of the head
    return (f"<g{_attrs(css_class, data)}>"
            f"<line x1='0' y1='0' x2='{bx:.1f}' y2='{by:.1f}' stroke='{color}' stroke-width='{width:.1f}'/>"
            f"<polygon points='{x:.1f},{y:.1f} {bx + px:.1f},{by + py:.1f} {bx - px:.1f},{by - py:.1f}' "
            f"fill='{color}'/></g>")


def _label_beyond(x, y, distance, text, extra) -> str:
    """``text`` centred ``distance`` px beyond the tip (x, y) of an arrow from the origin."""
    r = np.hypot(x, y)
    ux, uy = x / r, y / r
    return svg_text(f"{x + distance * ux:.1f}", f"{y + distance * uy + 5:.1f}", text, "middle", extra)


def rotation_svg(words, keys_px, weights, query_px, query, radius_px, size) -> str:
    """The query rotation's plot: axes, the query's circle, one arrow per key, the query arrow.

    Parameters
    ----------
    words : list of str, length n_keys
    keys_px : np.ndarray, shape (n_keys, 2)
        The keys' tips in px from the centre (y down).
    weights : np.ndarray, shape (n_keys,)
        Softmax weights: the width of each key's arrow; the largest key's word is bold.
    query_px : np.ndarray, shape (2,)
        The query's tip in px (y down); ``query`` is the vector itself, written on the arrow.
    radius_px : float
        Radius of the dashed circle the query's tip moves on.
    size : int
        Width and height of the plot, in px.
    """
    c = size / 2
    parts = [f"<rect width='{size}' height='{size}' fill='white'/>",
             f"<g transform='translate({c:.1f},{c:.1f})'>",
             f"<line x1='{-c:.0f}' y1='0' x2='{c:.0f}' y2='0' stroke='#bbbbbb'/>",
             f"<line x1='0' y1='{-c:.0f}' x2='0' y2='{c:.0f}' stroke='#bbbbbb'/>",
             f"<circle class='qr-circle' r='{radius_px:.1f}' fill='none' stroke='#999999' stroke-dasharray='4 4'/>"]
    best = int(np.argmax(weights))
    for i, (word, (x, y), w) in enumerate(zip(words, keys_px, weights)):
        parts.append(arrow_svg(x, y, BLUE, 1.5 + 6.0 * w, "qr-key", {"word": word, "weight": f"{w:.4f}"}))
        parts.append(_label_beyond(x, y, 16, word, f" font-weight='{'bold' if i == best else 'normal'}' fill='black'"))
    qx, qy = query_px
    parts.append(arrow_svg(qx, qy, ORANGE, 4.0, "qr-query", {"x": f"{query[0]:.6f}", "y": f"{query[1]:.6f}"}))
    parts.append(_label_beyond(qx, qy, 22, "query", f" font-weight='bold' fill='{CARD_VERMILLION}'"))
    parts.append("</g>")
    summary = "The query arrow and one arrow per key, as wide as its weight: " + ", ".join(
        f"{word} {w:.2f}" for word, w in zip(words, weights)) + "."
    return svg_html("qr-plot", size, size, "".join(parts), font_size=16, view_box=True, label=summary)


def heat_rects(values, cell, lo=-1.0, hi=1.0) -> str:
    """One cividis ``<rect>`` of ``cell`` px per entry of a matrix (rows down, columns across)."""
    return "".join(f"<rect x='{j * cell}' y='{i * cell}' width='{cell}' height='{cell}' fill='{shade(v, lo, hi)}'/>"
                   for (i, j), v in np.ndenumerate(values))


def encoding_heat_html(rects, n_positions, d_model, cell, position) -> str:
    """All position encodings as a heatmap (``rects`` from :func:`heat_rects`), one row framed."""
    left, top = 34, 8
    w, h = d_model * cell, n_positions * cell
    ticks = "".join(svg_text(left - 6, top + i * cell + cell - 1, i, "end") for i in range(0, n_positions, 8))
    frame = (f"<rect class='pos-frame' x='-1' y='{position * cell - 1}' width='{w + 2}' height='{cell + 2}' "
             f"fill='none' stroke='{ORANGE}' stroke-width='3'/>")
    body = (f"<g transform='translate({left},{top})'>{rects}{frame}</g>{ticks}"
            + svg_text(left + w / 2, top + h + 20, "dimension →", "middle"))
    return panel_html(svg_html("pos-heat attn-themed", left + w + 6, top + h + 28, body, font_size=16), "encodings",
                      "All encodings (rows: positions)")


def similarity_html(similarity, position, top_value, bottom_value) -> str:
    """Dots joined by a line: ``similarity[j]`` for every position j, the chosen one large.

    The y axis runs from ``bottom_value`` to ``top_value``, labelled at both and at 0.
    """
    n = len(similarity)
    width, height, left, top = 420, 260, 46, 12
    plot_w, plot_h = width - left - 12, height - top - 48

    def x(j):
        return left + plot_w * j / (n - 1)

    def y(v):
        return top + plot_h * (top_value - v) / (top_value - bottom_value)

    points = " ".join(f"{x(j):.1f},{y(v):.1f}" for j, v in enumerate(similarity))
    dots = "".join(f"<circle cx='{x(j):.1f}' cy='{y(v):.1f}' r='3' fill='{BLUE}'/>" for j, v in enumerate(similarity))
    labels = "".join(svg_text(left - 6, f"{y(v) + 5:.1f}", f"{v:g}", "end")
                     for v in sorted({bottom_value, 0.0, top_value}))
    xticks = "".join(svg_text(f"{x(j):.1f}", top + plot_h + 18, j, "middle") for j in range(0, n, 8))
    body = (f"<rect width='{width}' height='{height}' fill='white'/>"
            f"<line x1='{left}' y1='{y(0):.1f}' x2='{left + plot_w}' y2='{y(0):.1f}' stroke='#bbbbbb'/>"
            f"<line x1='{left}' y1='{top}' x2='{left}' y2='{top + plot_h}' stroke='#888888'/>"
            f"<polyline points='{points}' fill='none' stroke='{BLUE}' stroke-width='2'/>{dots}"
            f"<circle class='pos-self' cx='{x(position):.1f}' cy='{y(similarity[position]):.1f}' r='7' "
            f"fill='{ORANGE}'/>{labels}{xticks}" + svg_text(left + plot_w / 2, height - 6, "position j", "middle"))
    best = int(np.argmax(similarity))
    summary = (f"Similarity of position {position} with every position j, from {min(similarity):.2f} to "
               f"{max(similarity):.2f}; the highest is at j = {best}.")
    return panel_html(svg_html("pos-similarity", width, height, body, font_size=16, label=summary), "similarity",
                      f"Similarity P[{position}] · P[j] for every position j")


def patch_overlay_svg(image_uri, weights, darkness, rows, cols, size, row, col) -> str:
    """The image with one dark ``<rect>`` per patch (opacity ``darkness``), weights printed, a patch outlined.

    Parameters
    ----------
    image_uri : str
        The image as a data URI (see :func:`png_data_uri`).
    weights, darkness : np.ndarray, shape (rows * cols,)
        Each patch's weight (printed) and overlay opacity, in patch order (row by row).
    size : int
        Width of the drawing, in px; patches are square.
    row, col : int
        The patch outlined (the query).
    """
    cell = size / cols
    height = cell * rows
    cells, labels = [], []
    for i, (v, dark) in enumerate(zip(weights, darkness)):
        r, c = divmod(i, cols)
        x, y = c * cell, r * cell
        cells.append(f"<rect x='{x:.1f}' y='{y:.1f}' width='{cell:.1f}' height='{cell:.1f}' "
                     f"fill='#000' fill-opacity='{dark:.3f}' data-patch='{i}'/>")
        labels.append(svg_text(f"{x + cell / 2:.1f}", f"{y + cell / 2:.1f}", f"{v:.2f}",
                               extra=" font-size='16px'"))
    outline = (f"<rect class='vit-query' x='{col * cell + 2:.1f}' y='{row * cell + 2:.1f}' "
               f"width='{cell - 4:.1f}' height='{cell - 4:.1f}' fill='none' stroke='{ORANGE}' stroke-width='4'/>")
    body = (f"<image href='{image_uri}' x='0' y='0' width='{size}' height='{height:.0f}' "
            f"preserveAspectRatio='none' style='image-rendering:pixelated'/>"
            f"<g class='vit-cells'>{''.join(cells)}</g><g class='vit-values'>{''.join(labels)}</g>{outline}")
    grid = "; ".join(f"row {r}: " + ", ".join(f"{v:.2f}" for v in weights[r * cols:(r + 1) * cols])
                     for r in range(rows))
    summary = f"The image in {rows} x {cols} patches, patch (row {row}, column {col}) outlined; its weights, {grid}."
    return svg_html("vit-overlay", size, f"{height:.0f}", body, view_box=True, label=summary)


def head_lines_svg(tokens, weights, query=-1, row=24) -> str:
    """Lines from each query token (left) to each key token (right), opacity = weight.

    Parameters
    ----------
    tokens : list of str, length n
    weights : np.ndarray, shape (n, n)
    query : int, default -1
        Draw only this query's lines and print its weights; -1: every query.
    row : int, default 24
        px between tokens.
    """
    n = len(tokens)
    width, left, right, top = 330, 120, 210, 14
    y = [top + row * i + row / 2 for i in range(n)]
    lines = [f"<line x1='{left + 4}' y1='{y[i]:.0f}' x2='{right - 4}' y2='{y[j]:.0f}' "
             f"stroke-opacity='{weights[i, j]:.2f}' stroke-width='{1 + 4 * weights[i, j]:.1f}'/>"
             for i in (range(n) if query < 0 else [query]) for j in range(n) if weights[i, j] >= 0.01]
    labels = []
    for i, token in enumerate(tokens):
        bold = f" font-weight='bold' style='fill:{INK_VERMILLION}'" if i == query else ""
        labels.append(svg_text(left, f"{y[i] + 5:.0f}", token, "end", bold))
        value = f" {weights[query, i]:.2f}" if query >= 0 else ""
        labels.append(svg_text(right, f"{y[i] + 5:.0f}", f"{token}{value}"))
    body = f"<g stroke='{BLUE}'>{''.join(lines)}</g>{''.join(labels)}"
    who = f"'{tokens[query]}'" if query >= 0 else "each token"
    summary = (f"Lines from {who} on the left to the tokens on the right, darker and thicker for a larger "
               f"weight; the weights are in the table 'Weights as numbers'.")
    return svg_html("attn-head-view attn-themed", width, top + n * row, body, font_size=16, label=summary)


def mosaic_svg(image_uri, n_layers, n_heads, n_tokens, layer, head, tile=44) -> str:
    """Every head's weights as one image (``image_uri``, see ``plots.lesson09.mosaic``), labelled,
    with the head at (``layer``, ``head``) outlined; ``tile`` px per head."""
    pad_left, pad_top = 58, 22
    width, height = pad_left + n_heads * tile, pad_top + n_layers * tile
    gap = tile / (n_tokens + 1)                               # one mosaic pixel, in px
    middle = pad_top + n_layers * tile / 2
    heads = "".join(svg_text(f"{pad_left + (h + 0.5) * tile:.0f}", 15, h, "middle") for h in range(n_heads))
    layers = "".join(svg_text(pad_left - 6, f"{pad_top + (k + 0.5) * tile + 5:.0f}", k, "end")
                     for k in range(n_layers))
    outline = (f"<rect class='attn-chosen' x='{pad_left + head * tile - 2:.1f}' "
               f"y='{pad_top + layer * tile - 2:.1f}' width='{tile - gap + 4:.1f}' "
               f"height='{tile - gap + 4:.1f}' fill='none' stroke='{ORANGE}' stroke-width='3'/>")
    body = (svg_text(pad_left - 6, 15, "head", "end") + heads + layers
            + svg_text(2, f"{middle:.0f}", "layer", "middle", f" transform='rotate(-90 10 {middle:.0f})'")
            + f"<image x='{pad_left}' y='{pad_top}' width='{n_heads * tile - gap:.1f}' "
              f"height='{n_layers * tile - gap:.1f}' preserveAspectRatio='none' "
              f"style='image-rendering:pixelated' href='{image_uri}'/>{outline}")
    summary = (f"Every head's weights as one grid of small heatmaps, {n_layers} layers by {n_heads} heads, "
               f"layer {layer} head {head} outlined; a colour bar maps shades to weights from 0 to 1.")
    return svg_html("attn-model-view attn-themed", width + COLOUR_BAR_WIDTH, height,
                    body + colour_bar_svg(width + 14, pad_top, n_layers * tile - gap), font_size=16,
                    label=summary)


COLOUR_BAR_WIDTH = 96
"""Room to the right of an SVG heatmap for :func:`colour_bar_svg`, in px."""


def colour_bar_svg(x, y, height, label="attention weight") -> str:
    """A vertical cividis scale from 0 (bottom) to 1 (top) at (``x``, ``y``), ticks at 0, 0.5, 1, and
    its label turned upright beside it: how to read a heatmap's shades as numbers."""
    stops = "".join(f"<stop offset='{k / 10:.1f}' stop-color='{CIVIDIS[round(255 * (1 - k / 10))]}'/>"
                    for k in range(11))
    ticks = "".join(svg_text(x + 22, f"{y + (1 - v) * height + 5:.0f}", f"{v:g}", "start")
                    for v in (0, 0.5, 1))
    middle = y + height / 2
    return (f"<defs><linearGradient id='attn-cividis' x1='0' y1='0' x2='0' y2='1'>{stops}</linearGradient></defs>"
            f"<rect x='{x}' y='{y}' width='16' height='{height:.1f}' fill='url(#attn-cividis)'/>{ticks}"
            + svg_text(x + 62, f"{middle:.0f}", label, "middle", f" transform='rotate(-90 {x + 62} {middle:.0f})'"))


def details_html(summary, body) -> str:
    """``body`` folded under a ``<summary>`` line that Enter or Space opens (e.g. a view's numbers)."""
    return f"<details class='attn-details'><summary>{esc(summary)}</summary>{body}</details>"


# ----- images ------------------------------------------------------------------------------------
def png_data_uri(image) -> str:
    """An RGB image (uint8, or floats clipped to [0, 1]), shape (H, W, 3), as a PNG ``data:`` URI."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        image = np.clip(image.astype(np.float64), 0, 1)
    buffer = io.BytesIO()
    imsave(buffer, image, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# ----- style sheets ------------------------------------------------------------------------------
LIVE_STYLE = ("<style>.attn-live {contain: content; --jp-widgets-font-size: 16px; --attn-ink-blue: #0072B2; --attn-ink-vermillion: #B34700; "
              "--attn-ink-grey: #595959}\n"
              "body[data-jp-theme-light='false'] .attn-live {--attn-ink-blue: #56B4E9; "
              "--attn-ink-vermillion: #FF8B3D; --attn-ink-grey: #B0B0B0}\n"
              ".attn-live .attn-sr-only {position: absolute; width: 1px; height: 1px; overflow: hidden; "
              "clip: rect(0 0 0 0); white-space: nowrap}\n"
              f".attn-live svg.attn-themed text {{fill: {INK_TEXT}}}\n"
              "</style>")
"""Layout and paint of a live widget stay inside it. Without ``contain``, moving a slider made the browser
repaint the whole notebook (7 ms per input, measured in a Chromium trace) before it could read
the kernel's answer; with it, about 1 ms. The rest: the text colours of both JupyterLab themes
(:data:`INK_BLUE` ...), text only screen readers read (``attn-sr-only``), themed SVG text."""


def _view_css(root, font_size, cell_padding="2px 6px", gap="14px 28px", table_font_size=None) -> str:
    """The rules every view with tables shares, scoped to its root class."""
    r = f".{root}"
    table_font = f"; font-size: {table_font_size}px" if table_font_size else ""
    return (f"{r} {{font-family: sans-serif; font-size: {font_size}px}}\n"
            f"{r} .attn-row {{display: flex; flex-wrap: wrap; gap: {gap}; align-items: flex-start}}\n"
            f"{r} .attn-title {{font-weight: bold; margin: 4px 0}}\n"
            f"{r} table.attn-table caption {{font-family: sans-serif; font-size: {font_size}px; "
            f"font-weight: bold; margin: 4px 0; text-align: left}}\n"
            f"{r} table.attn-table {{border-collapse: collapse; font-family: monospace{table_font}}}\n"
            f"{r} table.attn-table td, {r} table.attn-table th {{padding: {cell_padding}; text-align: right}}\n"
            f"{r} .attn-mark {{outline: 2px solid {ORANGE}}}\n"
            f"{r} .attn-error {{color: {INK_VERMILLION}; font-weight: bold}}\n")


def _style(*rules) -> str:
    return "<style>\n" + "".join(rules) + "</style>"


EXPLORER_STYLE = _style(
    _view_css("attn-explorer", 16),
    f".attn-explorer tr.attn-query th {{outline: 2px solid {ORANGE}}}\n"
    f".attn-explorer .attn-note {{color: {INK_BLUE}; margin-bottom: 6px}}\n")

MASK_EDITOR_STYLE = _style(
    _view_css("attn-mask-editor", 16, cell_padding="3px 7px"),
    f".attn-mask-editor table.attn-table td.attn-on {{background: {BLUE}; color: #fff; text-align: center}}\n"
    ".attn-mask-editor table.attn-table td.attn-off {background: #eeeeee; color: #555; text-align: center}\n"
    ".attn-mask-editor table.attn-table td.attn-error {text-align: left; max-width: 26em; white-space: normal; "
    "font-family: sans-serif}\n"
    f".attn-mask-editor .attn-note {{color: {INK_VERMILLION}; font-weight: bold; margin-bottom: 6px}}\n"
    ".attn-mask-editor-widget .attn-mask-grid input[type=checkbox] {transform: scale(1.5)}\n"
    ".attn-mask-editor-widget .attn-mask-grid .widget-checkbox label > span {position: absolute; width: 1px; "
    "height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap}\n")

HEAD_VIEWER_STYLE = _style(
    _view_css("head-viewer", 16),
    ".head-viewer .attn-row {margin-bottom: 10px}\n"
    ".head-viewer .hv-off {opacity: 0.35}\n"
    f".head-viewer .hv-note {{color: {INK_BLUE}; font-weight: bold; margin-bottom: 6px}}\n"
    f".head-viewer .hv-alert {{color: {INK_VERMILLION}; font-weight: bold; margin-bottom: 6px}}\n")

POSITION_STYLE = _style(
    _view_css("pos-view", 16, table_font_size=16),
    ".pos-view .pos-readout {font-size: 20px; font-weight: bold; margin: 6px 0}\n"
    ".pos-view .pos-caption {margin: 4px 0 8px 0}\n",
    signed_bars_css("pos-view", "4.5em", "15px", "3px", row="height:20px", mono=True))
"""Both views of lesson 6 (:class:`PermutationView` and :class:`PositionEncodingView`)."""

SCALING_STYLE = _style(
    ".attn-scaling {font-family: sans-serif; font-size: 16px}\n"
    ".attn-scaling .attn-scaling-head {font-weight: bold; margin: 4px 0 8px 0}\n"
    ".attn-scaling table {border-collapse: collapse; font-family: monospace; margin-bottom: 8px}\n"
    ".attn-scaling td, .attn-scaling th {padding: 2px 8px; text-align: right}\n"
    f".attn-scaling tr.attn-active {{background: {ORANGE}33; font-weight: bold}}\n")

QUERY_ROTATION_STYLE = _style(
    ".query-rotation {font-family: sans-serif; font-size: 16px}\n"
    ".query-rotation .attn-row {display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: flex-start}\n"
    ".query-rotation .qr-caption {margin: 4px 0 8px 0}\n"
    ".query-rotation .attn-title {font-weight: bold; margin: 4px 0}\n"
    ".query-rotation .qr-weights {margin-top: 10px}\n",
    signed_bars_css("query-rotation", "6em", "1.1em", "2px", value="width:4em;text-align:right"))

PATCH_ATTENTION_STYLE = _style(
    ".vit-attention {font-family: sans-serif; font-size: 16px}\n"
    ".vit-attention .vit-title {font-weight: bold; font-size: 18px; margin: 4px 0 8px}\n"
    ".vit-attention .attn-row {display: flex; flex-wrap: wrap; gap: 16px 32px; align-items: flex-start}\n"
    f".vit-attention .vit-note {{color: {INK_TEXT}; margin-top: 8px; max-width: 420px}}\n"
    ".vit-attention svg text {font-family: sans-serif; fill: #fff; stroke: #000; stroke-width: 3px;\n"
    "                         paint-order: stroke; text-anchor: middle; dominant-baseline: central}\n")

ATTENTION_VIEWER_STYLE = _style(
    ".attn-model-viewer {font-family: sans-serif; font-size: 16px}\n"
    ".attn-model-viewer .attn-row {display: flex; flex-wrap: wrap; gap: 16px 32px; align-items: flex-start}\n"
    ".attn-model-viewer .attn-title {font-weight: bold; margin: 4px 0}\n"
    f".attn-model-viewer .attn-error {{color: {INK_VERMILLION}; font-weight: bold}}\n"
    ".attn-model-viewer svg text {font-family: sans-serif}\n")


# ----- notebook 12 -------------------------------------------------------------------------------
ONLINE_SOFTMAX_STYLE = _style(
    _view_css("online-softmax", 16, cell_padding="3px 7px"),
    ".online-softmax .os-head {font-size: 18px; font-weight: bold; margin: 4px 0}\n"
    ".online-softmax .os-note {margin: 4px 0 10px 0; max-width: 60em}\n"
    f".online-softmax table.attn-table td.os-current {{background: {ORANGE}55; font-weight: bold}}\n"
    f".online-softmax table.attn-table td.os-unseen {{color: {INK_GREY}}}\n"
    f".online-softmax table.attn-table tr.attn-active {{background: {ORANGE}33; font-weight: bold}}\n"
    f".online-softmax tr.attn-query th {{outline: 2px solid {ORANGE}}}\n")
"""The online-softmax stepper of notebook 12: the current block in orange, keys not read yet in grey."""


# ----- notebook 11 -------------------------------------------------------------------------------
def samples_html(prompt, continuations, title) -> str:
    """Sampled texts as an ordered list, one per line: the prompt (grey), then what the model wrote."""
    items = "".join(f"<li><span class='gpt-prompt'>{esc(prompt)}</span> {esc(text)}</li>" for text in continuations)
    return panel_html(f"<ol class='gpt-samples'>{items}</ol>", "samples", title)


SAMPLING_STYLE = _style(
    _view_css("gpt-sampling", 16),
    ".gpt-sampling .gpt-head {font-size: 18px; font-weight: bold; margin: 4px 0}\n"
    ".gpt-sampling .gpt-note {margin: 8px 0; max-width: 60em}\n"
    f".gpt-sampling .gpt-prompt {{color: {INK_GREY}}}\n"
    ".gpt-sampling ol.gpt-samples {font-family: monospace; font-size: 16px; margin: 4px 0; padding-left: 2em}\n"
    f".gpt-sampling table.attn-table tr.gpt-cut {{color: {INK_GREY}}}\n"
    ".gpt-sampling-widget .gpt-help {max-width: 40em; margin: 2px 0 6px 0}\n")
"""The sampling view of notebook 11: tokens cut by top-k in grey."""


# ----- notebook 10 -------------------------------------------------------------------------------
def readout_div(css_class, text) -> str:
    """A line of text that screen readers announce whenever it changes (``aria-live='polite'``)."""
    return f"<div class='{esc(css_class)}' aria-live='polite'>{esc(text)}</div>"


def loss_curve_svg(losses, sound_losses, step, lowest=None, width=440, height=230) -> str:
    """Two loss curves over the training steps, with a vertical line at ``step``.

    Parameters
    ----------
    losses, sound_losses : array_like, shape (steps,)
        Drawn as ``polyline.replay-loss`` (blue) and ``polyline.replay-sound`` (orange, dashed).
    step : int
        Marked by ``line.replay-step`` (``data-step``).
    lowest : float, optional
        A dotted horizontal line (``line.replay-lowest``).
    """
    losses, sound_losses = np.asarray(losses, dtype=float), np.asarray(sound_losses, dtype=float)
    left, top, right, bottom = 44, 10, 10, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    last = max(len(losses) - 1, 1)
    top_value = max(float(np.nanmax(losses)), float(np.nanmax(sound_losses)), 1e-9)

    def x(i):
        return left + plot_w * i / last

    def y(v):
        return top + plot_h * (1 - min(max(v, 0.0), top_value) / top_value)

    def polyline(values, css_class, color, dash=""):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        return (f"<polyline class='{css_class}' points='{points}' fill='none' stroke='{color}' "
                f"stroke-width='2'{dash}/>")

    ticks = "".join(svg_text(left - 6, f"{y(v) + 5:.1f}", f"{v:g}", "end")
                    for v in sorted({0.0, float(np.floor(top_value))}))
    xticks = "".join(svg_text(f"{x(i):.1f}", top + plot_h + 18, i, "middle") for i in (0, len(losses) - 1))
    floor = (f"<line class='replay-lowest' x1='{left}' y1='{y(lowest):.1f}' x2='{left + plot_w}' "
             f"y2='{y(lowest):.1f}' stroke='#595959' stroke-dasharray='2 3'/>" if lowest is not None else "")
    marker = (f"<line class='replay-step' data-step='{int(step)}' x1='{x(step):.1f}' y1='{top}' x2='{x(step):.1f}' "
              f"y2='{top + plot_h}' stroke='{VERMILLION}' stroke-width='2'/>")
    body = (f"<rect width='{width}' height='{height}' fill='white'/>"
            f"<line x1='{left}' y1='{top + plot_h}' x2='{left + plot_w}' y2='{top + plot_h}' stroke='#888888'/>"
            f"<line x1='{left}' y1='{top}' x2='{left}' y2='{top + plot_h}' stroke='#888888'/>"
            + floor + polyline(losses, "replay-loss", BLUE)
            + polyline(sound_losses, "replay-sound", ORANGE, " stroke-dasharray='6 4'") + marker + ticks + xticks
            + svg_text(left + plot_w / 2, height - 6, "training step", "middle"))
    at = min(int(step), len(losses) - 1)
    summary = (f"Loss curves over {len(losses)} training steps: at step {int(step)} the loss over every word is "
               f"{losses[at]:.3f} and the loss on the sound is {sound_losses[at]:.3f}.")
    return svg_html("replay-curve", width, height, body, font_size=16, label=summary)


def legend_html(items) -> str:
    """A one-line legend: ``items`` is a list of (colour, dashed, label)."""
    parts = "".join(f"<span class='replay-key'><span class='replay-swatch' style='border-top:3px "
                    f"{'dashed' if dashed else 'solid'} {color}'></span>{esc(label)}</span>"
                    for color, dashed, label in items)
    return div(parts, "replay-legend")


TRAINING_REPLAY_STYLE = _style(
    _view_css("training-replay", 16),
    ".training-replay .replay-readout {font-size: 17px; font-weight: bold; margin: 4px 0 8px 0}\n"
    f".training-replay tr.attn-query th {{outline: 2px solid {ORANGE}}}\n"
    ".training-replay .replay-legend {display: flex; gap: 16px; flex-wrap: wrap; margin-top: 4px}\n"
    ".training-replay .replay-key {display: inline-flex; align-items: center; gap: 6px}\n"
    ".training-replay .replay-swatch {display: inline-block; width: 26px; height: 0}\n"
    ".training-replay-widget .replay-help {max-width: 46em; margin: 2px 0 6px 0}\n")
"""The training replay of notebook 10: the heatmap table, the row of 'it' outlined, the loss curves."""
