"""01_attention: plausible wrong implementations the tests must catch, and correct variants they must accept."""

ASSIGNMENT = "01_attention"

WRONG = [
    # softmax
    ("softmax", "no_max_shift", """
def softmax(x, dim=-1):
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)
"""),
    ("softmax", "exp_minus_logsumexp", """
def softmax(x, dim=-1):
    return torch.exp(x - torch.logsumexp(x, dim=dim, keepdim=True))
"""),
    ("softmax", "global_max_shift", """
def softmax(x, dim=-1):
    e = torch.exp(x - x.max())
    return e / e.sum(dim=dim, keepdim=True)
"""),
    ("softmax", "ignores_dim", """
def softmax(x, dim=-1):
    e = torch.exp(x - x.amax(-1, keepdim=True))
    return e / e.sum(-1, keepdim=True)
"""),
    ("softmax", "inf_replaced_by_min", """
def softmax(x, dim=-1):
    x = torch.nan_to_num(x, neginf=-1e4)
    e = torch.exp(x - x.amax(dim, keepdim=True))
    return e / e.sum(dim, keepdim=True)
"""),
    ("softmax", "in_place_shift", """
def softmax(x, dim=-1):
    x -= x.amax(dim=dim, keepdim=True)
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)
"""),
    # qk_score_variance
    ("qk_score_variance", "divide_by_dk", """
def qk_score_variance(d_k, n_samples=10_000, scaled=False, generator=None):
    q = torch.randn(n_samples, d_k, generator=generator)
    k = torch.randn(n_samples, d_k, generator=generator)
    s = (q * k).sum(-1)
    if scaled:
        s = s / d_k
    return s.var().item()
"""),
    ("qk_score_variance", "returns_std", """
def qk_score_variance(d_k, n_samples=10_000, scaled=False, generator=None):
    q = torch.randn(n_samples, d_k, generator=generator)
    k = torch.randn(n_samples, d_k, generator=generator)
    s = (q * k).sum(-1)
    if scaled:
        s = s / math.sqrt(d_k)
    return s.std().item()
"""),
    ("qk_score_variance", "uniform_samples", """
def qk_score_variance(d_k, n_samples=10_000, scaled=False, generator=None):
    q = torch.rand(n_samples, d_k, generator=generator)
    k = torch.rand(n_samples, d_k, generator=generator)
    s = (q * k).sum(-1)
    if scaled:
        s = s / math.sqrt(d_k)
    return s.var().item()
"""),
    ("qk_score_variance", "returns_tensor", """
def qk_score_variance(d_k, n_samples=10_000, scaled=False, generator=None):
    q = torch.randn(n_samples, d_k, generator=generator)
    k = torch.randn(n_samples, d_k, generator=generator)
    s = (q * k).sum(-1)
    if scaled:
        s = s / math.sqrt(d_k)
    return s.var()
"""),
    ("qk_score_variance", "ignores_generator", """
def qk_score_variance(d_k, n_samples=10_000, scaled=False, generator=None):
    q = torch.randn(n_samples, d_k)
    k = torch.randn(n_samples, d_k)
    s = (q * k).sum(-1)
    if scaled:
        s = s / math.sqrt(d_k)
    return s.var().item()
"""),
    # causal_mask
    ("causal_mask", "upper_triangle", """
def causal_mask(seq_len):
    return torch.ones(seq_len, seq_len, dtype=torch.bool).triu()
"""),
    ("causal_mask", "diagonal_excluded", """
def causal_mask(seq_len):
    return torch.ones(seq_len, seq_len, dtype=torch.bool).tril(-1)
"""),
    ("causal_mask", "float_mask", """
def causal_mask(seq_len):
    return torch.ones(seq_len, seq_len).tril()
"""),
    # causal_additive_mask
    ("causal_additive_mask", "large_negative_not_inf", """
def causal_additive_mask(seq_len, dtype=torch.float32):
    allowed = torch.ones(seq_len, seq_len, dtype=torch.bool).tril()
    return torch.zeros(seq_len, seq_len, dtype=dtype).masked_fill(~allowed, -1e9)
"""),
    ("causal_additive_mask", "transposed", """
def causal_additive_mask(seq_len, dtype=torch.float32):
    allowed = torch.ones(seq_len, seq_len, dtype=torch.bool).triu()
    return torch.zeros(seq_len, seq_len, dtype=dtype).masked_fill(~allowed, float("-inf"))
"""),
    ("causal_additive_mask", "ignores_dtype", """
def causal_additive_mask(seq_len, dtype=torch.float32):
    allowed = torch.ones(seq_len, seq_len, dtype=torch.bool).tril()
    return torch.zeros(seq_len, seq_len).masked_fill(~allowed, float("-inf"))
"""),
    ("causal_additive_mask", "diagonal_masked", """
def causal_additive_mask(seq_len, dtype=torch.float32):
    allowed = torch.ones(seq_len, seq_len, dtype=torch.bool).tril(-1)
    return torch.zeros(seq_len, seq_len, dtype=dtype).masked_fill(~allowed, float("-inf"))
"""),
    # scaled_dot_product_attention
    ("scaled_dot_product_attention", "no_scale", """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    w = torch.nan_to_num(softmax(scores, -1), nan=0.0)
    return w @ v, w
"""),
    ("scaled_dot_product_attention", "scale_by_dv", """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(v.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    w = torch.nan_to_num(softmax(scores, -1), nan=0.0)
    return w @ v, w
"""),
    ("scaled_dot_product_attention", "softmax_over_queries", """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    w = torch.nan_to_num(softmax(scores, -2), nan=0.0)
    return w @ v, w
"""),
    ("scaled_dot_product_attention", "mask_inverted", """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    w = torch.nan_to_num(softmax(scores, -1), nan=0.0)
    return w @ v, w
"""),
    ("scaled_dot_product_attention", "nan_on_fully_masked_row", """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    w = softmax(scores, -1)
    return w @ v, w
"""),
    ("scaled_dot_product_attention", "large_negative_fill_uniform_row", """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, -1e9)
    w = softmax(scores, -1)
    return w @ v, w
"""),
    ("scaled_dot_product_attention", "scale_by_lk", """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(k.shape[-2])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    w = torch.nan_to_num(softmax(scores, -1), nan=0.0)
    return w @ v, w
"""),
    # split_heads / merge_heads
    ("split_heads", "view_without_transpose", """
def split_heads(x, n_heads):
    B, L, E = x.shape
    return x.reshape(B, n_heads, L, E // n_heads)
"""),
    ("split_heads", "heads_interleaved", """
def split_heads(x, n_heads):
    B, L, E = x.shape
    return x.view(B, L, E // n_heads, n_heads).permute(0, 3, 1, 2)
"""),
    ("split_heads", "no_transpose", """
def split_heads(x, n_heads):
    B, L, E = x.shape
    return x.view(B, L, n_heads, E // n_heads)
"""),
    ("merge_heads", "reshape_without_transpose", """
def merge_heads(x):
    B, H, L, D = x.shape
    return x.reshape(B, L, H * D)
"""),
    ("merge_heads", "wrong_permute", """
def merge_heads(x):
    B, H, L, D = x.shape
    return x.permute(0, 2, 3, 1).reshape(B, L, H * D)
"""),
    ("merge_heads", "view_fails_non_contiguous", """
def merge_heads(x):
    B, H, L, D = x.shape
    return x.transpose(1, 2).view(B, L, H * D)
"""),
    # MultiHeadAttention
    ("multi_head_attention", "no_output_projection", """
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
        q, k, v = (split_heads(w(t), self.n_heads) for w, t in ((self.w_q, x), (self.w_k, src), (self.w_v, src)))
        out, _ = scaled_dot_product_attention(q, k, v, mask)
        return merge_heads(out)
"""),
    ("multi_head_attention", "kv_ignored", """
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads, bias=True):
        super().__init__()
        self.n_heads = n_heads
        self.w_q = nn.Linear(d_model, d_model, bias=bias)
        self.w_k = nn.Linear(d_model, d_model, bias=bias)
        self.w_v = nn.Linear(d_model, d_model, bias=bias)
        self.w_o = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, x, kv=None, mask=None):
        q, k, v = (split_heads(w(x), self.n_heads) for w in (self.w_q, self.w_k, self.w_v))
        out, _ = scaled_dot_product_attention(q, k, v, mask)
        return self.w_o(merge_heads(out))
"""),
    ("multi_head_attention", "single_head_scale", """
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
        q, k, v = (split_heads(w(t), self.n_heads) for w, t in ((self.w_q, x), (self.w_k, src), (self.w_v, src)))
        scores = q @ k.transpose(-2, -1) / math.sqrt(x.shape[-1])
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        return self.w_o(merge_heads(torch.softmax(scores, -1) @ v))
"""),
    ("multi_head_attention", "heads_split_wrong", """
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
        B, Lq, E = x.shape
        H = self.n_heads
        q = self.w_q(x).reshape(B, H, Lq, E // H)
        k = self.w_k(src).reshape(B, H, src.shape[1], E // H)
        v = self.w_v(src).reshape(B, H, src.shape[1], E // H)
        out, _ = scaled_dot_product_attention(q, k, v, mask)
        return self.w_o(out.reshape(B, Lq, E))
"""),
    ("multi_head_attention", "mask_ignored", """
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
        q, k, v = (split_heads(w(t), self.n_heads) for w, t in ((self.w_q, x), (self.w_k, src), (self.w_v, src)))
        out, _ = scaled_dot_product_attention(q, k, v)
        return self.w_o(merge_heads(out))
"""),
    ("multi_head_attention", "bias_always_on", """
class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads, bias=True):
        super().__init__()
        self.n_heads = n_heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)

    def forward(self, x, kv=None, mask=None):
        src = x if kv is None else kv
        q, k, v = (split_heads(w(t), self.n_heads) for w, t in ((self.w_q, x), (self.w_k, src), (self.w_v, src)))
        out, _ = scaled_dot_product_attention(q, k, v, mask)
        return self.w_o(merge_heads(out))
"""),
    # additive_attention_scores
    ("additive_attention_scores", "no_tanh", """
def additive_attention_scores(q, k, w_q, w_k, v):
    return ((q @ w_q.T).unsqueeze(-2) + (k @ w_k.T).unsqueeze(-3)) @ v
"""),
    ("additive_attention_scores", "transposed_result", """
def additive_attention_scores(q, k, w_q, w_k, v):
    h = torch.tanh((q @ w_q.T).unsqueeze(-3) + (k @ w_k.T).unsqueeze(-2))
    return h @ v
"""),
    ("additive_attention_scores", "sum_instead_of_v", """
def additive_attention_scores(q, k, w_q, w_k, v):
    return torch.tanh((q @ w_q.T).unsqueeze(-2) + (k @ w_k.T).unsqueeze(-3)).sum(-1)
"""),
    ("additive_attention_scores", "tanh_per_term", """
def additive_attention_scores(q, k, w_q, w_k, v):
    return (torch.tanh(q @ w_q.T).unsqueeze(-2) + torch.tanh(k @ w_k.T).unsqueeze(-3)) @ v
"""),
    # self_attention_flops
    ("self_attention_flops", "macs_not_flops", """
def self_attention_flops(seq_len, d_model):
    return 2 * seq_len ** 2 * d_model + 4 * seq_len * d_model ** 2
"""),
    ("self_attention_flops", "forgets_av", """
def self_attention_flops(seq_len, d_model):
    return 2 * seq_len ** 2 * d_model + 8 * seq_len * d_model ** 2
"""),
    ("self_attention_flops", "three_projections", """
def self_attention_flops(seq_len, d_model):
    return 4 * seq_len ** 2 * d_model + 6 * seq_len * d_model ** 2
"""),
    ("self_attention_flops", "returns_float", """
def self_attention_flops(seq_len, d_model):
    return float(4 * seq_len ** 2 * d_model + 8 * seq_len * d_model ** 2)
"""),
    # sliding_window_mask
    ("sliding_window_mask", "off_by_one_window", """
def sliding_window_mask(seq_len, window):
    i = torch.arange(seq_len)[:, None]
    j = torch.arange(seq_len)[None, :]
    return (i - j >= 0) & (i - j <= window)
"""),
    ("sliding_window_mask", "not_causal", """
def sliding_window_mask(seq_len, window):
    i = torch.arange(seq_len)[:, None]
    j = torch.arange(seq_len)[None, :]
    return (i - j).abs() < window
"""),
    ("sliding_window_mask", "excludes_self", """
def sliding_window_mask(seq_len, window):
    i = torch.arange(seq_len)[:, None]
    j = torch.arange(seq_len)[None, :]
    return (i - j > 0) & (i - j <= window)
"""),
    ("sliding_window_mask", "transposed", """
def sliding_window_mask(seq_len, window):
    i = torch.arange(seq_len)[:, None]
    j = torch.arange(seq_len)[None, :]
    return (j - i >= 0) & (j - i < window)
"""),
    # topk_attention
    ("topk_attention", "keeps_smallest", """
def topk_attention(q, k, v, top_k):
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if top_k < s.shape[-1]:
        kth = s.topk(top_k, dim=-1, largest=False).values[..., -1:]
        s = s.masked_fill(s > kth, float("-inf"))
    return torch.softmax(s, -1) @ v
"""),
    ("topk_attention", "strict_threshold_keeps_k_minus_1", """
def topk_attention(q, k, v, top_k):
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if top_k < s.shape[-1]:
        kth = s.topk(top_k, dim=-1).values[..., -1:]
        s = s.masked_fill(s <= kth, float("-inf"))
    return torch.softmax(s, -1) @ v
"""),
    ("topk_attention", "topk_over_queries", """
def topk_attention(q, k, v, top_k):
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if top_k < s.shape[-2]:
        kth = s.topk(top_k, dim=-2).values[..., -1:, :]
        s = s.masked_fill(s < kth, float("-inf"))
    return torch.softmax(s, -1) @ v
"""),
    ("topk_attention", "zero_fill_not_inf", """
def topk_attention(q, k, v, top_k):
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if top_k < s.shape[-1]:
        kth = s.topk(top_k, dim=-1).values[..., -1:]
        s = s.masked_fill(s < kth, 0.0)
    return torch.softmax(s, -1) @ v
"""),
    ("topk_attention", "fails_when_top_k_exceeds_lk", """
def topk_attention(q, k, v, top_k):
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    kth = s.topk(top_k, dim=-1).values[..., -1:]
    s = s.masked_fill(s < kth, float("-inf"))
    return torch.softmax(s, -1) @ v
"""),
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
    ("scaled_dot_product_attention", "minus_1e9_fill_then_zero_rows", """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, -1e9)
    w = softmax(scores, dim=-1)
    if mask is not None:
        w = w * mask
    return w @ v, w
"""),
    ("scaled_dot_product_attention", "float64_softmax", """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = (q.double() @ k.double().transpose(-2, -1)) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    w = torch.softmax(scores, -1).nan_to_num(0.0).to(q.dtype)
    return w @ v, w
"""),
    ("split_heads", "einops_style_reshape", """
def split_heads(x, n_heads):
    B, L, E = x.shape
    return x.reshape(B, L, n_heads, -1).permute(0, 2, 1, 3).contiguous()
"""),
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
    ("softmax", "shift_by_mean", """
def softmax(x, dim=-1):
    e = torch.exp(x - x.mean(dim=dim, keepdim=True))
    return e / e.sum(dim=dim, keepdim=True)
"""),
    ("qk_score_variance", "q_dot_q", """
def qk_score_variance(d_k, n_samples=10_000, scaled=False, generator=None):
    q = torch.randn(n_samples, d_k, generator=generator)
    s = (q * q).sum(-1)
    if scaled:
        s = s / math.sqrt(d_k)
    return s.var().item()
"""),
    ("scaled_dot_product_attention", "mask_after_softmax_no_renorm", """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    w = softmax(scores, dim=-1)
    if mask is not None:
        w = w * mask
    return w @ v, w
"""),
    ("scaled_dot_product_attention", "scale_by_sqrt_lq", """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-2])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    w = torch.nan_to_num(softmax(scores, dim=-1), nan=0.0)
    return w @ v, w
"""),
    ("multi_head_attention", "torch_mask_convention", """
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
        q = split_heads(self.w_q(x), self.n_heads)
        k = split_heads(self.w_k(src), self.n_heads)
        v = split_heads(self.w_v(src), self.n_heads)
        m = None if mask is None else ~mask
        out, _ = scaled_dot_product_attention(q, k, v, m)
        return self.w_o(merge_heads(out))
"""),
    ("multi_head_attention", "k_from_x_in_cross", """
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
        q = split_heads(self.w_q(src), self.n_heads)
        k = split_heads(self.w_k(x), self.n_heads)
        v = split_heads(self.w_v(x), self.n_heads)
        out, _ = scaled_dot_product_attention(q, k, v, mask)
        return self.w_o(merge_heads(out))
"""),
    ("topk_attention", "topk_on_unscaled_then_softmax_unscaled", """
def topk_attention(q, k, v, top_k):
    scores = q @ k.transpose(-2, -1)
    if top_k < scores.shape[-1]:
        kth = scores.topk(top_k, dim=-1).values[..., -1:]
        scores = scores.masked_fill(scores < kth, float("-inf"))
    return torch.softmax(scores, -1) @ v
"""),
    ("topk_attention", "keeps_top_k_plus_one", """
def topk_attention(q, k, v, top_k):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    Lk = scores.shape[-1]
    kth = scores.topk(min(top_k + 1, Lk), dim=-1).values[..., -1:]     # off by one: the (top_k+1)-th score
    scores = scores.masked_fill(scores < kth, float("-inf"))
    return torch.softmax(scores, -1) @ v
"""),
    ("sliding_window_mask", "window_plus_one", """
def sliding_window_mask(seq_len, window):
    return torch.ones(seq_len, seq_len, dtype=torch.bool).tril().triu(-window)
"""),
    ("additive_attention_scores", "sum_over_a_without_v", """
def additive_attention_scores(q, k, w_q, w_k, v):
    qa = torch.einsum("...id,ad->...ia", q, w_q)
    ka = torch.einsum("...jd,ad->...ja", k, w_k)
    return torch.tanh(qa.unsqueeze(-2) + ka.unsqueeze(-3)).mean(-1) * v.sum()
"""),
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
