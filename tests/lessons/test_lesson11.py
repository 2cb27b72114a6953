"""attn_lib.lessons.lesson11: the corpus, the tiny GPT's forward and backward passes, training, sampling,
generation with and without the KV cache, and the multiply-add counts."""

from __future__ import annotations

import numpy as np
import pytest
from _gradients import numerical_gradient

import attn_lib as al
from attn_lib.lessons import lesson11 as gpt

SMALL = dict(gpt.CONFIG, d_model=8, n_heads=2, d_ff=12, block_size=6)


@pytest.fixture(scope="module")
def trained():
    """The notebook's model: 600 steps with the causal mask (a few seconds)."""
    return gpt.train()


@pytest.fixture(scope="module")
def peeker():
    """The same model trained without the mask (section 4 of the notebook)."""
    return gpt.train(causal=False, steps=300)


def jittered(config, seed):
    """Random weights with every gain and bias moved off its starting value, so no gradient is trivially 0."""
    params = gpt.init_params(config, seed=seed)
    rng = np.random.default_rng(seed)
    for name in gpt.weight_names(params):
        params[name] = params[name] + 0.1 * rng.standard_normal(params[name].shape)
    return params


# ----- the corpus -----------------------------------------------------------------------------------
def test_every_story_follows_the_grammar_and_its_two_rules():
    rng = np.random.default_rng(3)
    for _ in range(300):
        story = gpt.make_story(rng)
        assert gpt.story_length(story) == len(story) in (10, 11)
        noun = story[-9]
        assert story[-3] == ("they" if noun.endswith("s") else "it")
        assert story[-2] == gpt.ANIMALS[noun.rstrip("s")]


@pytest.mark.parametrize("text", [
    "the cat sat on the mat . it barked .",          # wrong sound
    "the cats sat on the mat . it purred .",         # wrong pronoun
    "the cat sat on the mat . it purred",            # unfinished
    "the big small cat sat on the mat . it purred .",
    "the cat sat on the cat . it purred .",
    ". the cat sat on the mat . it purred .",
])
def test_story_length_rejects_what_breaks_the_grammar(text):
    assert gpt.story_length(text.split()) == 0


def test_story_length_reads_only_the_first_story():
    assert gpt.story_length(["the", "big", "dog", "lay", "on", "the", "rug", ".", "it", "barked", ".", "the"]) == 11
    assert gpt.story_length(["the", "dogs", "lay", "on", "the", "rug", ".", "they", "barked", ".", "cat", "cat"]) == 10


def test_corpus_is_seeded_and_story_starts_find_every_story():
    corpus = gpt.make_corpus(50, seed=4)
    assert corpus == gpt.make_corpus(50, seed=4) and corpus != gpt.make_corpus(50, seed=5)
    stream = gpt.encode(corpus)
    starts = gpt.story_starts(stream)
    assert len(starts) == 50
    assert all(gpt.story_length(corpus[s:]) > 0 for s in starts)
    assert np.array_equal(np.diff(np.append(starts, len(corpus))), [gpt.story_length(corpus[s:]) for s in starts])


def test_encode_and_decode_are_inverse_and_unknown_tokens_are_named():
    text = "the small birds slept on the sofa . they sang ."
    assert " ".join(gpt.decode(gpt.encode(text))) == text
    assert len(gpt.VOCABULARY) == len(set(gpt.VOCABULARY)) == 24
    with pytest.raises(ValueError, match="'kitten'"):
        gpt.encode("the kitten sat")


def test_best_possible_loss_counts_the_four_random_choices():
    window = gpt.encode("the big cat sat on the mat . it purred . the")          # 12 tokens
    inputs, targets = window[None, :-1], window[None, 1:]
    expected = (np.log(6) + np.log(6) + np.log(3) + np.log(4)) / 11                # adjective, animal, verb, place
    assert gpt.best_possible_loss(inputs, targets) == pytest.approx(expected)
    window = gpt.encode("the dogs sat on the bed . they barked . the cat")       # animal right after "the": 1/12
    expected = (np.log(12) + np.log(3) + np.log(4) + np.log(12)) / 11
    assert gpt.best_possible_loss(window[None, :-1], window[None, 1:]) == pytest.approx(expected)


