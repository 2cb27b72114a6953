"""The presenter switch: larger text in every live view, for the back of a room with a projector.

``al.presenter(True)`` returns a hidden widget holding a ``<style>`` block; shown once (the last
line of a cell), its rules apply to every live view on the page, those drawn before it too.
``al.presenter(False)`` empties the same widget, so the views return to their normal size. No
JavaScript runs: the style sheet is the whole switch, and it works wherever widgets render.
"""

from __future__ import annotations

import ipywidgets as widgets

PRESENTER_FONT_PX = 22
"""Text size of the live views in presenter mode (16 px otherwise)."""

PRESENTER_STYLE = (
    "<style>\n"
    f"body .attn-live {{--jp-widgets-font-size: {PRESENTER_FONT_PX}px; --jp-widgets-inline-height: 36px}}\n"
    f"body .attn-live .widget-html-content :is(div, span, td, th, caption, li, b, summary, p) "
    f"{{font-size: {PRESENTER_FONT_PX}px !important}}\n"
    "body .attn-live .widget-html-content svg {zoom: 1.35}\n"
    "</style>")
"""Every text of a live view at :data:`PRESENTER_FONT_PX` (``!important`` beats the views' own sizes,
inline ones included); the controls grow with it through ipywidgets' own CSS variables; SVG
drawings are scaled as a whole, so their labels stay where they belong."""

_SWITCH: widgets.HTML | None = None


def presenter(on: bool = True) -> widgets.HTML:
    """Turn presenter mode on or off for every live view on the page.

    Parameters
    ----------
    on : bool, default True
        True: text of the live views at 22 px; False: back to normal.

    Returns
    -------
    ipywidgets.HTML
        The hidden widget that carries the style; display it once (end a cell with
        ``al.presenter(True)``). Every call changes the same widget.
    """
    if not isinstance(on, bool):
        raise TypeError(f"on must be True or False; got {on!r} ({type(on).__name__})")
    global _SWITCH
    if _SWITCH is None:
        _SWITCH = widgets.HTML(layout=widgets.Layout(display="none"))
        _SWITCH.add_class("attn-presenter-switch")
    _SWITCH.value = PRESENTER_STYLE if on else ""
    return _SWITCH
