"""01_attention: plausible wrong implementations the tests must catch, and correct variants they must accept.

Most variants are the reference cell with a small edit (``patch``), so each shows exactly the mistake it makes;
whole cells are genuinely different implementations.
"""

from mutations._patch import patch

ASSIGNMENT = "01_attention"

WRONG = [
    # softmax
    ("softmax", "no_max_shift", patch(ASSIGNMENT, "softmax",
        "x - x.amax(dim=dim, keepdim=True)   # every exponent <= 0", "x")),
    ("softmax", "exp_minus_logsumexp", """
def softmax(x, dim=-1):
    return torch.exp(x - torch.logsumexp(x, dim=dim, keepdim=True))
"""),
    ("softmax", "global_max_shift", patch(ASSIGNMENT, "softmax", "x.amax(dim=dim, keepdim=True)", "x.max()")),
    ("softmax", "ignores_dim", patch(ASSIGNMENT, "softmax", [
        ("x.amax(dim=dim,", "x.amax(dim=-1,"),
        ("e.sum(dim=dim,", "e.sum(dim=-1,")])),
    ("softmax", "inf_replaced_by_min", patch(ASSIGNMENT, "softmax",
        "    shifted = x -",
        "    x = torch.nan_to_num(x, neginf=-1e4)\n"
        "    shifted = x -")),
    ("softmax", "in_place_shift", patch(ASSIGNMENT, "softmax", [
        ("shifted = x - x.amax", "x -= x.amax"),
        ("torch.exp(shifted)", "torch.exp(x)")])),
    # qk_score_variance
    ("qk_score_variance", "divide_by_dk", patch(ASSIGNMENT, "qk_score_variance",
        "scores / math.sqrt(d_k)", "scores / d_k")),
    ("qk_score_variance", "returns_std", patch(ASSIGNMENT, "qk_score_variance", "scores.var()", "scores.std()")),
    ("qk_score_variance", "uniform_samples", patch(ASSIGNMENT, "qk_score_variance",
        "torch.randn(", "torch.rand(", count=2)),
    ("qk_score_variance", "returns_tensor", patch(ASSIGNMENT, "qk_score_variance",
        "scores.var().item()", "scores.var()")),
    ("qk_score_variance", "ignores_generator", patch(ASSIGNMENT, "qk_score_variance",
        ", generator=generator)", ")", count=2)),
    # causal_mask
    ("causal_mask", "upper_triangle", patch(ASSIGNMENT, "causal_mask", "tril()", "triu()")),
    ("causal_mask", "diagonal_excluded", patch(ASSIGNMENT, "causal_mask", "tril()", "tril(-1)")),
    ("causal_mask", "float_mask", patch(ASSIGNMENT, "causal_mask", ", dtype=torch.bool", "")),
    # causal_additive_mask
    ("causal_additive_mask", "large_negative_not_inf", patch(ASSIGNMENT, "causal_additive_mask",
        'float("-inf")', "-1e9")),
    ("causal_additive_mask", "transposed", patch(ASSIGNMENT, "causal_additive_mask", "tril()", "triu()")),
    ("causal_additive_mask", "ignores_dtype", patch(ASSIGNMENT, "causal_additive_mask",
        "torch.zeros(seq_len, seq_len, dtype=dtype)", "torch.zeros(seq_len, seq_len)")),
    ("causal_additive_mask", "diagonal_masked", patch(ASSIGNMENT, "causal_additive_mask", "tril()", "tril(-1)")),
    # scaled_dot_product_attention
    ("scaled_dot_product_attention", "no_scale", patch(ASSIGNMENT, "scaled_dot_product_attention",
        " / math.sqrt(q.shape[-1])", "")),
    ("scaled_dot_product_attention", "scale_by_dv", patch(ASSIGNMENT, "scaled_dot_product_attention",
        "math.sqrt(q.shape[-1])", "math.sqrt(v.shape[-1])")),
    ("scaled_dot_product_attention", "softmax_over_queries", patch(ASSIGNMENT, "scaled_dot_product_attention",
        "softmax(scores, dim=-1)", "softmax(scores, dim=-2)")),
    ("scaled_dot_product_attention", "mask_inverted", patch(ASSIGNMENT, "scaled_dot_product_attention",
        "masked_fill(~mask,", "masked_fill(mask,")),
    ("scaled_dot_product_attention", "nan_on_fully_masked_row", patch(ASSIGNMENT, "scaled_dot_product_attention",
        "    weights = torch.nan_to_num(weights, nan=0.0)                   # rows with no allowed key: 0\n", "")),
    ("scaled_dot_product_attention", "large_negative_fill_uniform_row",
     patch(ASSIGNMENT, "scaled_dot_product_attention", [
        ('float("-inf"))', "-1e9)"),
        ("    weights = torch.nan_to_num(weights, nan=0.0)                   # rows with no allowed key: 0\n", "")])),
    ("scaled_dot_product_attention", "scale_by_lk", patch(ASSIGNMENT, "scaled_dot_product_attention",
        "math.sqrt(q.shape[-1])", "math.sqrt(k.shape[-2])")),
    # split_heads / merge_heads
    ("split_heads", "view_without_transpose", patch(ASSIGNMENT, "split_heads",
        "x.view(B, L, n_heads, E // n_heads).transpose(1, 2)", "x.reshape(B, n_heads, L, E // n_heads)")),
    ("split_heads", "heads_interleaved", patch(ASSIGNMENT, "split_heads",
        "x.view(B, L, n_heads, E // n_heads).transpose(1, 2)",
        "x.view(B, L, E // n_heads, n_heads).permute(0, 3, 1, 2)")),
    ("split_heads", "no_transpose", patch(ASSIGNMENT, "split_heads", ".transpose(1, 2)", "")),
    ("merge_heads", "reshape_without_transpose", patch(ASSIGNMENT, "merge_heads",
        "x.transpose(1, 2).reshape", "x.reshape")),
    ("merge_heads", "wrong_permute", patch(ASSIGNMENT, "merge_heads", "x.transpose(1, 2)", "x.permute(0, 2, 3, 1)")),
    ("merge_heads", "view_fails_non_contiguous", patch(ASSIGNMENT, "merge_heads",
        ".reshape(B, L, H * D)", ".view(B, L, H * D)")),
    # MultiHeadAttention
    ("multi_head_attention", "no_output_projection", patch(ASSIGNMENT, "multi_head_attention",
        "self.w_o(merge_heads(out))", "merge_heads(out)")),
    ("multi_head_attention", "kv_ignored", patch(ASSIGNMENT, "multi_head_attention",
        "src = x if kv is None else kv", "src = x")),
    # scaled by sqrt(d_model), not sqrt(d_head)
    ("multi_head_attention", "single_head_scale", patch(ASSIGNMENT, "multi_head_attention",
        "        out, _ = scaled_dot_product_attention(q, k, v, mask)      # (B, H, Lq, D)\n",
        "        scores = q @ k.transpose(-2, -1) / math.sqrt(x.shape[-1])\n"
        "        if mask is not None:\n"
        '            scores = scores.masked_fill(~mask, float("-inf"))\n'
        "        out = torch.softmax(scores, -1) @ v\n")),
    ("multi_head_attention", "heads_split_wrong", patch(ASSIGNMENT, "multi_head_attention", [
        ("        src = x if kv is None else kv\n",
         "        src = x if kv is None else kv\n"
         "        B, Lq, E = x.shape\n"
         "        H = self.n_heads\n"),
        ("split_heads(self.w_q(x), self.n_heads)", "self.w_q(x).reshape(B, H, Lq, E // H)"),
        ("split_heads(self.w_k(src), self.n_heads)", "self.w_k(src).reshape(B, H, src.shape[1], E // H)"),
        ("split_heads(self.w_v(src), self.n_heads)", "self.w_v(src).reshape(B, H, src.shape[1], E // H)"),
        ("merge_heads(out)", "out.reshape(B, Lq, E)")])),
    ("multi_head_attention", "mask_ignored", patch(ASSIGNMENT, "multi_head_attention",
        "scaled_dot_product_attention(q, k, v, mask)", "scaled_dot_product_attention(q, k, v)")),
    ("multi_head_attention", "bias_always_on", patch(ASSIGNMENT, "multi_head_attention",
        ", bias=bias)", ")", count=4)),
    # additive_attention_scores
    ("additive_attention_scores", "no_tanh", patch(ASSIGNMENT, "additive_attention_scores",
        "torch.tanh(qa.unsqueeze(-2) + ka.unsqueeze(-3))", "(qa.unsqueeze(-2) + ka.unsqueeze(-3))")),
    ("additive_attention_scores", "transposed_result", patch(ASSIGNMENT, "additive_attention_scores",
        "qa.unsqueeze(-2) + ka.unsqueeze(-3)", "qa.unsqueeze(-3) + ka.unsqueeze(-2)")),
    ("additive_attention_scores", "sum_instead_of_v", patch(ASSIGNMENT, "additive_attention_scores",
        "return hidden @ v", "return hidden.sum(-1)")),
    ("additive_attention_scores", "tanh_per_term", patch(ASSIGNMENT, "additive_attention_scores", [
        ("qa = q @ w_q.T", "qa = torch.tanh(q @ w_q.T)"),
        ("ka = k @ w_k.T", "ka = torch.tanh(k @ w_k.T)"),
        ("torch.tanh(qa.unsqueeze(-2) + ka.unsqueeze(-3))", "(qa.unsqueeze(-2) + ka.unsqueeze(-3))")])),
    # self_attention_flops
    ("self_attention_flops", "macs_not_flops", patch(ASSIGNMENT, "self_attention_flops",
        "4 * seq_len ** 2 * d_model + 8 *", "2 * seq_len ** 2 * d_model + 4 *")),
    ("self_attention_flops", "forgets_av", patch(ASSIGNMENT, "self_attention_flops",
        "4 * seq_len ** 2", "2 * seq_len ** 2")),
    ("self_attention_flops", "three_projections", patch(ASSIGNMENT, "self_attention_flops",
        "8 * seq_len", "6 * seq_len")),
    ("self_attention_flops", "returns_float", patch(ASSIGNMENT, "self_attention_flops",
        "4 * seq_len ** 2 * d_model + 8 * seq_len * d_model ** 2",
        "float(4 * seq_len ** 2 * d_model + 8 * seq_len * d_model ** 2)")),
    # sliding_window_mask
    ("sliding_window_mask", "off_by_one_window", patch(ASSIGNMENT, "sliding_window_mask",
        "(i - j < window)", "(i - j <= window)")),
    ("sliding_window_mask", "not_causal", patch(ASSIGNMENT, "sliding_window_mask",
        "(i - j >= 0) & (i - j < window)", "(i - j).abs() < window")),
    ("sliding_window_mask", "excludes_self", patch(ASSIGNMENT, "sliding_window_mask",
        "(i - j >= 0) & (i - j < window)", "(i - j > 0) & (i - j <= window)")),
    ("sliding_window_mask", "transposed", patch(ASSIGNMENT, "sliding_window_mask",
        "(i - j >= 0) & (i - j < window)", "(j - i >= 0) & (j - i < window)")),
    # topk_attention
    ("topk_attention", "keeps_smallest", patch(ASSIGNMENT, "topk_attention", [
        ("topk(top_k, dim=-1)", "topk(top_k, dim=-1, largest=False)"),
        ("scores < kth", "scores > kth")])),
    ("topk_attention", "strict_threshold_keeps_k_minus_1", patch(ASSIGNMENT, "topk_attention",
        "scores < kth", "scores <= kth")),
    ("topk_attention", "topk_over_queries", patch(ASSIGNMENT, "topk_attention", [
        ("top_k < scores.shape[-1]", "top_k < scores.shape[-2]"),
        ("topk(top_k, dim=-1).values[..., -1:]", "topk(top_k, dim=-2).values[..., -1:, :]")])),
    ("topk_attention", "zero_fill_not_inf", patch(ASSIGNMENT, "topk_attention",
        'masked_fill(scores < kth, float("-inf"))', "masked_fill(scores < kth, 0.0)")),
    ("topk_attention", "fails_when_top_k_exceeds_lk", patch(ASSIGNMENT, "topk_attention", [
        ("    if top_k < scores.shape[-1]:\n", ""),
        ("        kth", "    kth"),
        ("        scores = scores.masked_fill", "    scores = scores.masked_fill")])),
]

