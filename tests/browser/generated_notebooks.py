"""The small notebooks the browser tests write into the served copy of notebooks/."""

EXPLORER_NB = "browser_explorer.ipynb"
SLIDERS_NB = "browser_score_sliders.ipynb"

GENERATED = {
    EXPLORER_NB: ["import attn_lib as al\n\nex = al.AttentionExplorer()\nex"],
    SLIDERS_NB: ["import attn_lib as al\n\n"
                 "sliders = al.widgets.ScoreSliders('The cat sat on the mat', [0.0, 1.0, -1.0, 0.5, 0.0, 1.5], "
                 "query='cat')\nsliders"],
}
