"""17_capstone_tiny_llm: plausible wrong implementations the tests must catch, and correct variants they must accept.

Most variants are the reference cell with one edit (``patch``), so each shows exactly the mistake it makes.
"""
from mutations._patch import patch

ASSIGNMENT = "17_capstone_tiny_llm"


W, R = [], []


def wrong(cell, name, *pairs):
    W.append((cell, name, patch(ASSIGNMENT, cell, list(pairs))))


def right(cell, name, *pairs):
    R.append((cell, name, patch(ASSIGNMENT, cell, list(pairs))))


# llama_param_count
wrong("llama_param_count", "kv_heads_ignored", ("2 * d * c.n_kv_heads * d_head", "2 * d * c.n_heads * d_head"))
wrong("llama_param_count", "tied_counted_twice", ("0 if c.tie_embeddings else c.vocab_size * d", "c.vocab_size * d"))
wrong("llama_param_count", "no_norms", (" + 2 * d\n", "\n"), (" + d + head", " + head"))
wrong("llama_param_count", "two_ffn_matrices", ("3 * d * c.d_ff", "2 * d * c.d_ff"))
wrong("llama_param_count", "no_final_norm", (" + d + head", " + head"))
wrong("llama_param_count", "biases_counted", (" + 2 * d\n", " + 2 * d + 2 * c.n_heads * d_head + 2 * c.n_kv_heads * d_head\n"))
R.append(("llama_param_count", "sum_over_shapes", """
def llama_param_count(config):
    c = config
    d, dh = c.d_model, c.d_model // c.n_heads
    layer = [(c.n_heads * dh, d), (c.n_kv_heads * dh, d), (c.n_kv_heads * dh, d), (d, c.n_heads * dh),
             (c.d_ff, d), (c.d_ff, d), (d, c.d_ff), (d, 1), (d, 1)]
    shapes = [(c.vocab_size, d)] + layer * c.n_layers + [(d, 1)] + ([] if c.tie_embeddings else [(c.vocab_size, d)])
    return sum(a * b for a, b in shapes)
"""))

# training_flops
wrong("training_flops", "forward_only", ("6.0 *", "2.0 *"))
wrong("training_flops", "forward_plus_equal_backward", ("6.0 *", "4.0 *"))
wrong("training_flops", "multiply_add_as_one", ("6.0 *", "3.0 *"))
wrong("training_flops", "returns_int", ("return 6.0 * float(n_params) * float(n_tokens)", "return int(6 * n_params * n_tokens)"))
wrong("training_flops", "eight_n", ("6.0 *", "8.0 *"))

# inference_flops_per_token
wrong("inference_flops_per_token", "no_attention_term", ("+ 4.0 * n_layers * d_model * context_len", ""))
wrong("inference_flops_per_token", "qk_only", ("4.0 * n_layers", "2.0 * n_layers"))
wrong("inference_flops_per_token", "training_cost", ("2.0 * float(n_params)", "6.0 * float(n_params)"))
wrong("inference_flops_per_token", "quadratic_context", ("* context_len", "* context_len ** 2"))
wrong("inference_flops_per_token", "one_layer", ("4.0 * n_layers * d_model", "4.0 * d_model"))
right("inference_flops_per_token", "integer_math_then_float",
      ("return 2.0 * float(n_params) + 4.0 * n_layers * d_model * context_len",
       "return float(2 * n_params + 4 * n_layers * d_model * context_len)"))

# training_memory_bytes
wrong("training_memory_bytes", "no_master_copy", ('"mixed": (2, 2, 4)', '"mixed": (2, 2, 0)'))
wrong("training_memory_bytes", "fp32_grads_in_mixed", ('"mixed": (2, 2, 4)', '"mixed": (2, 4, 4)'))
wrong("training_memory_bytes", "adam_states_fp16", ('"adamw": 8', '"adamw": 4'))
wrong("training_memory_bytes", "momentum_two_buffers", ('"sgd_momentum": 4', '"sgd_momentum": 8'))
wrong("training_memory_bytes", "no_value_error", ('        raise ValueError(f"unknown precision {precision!r} or optimizer {optimizer!r}")',
                                                   '        precision, optimizer = "mixed", "adamw"'))