# ----- the forward pass -----------------------------------------------------------------------------
def test_forward_is_the_course_attention_with_an_mlp_around_it(rng):
    params = jittered(gpt.CONFIG, 1)
    ids = gpt.encode("the cats sat on the mat . they purred .")
    n = len(ids)
    x = params["tok_emb"][ids] + params["pos_emb"][:n]
    h, _ = gpt.layer_norm(x, params["0.ln1_g"], params["0.ln1_b"])
    a, weights = al.multi_head_attention(h, params["0.W_q"], params["0.W_k"], params["0.W_v"], params["0.W_o"],
                                         n_heads=2, mask=al.causal_mask(n))
    x = x + a
    h, _ = gpt.layer_norm(x, params["0.ln2_g"], params["0.ln2_b"])
    x = x + np.maximum(h @ params["0.W_1"] + params["0.b_1"], 0) @ params["0.W_2"] + params["0.b_2"]
    y, _ = gpt.layer_norm(x, params["lnf_g"], params["lnf_b"])
    logits, cache = gpt.forward(params, ids)
    np.testing.assert_allclose(logits, y @ params["W_out"] + params["b_out"], atol=1e-12)
    np.testing.assert_allclose(cache["weights"][0], weights, atol=1e-12)


def test_layer_norm_rows_have_mean_0_and_variance_1(rng):
    x = rng.normal(size=(3, 5, 7)) * 4 + 2
    y, _ = gpt.layer_norm(x, np.ones(7), np.zeros(7))
    np.testing.assert_allclose(y.mean(axis=-1), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=-1), 1, atol=1e-4)


@pytest.mark.parametrize("causal", [True, False])
def test_only_the_unmasked_model_lets_a_later_token_change_earlier_logits(causal):
    params = jittered(gpt.CONFIG, 2)
    a = gpt.encode("the cat sat on the mat . it purred .")
    b = gpt.encode("the cat sat on the mat . it barked .")                       # token 8 differs
    la, lb = gpt.forward(params, a, causal=causal)[0], gpt.forward(params, b, causal=causal)[0]
    assert np.array_equal(la[:8], lb[:8]) == causal
    assert not np.allclose(la[8:], lb[8:])


def test_a_batch_gives_each_sequence_its_own_logits():
    params = jittered(SMALL, 3)
    ids = np.random.default_rng(0).integers(0, 24, size=(4, 6))
    batch = gpt.forward(params, ids)[0]
    for b in range(4):
        np.testing.assert_allclose(batch[b], gpt.forward(params, ids[b])[0], atol=1e-12)


@pytest.mark.parametrize("ids, error, fragment", [
    ([0, 1, 2], TypeError, "numpy array of whole numbers"),
    (np.array([0.0, 1.0]), TypeError, "numpy array of whole numbers"),
    (np.zeros((0,), dtype=int), ValueError, "T >= 1"),
    (np.zeros((2, 2, 2), dtype=int), ValueError, "shape (B, T) or (T,)"),
    (np.zeros(17, dtype=int), ValueError, "at most block_size = 16"),
    (np.array([0, 24]), ValueError, "token ids in 0..23"),
    (np.array([-1, 2]), ValueError, "token ids in 0..23"),
])
def test_bad_ids_get_an_error_naming_ids(ids, error, fragment):
    params = gpt.init_params()
    with pytest.raises(error, match="ids") as info:
        gpt.forward(params, ids)
    assert fragment in str(info.value)


# ----- the backward pass ----------------------------------------------------------------------------
def test_cross_entropy_of_an_even_spread_is_log_v_and_its_gradient_is_softmax_minus_one_hot(rng):
    loss, dlogits = gpt.cross_entropy(np.zeros((2, 3, 24)), np.zeros((2, 3), dtype=int))
    assert loss == pytest.approx(np.log(24))
    logits, targets = rng.normal(size=(2, 3, 5)), rng.integers(0, 5, size=(2, 3))
    _, dlogits = gpt.cross_entropy(logits, targets)
    np.testing.assert_allclose(dlogits, (al.softmax(logits) - np.eye(5)[targets]) / 6, atol=1e-14)


STEP = 1e-6                 # central differences in float64


def relative_error(ours, numerical):
    return np.abs(ours - numerical).max() / max(np.abs(numerical).max(), 1e-12)


