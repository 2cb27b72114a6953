"""The tiny GPT of notebook 11 against the same model in PyTorch: logits, loss and every gradient (float64).

Needs PyTorch (a CPU build is enough); without it these tests are skipped, saying why. The PyTorch
model is written independently from lesson11.py: ``torch.nn.functional.layer_norm``,
``scaled_dot_product_attention`` (boolean ``attn_mask``, True = may attend, like attn_lib),
``relu``, ``cross_entropy``, and autograd for the backward pass.
"""

import numpy as np
import pytest
from _references import import_reference

torch = import_reference("torch", "the tiny GPT's reference tests need `pip install torch` (a CPU build is enough)")
F = torch.nn.functional

from attn_lib.lessons import lesson11 as gpt

TOLERANCE = 1e-10


def torch_loss(weights, ids, targets, config, causal):
    """The tiny GPT in PyTorch: returns (logits, mean cross-entropy)."""
    B, T = ids.shape
    d, H = config["d_model"], config["n_heads"]
    ids, targets = torch.from_numpy(ids), torch.from_numpy(targets)
    x = weights["tok_emb"][ids] + weights["pos_emb"][:T]                               # (B, T, d)
    mask = torch.ones(T, T, dtype=torch.bool).tril() if causal else None
    for layer in range(config["n_layers"]):
        w = {name.split(".", 1)[1]: value for name, value in weights.items() if name.startswith(f"{layer}.")}
        h = F.layer_norm(x, (d,), w["ln1_g"], w["ln1_b"], eps=1e-5)
        q, k, v = (torch.matmul(h, w[m]).view(B, T, H, d // H).transpose(1, 2) for m in ("W_q", "W_k", "W_v"))
        heads = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)                # (B, H, T, d_head)
        x = x + heads.transpose(1, 2).reshape(B, T, d) @ w["W_o"]
        h = F.layer_norm(x, (d,), w["ln2_g"], w["ln2_b"], eps=1e-5)
        x = x + F.relu(h @ w["W_1"] + w["b_1"]) @ w["W_2"] + w["b_2"]
    y = F.layer_norm(x, (d,), weights["lnf_g"], weights["lnf_b"], eps=1e-5)
    logits = y @ weights["W_out"] + weights["b_out"]                                     # (B, T, V)
    return logits, F.cross_entropy(logits.reshape(B * T, -1), targets.reshape(-1))


@pytest.mark.parametrize("n_layers", [1, 2])
@pytest.mark.parametrize("causal", [True, False])
def test_logits_loss_and_every_gradient_match_torch(n_layers, causal):
    config = dict(gpt.CONFIG, n_layers=n_layers)
    params = gpt.init_params(config, seed=n_layers)
    rng = np.random.default_rng(10 + n_layers)
    for name in gpt.weight_names(params):                        # move gains and biases off 1 and 0
        params[name] = params[name] + 0.1 * rng.standard_normal(params[name].shape)
    ids, targets = rng.integers(0, 24, size=(4, 16)), rng.integers(0, 24, size=(4, 16))

    logits, cache = gpt.forward(params, ids, causal=causal)
    loss, dlogits = gpt.cross_entropy(logits, targets)
    grads = gpt.backward(params, cache, dlogits)

    weights = {name: torch.tensor(params[name], dtype=torch.float64, requires_grad=True)
               for name in gpt.weight_names(params)}
    torch_logits, torch_value = torch_loss(weights, ids, targets, config, causal)
    torch_value.backward()
    np.testing.assert_allclose(logits, torch_logits.detach().numpy(), rtol=0, atol=TOLERANCE)
    assert loss == pytest.approx(torch_value.item(), abs=TOLERANCE)
    for name, tensor in weights.items():
        np.testing.assert_allclose(grads[name], tensor.grad.numpy(), rtol=0, atol=TOLERANCE, err_msg=name)


def test_the_trained_models_writing_matches_torch_step_by_step():
    """Greedy writing with the KV cache picks, at every step, the token PyTorch's full forward pass picks."""
    params, _ = gpt.train(steps=100)
    weights = {name: torch.tensor(params[name], dtype=torch.float64) for name in gpt.weight_names(params)}
    ids, steps = gpt.generate_with_cache(params, "the big dog", 13)
    for s, step in enumerate(steps):
        context = ids[None, :3 + s]                                                      # (1, t)
        torch_logits, _ = torch_loss(weights, context, np.zeros_like(context), gpt.CONFIG, causal=True)
        np.testing.assert_allclose(step["logits"], torch_logits[0, -1].numpy(), rtol=0, atol=TOLERANCE)