wrong("training_memory_bytes", "float_values", ('    n = int(n_params)', '    n = float(n_params)'))
right("training_memory_bytes", "if_chain",
      ('    w, g, master = per_param[precision]', '    w, g, master = (2, 2, 4) if precision == "mixed" else (4, 4, 0)'))

# optimal_checkpoint_interval
wrong("optimal_checkpoint_interval", "no_factor_two", ("2.0 * checkpoint_seconds", "checkpoint_seconds"))
wrong("optimal_checkpoint_interval", "daly_full_loss", ("2.0 * checkpoint_seconds", "checkpoint_seconds / 2.0"))
wrong("optimal_checkpoint_interval", "in_minutes", ("math.sqrt(2.0 * checkpoint_seconds * mtbf_seconds)",
                                                     "math.sqrt(2.0 * checkpoint_seconds * mtbf_seconds) / 60"))
wrong("optimal_checkpoint_interval", "daly_higher_order", ("return math.sqrt(2.0 * checkpoint_seconds * mtbf_seconds)",
                                                            "return math.sqrt(2.0 * checkpoint_seconds * mtbf_seconds) - checkpoint_seconds"))
wrong("optimal_checkpoint_interval", "fourth_root", ("math.sqrt(2.0 * checkpoint_seconds * mtbf_seconds)",
                                                "float(2.0 * checkpoint_seconds * mtbf_seconds) ** 0.25"))
right("optimal_checkpoint_interval", "power_half", ("math.sqrt(2.0 * checkpoint_seconds * mtbf_seconds)",
                                                    "float((2 * checkpoint_seconds * mtbf_seconds) ** 0.5)"))

# apply_rotary_half
wrong("apply_rotary_half", "interleaved_layout",
      ("    rotated = torch.cat([-x[..., D // 2:], x[..., :D // 2]], dim=-1)                  # rotate_half(x)\n"
       "    return x * cos + rotated * sin",
       "    c, s = cos[..., : D // 2], sin[..., : D // 2]\n    a, b = x[..., 0::2], x[..., 1::2]\n"
       "    return torch.stack([a * c - b * s, a * s + b * c], -1).flatten(-2)"))
wrong("apply_rotary_half", "rotate_half_sign_flipped", ("torch.cat([-x[..., D // 2:], x[..., :D // 2]]", "torch.cat([x[..., D // 2:], -x[..., :D // 2]]"))
wrong("apply_rotary_half", "freqs_interleaved", ("torch.cat([freqs, freqs], dim=-1)", "freqs.repeat_interleave(2, dim=-1)"))
wrong("apply_rotary_half", "theta_ignored", ("1.0 / theta **", "1.0 / 10000.0 **"))
wrong("apply_rotary_half", "positions_ignored", ("    if positions is None:\n        positions = torch.arange(L, device=x.device)\n",
                                                 "    positions = torch.arange(L, device=x.device)\n"))
wrong("apply_rotary_half", "exponent_over_half_d", ("float() / D)", "float() / (D // 2))"))
wrong("apply_rotary_half", "float32_output", ("cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)", "cos, sin = emb.cos(), emb.sin()\n    x = x.float()"))
right("apply_rotary_half", "float64_angles",
      ("inv_freq = 1.0 / theta ** (torch.arange(0, D, 2, device=x.device).float() / D)",
       "inv_freq = 1.0 / theta ** (torch.arange(0, D, 2, device=x.device).double() / D)"),
      ("freqs = positions.float()[:, None]", "freqs = positions.double()[:, None]"))
right("apply_rotary_half", "chunk_based", ("rotated = torch.cat([-x[..., D // 2:], x[..., :D // 2]], dim=-1)",
                                           "x1, x2 = x.chunk(2, dim=-1)\n    rotated = torch.cat((-x2, x1), dim=-1)"))