RIGHT = [
    ("softmax", "float64_inside", """
def softmax(x, dim=-1):
    y = x.double()
    e = (y - y.max(dim=dim, keepdim=True).values).exp()
    return (e / e.sum(dim=dim, keepdim=True)).to(x.dtype)
"""),
    ("softmax", "torch_builtin", """
def softmax(x, dim=-1):
    return torch.softmax(x, dim=dim)
"""),
    ("qk_score_variance", "matmul_diag_unbiased_false", """
def qk_score_variance(d_k, n_samples=10_000, scaled=False, generator=None):
    q = torch.randn(n_samples, d_k, generator=generator, dtype=torch.float64)
    k = torch.randn(n_samples, d_k, generator=generator, dtype=torch.float64)
    s = torch.einsum("nd,nd->n", q, k) / (math.sqrt(d_k) if scaled else 1.0)
    return float(((s - s.mean()) ** 2).mean())
"""),
    ("causal_mask", "index_compare", """
def causal_mask(seq_len):
    i = torch.arange(seq_len)
    return i[:, None] >= i[None, :]
"""),
    ("causal_additive_mask", "triu_fill", """
def causal_additive_mask(seq_len, dtype=torch.float32):
    return torch.full((seq_len, seq_len), float("-inf"), dtype=dtype).triu(1)
"""),
    ("scaled_dot_product_attention", "einsum", """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.einsum("...qd,...kd->...qk", q, k) / q.shape[-1] ** 0.5
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    w = softmax(scores, dim=-1)
    w = torch.where(torch.isnan(w), torch.zeros_like(w), w)
    return torch.einsum("...qk,...kd->...qd", w, v), w
"""),
    ("scaled_dot_product_attention", "minus_1e9_fill_then_zero_rows",
     patch(ASSIGNMENT, "scaled_dot_product_attention", [
        ('float("-inf"))', "-1e9)"),
        ("    weights = torch.nan_to_num(weights, nan=0.0)                   # rows with no allowed key: 0\n",
         "    if mask is not None:\n"
         "        weights = weights * mask\n")])),
    ("scaled_dot_product_attention", "float64_softmax", """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = (q.double() @ k.double().transpose(-2, -1)) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    w = torch.softmax(scores, -1).nan_to_num(0.0).to(q.dtype)
    return w @ v, w
"""),
    ("split_heads", "einops_style_reshape", patch(ASSIGNMENT, "split_heads",
        "x.view(B, L, n_heads, E // n_heads).transpose(1, 2)",
        "x.reshape(B, L, n_heads, -1).permute(0, 2, 1, 3).contiguous()")),
    ("merge_heads", "cat_heads", """
def merge_heads(x):
    return torch.cat(x.unbind(1), dim=-1)
"""),
    ("multi_head_attention", "fused_qkv_view", """
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads, bias=True):
        super().__init__()
        self.h = n_heads
        self.w_q = nn.Linear(d_model, d_model, bias=bias)
        self.w_k = nn.Linear(d_model, d_model, bias=bias)
        self.w_v = nn.Linear(d_model, d_model, bias=bias)
        self.w_o = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, x, kv=None, mask=None):
        kv = x if kv is None else kv
        B, Lq, E = x.shape
        Lk = kv.shape[1]
        q = self.w_q(x).view(B, Lq, self.h, -1).transpose(1, 2)
        k = self.w_k(kv).view(B, Lk, self.h, -1).transpose(1, 2)
        v = self.w_v(kv).view(B, Lk, self.h, -1).transpose(1, 2)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.w_o(out.transpose(1, 2).reshape(B, Lq, E))
"""),
    ("additive_attention_scores", "einsum", """
def additive_attention_scores(q, k, w_q, w_k, v):
    qa = torch.einsum("...id,ad->...ia", q, w_q)
    ka = torch.einsum("...jd,ad->...ja", k, w_k)
    return torch.einsum("...ija,a->...ij", torch.tanh(qa[..., :, None, :] + ka[..., None, :, :]), v)
"""),
    ("self_attention_flops", "summed_terms", """
def self_attention_flops(seq_len, d_model):
    projections = 4 * (2 * seq_len * d_model * d_model)
    scores = 2 * seq_len * seq_len * d_model
    weighted_sum = 2 * seq_len * seq_len * d_model
    return projections + scores + weighted_sum
"""),
    ("sliding_window_mask", "tril_minus_tril", """
def sliding_window_mask(seq_len, window):
    ones = torch.ones(seq_len, seq_len, dtype=torch.bool)
    return ones.tril() & ~ones.tril(-window)
"""),
    ("topk_attention", "scatter_mask", """
def topk_attention(q, k, v, top_k):
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    top_k = min(top_k, s.shape[-1])
    idx = s.topk(top_k, dim=-1).indices
    keep = torch.zeros_like(s, dtype=torch.bool).scatter(-1, idx, True)
    return torch.softmax(s.masked_fill(~keep, float("-inf")), -1) @ v
"""),
]

