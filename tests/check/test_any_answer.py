"""Every checker survives every answer: whatever a learner types, the checker replies with a one-line hint.

The checkers are found in ``attn_lib.check.__all__``, so a new checker is covered as soon as
it is exported; it only needs a row in EXTRA_ARGS (a test fails until it has one).
"""

import inspect
from types import SimpleNamespace

import numpy as np
import pytest
from _check_asserts import assert_hint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from attn_lib import check, tokenize

CHECKERS = sorted(name for name in check.__all__ if name != "Result")
FUNCTION_CHECKERS = [name for name in CHECKERS if name.endswith("_function")]


def _model_output(tokens, seed):
    rng = np.random.default_rng(seed)
    hidden = rng.normal(size=(3, len(tokens), 4))              # (layers + 1, n, d)
    return SimpleNamespace(tokens=tokens, hidden_states=hidden, sentence_embedding=hidden[-1].mean(axis=0))


_RNG = np.random.default_rng(0)
_ATTENTIONS = _RNG.random((3, 4, 6, 6))
_WEIGHTS = _RNG.random((6, 6))

EXTRA_ARGS = {                                                 # valid arguments after the answer
    "apply_temperature_and_top_k_function": {},
    "attention_multiply_adds": {"n_prompt": 5, "n_new": 4, "d_model": 16},
    "nonsense_temperature": {"logits": np.array([3.0, 1.0, 0.5, -1.0, -2.0]), "allowed": [0, 1, 2]},
    "two_block_softmax_function": {},
    "softmax_backward_function": {},
    "larger_learning_rate": {},
    "score_step_factor": {},
    "weights_memory": {"n": 16384},
    "sliding_window_pairs": {"n": 4096, "window": 256},
    "attention_favourites": {"tokens": tokenize("The cat sat on the mat by the river"), "query": "cat",
                             "weights_row": np.array([0.48, 0.02, 0, 0, 0, 0, 0, 0.02, 0.48])},
    "attentions_shape": {"tokens": ["[CLS]", "the", "bank", "[SEP]"], "n_layers": 6, "n_heads": 12},
    "cat_attends_most_to_mat": {},
    "cat_attends_to_mat_weights": {"W_K": np.ones((10, 4))},
    "causal_row_of": {"sentence": "The cat sat on the mat", "query": "on"},
    "causal_visible": {"sentence": "The cat sat on the mat", "query": "sat"},
    "columns_of_head": {"d_model": 12, "n_heads": 3, "head": 2},
    "contextual_cosine": {"result_a": _model_output(["[CLS]", "bank", "[SEP]"], 1),
                          "result_b": _model_output(["[CLS]", "the", "bank", "[SEP]"], 2)},
    "cosine": {"a": [1.0, 2.0], "b": [2.0, 1.0]},
    "dot_product_signs": {"q": [1.0, 2.0], "keys": {"a": [4.0, -1.0], "b": [-2.0, 1.0], "c": [-1.0, -3.0]}},
    "dot_product_variance": {"d": 16},
    "equal_scores_angle": {"key_a": [1.0, 0.0], "key_b": [0.0, 1.0]},
    "keys_visible_in_batch": {"token_lists": [tokenize("The cat sat on the mat"), tokenize("The dog slept")],
                              "sentence": 1, "position": 1},
    "largest_working_temperature": {"scores": [0.4, 1.2, 0.8, 0.1, 0.4, 1.8], "target_index": 5, "level": 0.5,
                                    "candidates": (0.25, 0.5, 1, 2, 4)},
    "masked_attention_function": {},
    "mean_cosine_table": {"vectors": _RNG.normal(size=(2, 5)), "groups": [_RNG.normal(size=(4, 5)),
                                                                          _RNG.normal(size=(3, 5))]},
    "most_attended_patches": {"weights_row": np.eye(36)[[3, 17, 29]].sum(axis=0) * 0.3 + 0.1 / 36, "k": 3,
                              "query": 17, "cols": 6},
    "multi_head_function": {},
    "multi_head_parameters": {"d_model": 768, "n_heads": 12},
    "next_token_head": {"attentions": _ATTENTIONS},
    "number_of_patches": {"height": 224, "width": 224, "patch_size": 16},
    "patch_index": {"row": 2, "col": 3, "height": 224, "width": 224, "patch_size": 16},
    "patch_vector_length": {"patch_size": 16},
    "position_encoding_pair": {"pos": 9},
    "previous_token_head": {"attentions": _ATTENTIONS},
    "raw_scores_for_cat": {},
    "reordered_weights": {"weights": _WEIGHTS / _WEIGHTS.sum(axis=1, keepdims=True), "order": [2, 0, 1, 5, 3, 4]},
    "scale_divisor": {"d": 16},
    "self_and_previous_mask": {"n": 6},
    "self_attention_function": {},
    "softmax_function": {},
    "split_heads_shape": {"n": 10, "d_model": 12, "n_heads": 3},
    "stable_softmax": {},
    "tell_apart_without_positions": {},
    "values_pass_only_animal": {},
    "weighted_sum": {"weights": np.array([0.2, 0.5, 0.3]), "V": np.arange(6.0).reshape(3, 2)},
    "which_matrix_for_values": {},
}


