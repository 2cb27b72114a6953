"""attn_lib.lessons.lesson10: the grammar, the one-layer model, its loss and gradients, training, and the
measurements notebook 10 prints. The model is recomputed here with plain numpy (no attn_lib attention),
and every gradient is checked against finite differences."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import attn_lib as al
from attn_lib.lessons import lesson10 as L


@pytest.fixture(scope="module")
def history():
    """The notebook's training run (about a second)."""
    return L.train()


@pytest.fixture(scope="module")
def new_sentences():
    return L.make_sentences(300, seed=1)


def jittered(seed=0, d=6):
    """Small random weights with W_q and W_k as large as the others, so attention is far from even."""
    params = L.init_params(d=d, seed=seed)
    rng = np.random.default_rng(seed)
    params["W_q"] = rng.normal(0, 0.5, params["W_q"].shape)
    params["W_k"] = rng.normal(0, 0.5, params["W_k"].shape)
    return params


def plain_forward(params, inputs, scale=True):
    """The model written out with loops over sentences and an explicit causal softmax."""
    B, n = inputs.shape
    d = params["E"].shape[1]
    logits = np.zeros((B, n, len(L.VOCABULARY)))
    for b in range(B):
        X = params["E"][inputs[b]]
        Q, K, V = X @ params["W_q"], X @ params["W_k"], X @ params["W_v"]
        S = Q @ K.T / (np.sqrt(d) if scale else 1.0)
        S[np.triu_indices(n, 1)] = -np.inf                       # word i sees words 0..i
        W = np.exp(S - S.max(axis=1, keepdims=True))
        W /= W.sum(axis=1, keepdims=True)
        logits[b] = (X + W @ V) @ params["W_out"]
    return logits


# ----- the grammar ----------------------------------------------------------------------------------
def test_every_sentence_follows_the_grammar():
    for sentence in L.make_sentences(400, seed=5):
        assert 9 <= len(sentence) <= 11
        assert sentence[0] == "The" and sentence[-3:-1] == ["and", "it"]
        i = L.animal_position(sentence)
        assert i == (2 if sentence[1] in L.ANIMAL_ADJECTIVES else 1)
        assert sentence[-1] == L.ANIMALS[sentence[i]]
        assert sentence[i + 1] in L.VERBS and sentence[i + 2] in L.PREPOSITIONS and sentence[i + 3] == "the"
        assert sentence[-4] in L.THINGS
        assert all(word in L.WORD_ID for word in sentence)


def test_sentences_are_seeded_and_cover_every_choice():
    assert L.make_sentences(50, seed=2) == L.make_sentences(50, seed=2)
    assert L.make_sentences(50, seed=2) != L.make_sentences(50, seed=3)
    words = {w for s in L.make_sentences(512, seed=3) for w in s}
    assert words == set(L.VOCABULARY)
    assert len(L.VOCABULARY) == len(set(L.VOCABULARY)) == 33


def test_encode_pads_at_the_end_and_counts_only_real_words():
    sentences = [list(L.EXAMPLE), ["The", "cat", "sat", "on", "the", "mat", "and", "it", "purred"]]
    ids, lengths = L.encode(sentences)
    assert ids.shape == (2, 11) and lengths.tolist() == [11, 9]
    assert [L.VOCABULARY[i] for i in ids[1, :9]] == sentences[1] and (ids[1, 9:] == 0).all()
    inputs, targets, counted = L.inputs_and_targets(ids, lengths)
    assert inputs.shape == targets.shape == counted.shape == (2, 10)
    assert counted.sum(axis=1).tolist() == [10, 8]
    assert (targets[1, :8] == ids[1, 1:9]).all()


@pytest.mark.parametrize("sentences, error, match", [
    ("The cat", TypeError, "sentences must be a non-empty list"),
    ([], TypeError, "sentences must be a non-empty list"),
    (["The cat"], TypeError, "each sentence must be a list"),
    ([["The"]], TypeError, "at least 2 words"),
    ([["The", "zebra"]], ValueError, "'zebra'"),
])
def test_encode_bad_input_names_the_problem(sentences, error, match):
    with pytest.raises(error, match=match):
        L.encode(sentences)


