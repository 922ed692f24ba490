"""A tiny decoder-only language model for 06_efficient_inference: seeded random weights, no downloads.

The model exists so that a learner's KV cache has something real to plug into. It is a
GPT-style stack (learned position embeddings, pre-LayerNorm blocks, grouped-query attention,
a GELU MLP, untied output head) whose weights come from a seeded generator, so every
construction with the same config gives the same model on any machine.

Its ``forward`` takes an optional cache object with one method,

    cache.update(layer, k_new, v_new) -> (k_all, v_all)     # (B, H_kv, L, D_head) tensors

which is the interface of the ``KVCache`` exercise. The model itself stores nothing between
calls: with ``cache=None`` every call recomputes attention over the ids it is given; with a
cache it hands each layer's new keys and values to ``cache.update`` and attends over whatever
comes back. This module deliberately contains no cache implementation.

    model = TinyDecoder()                                    # TinyConfig() defaults
    ids = generate_greedy(model, prompt_ids, n_new=20)       # recomputation, no cache
    ids = generate_greedy(model, prompt_ids, n_new=20, cache=my_cache)

``PerLayerCache`` adapts one-layer caches (``update(k_new, v_new)``, such as a sliding-window
ring buffer) to the model's per-layer interface.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["TinyConfig", "TinyDecoder", "generate_greedy", "PerLayerCache"]


@dataclass(frozen=True)
class TinyConfig:
    """Shapes of the tiny decoder. ``window``: sliding-window attention span (None = full causal)."""

    vocab_size: int = 96
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    n_kv_heads: int = 2  # grouped-query attention: n_heads // n_kv_heads query heads share one K/V head
    d_ff: int = 256
    max_seq_len: int = 512
    window: int | None = None
    seed: int = 0

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads

    def __post_init__(self) -> None:
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} is not divisible by n_heads={self.n_heads}.")
        if self.n_heads % self.n_kv_heads:
            raise ValueError(f"n_heads={self.n_heads} is not divisible by n_kv_heads={self.n_kv_heads}.")
        if self.window is not None and self.window < 1:
            raise ValueError(f"window must be a positive int or None, got {self.window}.")


@contextmanager
def _one_thread():
    """Run torch on one CPU thread inside the block, then restore the previous setting.

    The model's matrices are far too small for intra-op threads to help, and on a busy machine
    spinning OpenMP threads make each tiny op tens of times slower.
    """
    n = torch.get_num_threads()
    if n == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


class _Block(nn.Module):
    """Pre-LN block: x + attn(ln1(x)), then x + mlp(ln2(x))."""

    def __init__(self, cfg: TinyConfig, index: int) -> None:
        super().__init__()
        self.cfg, self.index = cfg, index
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.w_q = nn.Linear(cfg.d_model, cfg.n_heads * cfg.d_head, bias=False)
        self.w_k = nn.Linear(cfg.d_model, cfg.n_kv_heads * cfg.d_head, bias=False)
        self.w_v = nn.Linear(cfg.d_model, cfg.n_kv_heads * cfg.d_head, bias=False)
        self.w_o = nn.Linear(cfg.n_heads * cfg.d_head, cfg.d_model, bias=False)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.fc1 = nn.Linear(cfg.d_model, cfg.d_ff)
        self.fc2 = nn.Linear(cfg.d_ff, cfg.d_model)

    def attention(self, x: torch.Tensor, cache, pos_offset: int) -> torch.Tensor:
        cfg = self.cfg
        B, L, _ = x.shape
        q = self.w_q(x).view(B, L, cfg.n_heads, cfg.d_head).transpose(1, 2)     # (B, H, L, D)
        k = self.w_k(x).view(B, L, cfg.n_kv_heads, cfg.d_head).transpose(1, 2)  # (B, H_kv, L, D)
        v = self.w_v(x).view(B, L, cfg.n_kv_heads, cfg.d_head).transpose(1, 2)  # (B, H_kv, L, D)
        if cache is not None:
            k, v = cache.update(self.index, k, v)                               # (B, H_kv, L_k, D)
            _check_cache_output(k, v, B, cfg, self.index)
        L_k = k.shape[-2]
        # Absolute positions: queries are pos_offset .. pos_offset + L - 1; the keys that came back
        # are the L_k most recent ones, ending with the newest query's position.
        q_pos = torch.arange(pos_offset, pos_offset + L, device=x.device)[:, None]              # (L, 1)
        k_pos = torch.arange(pos_offset + L - L_k, pos_offset + L, device=x.device)[None, :]    # (1, L_k)
        allowed = k_pos <= q_pos                                                                # (L, L_k)
        if cfg.window is not None:
            allowed = allowed & (q_pos - k_pos < cfg.window)
        group = cfg.n_heads // cfg.n_kv_heads
        k = k.repeat_interleave(group, dim=1)                                   # (B, H, L_k, D)
        v = v.repeat_interleave(group, dim=1)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)        # (B, H, L, D)
        return self.w_o(out.transpose(1, 2).reshape(B, L, cfg.n_heads * cfg.d_head))

    def forward(self, x: torch.Tensor, cache, pos_offset: int) -> torch.Tensor:
        x = x + self.attention(self.ln1(x), cache, pos_offset)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


def _check_cache_output(k, v, batch: int, cfg: TinyConfig, layer: int) -> None:
    """A clear message when a cache returns something the attention cannot use."""
    for name, t in (("k_all", k), ("v_all", v)):
        if not isinstance(t, torch.Tensor) or t.dim() != 4 or tuple(t.shape[:2]) != (batch, cfg.n_kv_heads) \
                or t.shape[-1] != cfg.d_head:
            got = tuple(t.shape) if isinstance(t, torch.Tensor) else type(t).__name__
            raise ValueError(f"cache.update(layer={layer}, ...) returned {name} of shape {got}; expected "
                             f"(B={batch}, H_kv={cfg.n_kv_heads}, L_total, D={cfg.d_head}).")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"cache.update(layer={layer}, ...) returned {k.shape[-2]} keys but {v.shape[-2]} values.")


class TinyDecoder(nn.Module):
    """A seeded, randomly initialised decoder-only LM (eval mode, no dropout, one CPU thread).

    ``forward(ids, cache=None, pos_offset=0) -> logits (B, L, vocab_size)``:
    ids ``(B, L)`` int64 tokens at absolute positions ``pos_offset .. pos_offset + L - 1``.
    Without a cache the call must hold the whole sequence so far (``pos_offset`` 0); with a
    cache, each layer calls ``cache.update(layer, k_new, v_new)`` with ``(B, n_kv_heads, L,
    d_head)`` tensors and attends over the returned keys/values, taken to be the most recent
    positions ending at ``pos_offset + L - 1``.
    """

    def __init__(self, config: TinyConfig | None = None, **overrides) -> None:
        super().__init__()
        cfg = replace(config or TinyConfig(), **overrides)
        self.config = cfg
        with torch.random.fork_rng(devices=[]):  # torch's default inits draw from the global RNG: restore it
            self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.d_model)
            self.pos_emb = nn.Embedding(cfg.max_seq_len, cfg.d_model)
            self.blocks = nn.ModuleList(_Block(cfg, i) for i in range(cfg.n_layers))
            self.ln_f = nn.LayerNorm(cfg.d_model)
            self.head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self._init_weights(cfg.seed)
        self.eval()
        self.requires_grad_(False)

    @torch.no_grad()
    def _init_weights(self, seed: int) -> None:
        # Our own generator: the global RNG is neither used nor disturbed. Scales are larger
        # than a trained model's init so that logits are well spread and greedy decoding has
        # clear winners (no near-ties that float rounding could flip).
        gen = torch.Generator().manual_seed(seed)
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                p.zero_()
            elif p.dim() == 1:  # LayerNorm weights
                p.fill_(1.0)
            elif "emb" in name:
                p.copy_(torch.randn(p.shape, generator=gen))
            else:  # nn.Linear weight (out, in)
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(p.shape[1]))
        self.head.weight.mul_(3.0)

    @property
    def n_layers(self) -> int:
        return self.config.n_layers

    def forward(self, ids: torch.Tensor, cache=None, pos_offset: int = 0) -> torch.Tensor:
        if ids.dim() != 2:
            raise ValueError(f"ids must be (B, L) token ids, got shape {tuple(ids.shape)}.")
        B, L = ids.shape
        pos_offset = int(pos_offset)
        if pos_offset < 0 or pos_offset + L > self.config.max_seq_len:
            raise ValueError(f"positions {pos_offset}..{pos_offset + L - 1} are outside 0..{self.config.max_seq_len - 1} "
                             f"(max_seq_len={self.config.max_seq_len}).")
        if cache is None and pos_offset != 0:
            raise ValueError("without a cache the model sees the whole sequence: pos_offset must be 0.")
        positions = torch.arange(pos_offset, pos_offset + L, device=ids.device)
        with _one_thread():
            x = self.tok_emb(ids) + self.pos_emb(positions)                      # (B, L, d_model)
            for block in self.blocks:
                x = block(x, cache, pos_offset)
            return self.head(self.ln_f(x))                                       # (B, L, vocab)


@torch.no_grad()
def generate_greedy(model: TinyDecoder, prompt_ids: torch.Tensor, n_new: int, cache=None,
                    prefill_chunk: int | None = None) -> torch.Tensor:
    """Greedy decoding: returns ``(B, P + n_new)`` ids, the prompt followed by ``n_new`` argmax tokens.

    ``cache=None``: every step runs the model on the whole sequence so far (recomputation).
    With a cache (a fresh one per call): the prompt is prefilled through the cache (all at once,
    or in chunks of ``prefill_chunk`` tokens), then each step feeds only the newest token at its
    position.
    """
    if prompt_ids.dim() != 2 or prompt_ids.shape[1] < 1:
        raise ValueError(f"prompt_ids must be (B, P) with P >= 1, got shape {tuple(prompt_ids.shape)}.")
    with _one_thread():
        return _generate(model, prompt_ids, n_new, cache, prefill_chunk)


def _generate(model, prompt_ids, n_new, cache, prefill_chunk):
    ids = prompt_ids
    if n_new <= 0:
        return ids.clone()
    if cache is None:
        for _ in range(n_new):
            logits = model(ids)                                                  # (B, L, V)
            ids = torch.cat([ids, logits[:, -1].argmax(-1, keepdim=True)], dim=1)
        return ids
    P = prompt_ids.shape[1]
    chunk = prefill_chunk or P
    for start in range(0, P, chunk):
        logits = model(prompt_ids[:, start:start + chunk], cache=cache, pos_offset=start)
    for step in range(n_new):
        nxt = logits[:, -1].argmax(-1, keepdim=True)                             # (B, 1)
        ids = torch.cat([ids, nxt], dim=1)
        if step < n_new - 1:
            logits = model(nxt, cache=cache, pos_offset=ids.shape[1] - 1)
    return ids


class PerLayerCache:
    """Adapt one-layer caches to the model: ``update(layer, k, v)`` calls ``caches[layer].update(k, v)``.

    ``PerLayerCache(lambda: RollingKVCache(window), n_layers)`` gives each layer its own cache.
    """

    def __init__(self, make_cache: Callable[[], object], n_layers: int) -> None:
        self.caches = [make_cache() for _ in range(n_layers)]

    def update(self, layer: int, k_new: torch.Tensor, v_new: torch.Tensor):
        return self.caches[layer].update(k_new, v_new)