def run(name, answer):
    return getattr(check, name)(answer, **EXTRA_ARGS[name])


def assert_one_line_result(result):
    assert isinstance(result, check.Result), f"{result!r} is not a Result"
    assert isinstance(result.message, str) and result.message.strip(), repr(result)
    assert "\n" not in result.message and "\r" not in result.message, repr(result)
    assert "Traceback" not in result.message, repr(result)


def assert_one_line_hint(result):
    assert_one_line_result(result)
    assert not result, repr(result)
    assert repr(result).startswith("Not yet. Hint: "), repr(result)


# ---------------------------------------------------------------------------------- the table

def test_every_checker_has_a_row_in_the_table():
    missing = sorted(set(CHECKERS) - set(EXTRA_ARGS))
    assert not missing, f"add these checkers to EXTRA_ARGS with valid arguments: {missing}"
    assert not set(EXTRA_ARGS) - set(CHECKERS), "EXTRA_ARGS names a checker that is no longer exported"


@pytest.mark.parametrize("name", CHECKERS)
def test_the_table_gives_every_required_argument(name):
    parameters = list(inspect.signature(getattr(check, name)).parameters.values())[1:]
    required = {p.name for p in parameters if p.default is inspect.Parameter.empty}
    assert required <= set(EXTRA_ARGS[name]), f"{name} also needs {sorted(required - set(EXTRA_ARGS[name]))}"


@pytest.mark.parametrize("name", CHECKERS)
def test_a_missing_answer_gets_the_replace_hint(name):
    for blank in (None, ...):
        result = run(name, blank)
        assert_one_line_hint(result)
        assert "replace the ..." in result.message


# ------------------------------------------------------------------------------- odd answers

class Unreadable:
    """An object that fails at everything numpy or a checker might ask of it."""

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array here")

    def __len__(self):
        raise RuntimeError("no length")

    def __iter__(self):
        raise RuntimeError("no items")

    def __eq__(self, other):
        raise RuntimeError("no comparison")

    __hash__ = object.__hash__


class UnreadableList(list):
    """A list whose items cannot be read."""

    def __iter__(self):
        raise RuntimeError("no items")


def _function(x):
    return x


ODD_ANSWERS = {
    "empty text": "",
    "text": "hello",
    "number as text": "1.5",
    "list as text": "[1, 2]",
    "bytes": b"12",
    "ragged list": [[1, 2], [3]],
    "ragged nested": [1, [2, [3, [4]]]],
    "nan": float("nan"),
    "inf": float("inf"),
    "-inf": float("-inf"),
    "list of nan": [float("nan")] * 6,
    "huge int": 10 ** 400,
    "negative huge int": -(10 ** 400),
    "list of huge ints": [10 ** 400] * 6,
    "complex": 1 + 2j,
    "complex list": [1j] * 6,
    "object": object(),
    "function": _function,
    "lambda": lambda: 0,
    "class": dict,
    "dict": {"a": 1},
    "set": {1, 2, 3},
    "frozenset": frozenset({1}),
    "None in a list": [None, None],
    "True": True,
    "False": False,
    "text array": np.array(["a", "b", "c"]),
    "number-text array": np.array(["1", "2", "3", "4", "5", "6"]),
    "object array": np.array([object(), 1], dtype=object),
    "0-d array": np.array(-7.5),
    "empty array": np.array([]),
    "empty matrix": np.zeros((0, 6)),
    "empty list": [],
    "huge broadcast matrix": np.broadcast_to(np.float64(1.0), (10 ** 6, 10 ** 6)),
    "huge broadcast vector": np.broadcast_to(np.float64(1.0), (10 ** 9,)),
    "4-d array": np.zeros((2, 2, 2, 2)),
    "complex array": np.ones(6, dtype=complex),
    "datetime array": np.array(["2024-01-01"] * 6, dtype="datetime64[D]"),
    "nested tuples": ((1, (2, 3)), 4),
    "nested tuple matrix": ((0.5, -0.5), (1.5, 2.5)),
    "slice of text": slice("a", "b"),
    "generator": (v for v in [1, 2]),
    "unreadable object": Unreadable(),
    "unreadable list": UnreadableList([1, 2]),
}