# kv_cache
wrong("kv_cache", "concat_on_heads", ("torch.cat([self.k[layer], k_new], dim=-2)", "torch.cat([self.k[layer], k_new], dim=1)"),
      ("torch.cat([self.v[layer], v_new], dim=-2)", "torch.cat([self.v[layer], v_new], dim=1)"))
wrong("kv_cache", "shared_across_layers", ("self.k = [None] * n_layers\n        self.v = [None] * n_layers",
                                           "self.k = [None] * n_layers\n        self.v = self.k"))
wrong("kv_cache", "returns_new_only", ("return self.k[layer], self.v[layer]", "return k_new, v_new"))
wrong("kv_cache", "prepends", ("torch.cat([self.k[layer], k_new], dim=-2)", "torch.cat([k_new, self.k[layer]], dim=-2)"))
wrong("kv_cache", "window_of_six", ("torch.cat([self.k[layer], k_new], dim=-2)", "torch.cat([self.k[layer], k_new], dim=-2)[..., -6:, :]"))
right("kv_cache", "preallocated_list", ("self.k[layer] = torch.cat([self.k[layer], k_new], dim=-2)",
                                        "self.k[layer] = torch.cat((self.k[layer], k_new), -2).contiguous()"))

# tiny_llama
_ATT = "        out = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)      # (B, H, L, D)"
wrong("tiny_llama", "repeat_not_interleave", ("k = k.repeat_interleave(H // H_kv, dim=1)", "k = k.repeat(1, H // H_kv, 1, 1)"),
      ("v = v.repeat_interleave(H // H_kv, dim=1)", "v = v.repeat(1, H // H_kv, 1, 1)"))
wrong("tiny_llama", "eps_outside_root", ("x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)",
                                         "x / (x.pow(2).mean(-1, keepdim=True).sqrt() + self.eps)"))
wrong("tiny_llama", "sdpa_is_causal_top_left", (_ATT, "        out = F.scaled_dot_product_attention(q, k, v, is_causal=q.shape[-2] > 1)"))
wrong("tiny_llama", "interleaved_rope_inside",
      ("        q = apply_rotary_half(q, positions, self.cfg.rope_theta)\n        k = apply_rotary_half(k, positions, self.cfg.rope_theta)\n",
       "        def _rope(t):\n            Dh = t.shape[-1]\n"
       "            ang = positions.double()[:, None] * self.cfg.rope_theta ** (-torch.arange(0, Dh, 2).double() / Dh)\n"
       "            c, s = ang.cos().float(), ang.sin().float()\n            a, b = t[..., 0::2], t[..., 1::2]\n"
       "            return torch.stack([a * c - b * s, a * s + b * c], -1).flatten(-2)\n"
       "        q, k = _rope(q), _rope(k)\n"))
wrong("tiny_llama", "rope_after_cache", ("        q = apply_rotary_half(q, positions, self.cfg.rope_theta)\n        k = apply_rotary_half(k, positions, self.cfg.rope_theta)\n", ""),
      ("        k = k.repeat_interleave(H // H_kv, dim=1)",
       "        q = apply_rotary_half(q, positions, self.cfg.rope_theta)\n        k = apply_rotary_half(k, None, self.cfg.rope_theta)\n"
       "        k = k.repeat_interleave(H // H_kv, dim=1)"))
wrong("tiny_llama", "relative_positions_in_cache", ("positions = torch.arange(start_pos, start_pos + L, device=input_ids.device)",
                                                    "positions = torch.arange(L, device=input_ids.device) + 0 * start_pos"))
wrong("tiny_llama", "swiglu_gate_on_up", ("self.w2(F.silu(self.w1(x)) * self.w3(x))", "self.w2(self.w1(x) * F.silu(self.w3(x)))"))
wrong("tiny_llama", "post_norm", ("        h = x + self.attention(self.attention_norm(x), positions, cache)\n        return h + self.feed_forward(self.ffn_norm(h))",
                                  "        h = self.attention_norm(x + self.attention(x, positions, cache))\n        return self.ffn_norm(h + self.feed_forward(h))"))
wrong("tiny_llama", "default_linear_init", ("            if p.dim() == 2:\n                nn.init.normal_(p, mean=0.0, std=0.02)",
                                            "            if p.dim() == 2 and False:\n                pass"))
