"""Notebook 01's figure: where self-attention sits in a Transformer block."""

from __future__ import annotations

from itertools import pairwise

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle

from .palette import FONT_SIZE, OKABE_ITO

_BOX_LEFT, _BOX_WIDTH, _BOX_HEIGHT = 3.0, 4.0, 0.8    # every box of the diagram, in axes units
_CENTRE = _BOX_LEFT + _BOX_WIDTH / 2
_RESIDUAL_X = 2.55                                     # the x of the two skip paths, left of the boxes

# (label, bottom edge, fill colour): the inside of one block, from bottom to top
_BLOCK_PARTS = (
    ("self-attention", 3.55, OKABE_ITO["orange"]),
    ("add & norm", 4.95, OKABE_ITO["sky"]),
    ("MLP (feed-forward)", 6.35, OKABE_ITO["green"]),
    ("add & norm", 7.75, OKABE_ITO["sky"]),
)


def _box(ax, bottom, label, color, alpha=0.45, linewidth=1.5):
    """One rounded box of the diagram with its label in the middle; returns its bottom and top."""
    ax.add_patch(FancyBboxPatch((_BOX_LEFT, bottom), _BOX_WIDTH, _BOX_HEIGHT,
                                boxstyle="round,pad=0.02,rounding_size=0.15", facecolor=color, alpha=alpha,
                                edgecolor="none"))
    ax.add_patch(FancyBboxPatch((_BOX_LEFT, bottom), _BOX_WIDTH, _BOX_HEIGHT,
                                boxstyle="round,pad=0.02,rounding_size=0.15", facecolor="none",
                                edgecolor=OKABE_ITO["black"], linewidth=linewidth))
    ax.text(_CENTRE, bottom + _BOX_HEIGHT / 2, label, ha="center", va="center", fontsize=FONT_SIZE)
    return bottom, bottom + _BOX_HEIGHT


def _arrow(ax, start, end, color=OKABE_ITO["black"]):
    """A straight arrow from point ``start`` to point ``end``."""
    ax.annotate("", xy=end, xytext=start, fontsize=FONT_SIZE,
                arrowprops={"arrowstyle": "-|>", "color": color, "linewidth": 1.8, "mutation_scale": 16,
                            "shrinkA": 0, "shrinkB": 0})


def _residual(ax, from_y, to_box_bottom):
    """A skip path: leaves the main line at ``from_y`` and enters the side of an add & norm box."""
    into_y = to_box_bottom + _BOX_HEIGHT / 2
    color = OKABE_ITO["blue"]
    ax.plot([_CENTRE, _RESIDUAL_X, _RESIDUAL_X], [from_y, from_y, into_y], color=color, linewidth=1.8)
    _arrow(ax, (_RESIDUAL_X, into_y), (_BOX_LEFT - 0.04, into_y), color=color)


def transformer_block_figure():
    """Where self-attention sits: tokens, embeddings, a stack of Transformer blocks, the output.

    One block is self-attention, add & norm, MLP, add & norm, in the order of the original
    Transformer and of BERT (post-norm). The blue paths are the residual connections ("add"): each
    part's input skips around it and is added to its output. The self-attention box, the part this
    course opens up, is drawn in orange with a thick border.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = Figure(facecolor="white", figsize=(9.5, 9.5), layout="constrained")
    ax = fig.add_subplot()
    ax.set_xlim(0.0, 12.0)
    ax.set_ylim(-0.2, 10.9)
    ax.set_axis_off()

    # tokens, as small chips along the bottom
    words = ["The", "cat", "sat", "on", "the", "mat"]
    chip_width, gap = 0.95, 0.12
    left = _CENTRE - (len(words) * chip_width + (len(words) - 1) * gap) / 2
    for k, word in enumerate(words):
        x = left + k * (chip_width + gap)
        ax.add_patch(Rectangle((x, 0.0), chip_width, 0.6, facecolor="white", edgecolor=OKABE_ITO["black"]))
        ax.text(x + chip_width / 2, 0.3, word, ha="center", va="center", fontsize=FONT_SIZE)
    ax.text(left - 0.2, 0.3, "tokens", ha="right", va="center", fontsize=FONT_SIZE)

    embed_bottom, embed_top = _box(ax, 1.3, "embeddings + positions", OKABE_ITO["yellow"])
    _arrow(ax, (_CENTRE, 0.6), (_CENTRE, embed_bottom))

    # the block, with two shifted copies behind it: the stack of N identical blocks
    block_bottom, block_top = 2.75, 8.95
    for shift, alpha in ((0.3, 0.35), (0.15, 0.6), (0.0, 1.0)):
        ax.add_patch(FancyBboxPatch((2.1 + shift, block_bottom + shift), 5.6, block_top - block_bottom,
                                    boxstyle="round,pad=0.02,rounding_size=0.25", facecolor="white",
                                    edgecolor=OKABE_ITO["black"], linewidth=1.2, alpha=alpha,
                                    linestyle="-" if shift == 0 else "--"))
    ax.text(1.95, 7.2, "× N\nTransformer\nblocks,\nstacked", ha="right", va="center",
            fontsize=FONT_SIZE + 1, fontweight="bold")
    _arrow(ax, (_CENTRE, embed_top), (_CENTRE, _BLOCK_PARTS[0][1]))

    edges = []
    for label, bottom, color in _BLOCK_PARTS:
        highlight = label == "self-attention"
        edges.append(_box(ax, bottom, label, color, alpha=0.75 if highlight else 0.45,
                          linewidth=4.0 if highlight else 1.5))
    for (_, top), (next_bottom, _) in pairwise(edges):
        _arrow(ax, (_CENTRE, top), (_CENTRE, next_bottom))

    # residual connections: around the self-attention, and around the MLP
    _residual(ax, (embed_top + edges[0][0]) / 2, edges[1][0])
    _residual(ax, (edges[1][1] + edges[2][0]) / 2, edges[3][0])
    ax.text(1.95, 3.6, "residual\n(add)", ha="right",
            va="center", fontsize=FONT_SIZE, color=OKABE_ITO["blue"])

    out_bottom, _ = _box(ax, 9.65, "output: one vector per token", "white", alpha=1.0)
    _arrow(ax, (_CENTRE, edges[-1][1]), (_CENTRE, out_bottom))

    # the part this course opens up
    attention_y = edges[0][0] + _BOX_HEIGHT / 2
    ax.annotate("this course\nopens up\nthis box", xy=(_BOX_LEFT + _BOX_WIDTH + 0.1, attention_y),
                xytext=(8.3, attention_y + 1.3), ha="left", va="center", fontsize=FONT_SIZE,
                fontweight="bold", color=OKABE_ITO["vermillion"],
                arrowprops={"arrowstyle": "-|>", "color": OKABE_ITO["vermillion"], "linewidth": 2.2,
                            "mutation_scale": 18, "connectionstyle": "arc3,rad=0.25"})
    ax.set_title("Where self-attention sits in a Transformer", fontsize=FONT_SIZE + 2)
    return fig
