"""Exercise checkers: each says right or wrong and gives a hint, never the answer.

Every checker returns a :class:`Result`, which shows as one line in a notebook
and is truthy when the answer is right, so tests can assert on it. Each
notebook's checkers live in ``lessonNN.py``; notebooks call them as
``check.name(answer, ...)``.
"""

from ._base import Result
from .lesson01 import (
    CAT_SENTENCE, CAT_PROBABILITIES, raw_scores_for_cat, cat_attends_most_to_mat, weighted_sum, causal_visible,
)
from .lesson02 import (
    EXPLORER_WEIGHT_SHAPE, cat_attends_to_mat_weights, values_pass_only_animal, which_matrix_for_values,
)
from .lesson03 import (
    STABLE_SCORES, dot_product_variance, scale_divisor, stable_softmax,
)
from .lesson04 import (
    equal_scores_angle, cosine,
)
from .lesson05 import (
    causal_row_of, keys_visible_in_batch, self_and_previous_mask,
)
from .lesson06 import (
    TELL_APART_PAIRS, position_encoding_pair, reordered_weights, tell_apart_without_positions,
)
from .lesson07 import (
    split_heads_shape, columns_of_head, multi_head_parameters,
)
from .lesson08 import (
    number_of_patches, patch_vector_length, patch_index,
)
from .lesson09 import (
    attentions_shape, previous_token_head, contextual_cosine,
)

__all__ = [
    "Result",
    "CAT_SENTENCE",
    "CAT_PROBABILITIES",
    "raw_scores_for_cat",
    "cat_attends_most_to_mat",
    "weighted_sum",
    "causal_visible",
    "EXPLORER_WEIGHT_SHAPE",
    "cat_attends_to_mat_weights",
    "values_pass_only_animal",
    "which_matrix_for_values",
    "STABLE_SCORES",
    "dot_product_variance",
    "scale_divisor",
    "stable_softmax",
    "equal_scores_angle",
    "cosine",
    "causal_row_of",
    "keys_visible_in_batch",
    "self_and_previous_mask",
    "TELL_APART_PAIRS",
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