def test_the_grammar_table_and_the_lowest_possible_loss():
    table = L.next_word_probabilities()
    used = [L.WORD_ID[w] for w in L.VOCABULARY if w not in L.ANIMALS.values()]
    np.testing.assert_allclose(table[used].sum(axis=1), 1.0)
    # The same number from the sentences themselves: -log p under the grammar, 0 after "it".
    total, count = 0.0, 0
    for sentence in L.make_sentences(20000, seed=11):
        for a, b in itertools.pairwise(sentence):
            total += 0.0 if a == "it" else -np.log(table[L.WORD_ID[a], L.WORD_ID[b]])
            count += 1
    assert L.lowest_possible_loss() == pytest.approx(total / count, abs=0.01)
    by_hand = (0.5 * np.log(6) + 0.5 * np.log(12) + 0.5 * np.log(6) + np.log(4) + np.log(3)
               + 0.5 * np.log(6) + 0.5 * np.log(8) + 0.5 * np.log(4)) / 9
    assert L.lowest_possible_loss() == pytest.approx(by_hand, rel=1e-12)


# ----- the model ------------------------------------------------------------------------------------
@pytest.mark.parametrize("scale", [True, False])
def test_forward_matches_a_plain_numpy_model(scale):
    ids, lengths = L.encode(L.make_sentences(6, seed=4))
    inputs, _, _ = L.inputs_and_targets(ids, lengths)
    params = jittered()
    logits, cache = L.forward(params, inputs, scale=scale)
    np.testing.assert_allclose(logits, plain_forward(params, inputs, scale), rtol=1e-10, atol=1e-12)
    assert cache["weights"].shape == (6, 10, 10)
    one, _ = L.forward(params, inputs[0], scale=scale)                     # a single sentence, (n,)
    np.testing.assert_allclose(one, logits[0], rtol=1e-12, atol=1e-12)


def test_the_model_is_causal():
    params = jittered(seed=1)
    a = np.array(L.encode([list(L.EXAMPLE)])[0][0, :-1])
    b = a.copy()
    b[-1] = L.WORD_ID["cat"]                                               # change the last word only
    la, lb = L.forward(params, a)[0], L.forward(params, b)[0]
    np.testing.assert_array_equal(la[:-1], lb[:-1])
    assert not np.allclose(la[-1], lb[-1])


def test_untrained_attention_is_almost_even():
    weights = L.example_weights(L.init_params(seed=3))
    n = weights.shape[0]
    even = np.tril(np.ones((n, n))) / np.arange(1, n + 1)[:, None]
    np.testing.assert_allclose(weights, even, atol=0.01)


@pytest.mark.parametrize("params, inputs, error, match", [
    ({"E": np.zeros((33, 4))}, np.array([1, 2]), TypeError, "params must be a dict"),
    (None, np.array([1, 2]), TypeError, "params must be a dict"),
    ("init", np.array([1.5, 2.0]), TypeError, "inputs must be word ids"),
    ("init", np.array([1, 33]), ValueError, "from 0 to 32"),
    ("init", np.array([-1, 3]), ValueError, "from 0 to 32"),
])
def test_forward_bad_input_names_the_argument(params, inputs, error, match):
    params = L.init_params(d=4) if params == "init" else params
    with pytest.raises(error, match=match):
        L.forward(params, inputs)


def test_cross_entropy_is_the_mean_of_minus_log_p_and_its_gradient_is_p_minus_y():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 4, 33))
    targets = rng.integers(0, 33, size=(3, 4))
    counted = np.array([[1, 1, 1, 0], [1, 1, 0, 0], [1, 1, 1, 1]], dtype=bool)
    loss, dlogits = L.cross_entropy(logits, targets, counted)
    p = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    minus_log_p = -np.log(np.take_along_axis(p, targets[..., None], axis=-1)[..., 0])
    assert loss == pytest.approx(minus_log_p[counted].mean(), rel=1e-12)
    for index in [(0, 0, 5), (1, 1, int(targets[1, 1])), (2, 3, 0)]:
        nudged = L.finite_difference(lambda: L.cross_entropy(logits, targets, counted)[0], logits, index)
        assert dlogits[index] == pytest.approx(nudged, rel=1e-6, abs=1e-10)
    assert (dlogits[~counted] == 0).all()


