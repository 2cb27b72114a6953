"""Static renderings: text tables and matplotlib figures.

``table`` (:class:`Table`, plain text and HTML, no matplotlib), ``charts`` (:func:`heatmap`,
:func:`bar_chart`), ``palette`` (the colour-blind-safe colours), and ``lessonNN.py`` for the
figures that belong to one notebook.
"""

from .charts import bar_chart, figure_png, heatmap
from .palette import FONT_SIZE, HEATMAP_CMAP, OKABE_ITO
from .table import Table

__all__ = ["FONT_SIZE", "HEATMAP_CMAP", "OKABE_ITO", "Table", "bar_chart", "figure_png", "heatmap"]
