"""Live views: one ipywidgets view per module, each the companion of one notebook.

Every view subclasses :class:`~attn_lib.views._base.LiveView`: its state is computed by
:meth:`state` from the controls (numbers only, testable without a browser) and drawn by
``render_html(state)`` with the builders of :mod:`attn_lib.views._html`, the only place where
markup, SVG and the colour table live. Each view also shows a PNG snapshot and a text table
where no kernel runs.

========================  ========  ==============================================
module                    notebook  view
========================  ========  ==============================================
``score_sliders``         01        :class:`ScoreSliders`
``explorer``              02        :class:`AttentionExplorer`
``scaling``               03        :class:`ScalingExplorer`
``query_rotation``        04        :class:`QueryRotation`
``mask_editor``           05        :class:`MaskEditor`
``permutation``           06        :class:`PermutationView`
``position_encoding``     06        :class:`PositionEncodingView`
``head_viewer``           07        :class:`HeadViewer`
``patch_attention``       08        :class:`PatchAttentionView`
``attention_viewer``      09        :class:`AttentionViewer`
========================  ========  ==============================================
"""

from ._base import LiveView
from .attention_viewer import AttentionViewer
from .explorer import AttentionExplorer
from .head_viewer import HeadViewer
from .mask_editor import MaskEditor
from .online_softmax import OnlineSoftmaxView
from .patch_attention import PatchAttentionView
from .permutation import PermutationView
from .position_encoding import PositionEncodingView
from .sampling import SamplingView
from .query_rotation import QueryRotation
from .scaling import ScalingExplorer
from .score_sliders import ScoreSliders
from .training_replay import TrainingReplay

__all__ = ["AttentionExplorer", "AttentionViewer", "HeadViewer", "LiveView", "MaskEditor", "OnlineSoftmaxView",
           "PatchAttentionView", "PermutationView", "PositionEncodingView", "QueryRotation",
           "ScalingExplorer", "ScoreSliders"]