wrong("tiny_llama", "scale_by_d_model", (_ATT, "        out = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed, scale=1 / math.sqrt(self.cfg.d_model))"))
wrong("tiny_llama", "cache_after_repeat", ("        if cache is not None:\n            k, v = cache.update(self.layer_id, k, v)                          # (B, H_kv, L_k, D)\n", ""),
      ("        v = v.repeat_interleave(H // H_kv, dim=1)\n",
       "        v = v.repeat_interleave(H // H_kv, dim=1)\n        if cache is not None:\n            k, v = cache.update(self.layer_id, k, v)\n"))
wrong("tiny_llama", "untied_copy", ("self.output.weight = self.tok_embeddings.weight", "self.output.weight.data.copy_(self.tok_embeddings.weight.data)"))
right("tiny_llama", "manual_softmax_float64",
      (_ATT, "        s = (q.double() @ k.double().transpose(-2, -1)) / math.sqrt(D)\n"
             "        s = s.masked_fill(~allowed, float('-inf'))\n        out = (s.softmax(-1) @ v.double()).float()"))
right("tiny_llama", "expand_reshape_kv",
      ("        k = k.repeat_interleave(H // H_kv, dim=1)                             # (B, H, L_k, D)\n        v = v.repeat_interleave(H // H_kv, dim=1)\n",
       "        n_rep, Lk = H // H_kv, k.shape[-2]\n"
       "        k = k[:, :, None].expand(B, H_kv, n_rep, Lk, D).reshape(B, H, Lk, D)\n"
       "        v = v[:, :, None].expand(B, H_kv, n_rep, Lk, D).reshape(B, H, Lk, D)\n"))

# convert_hf_state_dict
wrong("convert_hf_state_dict", "gate_up_swapped", ('("mlp.gate_proj", "feed_forward.w1"), ("mlp.up_proj", "feed_forward.w3")',
                                                  '("mlp.gate_proj", "feed_forward.w3"), ("mlp.up_proj", "feed_forward.w1")'))
wrong("convert_hf_state_dict", "norms_swapped", ('("post_attention_layernorm", "ffn_norm"),\n             ("input_layernorm", "attention_norm")',
                                                 '("post_attention_layernorm", "attention_norm"),\n             ("input_layernorm", "ffn_norm")'))
wrong("convert_hf_state_dict", "keeps_rotary", ('        if "rotary_emb" in name:\n            continue\n', ""))
wrong("convert_hf_state_dict", "permutes_wq", ("        out[name] = tensor",
                                               "        if name.endswith('wq.weight'):\n"
                                               "            h = tensor.shape[0] // 8\n"
                                               "            tensor = tensor.view(h, 2, 4, -1).transpose(1, 2).reshape(tensor.shape)\n"
                                               "        out[name] = tensor"))
wrong("convert_hf_state_dict", "modifies_input", ("    for name, tensor in hf_state_dict.items():",
                                                  "    for name, tensor in list(hf_state_dict.items()):\n        hf_state_dict.pop(name)"))
wrong("convert_hf_state_dict", "drops_lm_head", ('("lm_head.", "output.")', '("lm_head.", "rotary_emb.")'))
right("convert_hf_state_dict", "regex_and_clone",
      ("        out[name] = tensor", "        out[name] = tensor.clone()"))

# generate
wrong("generate", "top_p_excludes_crossing", ("drop = sorted_logits.softmax(-1).cumsum(-1) <= 1 - top_p",
                                              "drop = sorted_logits.softmax(-1).cumsum(-1) < 1 - top_p + sorted_logits.softmax(-1)"))
wrong("generate", "top_p_before_temperature", ("            logits = logits / temperature\n", ""),
      ("            nxt = torch.multinomial(logits.softmax(-1), 1", "            nxt = torch.multinomial((logits / temperature).softmax(-1), 1"))
