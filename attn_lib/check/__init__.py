"""Exercise checkers: each says right or wrong and gives a hint, never the answer.

Every checker returns a :class:`Result`, which shows as one line in a notebook
and is truthy when the answer is right, so tests can assert on it; no answer,
however odd, makes a checker raise. Each notebook's checkers live in
``lessonNN.py``; notebooks call them as ``check.name(answer, ...)``. The
``*_function`` checkers take the learner's own function instead of an answer,
run it on the course's inputs and on random ones, and name the typical bug.
"""

from ._base import Result
from .lesson01 import (
    cat_attends_most_to_mat,
    causal_visible,
    raw_scores_for_cat,
    self_attention_function,
    softmax_function,
    weighted_sum,
)
from .lesson02 import (
    attention_favourites,
    cat_attends_to_mat_weights,
    values_pass_only_animal,
    which_matrix_for_values,
)
from .lesson03 import (
    dot_product_signs,
    dot_product_variance,
    largest_working_temperature,
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
    masked_attention_function,
    self_and_previous_mask,
)
from .lesson06 import (
    position_encoding_pair,
    reordered_weights,
    tell_apart_without_positions,
)
from .lesson07 import (
    columns_of_head,
    multi_head_function,
    multi_head_parameters,
    split_heads_shape,
)
from .lesson08 import (
    most_attended_patches,
    number_of_patches,
    patch_index,
    patch_vector_length,
)
from .lesson09 import (
    attentions_shape,
    contextual_cosine,
    mean_cosine_table,
    next_token_head,
    previous_token_head,
)
from .lesson10 import (
    larger_learning_rate,
    score_step_factor,
    softmax_backward_function,
)
from .lesson11 import (
    apply_temperature_and_top_k_function,
    attention_multiply_adds,
    nonsense_temperature,
)
from .lesson12 import (
    sliding_window_pairs,
    two_block_softmax_function,
    weights_memory,
)

__all__ = [
    "Result",
    "raw_scores_for_cat",
    "cat_attends_most_to_mat",
    "weighted_sum",
    "causal_visible",
    "softmax_function",
    "self_attention_function",
    "cat_attends_to_mat_weights",
    "values_pass_only_animal",
    "which_matrix_for_values",
    "attention_favourites",
    "dot_product_variance",
    "scale_divisor",
    "stable_softmax",
    "dot_product_signs",
    "largest_working_temperature",
    "equal_scores_angle",
    "cosine",
    "causal_row_of",
    "keys_visible_in_batch",
    "self_and_previous_mask",
    "masked_attention_function",
    "position_encoding_pair",
    "reordered_weights",
    "tell_apart_without_positions",
    "split_heads_shape",
    "columns_of_head",
    "multi_head_parameters",
    "multi_head_function",
    "number_of_patches",
    "patch_vector_length",
    "patch_index",
    "most_attended_patches",
    "attentions_shape",
    "previous_token_head",
    "contextual_cosine",
    "next_token_head",
    "mean_cosine_table",
    "larger_learning_rate",
    "score_step_factor",
    "softmax_backward_function",
    "two_block_softmax_function",
    "weights_memory",
    "sliding_window_pairs",
    "apply_temperature_and_top_k_function",
    "nonsense_temperature",
    "attention_multiply_adds",
]