# Added by a probe for false accepts / false rejects: more plausible mistakes and valid variants.
WRONG += [
    ("softmax", "shift_by_mean", patch(ASSIGNMENT, "softmax", "x.amax(dim=dim", "x.mean(dim=dim")),
    ("qk_score_variance", "q_dot_q", patch(ASSIGNMENT, "qk_score_variance", [
        ("    k = torch.randn(n_samples, d_k, generator=generator)    # (N, d_k)\n", ""),
        ("(q * k)", "(q * q)")])),
    ("scaled_dot_product_attention", "mask_after_softmax_no_renorm",
     patch(ASSIGNMENT, "scaled_dot_product_attention", [
        ("    if mask is not None:\n",
         "    weights = softmax(scores, dim=-1)\n"
         "    if mask is not None:\n"),
        ('        scores = scores.masked_fill(~mask, float("-inf"))\n'
         "    weights = softmax(scores, dim=-1)\n"
         "    weights = torch.nan_to_num(weights, nan=0.0)                   # rows with no allowed key: 0\n",
         "        weights = weights * mask\n")])),
    ("scaled_dot_product_attention", "scale_by_sqrt_lq", patch(ASSIGNMENT, "scaled_dot_product_attention",
        "math.sqrt(q.shape[-1])", "math.sqrt(q.shape[-2])")),
    ("multi_head_attention", "torch_mask_convention", patch(ASSIGNMENT, "multi_head_attention",
        "scaled_dot_product_attention(q, k, v, mask)",
        "scaled_dot_product_attention(q, k, v, None if mask is None else ~mask)")),
    ("multi_head_attention", "k_from_x_in_cross", patch(ASSIGNMENT, "multi_head_attention", [
        ("self.w_q(x)", "self.w_q(src)"),
        ("self.w_k(src)", "self.w_k(x)"),
        ("self.w_v(src)", "self.w_v(x)")])),
    ("topk_attention", "topk_on_unscaled_then_softmax_unscaled", patch(ASSIGNMENT, "topk_attention",
        " / math.sqrt(q.shape[-1])", "")),
    # off by one: the (top_k+1)-th score
    ("topk_attention", "keeps_top_k_plus_one", patch(ASSIGNMENT, "topk_attention",
        "scores.topk(top_k, dim=-1)", "scores.topk(min(top_k + 1, scores.shape[-1]), dim=-1)")),
    ("sliding_window_mask", "window_plus_one", """
def sliding_window_mask(seq_len, window):
    return torch.ones(seq_len, seq_len, dtype=torch.bool).tril().triu(-window)
"""),
    ("additive_attention_scores", "sum_over_a_without_v", patch(ASSIGNMENT, "additive_attention_scores",
        "return hidden @ v", "return hidden.mean(-1) * v.sum()")),
]