def test_layer_norm_backward_matches_finite_differences(rng):
    x, g, b = rng.normal(size=(3, 6)), rng.normal(size=6), rng.normal(size=6)
    weights = rng.normal(size=(3, 6))                                            # loss = sum(weights * y)

    def loss():
        return float((weights * gpt.layer_norm(x, g, b)[0]).sum())

    dx, dg, db = gpt.layer_norm_backward(weights, gpt.layer_norm(x, g, b)[1])
    for ours, array in ((dx, x), (dg, g), (db, b)):
        assert relative_error(ours, numerical_gradient(loss, array, STEP)) < 1e-7


def test_mlp_backward_matches_finite_differences(rng):
    params = jittered(SMALL, 4)
    x, weights = rng.normal(size=(2, 5, 8)), rng.normal(size=(2, 5, 8))

    def loss():
        return float((weights * gpt.mlp(x, params, 0)[0]).sum())

    dx, grads = gpt.mlp_backward(weights, gpt.mlp(x, params, 0)[1], params, 0)
    assert relative_error(dx, numerical_gradient(loss, x, STEP)) < 1e-7
    for name, grad in grads.items():
        assert relative_error(grad, numerical_gradient(loss, params[name], STEP)) < 1e-7, name


def test_embedding_backward_adds_up_a_token_used_twice(rng):
    params = gpt.init_params(SMALL)
    ids = np.array([[3, 5, 3, 1]])
    dx = rng.normal(size=(1, 4, 8))
    grads = gpt.embedding_backward(dx, ids, params)
    np.testing.assert_allclose(grads["tok_emb"][3], dx[0, 0] + dx[0, 2])
    np.testing.assert_allclose(grads["tok_emb"][[0, 2, 4]], 0)
    np.testing.assert_allclose(grads["pos_emb"][:4], dx[0])
    np.testing.assert_allclose(grads["pos_emb"][4:], 0)


@pytest.mark.parametrize("n_layers", [1, 2])
@pytest.mark.parametrize("causal", [True, False])
def test_backward_matches_finite_differences_for_every_weight(n_layers, causal):
    config = dict(SMALL, n_layers=n_layers)
    params = jittered(config, 5)
    rng = np.random.default_rng(6)
    ids, targets = rng.integers(0, 24, size=(3, 6)), rng.integers(0, 24, size=(3, 6))
    _, grads = gpt.loss_and_grads(params, ids, targets, causal=causal)
    assert sorted(grads) == sorted(gpt.weight_names(params))

    def loss():
        return gpt.loss_and_grads(params, ids, targets, causal=causal)[0]

    for name in gpt.weight_names(params):
        assert grads[name].shape == params[name].shape
        assert relative_error(grads[name], numerical_gradient(loss, params[name], STEP)) < 1e-6, name


# ----- training -------------------------------------------------------------------------------------
def test_train_runs_the_notebooks_loop_and_is_deterministic():
    params_a, losses_a = gpt.train(steps=5)
    params_b, losses_b = gpt.train(steps=5)
    stream = gpt.encode(gpt.make_corpus(gpt.TRAINING["n_stories"], seed=0))       # the notebook's loop
    starts = gpt.story_starts(stream)
    params = gpt.init_params(gpt.CONFIG, seed=0)
    rng = np.random.default_rng([0, 1])
    adam = gpt.adam_state(params)
    losses = []
    for _ in range(5):
        inputs, targets = gpt.get_batch(stream, starts, 32, gpt.BLOCK_SIZE, rng)
        logits, cache = gpt.forward(params, inputs)
        loss, dlogits = gpt.cross_entropy(logits, targets)
        gpt.adam_step(params, gpt.backward(params, cache, dlogits), adam, lr=gpt.TRAINING["lr"])
        losses.append(loss)
    np.testing.assert_array_equal(losses_a, losses_b)
    np.testing.assert_array_equal(losses_a, losses)
    for name in gpt.weight_names(params):
        np.testing.assert_array_equal(params_a[name], params_b[name])
        np.testing.assert_array_equal(params_a[name], params[name])


def test_batches_start_with_a_story_and_targets_are_the_next_tokens():
    stream = gpt.encode(gpt.make_corpus(100, seed=1))
    inputs, targets = gpt.get_batch(stream, gpt.story_starts(stream), 8, 16, np.random.default_rng(0))
    assert inputs.shape == targets.shape == (8, 16)
    np.testing.assert_array_equal(inputs[:, 1:], targets[:, :-1])
    assert all(gpt.story_length(gpt.decode(row)) > 0 for row in np.column_stack([inputs, targets[:, -1]]))


