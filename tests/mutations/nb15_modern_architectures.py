"""15_modern_architectures: plausible wrong implementations the tests must catch, and correct variants they must accept.

Most variants are the reference cell with a small edit (``patch``), so each shows exactly the mistake it makes;
whole cells are genuinely different implementations.
"""

from mutations._patch import patch

ASSIGNMENT = "15_modern_architectures"

WRONG = [
    # repeat_kv ------------------------------------------------------------------------------------------------------
    ("repeat_kv", "tiles_with_repeat", """
def repeat_kv(x, n_rep):
    return x.repeat(1, n_rep, 1, 1)
"""),
    ("repeat_kv", "expand_on_the_wrong_side", """
def repeat_kv(x, n_rep):
    B, H, L, D = x.shape
    return x[:, None].expand(B, n_rep, H, L, D).reshape(B, H * n_rep, L, D)
"""),
    ("repeat_kv", "interleaves_the_sequence", """
def repeat_kv(x, n_rep):
    B, H, L, D = x.shape
    return torch.repeat_interleave(x, n_rep, dim=2).reshape(B, H * n_rep, L, D)
"""),
    ("repeat_kv", "float32_output", """
def repeat_kv(x, n_rep):
    return torch.repeat_interleave(x, n_rep, dim=1).float()
"""),
    ("repeat_kv", "index_h_mod_hkv", """
def repeat_kv(x, n_rep):
    H = x.shape[1]
    return x[:, torch.arange(H * n_rep) % H]
"""),
    ("repeat_kv", "n_rep_one_returns_a_copy_of_head_zero", """
def repeat_kv(x, n_rep):
    if n_rep == 1:
        return x[:, :1].expand_as(x).clone()
    return torch.repeat_interleave(x, n_rep, dim=1)
"""),
    # GroupedQueryAttention --------------------------------------------------------------------------------------------
    ("grouped_query_attention", "tiled_kv_heads", patch(ASSIGNMENT, "grouped_query_attention",
        "k, v = repeat_kv(k, H // H_kv), repeat_kv(v, H // H_kv)",
        "k, v = k.repeat(1, H // H_kv, 1, 1), v.repeat(1, H // H_kv, 1, 1)")),
    ("grouped_query_attention", "scale_by_sqrt_d_model", patch(ASSIGNMENT, "grouped_query_attention",
        "/ math.sqrt(D)", "/ math.sqrt(x.shape[-1])")),
    ("grouped_query_attention", "mask_means_blocked", patch(ASSIGNMENT, "grouped_query_attention",
        "masked_fill(~mask,", "masked_fill(mask,")),
    ("grouped_query_attention", "heads_interleaved_in_features", patch(ASSIGNMENT, "grouped_query_attention", [
        ("self.w_q(x).view(B, L, H, D).transpose(1, 2)", "self.w_q(x).view(B, L, D, H).permute(0, 3, 1, 2)"),
        ("self.w_k(x).view(B, L, H_kv, D).transpose(1, 2)", "self.w_k(x).view(B, L, D, H_kv).permute(0, 3, 1, 2)"),
        ("self.w_v(x).view(B, L, H_kv, D).transpose(1, 2)", "self.w_v(x).view(B, L, D, H_kv).permute(0, 3, 1, 2)"),
        ("out.transpose(1, 2).reshape(B, L, H * D)", "out.permute(0, 2, 3, 1).reshape(B, L, H * D)")])),
    ("grouped_query_attention", "full_size_kv_projections", patch(ASSIGNMENT, "grouped_query_attention", [
        ("self.w_k = nn.Linear(d_model, n_kv_heads * self.d_head, bias=bias)",
         "self.w_k = nn.Linear(d_model, d_model, bias=bias)"),
        ("self.w_v = nn.Linear(d_model, n_kv_heads * self.d_head, bias=bias)",
         "self.w_v = nn.Linear(d_model, d_model, bias=bias)"),
        ("self.w_k(x).view(B, L, H_kv, D).transpose(1, 2)",
         "self.w_k(x).view(B, L, H, D).transpose(1, 2)[:, ::H // H_kv]"),
        ("self.w_v(x).view(B, L, H_kv, D).transpose(1, 2)",
         "self.w_v(x).view(B, L, H, D).transpose(1, 2)[:, ::H // H_kv]")])),
    ("grouped_query_attention", "no_value_error", patch(ASSIGNMENT, "grouped_query_attention",
        "        if d_model % n_heads or n_heads % n_kv_heads:\n"
        '            raise ValueError(f"n_heads ({n_heads}) must divide d_model ({d_model}) and n_kv_heads '
        '({n_kv_heads}) "\n'
        '                             f"must divide n_heads")\n',
        "")),
    ("grouped_query_attention", "ignores_mask", patch(ASSIGNMENT, "grouped_query_attention",
        "        if mask is not None:\n"
        '            scores = scores.masked_fill(~mask, float("-inf"))\n',
        "")),
    # MultiHeadLatentAttention -----------------------------------------------------------------------------------------
    ("multi_head_latent_attention", "ignores_the_past", patch(
        ASSIGNMENT, "multi_head_latent_attention", "torch.cat([past_c_kv, c_kv], dim=1)", "c_kv")),
    ("multi_head_latent_attention", "scale_by_sqrt_d_latent", patch(
        ASSIGNMENT, "multi_head_latent_attention", "/ math.sqrt(D)", "/ math.sqrt(c_kv.shape[-1])")),
    ("multi_head_latent_attention", "returns_only_the_new_latents", patch(
        ASSIGNMENT, "multi_head_latent_attention", "return self.w_o(out), c_kv", "return self.w_o(out), c_kv[:, -L:]")),
    ("multi_head_latent_attention", "past_appended_after", patch(ASSIGNMENT, "multi_head_latent_attention", 
        "torch.cat([past_c_kv, c_kv], dim=1)", "torch.cat([c_kv, past_c_kv], dim=1)")),
    ("multi_head_latent_attention", "values_from_w_uk", patch(
        ASSIGNMENT, "multi_head_latent_attention", "v = self.w_uv(c_kv)", "v = self.w_uk(c_kv)")),
    ("multi_head_latent_attention", "ignores_d_head", patch(
        ASSIGNMENT, "multi_head_latent_attention", "d_head or d_model // n_heads", "d_model // n_heads")),
    ("multi_head_latent_attention", "latent_with_bias", patch(ASSIGNMENT, "multi_head_latent_attention", 
        "self.w_dkv = nn.Linear(d_model, d_latent, bias=False)", "self.w_dkv = nn.Linear(d_model, d_latent)")),
    # mla_absorbed_attention -------------------------------------------------------------------------------------------
    ("mla_absorbed_attention", "forms_keys_and_values", """
def mla_absorbed_attention(q, c_kv, w_uk, w_uv, mask=None):
    B, H, Lq, D = q.shape
    Lk = c_kv.shape[1]
    k = (c_kv @ w_uk.T).view(B, Lk, H, D).transpose(1, 2)
    v = (c_kv @ w_uv.T).view(B, Lk, H, D).transpose(1, 2)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
"""),
    ("mla_absorbed_attention", "scale_by_sqrt_d_c", patch(ASSIGNMENT, "mla_absorbed_attention",
        "/ math.sqrt(D)", "/ math.sqrt(d_c)")),
    ("mla_absorbed_attention", "head_blocks_as_columns", patch(ASSIGNMENT, "mla_absorbed_attention", [
        ("w_uk.view(H, D, d_c)", "w_uk.view(D, H, d_c).transpose(0, 1)"),
        ("w_uv.view(H, D, d_c)", "w_uv.view(D, H, d_c).transpose(0, 1)")])),
    ("mla_absorbed_attention", "values_through_w_uk", patch(ASSIGNMENT, "mla_absorbed_attention",
        "w_uv_h = w_uv.view(H, D, d_c)", "w_uv_h = w_uk.view(H, D, d_c)")),
    ("mla_absorbed_attention", "mask_ignored", """
def mla_absorbed_attention(q, c_kv, w_uk, w_uv, mask=None):
    B, H, Lq, D = q.shape
    d_c = c_kv.shape[-1]
    q_lat = torch.einsum("bhqd,hdc->bhqc", q, w_uk.view(H, D, d_c))
    scores = q_lat @ c_kv.unsqueeze(1).transpose(-2, -1) / math.sqrt(D)
    mixed = torch.softmax(scores, -1) @ c_kv.unsqueeze(1)
    return torch.einsum("bhqc,hdc->bhqd", mixed, w_uv.view(H, D, d_c))
"""),
    ("mla_absorbed_attention", "float32_inside", patch(ASSIGNMENT, "mla_absorbed_attention",
        "    d_c = c_kv.shape[-1]\n",
        "    d_c = c_kv.shape[-1]\n"
        "    q, c_kv, w_uk, w_uv = q.float(), c_kv.float(), w_uk.float(), w_uv.float()\n")),
    ("mla_absorbed_attention", "keys_per_head_by_einsum", patch(ASSIGNMENT, "mla_absorbed_attention",
        "    scores = q_lat @ c_kv.unsqueeze(1).transpose(-2, -1) / math.sqrt(D)",
        '    k = torch.einsum("bkc,hdc->bhkd", c_kv, w_uk_h)\n'
        "    scores = q @ k.transpose(-2, -1) / math.sqrt(D)")),
    # mla_kv_cache_bytes -----------------------------------------------------------------------------------------------
    ("mla_kv_cache_bytes", "factor_two_for_k_and_v", patch(ASSIGNMENT, "mla_kv_cache_bytes",
        "return n_layers", "return 2 * n_layers")),
    ("mla_kv_cache_bytes", "ignores_rope", patch(ASSIGNMENT, "mla_kv_cache_bytes",
        "return n_layers * (d_latent + d_rope)", "return n_layers * d_latent")),
    ("mla_kv_cache_bytes", "ignores_batch", patch(ASSIGNMENT, "mla_kv_cache_bytes",
        "seq_len * batch * bytes_per_el\n", "seq_len * bytes_per_el\n")),
    ("mla_kv_cache_bytes", "float_result", patch(ASSIGNMENT, "mla_kv_cache_bytes",
        "return n_layers * (d_latent + d_rope) * seq_len * batch * bytes_per_el",
        "return float(n_layers * (d_latent + d_rope) * seq_len * batch * bytes_per_el)")),
    ("mla_kv_cache_bytes", "fp32_default", patch(ASSIGNMENT, "mla_kv_cache_bytes",
        "bytes_per_el=2):", "bytes_per_el=4):")),
    ("mla_kv_cache_bytes", "rope_once_not_per_layer", patch(ASSIGNMENT, "mla_kv_cache_bytes",
        "n_layers * (d_latent + d_rope)", "(n_layers * d_latent + d_rope)")),
    # topk_router ------------------------------------------------------------------------------------------------------
    ("topk_router", "never_renormalises", """
def topk_router(logits, k, renormalize=True):
    p = torch.softmax(logits.double(), -1)
    w, idx = torch.topk(p, k, dim=-1)
    return w.to(logits.dtype), idx
"""),
    ("topk_router", "always_renormalises", """
def topk_router(logits, k, renormalize=True):
    p = torch.softmax(logits.double(), -1)
    w, idx = torch.topk(p, k, dim=-1)
    return (w / w.sum(-1, keepdim=True)).to(logits.dtype), idx
"""),
    ("topk_router", "indices_sorted_ascending", """
def topk_router(logits, k, renormalize=True):
    p = torch.softmax(logits.double(), -1)
    w, idx = torch.topk(p, k, dim=-1)
    if renormalize:
        w = w / w.sum(-1, keepdim=True)
    idx, order = idx.sort(-1)
    return w.gather(-1, order).to(logits.dtype), idx
"""),
    ("topk_router", "least_probable_experts", """
def topk_router(logits, k, renormalize=True):
    p = torch.softmax(logits.double(), -1)
    w, idx = torch.topk(p, k, dim=-1, largest=False)
    if renormalize:
        w = w / w.sum(-1, keepdim=True)
    return w.to(logits.dtype), idx
"""),
    ("topk_router", "weights_in_float32", """
def topk_router(logits, k, renormalize=True):
    p = torch.softmax(logits.float(), -1)
    w, idx = torch.topk(p, k, dim=-1)
    if renormalize:
        w = w / w.sum(-1, keepdim=True)
    return w, idx
"""),
    ("topk_router", "raw_weights_from_chosen_logits", """
def topk_router(logits, k, renormalize=True):
    top, idx = torch.topk(logits.double(), k, dim=-1)
    w = torch.softmax(top, -1) if renormalize else torch.sigmoid(top)
    return w.to(logits.dtype), idx
"""),
    # load_balancing_loss ----------------------------------------------------------------------------------------------
    ("load_balancing_loss", "hf_value_without_one_over_k", """
def load_balancing_loss(router_logits, top_k=1):
    E = router_logits.shape[-1]
    p = torch.softmax(router_logits.reshape(-1, E).double(), -1)
    f = F.one_hot(p.topk(top_k).indices, E).sum((0, 1)).double() / p.shape[0]
    return (E * (f * p.mean(0)).sum()).to(router_logits.dtype)
"""),
    ("load_balancing_loss", "first_choice_only", """
def load_balancing_loss(router_logits, top_k=1):
    E = router_logits.shape[-1]
    p = torch.softmax(router_logits.reshape(-1, E).double(), -1)
    f = torch.bincount(p.argmax(-1), minlength=E).double() / p.shape[0]
    return (E * (f * p.mean(0)).sum()).to(router_logits.dtype)
"""),
    ("load_balancing_loss", "soft_f", """
def load_balancing_loss(router_logits, top_k=1):
    E = router_logits.shape[-1]
    p = torch.softmax(router_logits.reshape(-1, E).double(), -1)
    return (E * (p.mean(0) * p.mean(0)).sum()).to(router_logits.dtype)
"""),
    ("load_balancing_loss", "no_factor_e", """
def load_balancing_loss(router_logits, top_k=1):
    E = router_logits.shape[-1]
    p = torch.softmax(router_logits.reshape(-1, E).double(), -1)
    f = F.one_hot(p.topk(top_k).indices, E).sum((0, 1)).double() / (p.shape[0] * top_k)
    return (f * p.mean(0)).sum().to(router_logits.dtype)
"""),
    ("load_balancing_loss", "gradient_through_the_top_k_probabilities", """
def load_balancing_loss(router_logits, top_k=1):
    E = router_logits.shape[-1]
    p = torch.softmax(router_logits.reshape(-1, E).double(), -1)
    top = p.topk(top_k)
    mass = torch.zeros_like(p).scatter(1, top.indices, top.values)
    f = F.one_hot(top.indices, E).sum((0, 1)).double() / (p.shape[0] * top_k)
    P = p.mean(0).detach() + mass.mean(0) - mass.mean(0).detach()
    return (E * (f * P).sum()).to(router_logits.dtype)
"""),
    ("load_balancing_loss", "mean_over_the_last_leading_dim_only", """
def load_balancing_loss(router_logits, top_k=1):
    E = router_logits.shape[-1]
    p = torch.softmax(router_logits.double(), -1)
    if p.dim() > 2:
        p = p[0]
    f = F.one_hot(p.topk(top_k).indices, E).sum((0, 1)).double() / (p.shape[0] * top_k)
    return (E * (f * p.mean(0)).sum()).to(router_logits.dtype)
"""),
    ("load_balancing_loss", "float32_result", """
def load_balancing_loss(router_logits, top_k=1):
    E = router_logits.shape[-1]
    p = torch.softmax(router_logits.reshape(-1, E).float(), -1)
    f = F.one_hot(p.topk(top_k).indices, E).sum((0, 1)).float() / (p.shape[0] * top_k)
    return E * (f * p.mean(0)).sum()
"""),
    # MoELayer ---------------------------------------------------------------------------------------------------------
    ("moe_layer", "w1_and_w3_swapped", patch(
        ASSIGNMENT, "moe_layer", "F.silu(self.w1(x)) * self.w3(x)", "F.silu(self.w3(x)) * self.w1(x)")),
    ("moe_layer", "gelu_experts", patch(ASSIGNMENT, "moe_layer", "F.silu(self.w1(x))", "F.gelu(self.w1(x))")),
    ("moe_layer", "raw_router_weights", patch(ASSIGNMENT, "moe_layer", 
        "topk_router(router_logits, self.top_k)", "topk_router(router_logits, self.top_k, renormalize=False)")),
    ("moe_layer", "capacity_floor", patch(ASSIGNMENT, "moe_layer", 
        "math.ceil(self.top_k * T_ * self.capacity_factor / E)", "int(self.top_k * T_ * self.capacity_factor / E)")),
    ("moe_layer", "capacity_without_top_k", patch(ASSIGNMENT, "moe_layer", 
        "math.ceil(self.top_k * T_ * self.capacity_factor / E)", "math.ceil(T_ * self.capacity_factor / E)")),
    ("moe_layer", "gshard_first_choices_first", patch(ASSIGNMENT, "moe_layer", [
        ("picked = F.one_hot(idx, E).sum(dim=1)", "picked = F.one_hot(idx, E)"),
        ("slot = picked.cumsum(dim=0) - 1",
         "slot = picked.transpose(0, 1).reshape(-1, E).cumsum(0).view(self.top_k, T_, E).transpose(0, 1) - 1"),
        ("keep = slot.gather(1, idx) < capacity", "keep = (slot * picked).sum(-1) < capacity")])),
    ("moe_layer", "renormalises_kept_weights", patch(ASSIGNMENT, "moe_layer", 
        "        out = torch.zeros_like(tokens)\n",
        "            weights = weights * keep\n"
        "            weights = weights / weights.sum(-1, keepdim=True).clamp(min=1e-9)\n"
        "        out = torch.zeros_like(tokens)\n")),
    ("moe_layer", "dropped_tokens_pass_through", patch(
        ASSIGNMENT, "moe_layer", "out = torch.zeros_like(tokens)", """out = torch.where(
            (keep.any(-1, keepdim=True) if self.capacity_factor is not None else torch.ones(1, 1, dtype=torch.bool)),
            torch.zeros_like(tokens), tokens)""")),
    ("moe_layer", "probabilities_instead_of_logits", patch(ASSIGNMENT, "moe_layer", 
        "return out.reshape(x.shape), router_logits", "return out.reshape(x.shape), torch.softmax(router_logits, -1)")),
    # moe_all_to_all_bytes ---------------------------------------------------------------------------------------------
    ("moe_all_to_all_bytes", "dispatch_only", patch(ASSIGNMENT, "moe_all_to_all_bytes",
        "return 2.0 *", "return 1.0 *")),
    ("moe_all_to_all_bytes", "local_copies_sent_too", patch(ASSIGNMENT, "moe_all_to_all_bytes",
        " * (ep_size - 1) / ep_size", " if ep_size > 1 else 0.0")),
    ("moe_all_to_all_bytes", "forward_and_backward", patch(ASSIGNMENT, "moe_all_to_all_bytes",
        "return 2.0 *", "return 4.0 *")),
    ("moe_all_to_all_bytes", "ignores_top_k", patch(ASSIGNMENT, "moe_all_to_all_bytes", "* top_k *", "*")),
    ("moe_all_to_all_bytes", "int_result", patch(ASSIGNMENT, "moe_all_to_all_bytes",
        "return 2.0 * tokens_per_rank * top_k * d_model * bytes_per_el * (ep_size - 1) / ep_size",
        "return 2 * tokens_per_rank * top_k * d_model * bytes_per_el * (ep_size - 1) // ep_size")),
    ("moe_all_to_all_bytes", "counts_the_local_share", patch(ASSIGNMENT, "moe_all_to_all_bytes",
        " * (ep_size - 1) / ep_size", " / ep_size if ep_size > 1 else 0.0")),
    # speculative_accept -----------------------------------------------------------------------------------------------
    ("speculative_accept", "resample_from_p", patch(
        ASSIGNMENT, "speculative_accept", "residual = (p[i] - q[i]).clamp(min=0)", "residual = p[i]")),
    ("speculative_accept", "residual_q_minus_p", patch(
        ASSIGNMENT, "speculative_accept",
        "residual = (p[i] - q[i]).clamp(min=0)", "residual = (q[i] - p[i]).clamp(min=0) + 1e-12")),
    ("speculative_accept", "inverted_ratio", patch(ASSIGNMENT, "speculative_accept", 
        "r < min(1.0, p[i, x].item() / q[i, x].item())", "r < min(1.0, q[i, x].item() / p[i, x].item())")),
    ("speculative_accept", "greedy_accept", patch(
        ASSIGNMENT, "speculative_accept",
        "if r < min(1.0, p[i, x].item() / q[i, x].item()):", "if p[i, x] >= q[i, x]:")),
    ("speculative_accept", "no_bonus_token", patch(
        ASSIGNMENT, "speculative_accept", "out.append(int(torch.multinomial(p[k], 1, generator=generator)))", "pass")),
    ("speculative_accept", "bonus_from_last_draft_row", patch(ASSIGNMENT, "speculative_accept", 
        "torch.multinomial(p[k], 1", "torch.multinomial(p[k - 1] if k else p[0], 1")),
    ("speculative_accept", "keeps_going_after_a_rejection", patch(ASSIGNMENT, "speculative_accept", 
        "        return torch.tensor(out, dtype=torch.int64)\n", "        continue\n")),
    ("speculative_accept", "global_rng", patch(ASSIGNMENT, "speculative_accept", 
        "if r < min(1.0, p[i, x].item() / q[i, x].item()):",
        "if torch.rand(()).item() < min(1.0, p[i, x].item() / q[i, x].item()):")),
    ("speculative_accept", "argmax_of_the_residual", patch(ASSIGNMENT, "speculative_accept", 
        "residual = (p[i] - q[i]).clamp(min=0)", "residual = F.one_hot((p[i] - q[i]).argmax(), p.shape[1]).float()")),
    # expected_tokens_per_step -----------------------------------------------------------------------------------------
    ("expected_tokens_per_step", "exponent_k", patch(ASSIGNMENT, "expected_tokens_per_step", [
        ("return float(k + 1)", "return float(k)"),
        ("alpha ** (k + 1)", "alpha ** k")])),
    ("expected_tokens_per_step", "no_bonus_token", """
def expected_tokens_per_step(alpha, k):
    return float(sum(alpha ** i for i in range(1, k + 1)))
"""),
    ("expected_tokens_per_step", "divides_by_zero_at_one", patch(ASSIGNMENT, "expected_tokens_per_step",
        "    if alpha == 1:\n"
        "        return float(k + 1)\n",
        "")),
    ("expected_tokens_per_step", "linear_in_k", """
def expected_tokens_per_step(alpha, k):
    return 1.0 + k * alpha
"""),
    ("expected_tokens_per_step", "int_at_one", patch(ASSIGNMENT, "expected_tokens_per_step",
        "return float(k + 1)", "return k + 1")),
    ("expected_tokens_per_step", "speedup_with_a_hidden_cost", """
def expected_tokens_per_step(alpha, k):
    t = float(k + 1) if alpha == 1 else (1 - alpha ** (k + 1)) / (1 - alpha)
    return t / (0.05 * k + 1)
"""),
    # attention_sink_positions -----------------------------------------------------------------------------------------
    ("attention_sink_positions", "text_positions_for_rope", patch(ASSIGNMENT, "attention_sink_positions",
        "return kept.to(torch.int64), torch.arange(len(kept), dtype=torch.int64)",
        "return kept.to(torch.int64), kept.to(torch.int64)")),
    ("attention_sink_positions", "window_includes_the_sinks", patch(ASSIGNMENT, "attention_sink_positions", [
        ("if seq_len <= n_sink + window:", "if seq_len <= window:"),
        ("torch.arange(seq_len - window, seq_len)", "torch.arange(seq_len - window + n_sink, seq_len)")])),
    ("attention_sink_positions", "off_by_one_window", patch(ASSIGNMENT, "attention_sink_positions",
        "torch.arange(seq_len - window, seq_len)", "torch.arange(seq_len - window - 1, seq_len - 1)")),
    ("attention_sink_positions", "newest_first", patch(ASSIGNMENT, "attention_sink_positions",
        "torch.arange(seq_len - window, seq_len)", "torch.arange(seq_len - 1, seq_len - window - 1, -1)")),
    ("attention_sink_positions", "int32", patch(ASSIGNMENT, "attention_sink_positions",
        "return kept.to(torch.int64), torch.arange(len(kept), dtype=torch.int64)",
        "return kept.int(), torch.arange(len(kept), dtype=torch.int32)")),
    ("attention_sink_positions", "duplicates_before_the_cache_fills", """
def attention_sink_positions(seq_len, n_sink, window):
    kept = torch.cat([torch.arange(min(n_sink, seq_len)), torch.arange(max(seq_len - window, 0), seq_len)])
    return kept, torch.arange(len(kept))
"""),
]