@pytest.mark.parametrize("case", sorted(ODD_ANSWERS))
@pytest.mark.parametrize("name", CHECKERS)
def test_odd_answers_get_a_one_line_hint(name, case):
    assert_one_line_hint(run(name, ODD_ANSWERS[case]))


@pytest.mark.parametrize("case", sorted(set(ODD_ANSWERS) - {"unreadable object", "unreadable list"}))
@pytest.mark.parametrize("name", CHECKERS)
def test_odd_answers_never_need_the_safety_net(name, case):
    """The shared readers know every odd answer above; the generic "could not be read" is a last resort."""
    assert "could not be read" not in run(name, ODD_ANSWERS[case]).message


NUMBER_CHECKERS = [  # checkers whose answer is numbers: they all read it with the shared reader
    "cat_attends_most_to_mat", "cat_attends_to_mat_weights", "contextual_cosine", "cosine", "dot_product_variance",
    "equal_scores_angle", "keys_visible_in_batch", "multi_head_parameters", "number_of_patches", "patch_index",
    "patch_vector_length", "position_encoding_pair", "raw_scores_for_cat", "reordered_weights", "scale_divisor",
    "stable_softmax", "values_pass_only_animal", "weighted_sum", "weights_memory", "sliding_window_pairs",
]
SPECIFIC_HINTS = {
    "text": "not text", "number-text array": "not text", "bytes": "not text",
    "huge int": "too large for a float", "list of huge ints": "too large for a float",
    "function": "not the function _function", "complex": "not complex", "complex list": "not complex",
    "complex array": "not complex", "ragged list": "different lengths", "dict": "not a dict", "set": "not a set",
    "huge broadcast matrix": "far more numbers", "datetime array": "dates",
}


@pytest.mark.parametrize("case", sorted(SPECIFIC_HINTS))
@pytest.mark.parametrize("name", NUMBER_CHECKERS)
def test_odd_numbers_get_a_hint_that_names_the_problem(name, case):
    assert_hint(run(name, ODD_ANSWERS[case]), SPECIFIC_HINTS[case])


@pytest.mark.parametrize("case", ["text", "huge int", "text array", "ragged list", "huge broadcast matrix"])
@pytest.mark.parametrize("name", FUNCTION_CHECKERS)
def test_a_function_checker_given_a_value_asks_for_the_function(name, case):
    assert_hint(run(name, ODD_ANSWERS[case]), "pass the function itself")


def test_the_generic_hint_says_what_the_answer_is():
    result = check.causal_visible(UnreadableList(["The"]), "The cat sat on the mat", "sat")
    assert_hint(result, "could not be read as a list of words")
    assert "UnreadableList" in result.message


def test_a_checkers_own_bad_arguments_still_raise():
    """The notebook's mistakes stay loud: only the learner's answer is forgiven."""
    with pytest.raises(ValueError, match="n_heads must divide d_model"):
        check.split_heads_shape(object(), n=4, d_model=7, n_heads=2)
    with pytest.raises(ValueError, match="query must be a token"):
        check.causal_visible(object(), "The cat sat", "dog")
    with pytest.raises(TypeError):
        check.cosine(0.5)                                        # a and b are missing


# ------------------------------------------------------------------------- hypothesis answers

_LEAVES = st.one_of(
    st.none(), st.just(...), st.booleans(),
    st.integers(), st.integers(min_value=10 ** 300, max_value=10 ** 500),
    st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.binary(max_size=6),
)
ANYTHING = st.one_of(
    st.recursive(_LEAVES, lambda inner: st.one_of(
        st.lists(inner, max_size=7), st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
        st.frozensets(st.integers(), max_size=3)), max_leaves=25),
    st.sampled_from([int, float, complex, str, bytes, dict, set, frozenset, object, type(None)]).flatmap(st.from_type),
    hnp.arrays(hnp.scalar_dtypes(), hnp.array_shapes(min_dims=0, max_dims=3, max_side=7)),
)


def _never_right_text(t):
    return t.strip().upper().replace("_", "").replace(" ", "") != "WV"  # "W_V" answers which_matrix_for_values


