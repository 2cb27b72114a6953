"""Padding masks, and multi-head attention's intermediate steps."""

import numpy as np
import pytest

import attn_lib as al


def test_pad_batch_pads_to_the_longest_sentence():
    padded, lengths = al.pad_batch([["The", "cat", "sat"], ["A", "dog"]])
    assert padded == [["The", "cat", "sat"], ["A", "dog", al.PAD]]
    assert lengths.tolist() == [3, 2]


def test_padding_mask_hides_padded_keys_only():
    mask = al.padding_mask([3, 1], n=4)
    assert mask.shape == (2, 1, 4) and mask.dtype == bool
    assert mask[:, 0].tolist() == [[True, True, True, False], [True, False, False, False]]


def test_causal_padding_mask_is_both():
    mask = al.causal_padding_mask([3, 2])
    assert mask.shape == (2, 3, 3)
    np.testing.assert_array_equal(mask[0], al.causal_mask(3))
    np.testing.assert_array_equal(mask[1], [[1, 0, 0], [1, 1, 0], [1, 1, 0]])


def test_padded_batch_gives_each_sentence_its_own_attention(rng):
    """Padding must not change what the real tokens compute."""
    sentences = [al.tokenize("The cat sat on the mat"), al.tokenize("I paid at the bank")]
    padded, lengths = al.pad_batch(sentences)
    X = np.stack([al.embed(tokens) for tokens in padded])                      # (2, n, 8)
    W = [rng.normal(size=(8, 4)) for _ in range(3)]
    out, weights = al.self_attention(X, *W, mask=al.padding_mask(lengths))
    for b, tokens in enumerate(sentences):
        alone_out, alone_w = al.self_attention(al.embed(tokens), *W)
        n = len(tokens)
        np.testing.assert_allclose(out[b, :n], alone_out)
        np.testing.assert_allclose(weights[b, :n, :n], alone_w)
        assert np.all(weights[b, :, n:] == 0.0)


@pytest.mark.parametrize("lengths, n, exc, words", [
    ([], None, ValueError, "lengths"),
    ([0, 2], None, ValueError, "lengths"),
    ([3, 5], 4, ValueError, "1..n = 1..4"),
    ([1.5, 2], None, ValueError, "whole numbers"),
    ("32", None, TypeError, "lengths"),
    ([2, 3], 0, ValueError, "n must be"),
])
def test_padding_mask_rejects_bad_lengths(lengths, n, exc, words):
    with pytest.raises(exc, match=words.replace(".", r"\.")):
        al.padding_mask(lengths, n)


@pytest.mark.parametrize("bad, exc", [([], TypeError), ([["a"], []], ValueError), ([["a"], "b"], ValueError)])
def test_pad_batch_rejects_bad_input(bad, exc):
    with pytest.raises(exc, match="token_lists"):
        al.pad_batch(bad)


def test_multi_head_steps_shapes_and_agreement(rng):
    X = rng.normal(size=(2, 5, 12))
    W = [rng.normal(size=(12, 12)) for _ in range(4)]
    s = al.multi_head_steps(X, *W, n_heads=3, mask=al.causal_mask(5))
    assert s["Q"].shape == (2, 5, 12)
    assert s["Q_heads"].shape == (2, 3, 5, 4)
    assert s["weights"].shape == (2, 3, 5, 5) and s["heads"].shape == (2, 3, 5, 4)
    assert s["merged"].shape == (2, 5, 12) and s["output"].shape == (2, 5, 12)
    np.testing.assert_array_equal(s["Q_heads"][:, 1], s["Q"][..., 4:8])             # head 1 = columns 4:8
    for h in range(3):
        cols = slice(4 * h, 4 * (h + 1))
        out_h, w_h = al.attention(s["Q"][..., cols], s["K"][..., cols], s["V"][..., cols], mask=al.causal_mask(5))
        np.testing.assert_allclose(s["weights"][:, h], w_h)
        np.testing.assert_allclose(s["merged"][..., cols], out_h)
    out, weights = al.multi_head_attention(X, *W, n_heads=3, mask=al.causal_mask(5))
    np.testing.assert_array_equal(out, s["output"])
    np.testing.assert_array_equal(weights, s["weights"])