RIGHT = [
    ("repeat_kv", "repeat_interleave", """
def repeat_kv(x, n_rep):
    return torch.repeat_interleave(x, n_rep, dim=1)
"""),
    ("repeat_kv", "index_select_h_div_n_rep", """
def repeat_kv(x, n_rep):
    return x.index_select(1, torch.arange(x.shape[1] * n_rep) // n_rep)
"""),
    ("grouped_query_attention", "sdpa_enable_gqa", patch(ASSIGNMENT, "grouped_query_attention",
        "        k, v = repeat_kv(k, H // H_kv), repeat_kv(v, H // H_kv)             # (B, H, L, D)\n"
        "        scores = q @ k.transpose(-2, -1) / math.sqrt(D)                     # (B, H, L, L)\n"
        "        if mask is not None:\n"
        '            scores = scores.masked_fill(~mask, float("-inf"))\n'
        "        out = torch.softmax(scores, dim=-1) @ v                             # (B, H, L, D)\n",
        "        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)\n")),
    ("grouped_query_attention", "grouped_einsum_float64_softmax", patch(ASSIGNMENT, "grouped_query_attention",
        "        q = self.w_q(x).view(B, L, H, D).transpose(1, 2)                    # (B, H, L, D)\n"
        "        k = self.w_k(x).view(B, L, H_kv, D).transpose(1, 2)                 # (B, H_kv, L, D)\n"
        "        v = self.w_v(x).view(B, L, H_kv, D).transpose(1, 2)                 # (B, H_kv, L, D)\n"
        "        k, v = repeat_kv(k, H // H_kv), repeat_kv(v, H // H_kv)             # (B, H, L, D)\n"
        "        scores = q @ k.transpose(-2, -1) / math.sqrt(D)                     # (B, H, L, L)\n"
        "        if mask is not None:\n"
        '            scores = scores.masked_fill(~mask, float("-inf"))\n'
        "        out = torch.softmax(scores, dim=-1) @ v                             # (B, H, L, D)\n"
        "        return self.w_o(out.transpose(1, 2).reshape(B, L, H * D))           # (B, L, d_model)\n",
        "        G = H // H_kv\n"
        "        q = self.w_q(x).view(B, L, H_kv, G, D).permute(0, 2, 3, 1, 4)        # (B, H_kv, G, L, D)\n"
        "        k = self.w_k(x).view(B, L, H_kv, D).transpose(1, 2)                  # (B, H_kv, L, D)\n"
        "        v = self.w_v(x).view(B, L, H_kv, D).transpose(1, 2)\n"
        '        s = torch.einsum("bkgld,bkmd->bkglm", q, k) / D ** 0.5               # (B, H_kv, G, L, L)\n'
        "        if mask is not None:\n"
        "            m = torch.broadcast_to(mask, (B, H, L, L)).reshape(B, H_kv, G, L, L)\n"
        "            s = s.masked_fill(~m, -1e30)\n"
        "        w = torch.softmax(s.double(), -1).to(x.dtype)\n"
        '        out = torch.einsum("bkglm,bkmd->bkgld", w, v).reshape(B, H, L, D)\n'
        "        return self.w_o(out.transpose(1, 2).reshape(B, L, H * D))\n")),
    ("multi_head_latent_attention", "sdpa_on_projections", patch(ASSIGNMENT, "multi_head_latent_attention",
        "        scores = q @ k.transpose(-2, -1) / math.sqrt(D)                    # (B, H, L, Lk)\n"
        "        if mask is not None:\n"
        '            scores = scores.masked_fill(~mask, float("-inf"))\n'
        "        out = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(B, L, H * D)\n",
        "        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask).transpose(1, 2).reshape(B, L, "
        "H * D)\n")),
    ("mla_absorbed_attention", "sdpa_over_the_latent", """
def mla_absorbed_attention(q, c_kv, w_uk, w_uv, mask=None):
    B, H, Lq, D = q.shape
    d_c = c_kv.shape[-1]
    q_lat = torch.einsum("bhqd,hdc->bhqc", q, w_uk.view(H, D, d_c))          # (B, H, Lq, d_c)
    lat = c_kv.unsqueeze(1).expand(B, H, -1, d_c)                            # (B, H, Lk, d_c), shared by heads
    mixed = F.scaled_dot_product_attention(q_lat, lat, lat, attn_mask=mask, scale=1 / math.sqrt(D))
    return torch.einsum("bhqc,hdc->bhqd", mixed, w_uv.view(H, D, d_c))
"""),
    ("mla_absorbed_attention", "per_head_loop_matmul", """
def mla_absorbed_attention(q, c_kv, w_uk, w_uv, mask=None):
    B, H, Lq, D = q.shape
    outs = []
    for h in range(H):
        wk, wv = w_uk[h * D:(h + 1) * D], w_uv[h * D:(h + 1) * D]             # (D, d_c)
        s = (q[:, h] @ wk) @ c_kv.transpose(1, 2) / math.sqrt(D)              # (B, Lq, Lk)
        if mask is not None:
            s = s.masked_fill(~torch.broadcast_to(mask, (B, H, Lq, c_kv.shape[1]))[:, h], float("-inf"))
        outs.append((torch.softmax(s, -1) @ c_kv) @ wv.T)                     # (B, Lq, D)
    return torch.stack(outs, 1)
"""),
    ("topk_router", "softmax_of_chosen_logits", """
def topk_router(logits, k, renormalize=True):
    lf = logits.double()
    top, idx = torch.topk(lf, k, dim=-1)
    w = torch.softmax(top, -1) if renormalize else torch.exp(top - torch.logsumexp(lf, -1, keepdim=True))
    return w.to(logits.dtype), idx
"""),
    ("load_balancing_loss", "scatter_counts_float64", """
def load_balancing_loss(router_logits, top_k=1):
    E = router_logits.shape[-1]
    p = torch.softmax(router_logits.reshape(-1, E).double(), -1)
    idx = p.topk(top_k).indices.flatten()
    counts = torch.zeros(E, dtype=torch.float64).scatter_add_(0, idx, torch.ones_like(idx, dtype=torch.float64))
    return (E / (p.shape[0] * top_k) * (counts * p.mean(0)).sum()).to(router_logits.dtype)
"""),
    ("moe_layer", "dense_loop_over_tokens", patch(ASSIGNMENT, "moe_layer",
        "        keep = torch.ones_like(idx, dtype=torch.bool)                          # (T, k)\n"
        "        if self.capacity_factor is not None:\n"
        "            T_, E = tokens.shape[0], self.n_experts\n"
        "            capacity = math.ceil(self.top_k * T_ * self.capacity_factor / E)\n"
        "            picked = F.one_hot(idx, E).sum(dim=1)                              # (T, E) 0/1\n"
        "            slot = picked.cumsum(dim=0) - 1                                    # (T, E) place in "
        "expert e's queue\n"
        "            keep = slot.gather(1, idx) < capacity                              # (T, k)\n"
        "        out = torch.zeros_like(tokens)\n"
        "        for e, ex in enumerate(self.experts):\n"
        "            t, j = torch.nonzero((idx == e) & keep, as_tuple=True)             # tokens served by "
        "expert e\n"
        "            if t.numel():\n"
        "                out.index_add_(0, t, ex(tokens[t]) * weights[t, j, None])     # (n_e, d) added per token\n"
        "        return out.reshape(x.shape), router_logits\n",
        "        n = tokens.shape[0]\n"
        "        cap = None if self.capacity_factor is None else math.ceil(self.top_k * n * "
        "self.capacity_factor / self.n_experts)\n"
        "        used = [0] * self.n_experts\n"
        "        rows = []\n"
        "        for t in range(n):\n"
        "            acc = torch.zeros_like(tokens[t])\n"
        "            for j in range(self.top_k):\n"
        "                e = int(idx[t, j])\n"
        "                if cap is not None:\n"
        "                    if used[e] >= cap:\n"
        "                        continue\n"
        "                    used[e] += 1\n"
        "                acc = acc + weights[t, j] * self.experts[e](tokens[t])\n"
        "            rows.append(acc)\n"
        "        return torch.stack(rows).reshape(x.shape), router_logits\n")),
    ("moe_all_to_all_bytes", "per_peer_sum", """
def moe_all_to_all_bytes(tokens_per_rank, d_model, top_k, ep_size, bytes_per_el=2):
    per_peer = tokens_per_rank * top_k / ep_size * d_model * bytes_per_el
    return float(sum(2 * per_peer for _ in range(ep_size - 1)))
"""),
    ("speculative_accept", "uniform_compare_q_times_r", """
def speculative_accept(draft_tokens, q, p, generator=None):
    k = draft_tokens.shape[0]
    u = torch.rand(k, generator=generator, dtype=p.dtype)
    out = []
    for i in range(k):
        x = draft_tokens[i]
        if u[i] * q[i, x] <= p[i, x]:
            out.append(x)
            continue
        res = torch.relu(p[i] - q[i])
        out.append(torch.multinomial(res / res.sum(), 1, generator=generator)[0])
        return torch.stack(out).to(torch.int64)
    out.append(torch.multinomial(p[k], 1, generator=generator)[0])
    return torch.stack(out).to(torch.int64)
"""),
    ("speculative_accept", "inverse_cdf_sampling_float64", """
def speculative_accept(draft_tokens, q, p, generator=None):
    def draw(probs):
        cdf = torch.cumsum(probs.double() / probs.double().sum(), 0)
        u = torch.rand((), generator=generator, dtype=torch.float64)
        return int(torch.searchsorted(cdf, u, right=True).clamp(max=len(cdf) - 1))
    out = []
    for i, x in enumerate(draft_tokens.tolist()):
        if torch.rand((), generator=generator, dtype=torch.float64) < p[i, x].double() / q[i, x].double():
            out.append(x)
        else:
            out.append(draw((p[i] - q[i]).clamp(min=0)))
            return torch.tensor(out)
    out.append(draw(p[len(draft_tokens)]))
    return torch.tensor(out)
"""),
    ("expected_tokens_per_step", "geometric_sum", """
def expected_tokens_per_step(alpha, k):
    return float(sum(alpha ** i for i in range(k + 1)))
"""),
    ("attention_sink_positions", "simulated_cache", """
def attention_sink_positions(seq_len, n_sink, window):
    cache = []
    for t in range(seq_len):
        cache.append(t)
        if len(cache) > n_sink + window:
            cache.pop(n_sink)
    return torch.tensor(cache, dtype=torch.int64), torch.arange(len(cache))
"""),
]
