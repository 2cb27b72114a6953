"""The course's colours: Okabe-Ito for categories and cividis for values, both colour-blind-safe,
and the smallest font size of a figure.
"""

from __future__ import annotations

# Okabe & Ito (2008), a palette distinguishable with every common colour-vision deficiency.
OKABE_ITO = {"blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "sky": "#56B4E9",
             "vermillion": "#D55E00", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000"}


HEATMAP_CMAP = "cividis"


FONT_SIZE = 14
