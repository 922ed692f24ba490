"""course/tiny_model.py: the seeded decoder that 06_efficient_inference serves.

Deterministic weights, shapes, the cache interface (update(layer, k_new, v_new) -> (k_all, v_all)),
position offsets, sliding-window masks, and that the module itself holds no cache solution.
"""
import inspect

import pytest
import torch

from course import tiny_model
from course.tiny_model import PerLayerCache, TinyConfig, TinyDecoder, generate_greedy


class _ListCache:
    """A minimal cache for these tests (the course module must not ship one)."""

    def __init__(self, n_layers, window=None):
        self.k, self.v, self.window = [None] * n_layers, [None] * n_layers, window
        self.calls = []

    def update(self, layer, k_new, v_new):
        self.calls.append((layer, tuple(k_new.shape)))
        self.k[layer] = k_new if self.k[layer] is None else torch.cat([self.k[layer], k_new], -2)
        self.v[layer] = v_new if self.v[layer] is None else torch.cat([self.v[layer], v_new], -2)
        if self.window is not None:
            self.k[layer], self.v[layer] = self.k[layer][..., -self.window:, :], self.v[layer][..., -self.window:, :]
        return self.k[layer], self.v[layer]


def _ids(shape, seed=0, vocab=96):
    return torch.randint(0, vocab, shape, generator=torch.Generator().manual_seed(seed))


def test_weights_are_deterministic_and_seeded():
    a, b, c = TinyDecoder(), TinyDecoder(), TinyDecoder(seed=1)
    for (name, pa), (_, pb), (_, pc) in zip(a.named_parameters(), b.named_parameters(), c.named_parameters()):
        assert torch.equal(pa, pb), f"{name} differs between two TinyDecoder() constructions"
    assert not torch.equal(a.head.weight, c.head.weight), "a different seed should give different weights"
    x = _ids((2, 7))
    assert torch.equal(a(x), b(x))


def test_construction_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    TinyDecoder(TinyConfig(n_layers=3))
    assert torch.equal(torch.rand(3), expected)


def test_shapes_eval_mode_and_no_grad():
    cfg = TinyConfig(vocab_size=50, d_model=32, n_layers=3, n_heads=4, n_kv_heads=1, max_seq_len=40)
    model = TinyDecoder(cfg)
    assert not model.training and model.n_layers == 3 and cfg.d_head == 8
    assert all(not p.requires_grad for p in model.parameters())
    logits = model(_ids((3, 11), vocab=50))
    assert logits.shape == (3, 11, 50) and logits.dtype == torch.float32
    assert model.double()(_ids((1, 4), vocab=50)).dtype == torch.float64


def test_config_overrides_and_validation():
    assert TinyDecoder(TinyConfig(), n_layers=4).config.n_layers == 4
    with pytest.raises(ValueError):
        TinyConfig(d_model=30, n_heads=4)
    with pytest.raises(ValueError):
        TinyConfig(n_heads=4, n_kv_heads=3)
    with pytest.raises(ValueError):
        TinyConfig(window=0)


def test_forward_is_causal():
    model = TinyDecoder()
    x = _ids((2, 10))
    y = x.clone()
    y[:, 6:] = (y[:, 6:] + 1) % 96                    # change only the future of position 5
    assert torch.allclose(model(x)[:, :6], model(y)[:, :6], atol=1e-6)
    assert not torch.allclose(model(x)[:, 6:], model(y)[:, 6:])


def test_cache_interface_and_logits_match_recomputation():
    model = TinyDecoder()
    seq = _ids((2, 20), seed=1)
    full = model(seq)
    cache = _ListCache(model.n_layers)
    parts = [model(seq[:, :7], cache=cache, pos_offset=0)]
    parts += [model(seq[:, t:t + 1], cache=cache, pos_offset=t) for t in range(7, 20)]
    torch.testing.assert_close(torch.cat(parts, 1), full, rtol=1e-4, atol=1e-4)
    cfg = model.config
    assert cache.calls[0] == (0, (2, cfg.n_kv_heads, 7, cfg.d_head))
    assert cache.calls[1] == (1, (2, cfg.n_kv_heads, 7, cfg.d_head))
    assert cache.calls[2] == (0, (2, cfg.n_kv_heads, 1, cfg.d_head))
    assert cache.k[0].shape == (2, cfg.n_kv_heads, 20, cfg.d_head)