RIGHT += [
    ("softmax", "log_softmax_exp", """
def softmax(x, dim=-1):
    m = x.amax(dim=dim, keepdim=True)
    s = x - m
    return torch.exp(s - torch.log(torch.exp(s).sum(dim=dim, keepdim=True)))
"""),
    ("qk_score_variance", "one_draw_float64_manual_var", """
def qk_score_variance(d_k, n_samples=10_000, scaled=False, generator=None):
    qk = torch.randn(2, n_samples, d_k, generator=generator, dtype=torch.float64)
    s = (qk[0] * qk[1]).sum(-1)
    if scaled:
        s = s / d_k ** 0.5
    return float(((s - s.mean()) ** 2).mean())
"""),
    ("scaled_dot_product_attention", "where_additive_mask_then_where_rows", """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.matmul(q, k.mT) * q.shape[-1] ** -0.5
    if mask is not None:
        scores = scores + torch.where(mask, 0.0, float("-inf")).to(scores.dtype)
    w = torch.softmax(scores, dim=-1)
    if mask is not None:
        w = torch.where(mask.any(-1, keepdim=True), w, torch.zeros((), dtype=w.dtype))
    return w @ v, w
"""),
    ("split_heads", "unflatten_and_chunk", """
def split_heads(x, n_heads):
    return torch.stack(x.chunk(n_heads, dim=-1), dim=1)
"""),
    ("merge_heads", "permute_flatten", """
def merge_heads(x):
    return x.permute(0, 2, 1, 3).flatten(2)
"""),
    ("multi_head_attention", "torch_sdpa_inside", """
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads, bias=True):
        super().__init__()
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.w_q = nn.Linear(d_model, d_model, bias=bias)
        self.w_k = nn.Linear(d_model, d_model, bias=bias)
        self.w_v = nn.Linear(d_model, d_model, bias=bias)
        self.w_o = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, x, kv=None, mask=None):
        kv = x if kv is None else kv
        B, Lq, E = x.shape
        Lk = kv.shape[1]
        q = self.w_q(x).view(B, Lq, self.n_heads, self.d_head).transpose(1, 2)
        k = self.w_k(kv).view(B, Lk, self.n_heads, self.d_head).transpose(1, 2)
        v = self.w_v(kv).view(B, Lk, self.n_heads, self.d_head).transpose(1, 2)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.w_o(out.transpose(1, 2).reshape(B, Lq, E))
"""),
    ("multi_head_attention", "loop_over_heads", """
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads, bias=True):
        super().__init__()
        self.n_heads = n_heads
        self.w_q = nn.Linear(d_model, d_model, bias=bias)
        self.w_k = nn.Linear(d_model, d_model, bias=bias)
        self.w_v = nn.Linear(d_model, d_model, bias=bias)
        self.w_o = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, x, kv=None, mask=None):
        src = x if kv is None else kv
        q, k, v = self.w_q(x), self.w_k(src), self.w_v(src)
        H = self.n_heads
        D = q.shape[-1] // H
        B, Lq, Lk = x.shape[0], x.shape[1], src.shape[1]
        if mask is not None:
            mask = torch.broadcast_to(mask, (B, H, Lq, Lk))
        outs = []
        for h in range(H):
            sl = slice(h * D, (h + 1) * D)
            s = q[..., sl] @ k[..., sl].transpose(-1, -2) / math.sqrt(D)
            if mask is not None:
                s = s.masked_fill(~mask[:, h], float("-inf"))
            outs.append(torch.softmax(s, -1) @ v[..., sl])
        return self.w_o(torch.cat(outs, dim=-1))
"""),
    ("topk_attention", "gather_topk_values", """
def topk_attention(q, k, v, top_k):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    Lk = scores.shape[-1]
    vals, idx = scores.topk(min(top_k, Lk), dim=-1)            # (..., Lq, K)
    w = torch.softmax(vals, dim=-1)
    Lq, Dv = scores.shape[-2], v.shape[-1]
    v_exp = v.unsqueeze(-3).expand(*v.shape[:-2], Lq, Lk, Dv)
    picked = torch.gather(v_exp, -2, idx.unsqueeze(-1).expand(*idx.shape, Dv))
    return (w.unsqueeze(-1) * picked).sum(-2)
"""),
    ("topk_attention", "kthvalue_threshold_float64", """
def topk_attention(q, k, v, top_k):
    scores = (q.double() @ k.double().transpose(-2, -1)) / math.sqrt(q.shape[-1])
    Lk = scores.shape[-1]
    if top_k < Lk:
        kth = scores.kthvalue(Lk - top_k + 1, dim=-1, keepdim=True).values
        scores = scores.masked_fill(scores < kth, float("-inf"))
    return (torch.softmax(scores, -1) @ v.double()).to(v.dtype)
"""),
    ("sliding_window_mask", "tril_triu", """
def sliding_window_mask(seq_len, window):
    return torch.ones(seq_len, seq_len, dtype=torch.bool).tril().triu(-(window - 1))
"""),
    ("additive_attention_scores", "python_loops", """
def additive_attention_scores(q, k, w_q, w_k, v):
    Lq, Lk = q.shape[-2], k.shape[-2]
    rows = []
    for i in range(Lq):
        cols = []
        for j in range(Lk):
            h = torch.tanh(q[..., i, :] @ w_q.T + k[..., j, :] @ w_k.T)
            cols.append(h @ v)
        rows.append(torch.stack(cols, -1))
    return torch.stack(rows, -2)
"""),
    ("causal_additive_mask", "full_triu", """
def causal_additive_mask(seq_len, dtype=torch.float32):
    return torch.full((seq_len, seq_len), float("-inf"), dtype=dtype).triu(1)
"""),
    ("self_attention_flops", "float_then_int", """
def self_attention_flops(seq_len, d_model):
    return int(2.0 * seq_len * seq_len * d_model * 2 + 4 * 2.0 * seq_len * d_model * d_model)
"""),
]