@pytest.mark.parametrize("scale", [True, False])
def test_backward_matches_finite_differences_for_every_weight(scale):
    ids, lengths = L.encode(L.make_sentences(5, seed=8))
    inputs, targets, counted = L.inputs_and_targets(ids, lengths)
    params = jittered(seed=2)

    def loss():
        return L.cross_entropy(L.forward(params, inputs, scale=scale)[0], targets, counted)[0]

    logits, cache = L.forward(params, inputs, scale=scale)
    grads = L.backward(params, inputs, cache, L.cross_entropy(logits, targets, counted)[1], scale=scale)
    rng = np.random.default_rng(3)
    for name, weight in params.items():
        assert grads[name].shape == weight.shape
        used = np.unique(inputs) if name == "E" else np.arange(weight.shape[0])   # rows that can matter
        for _ in range(6):
            index = (int(rng.choice(used)), int(rng.integers(weight.shape[1])))
            nudged = L.finite_difference(loss, weight, index)
            assert grads[name][index] == pytest.approx(nudged, rel=1e-6, abs=1e-9), (name, index)


def test_padding_changes_no_gradient():
    a = L.make_sentences(1, seed=1)[0]
    b = next(s for s in L.make_sentences(50, seed=2) if len(s) > len(a))
    params = jittered(seed=4)
    loss_ab, _, grads_ab = L.loss_and_gradients(params, *L.encode([a, b]))
    parts = [L.loss_and_gradients(params, *L.encode([s])) for s in (a, b)]
    counts = np.array([len(a) - 1, len(b) - 1])
    assert loss_ab == pytest.approx((counts * [p[0] for p in parts]).sum() / counts.sum(), rel=1e-12)
    for name in params:
        combined = (counts[0] * parts[0][2][name] + counts[1] * parts[1][2][name]) / counts.sum()
        np.testing.assert_allclose(grads_ab[name], combined, rtol=1e-9, atol=1e-13)


def test_backward_matches_torch_autograd():
    from _references import import_reference
    torch = import_reference("torch", "lesson10's model gradient is compared with torch.autograd when installed")
    ids, lengths = L.encode(L.make_sentences(4, seed=6))
    inputs, targets, counted = L.inputs_and_targets(ids, lengths)
    params = jittered(seed=5)
    logits, cache = L.forward(params, inputs)
    grads = L.backward(params, inputs, cache, L.cross_entropy(logits, targets, counted)[1])
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    X = t["E"][torch.tensor(inputs)]
    n = inputs.shape[1]
    mask = torch.ones(n, n, dtype=torch.bool).tril()
    A = torch.nn.functional.scaled_dot_product_attention(X @ t["W_q"], X @ t["W_k"], X @ t["W_v"], attn_mask=mask)
    out = (X + A) @ t["W_out"]
    log_p = torch.log_softmax(out, dim=-1).gather(-1, torch.tensor(targets)[..., None])[..., 0]
    loss = -(log_p * torch.tensor(counted)).sum() / counted.sum()
    loss.backward()
    for name in params:
        np.testing.assert_allclose(grads[name], t[name].grad.numpy(), rtol=0, atol=1e-10, err_msg=name)


# ----- training -------------------------------------------------------------------------------------
def test_training_is_deterministic_and_saves_every_step(history):
    again = L.train()
    np.testing.assert_array_equal(again["losses"], history["losses"])
    np.testing.assert_array_equal(again["weights"], history["weights"])
    assert history["blew_up_at"] is None
    assert history["steps"].tolist() == list(range(201)) and history["weights"].shape == (201, 10, 10)
    assert len(history["losses"]) == len(history["sound_losses"]) == 200
    assert history["tokens"] == list(L.EXAMPLE[:-1])
    np.testing.assert_allclose(history["weights"][0], L.example_weights(L.init_params(seed=3)))
    np.testing.assert_allclose(history["weights"][-1], L.example_weights(history["params"]))


def test_train_is_the_notebooks_loop(history):
    sentences = L.make_sentences(512, seed=3)
    ids, lengths = L.encode(sentences)
    params = L.init_params(seed=3)
    rng = np.random.default_rng([3, 1])
    losses = []
    for _ in range(20):
        batch = rng.choice(len(sentences), size=64, replace=False)
        inputs, targets, counted = L.inputs_and_targets(ids[batch], lengths[batch])
        logits, cache = L.forward(params, inputs)
        loss, dlogits = L.cross_entropy(logits, targets, counted)
        grads = L.backward(params, inputs, cache, dlogits)
        for name in params:
            params[name] -= 2.0 * grads[name]
        losses.append(loss)
    short = L.train(steps=20)
    np.testing.assert_allclose(short["losses"], losses, rtol=1e-12)
    np.testing.assert_allclose(short["losses"], history["losses"][:20], rtol=1e-12)
    for name in params:
        np.testing.assert_allclose(short["params"][name], params[name], rtol=1e-12, atol=1e-14)