_NEVER_RIGHT_LEAVES = st.one_of(
    st.none(), st.just(...), st.text(max_size=12).filter(_never_right_text), st.binary(max_size=6),
    st.complex_numbers(allow_nan=True, allow_infinity=True).filter(lambda z: z.imag != 0),
    st.integers(min_value=10 ** 309, max_value=10 ** 500),         # too large for any float
)
NEVER_RIGHT = st.one_of(
    _NEVER_RIGHT_LEAVES,
    st.lists(_NEVER_RIGHT_LEAVES, min_size=1, max_size=7),
    st.lists(st.lists(st.floats(allow_nan=True), max_size=4) | _NEVER_RIGHT_LEAVES, min_size=2, max_size=5)
    .filter(lambda rows: any(not isinstance(r, list) for r in rows)),   # numbers mixed with odd items
    st.dictionaries(st.text(max_size=3), st.floats(), max_size=3),
    st.sets(st.integers(), max_size=4),
    hnp.arrays(st.sampled_from([np.dtype("U5"), np.dtype(object)]),
               hnp.array_shapes(min_dims=0, max_dims=2, max_side=6),
               elements=st.text(max_size=4).filter(_never_right_text)   # numpy's U arrays drop a trailing
               .filter(lambda t: "\x00" not in t)),                      # "\x00": hypothesis refuses those
)


@pytest.mark.parametrize("name", CHECKERS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=ANYTHING)
def test_any_value_gets_a_one_line_result(name, answer):
    """Some of these may even be right (a number can be); none may crash or print a traceback."""
    assert_one_line_result(run(name, answer))


@pytest.mark.parametrize("name", CHECKERS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=NEVER_RIGHT)
def test_values_that_are_never_right_get_a_one_line_hint(name, answer):
    assert_one_line_hint(run(name, answer))


# -------------------------------------------------------------------- odd learner functions

def _raises(*args):
    raise ZeroDivisionError("division by zero, with a\nsecond line")


def _prints_instead_of_returning(*args):
    print("the answer is", [np.shape(a) for a in args])


def _returns_nan(*args):
    """NaN with the right shapes, whatever the checker: found by the checker's own hint."""
    x = args[0]
    n = x.shape[0]
    if len(args) in (1, 2, 3):                                     # softmax-like: the shape of the first input
        return np.full(x.shape, np.nan)
    if len(args) == 6:                                             # multi-head: (n, d_model), (n_heads, n, n)
        return np.full(x.shape, np.nan), np.full((args[5], n, n), np.nan)
    width = args[2].shape[1] if len(args) == 4 and args[3].dtype == bool else args[3].shape[1]
    keys = args[1].shape[0] if args[3].dtype == bool else n
    return np.full((n, width), np.nan), np.full((n, keys), np.nan)


class _Unconvertible:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("Can't call numpy() on Tensor that requires grad")


ODD_FUNCTIONS = {
    "raises": (_raises, "raised ZeroDivisionError"),
    "returns None": (lambda *args: None, "returned None"),
    "prints instead of returning": (_prints_instead_of_returning, "printed"),
    "returns NaN": (_returns_nan, "NaN"),
    "returns a number": (lambda *args: 0.5, ""),
    "returns text": (lambda *args: "weights", "text"),
    "returns a dict": (lambda *args: {"output": args[0]}, ""),
    "returns three things": (lambda *args: (args[0], args[0], args[0]), ""),
    "returns None twice": (lambda *args: (None, None), "None"),
    "returns its input": (lambda *args: args[0], ""),
    "returns a generator": (lambda *args: (a for a in args), ""),
    "returns complex": (lambda *args: np.ones(np.shape(args[0]), dtype=complex), ""),
    "returns an unconvertible object": (lambda *args: _Unconvertible(), ""),
    "takes no arguments": (lambda: 0, "raised TypeError"),
    "the print builtin": (print, "returned None"),
    "the len builtin": (len, ""),
    "a class": (dict, ""),
    "recursion": (lambda *args: ODD_FUNCTIONS["recursion"][0](*args), "raised RecursionError"),
}


@pytest.mark.parametrize("case", sorted(ODD_FUNCTIONS))
@pytest.mark.parametrize("name", FUNCTION_CHECKERS)
def test_odd_learner_functions_get_a_one_line_hint(name, case, capsys):
    fn, fragment = ODD_FUNCTIONS[case]
    result = run(name, fn)
    assert_one_line_hint(result)
    assert fragment in result.message
    assert "could not be read" not in result.message             # a specific hint, not the safety net
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == "", "the learner's output reached the notebook"


@pytest.mark.parametrize("name", FUNCTION_CHECKERS)
def test_the_exception_hint_keeps_the_message_on_one_line(name):
    message = run(name, _raises).message
    assert "division by zero, with a second line" in message
