"""Exercise checkers: each says right or wrong and gives a hint, never the answer.

Every checker returns a :class:`Result`, which shows as one line in a notebook
and is truthy when the answer is right, so tests can assert on it. Each
notebook's checkers live in ``lessonNN.py``; notebooks call them as
``check.name(answer, ...)``.
"""

from ._base import Result
from .lesson01 import (
    cat_attends_most_to_mat,
    causal_visible,
    raw_scores_for_cat,
    weighted_sum,
)
from .lesson02 import (
    cat_attends_to_mat_weights,
    values_pass_only_animal,
    which_matrix_for_values,
)
from .lesson03 import (
    dot_product_variance,
    scale_divisor,
    stable_softmax,
)
from .lesson04 import (
    cosine,
    equal_scores_angle,
)
from .lesson05 import (
    causal_row_of,
    keys_visible_in_batch,
    self_and_previous_mask,
)
from .lesson06 import (
    position_encoding_pair,
    reordered_weights,
    tell_apart_without_positions,
)
from .lesson07 import (
    columns_of_head,
    multi_head_parameters,
    split_heads_shape,
)
from .lesson08 import (
    number_of_patches,
    patch_index,
    patch_vector_length,
)
from .lesson09 import (
    attentions_shape,
    contextual_cosine,
    previous_token_head,
)

__all__ = [
    "Result",
    "raw_scores_for_cat",
    "cat_attends_most_to_mat",
    "weighted_sum",
    "causal_visible",
    "cat_attends_to_mat_weights",
    "values_pass_only_animal",
    "which_matrix_for_values",
    "dot_product_variance",
    "scale_divisor",
    "stable_softmax",
    "equal_scores_angle",
    "cosine",
    "causal_row_of",
    "keys_visible_in_batch",
    "self_and_previous_mask",
    "position_encoding_pair",
    "reordered_weights",
    "tell_apart_without_positions",
    "split_heads_shape",
    "columns_of_head",
    "multi_head_parameters",
    "number_of_patches",
    "patch_vector_length",
    "patch_index",
    "attentions_shape",
    "previous_token_head",
    "contextual_cosine",
]