def test_training_learns_the_intended_pattern(history, new_sentences):
    losses, sound = history["losses"], history["sound_losses"]
    assert losses[0] > 3.5 and losses[-20:].mean() < L.lowest_possible_loss() + 0.05
    assert sound[10:20].mean() == pytest.approx(np.log(6), abs=0.15)      # the plateau: six sounds, no look back
    assert sound[-20:].mean() < 0.02
    on_dog = history["weights"][:, 9, 2]
    assert on_dog[0] == pytest.approx(0.1, abs=0.01) and on_dog[20] < 0.15 and on_dog[-1] > 0.95
    on_animal = L.attention_on_animal(history["params"], new_sentences)
    assert on_animal.min() > 0.75 and on_animal.mean() > 0.9
    assert min(L.attention_by_animal(history["params"], new_sentences).values()) > 0.8
    assert L.sound_accuracy(history["params"], new_sentences) == 1.0
    assert L.sound_accuracy(L.init_params(seed=3), new_sentences) < 0.5


def test_ten_times_the_learning_rate_and_no_scaling_blow_up():
    fast = L.train(lr=20.0)
    assert fast["blew_up_at"] is not None and fast["blew_up_at"] <= 6
    assert len(fast["losses"]) == fast["blew_up_at"] and fast["losses"][-1] > 1e3
    assert fast["weights"].shape[0] == fast["blew_up_at"]                 # frames 0 .. blew_up_at - 1
    unscaled = L.train(scale=False)
    assert unscaled["blew_up_at"] is not None and unscaled["blew_up_at"] > fast["blew_up_at"]
    slow = L.train(lr=0.2, steps=40)
    assert slow["blew_up_at"] is None and slow["sound_losses"][-1] > 1.0  # a tenth: no pattern yet


@pytest.mark.parametrize("kwargs, error, match", [
    ({"steps": 0}, ValueError, "steps"),
    ({"lr": -1.0}, ValueError, "lr"),
    ({"lr": "fast"}, TypeError, "lr"),
    ({"scale": 1}, TypeError, "scale"),
    ({"batch_size": 600}, ValueError, "batch_size must be at most"),
    ({"save_every": 0}, ValueError, "save_every"),
    ({"seed": -2}, ValueError, "seed"),
])
def test_train_bad_input_names_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        L.train(**kwargs)


# ----- the pattern we want, and the small tools -----------------------------------------------------
def test_intended_row_and_animal_position():
    row = L.intended_row(L.EXAMPLE)
    assert row.shape == (10,) and row[2] == 1.0 and row.sum() == 1.0
    with pytest.raises(ValueError, match="one of the animals"):
        L.animal_position(["The", "mat"])
    with pytest.raises(ValueError, match="'it'"):
        L.intended_row(["The", "dog", "sat"])


def test_finite_difference_measures_a_slope_and_restores_the_array():
    x = np.array([1.0, 2.0, 3.0])
    slope = L.finite_difference(lambda: float((x ** 3).sum()), x, (1,))
    assert slope == pytest.approx(12.0, rel=1e-8)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="float64"):
        L.finite_difference(lambda: 0.0, np.array([1, 2]), (0,))


def test_relative_error_and_error_bound():
    assert L.relative_error([1.0, 2.0], [1.0, 2.002]) == pytest.approx(0.001, rel=1e-3)
    assert L.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match="shape"):
        L.relative_error(np.zeros(3), np.zeros(4))
    assert L.error_bound(3e-9) == pytest.approx(1e-8) and L.error_bound(1e-8) == pytest.approx(1e-8)
    assert L.error_bound(0.0) == pytest.approx(1e-16)
    with pytest.raises(ValueError, match="error"):
        L.error_bound(float("nan"))


def test_the_library_softmax_backward_is_what_the_notebook_derives():
    rng = np.random.default_rng(0)
    s, g = rng.normal(size=5), rng.normal(size=5)
    w = al.softmax(s)
    jacobian = np.diag(w) - np.outer(w, w)
    np.testing.assert_allclose(al.softmax_backward(w, g), jacobian.T @ g, rtol=1e-12, atol=1e-15)
    y = np.eye(5)[2]
    np.testing.assert_allclose(al.softmax_backward(w, -y / w), w - y, rtol=1e-12, atol=1e-15)