def test_the_trained_model_learns_both_rules_and_nears_the_best_loss(trained):
    params, losses = trained
    inputs, targets = gpt.held_out_windows()
    best = gpt.best_possible_loss(inputs, targets)
    assert losses[0] > 3.0 > losses[-50:].mean()
    assert best < gpt.evaluate(params) < best + 0.05
    assert gpt.rule_accuracy(params) == {"pronoun": 1.0, "sound": 1.0}
    untrained = gpt.rule_accuracy(gpt.init_params())
    assert untrained["pronoun"] < 0.9 and untrained["sound"] < 0.9


def test_without_the_mask_the_loss_drops_below_the_possible_and_writing_fails(trained, peeker):
    params, _ = trained
    peeking, losses = peeker
    inputs, targets = gpt.held_out_windows()
    assert losses[-50:].mean() < 0.2 < gpt.best_possible_loss(inputs, targets)
    assert gpt.evaluate(peeking, causal=False) < 0.2
    assert gpt.evaluate(peeking, causal=True) > 2.0
    assert gpt.rule_accuracy(peeking)["sound"] < 0.5
    good = [gpt.story_length(gpt.decode(ids)) > 0 for ids in gpt.write_samples(params, "the", 20, seed=0)]
    bad = [gpt.story_length(gpt.decode(ids)) > 0 for ids in gpt.write_samples(peeking, "the", 20, seed=0)]
    assert sum(good) >= 17 and sum(bad) <= 2


# ----- temperature, top-k, sampling -----------------------------------------------------------------
def test_temperature_and_top_k_by_hand(rng):
    logits = rng.normal(size=10) * 3
    for T, k in ((0.5, 3), (2.0, 10), (1.0, 1), (0.1, 7)):
        keep = np.argsort(-logits)[:k]
        expected = np.zeros(10)
        expected[keep] = np.exp(logits[keep] / T) / np.exp(logits[keep] / T).sum()
        np.testing.assert_allclose(gpt.apply_temperature_and_top_k(logits, T, k), expected, atol=1e-12)
    np.testing.assert_allclose(gpt.apply_temperature_and_top_k(logits, 1.3), al.softmax(logits / 1.3))


def test_temperature_keeps_the_order_and_sharpens_or_flattens(rng):
    logits = rng.normal(size=8)
    cold, hot = gpt.apply_temperature_and_top_k(logits, 0.5), gpt.apply_temperature_and_top_k(logits, 4.0)
    normal = gpt.apply_temperature_and_top_k(logits)
    assert np.array_equal(np.argsort(cold), np.argsort(hot))
    assert cold.max() > normal.max() > hot.max()


def test_top_k_keeps_ties_and_handles_rows():
    logits = np.array([1.0, 3.0, 2.0, 2.0, 0.0])
    np.testing.assert_allclose(gpt.apply_temperature_and_top_k(logits, 1.0, 2) > 0, [0, 1, 1, 1, 0])
    rows = np.stack([logits, logits[::-1]])
    np.testing.assert_allclose(gpt.apply_temperature_and_top_k(rows, 0.7, 1), [[0, 1, 0, 0, 0], [0, 0, 0, 1, 0]])


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"logits": [1.0, 2.0]}, TypeError, "logits"),
    ({"temperature": 0}, ValueError, "temperature"),
    ({"temperature": "hot"}, TypeError, "temperature"),
    ({"top_k": 0}, ValueError, "top_k must be from 1 to 4"),
    ({"top_k": 5}, ValueError, "top_k must be from 1 to 4"),
    ({"top_k": 2.0}, TypeError, "top_k"),
    ({"top_k": True}, TypeError, "top_k"),
])
def test_bad_sampling_arguments_are_named(kwargs, error, fragment):
    args = {"logits": np.zeros(4), "temperature": 1.0, "top_k": None} | kwargs
    with pytest.raises(error, match=fragment):
        gpt.apply_temperature_and_top_k(**args)


def test_sampling_follows_the_probabilities_and_the_seed():
    logits = np.log(np.array([0.5, 0.3, 0.2, 1e-9]))
    draws = [gpt.sample_next(logits, rng=np.random.default_rng(s)) for s in range(3000)]
    np.testing.assert_allclose(np.bincount(draws, minlength=4) / 3000, [0.5, 0.3, 0.2, 0.0], atol=0.03)
    assert gpt.sample_next(logits, 1.0, None, np.random.default_rng(9)) == gpt.sample_next(
        logits, 1.0, None, np.random.default_rng(9))
    assert {gpt.sample_next(logits, 0.01, None, np.random.default_rng(s)) for s in range(50)} == {0}
    assert {gpt.sample_next(logits, 5.0, 1, np.random.default_rng(s)) for s in range(50)} == {0}
    with pytest.raises(TypeError, match="rng"):
        gpt.sample_next(logits, rng=3)