wrong("generate", "temperature_multiplies", ("logits = logits / temperature", "logits = logits * temperature"))
wrong("generate", "start_pos_off_by_one", ("logits = model(ids[:, -1:], cache=cache, start_pos=ids.shape[1] - 1)[:, -1]",
                                                        "logits = model(ids[:, -1:], cache=cache, start_pos=ids.shape[1] - 2)[:, -1]"))
wrong("generate", "feeds_whole_sequence_with_cache", ("logits = model(ids[:, -1:], cache=cache, start_pos=ids.shape[1] - 1)[:, -1]",
                                                      "logits = model(ids, cache=KVCache(model.config.n_layers), start_pos=0)[:, -1]"))
wrong("generate", "first_token_greedy_always", ("        if temperature == 0:", "        if temperature == 0 or step == 0:"))
wrong("generate", "top_k_off_by_one", ("logits.topk(top_k, dim=-1).values[..., -1:]", "logits.topk(top_k + 1, dim=-1).values[..., -1:]"))
wrong("generate", "no_generator", ("torch.multinomial(logits.softmax(-1), 1, generator=generator)", "torch.multinomial(logits.softmax(-1), 1)"))
right("generate", "sort_descending_top_p",
      ("                sorted_logits, order = logits.sort(dim=-1)                              # ascending, as HF\n"
       "                drop = sorted_logits.softmax(-1).cumsum(-1) <= 1 - top_p\n"
       "                drop[..., -1] = False                                                   # keep the most probable\n",
       "                sorted_logits, order = logits.sort(dim=-1, descending=True)\n"
       "                probs = sorted_logits.softmax(-1)\n"
       "                drop = (probs.cumsum(-1) - probs) >= top_p\n"))

# get_batch
wrong("get_batch", "y_not_shifted", ("data[s + 1:s + 1 + seq_len]", "data[s:s + seq_len]"))
wrong("get_batch", "last_start_unreachable", ("torch.randint(0, len(data) - seq_len, ", "torch.randint(0, len(data) - seq_len - 1, "))
wrong("get_batch", "two_rng_calls", ("    x = torch.stack", "    torch.rand(1, generator=generator)\n    x = torch.stack"))
wrong("get_batch", "global_rng", ("(batch_size,), generator=generator)", "(batch_size,))"))
wrong("get_batch", "randperm_starts", ("torch.randint(0, len(data) - seq_len, (batch_size,), generator=generator)",
                                       "torch.randperm(len(data) - seq_len, generator=generator)[:batch_size]"))
right("get_batch", "unfold_gather", ("    x = torch.stack([data[s:s + seq_len] for s in starts.tolist()])                        # (B, L)\n"
                                     "    y = torch.stack([data[s + 1:s + 1 + seq_len] for s in starts.tolist()])                # (B, L)\n",
                                     "    idx = starts[:, None] + torch.arange(seq_len)\n    x, y = data[idx], data[idx + 1]\n"))

# train
wrong("train", "decay_on_everything", ('[p for p in params if p.dim() < 2], "weight_decay": 0.0', '[p for p in params if p.dim() < 2], "weight_decay": weight_decay'))
wrong("train", "default_betas", ("betas=(0.9, 0.95)", "betas=(0.9, 0.999)"))
wrong("train", "warmup_off_by_one", ("step_lr = lr * s / warmup", "step_lr = lr * (s + 1) / warmup"))
wrong("train", "cosine_to_zero", ("min_lr = min_lr_ratio * lr", "min_lr = 0.0"))
wrong("train", "clip_per_parameter", ("        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)",
                                      "        for p in model.parameters():\n            torch.nn.utils.clip_grad_norm_([p], max_grad_norm)"))
wrong("train", "clip_after_step", ("        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)\n        opt.step()",
                                   "        opt.step()\n        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)"))
wrong("train", "plain_adam_l2", ("torch.optim.AdamW(groups", "torch.optim.Adam(groups"))
right("train", "zero_grad_to_zeros",
      ("    for s in range(steps):\n        if s < warmup:", "    for s in range(steps):\n        if s < warmup and warmup > 0:"),
      ("        opt.zero_grad(set_to_none=True)", "        opt.zero_grad(set_to_none=False)"))

WRONG, RIGHT = W, R