def test_attention_matches_a_plain_causal_reference():
    """One block's attention equals a hand-written GQA causal attention (independent of SDPA masks)."""
    model = TinyDecoder(TinyConfig(n_layers=1))
    block, cfg = model.blocks[0], model.config
    x = torch.randn(2, 9, cfg.d_model, generator=torch.Generator().manual_seed(2))
    q = block.w_q(x).view(2, 9, cfg.n_heads, cfg.d_head).transpose(1, 2)
    k = block.w_k(x).view(2, 9, cfg.n_kv_heads, cfg.d_head).transpose(1, 2)
    v = block.w_v(x).view(2, 9, cfg.n_kv_heads, cfg.d_head).transpose(1, 2)
    group = cfg.n_heads // cfg.n_kv_heads
    k, v = k.repeat_interleave(group, 1), v.repeat_interleave(group, 1)
    scores = q @ k.transpose(-2, -1) / cfg.d_head ** 0.5
    scores = scores.masked_fill(torch.ones(9, 9, dtype=torch.bool).triu(1), float("-inf"))
    out = (scores.softmax(-1) @ v).transpose(1, 2).reshape(2, 9, -1)
    torch.testing.assert_close(block.attention(x, None, 0), block.w_o(out), rtol=1e-5, atol=1e-5)


def test_generate_greedy_shapes_and_equivalence():
    model = TinyDecoder()
    prompt = _ids((3, 5), seed=3)
    out = generate_greedy(model, prompt, 12)
    assert out.shape == (3, 17) and out.dtype == torch.long and torch.equal(out[:, :5], prompt)
    step = prompt
    for _ in range(12):                                   # the definition of greedy decoding
        step = torch.cat([step, model(step)[:, -1].argmax(-1, keepdim=True)], 1)
    assert torch.equal(out, step)
    assert torch.equal(generate_greedy(model, prompt, 12, cache=_ListCache(2)), out)
    assert torch.equal(generate_greedy(model, prompt, 12, cache=_ListCache(2), prefill_chunk=2), out)
    assert torch.equal(generate_greedy(model, prompt, 0), prompt)
    assert len(set(out[0, 5:].tolist())) > 3, "greedy output should not collapse to one repeated token"


def test_sliding_window_model_with_a_window_cache():
    model = TinyDecoder(window=5)
    seq = _ids((1, 12), seed=4)
    logits = model(seq)
    # two layers of window 5: position 11 depends on tokens 3..11 only (receptive field 2 * 4 + 1),
    # so token 2 must not matter at 11, but does at 6
    other = seq.clone()
    other[0, 2] = (other[0, 2] + 1) % 96
    changed = model(other)
    assert torch.allclose(logits[0, 11], changed[0, 11], atol=1e-6)
    assert not torch.allclose(logits[0, 6], changed[0, 6])
    prompt = _ids((2, 4), seed=5)
    rolling = PerLayerCache(lambda: _OneLayer(5), model.n_layers)
    assert torch.equal(generate_greedy(model, prompt, 20, cache=rolling), generate_greedy(model, prompt, 20))


class _OneLayer:
    def __init__(self, window):
        self.inner = _ListCache(1, window)

    def update(self, k_new, v_new):
        return self.inner.update(0, k_new, v_new)


def test_errors_are_clear():
    model = TinyDecoder(max_seq_len=16)
    with pytest.raises(ValueError, match="max_seq_len"):
        model(_ids((1, 17)))
    with pytest.raises(ValueError, match="pos_offset"):
        model(_ids((1, 3)), pos_offset=2)
    with pytest.raises(ValueError, match=r"\(B, L\)"):
        model(_ids((5,)))

    class BadCache:
        def update(self, layer, k_new, v_new):
            return torch.cat([k_new, k_new], -1), v_new

    with pytest.raises(ValueError, match="cache.update"):
        model(_ids((1, 3)), cache=BadCache())


def test_thread_setting_is_restored():
    n = torch.get_num_threads()
    TinyDecoder()(_ids((1, 4)))
    generate_greedy(TinyDecoder(), _ids((1, 2)), 3)
    assert torch.get_num_threads() == n


def test_module_ships_no_cache_solution():
    source = inspect.getsource(tiny_model)
    assert "class KVCache" not in source and "class RollingKVCache" not in source
    assert "torch.cat([self" not in source, "course/ must not hold a cache implementation"
    assert not any(name in dir(tiny_model) for name in ("KVCache", "RollingKVCache", "PagedKVAllocator"))