# ----- writing, with and without the cache ----------------------------------------------------------
@pytest.mark.parametrize("prompt, n_new, temperature, top_k", [
    ("the", 15, None, None), ("the big dog", 13, None, None), ("the", 15, 1.0, None), ("the cats", 10, 2.0, 5),
])
def test_the_kv_cache_writes_the_same_text(trained, prompt, n_new, temperature, top_k):
    params, _ = trained
    ids_a, steps_a = gpt.generate(params, prompt, n_new, temperature, top_k, seed=3)
    ids_b, steps_b = gpt.generate_with_cache(params, prompt, n_new, temperature, top_k, seed=3)
    np.testing.assert_array_equal(ids_a, ids_b)
    for a, b in zip(steps_a, steps_b):
        np.testing.assert_allclose(a["logits"], b["logits"], atol=1e-10)
        np.testing.assert_allclose(a["weights"], b["weights"], atol=1e-12)


def test_each_steps_attention_row_is_the_row_of_the_finished_text(trained):
    params, _ = trained
    ids, steps = gpt.generate(params, "the big dog", 8)
    weights = gpt.forward(params, ids)[1]["weights"][0]                         # (H, n, n)
    for s, step in enumerate(steps):
        t = 3 + s                                                                # context length at step s
        np.testing.assert_allclose(step["weights"][0], weights[:, t - 1, :t], atol=1e-12)
    assert np.allclose(np.triu(weights, k=1), 0)


def test_write_samples_is_generate_with_cache_for_each_seed(trained):
    params, _ = trained
    for prompt, T, k in (("the", 1.0, None), ("the cat sat on the mat . it", 3.0, 4), ("the big", 0.3, None)):
        samples = gpt.write_samples(params, prompt, 4, T, k, seed=10)
        n = len(prompt.split())
        for i, ids in enumerate(samples):
            alone, _ = gpt.generate_with_cache(params, prompt, 17 - n, T, k, seed=10 + i, stop_at_story_end=True)
            np.testing.assert_array_equal(ids, alone)


def test_stop_at_story_end_stops_after_the_second_period(trained):
    params, _ = trained
    ids, _ = gpt.generate_with_cache(params, "the", 15, stop_at_story_end=True)
    tokens = gpt.decode(ids)
    assert tokens.count(".") == 2 and tokens[-1] == "." and gpt.story_length(tokens) == len(tokens)


def test_prompts_that_do_not_fit_are_refused():
    params = gpt.init_params()
    with pytest.raises(ValueError, match="block_size"):
        gpt.generate(params, "the big dog", 15)
    with pytest.raises(ValueError, match="at least one token"):
        gpt.generate(params, [], 3)
    with pytest.raises(ValueError, match="n_new"):
        gpt.generate_with_cache(params, "the", 0)


@pytest.mark.parametrize("config", [gpt.CONFIG, dict(SMALL, n_layers=2)], ids=["course", "two layers"])
@pytest.mark.parametrize("n_prompt, n_new", [(1, 5), (3, 4), (4, 1)])
def test_multiply_add_formula_equals_the_count(config, n_prompt, n_new):
    params = jittered(config, 7)
    prompt = gpt.encode(["the", "big", "dog", "sat"][:n_prompt])
    for cache, write in ((False, gpt.generate), (True, gpt.generate_with_cache)):
        with gpt.MultiplyAdds() as count:
            write(params, prompt, n_new)
        assert count.total == gpt.multiply_adds(config, n_prompt, n_new, cache=cache)
    assert gpt.multiply_adds(config, n_prompt, n_new, True) <= gpt.multiply_adds(config, n_prompt, n_new, False)


def test_the_cache_saves_more_the_longer_the_text():
    ratios = [gpt.multiply_adds(gpt.CONFIG, 1, n, False) / gpt.multiply_adds(gpt.CONFIG, 1, n, True)
              for n in (2, 8, 15)]
    assert 1 < ratios[0] < ratios[1] < ratios[2]
