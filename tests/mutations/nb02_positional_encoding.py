"""Wrong and right implementations of 02_positional_encoding's exercises.

Each entry: (solution grade_id, variant name, full cell source). tests/test_mutations.py proves every
WRONG loses points and every RIGHT scores full.
"""

from mutations._patch import patch

ASSIGNMENT = "02_positional_encoding"

# ---------------------------------------------------------------- sinusoidal_encoding

SIN_WRONG = [
    ("sinusoidal_encoding", "sin_cos_swapped", patch(ASSIGNMENT, "sinusoidal_encoding", [
        ("pe[:, 0::2] = torch.sin(angle)", "pe[:, 0::2] = torch.cos(angle)"),
        ("torch.cos(angle[:, : d_model // 2])", "torch.sin(angle[:, : d_model // 2])")])),
    # i/d, not 2i/d
    ("sinusoidal_encoding", "exponent_i_over_d", patch(ASSIGNMENT, "sinusoidal_encoding",
        "torch.arange(0, d_model, 2, dtype=torch.float64)", "torch.arange((d_model + 1) // 2, dtype=torch.float64)")),
    ("sinusoidal_encoding", "concatenated_sin_then_cos", patch(ASSIGNMENT, "sinusoidal_encoding",
        "    pe = torch.zeros(seq_len, d_model, dtype=torch.float64)\n"
        "    pe[:, 0::2] = torch.sin(angle)\n"
        "    pe[:, 1::2] = torch.cos(angle[:, : d_model // 2])                     # odd d: one cosine fewer\n",
        "    pe = torch.cat([torch.sin(angle), torch.cos(angle)], dim=1)[:, :d_model]\n")),
    ("sinusoidal_encoding", "positions_start_at_1", patch(ASSIGNMENT, "sinusoidal_encoding",
        "torch.arange(seq_len, dtype=torch.float64)", "torch.arange(1, seq_len + 1, dtype=torch.float64)")),
    ("sinusoidal_encoding", "odd_d_built_for_d_plus_1", """\
def sinusoidal_encoding(seq_len, d_model):
    d = d_model + (d_model % 2)                      # round up to even, then drop a column
    pos = torch.arange(seq_len, dtype=torch.float32).unsqueeze(1)
    div = 10000.0 ** (torch.arange(0, d, 2, dtype=torch.float32) / d)
    pe = torch.zeros(seq_len, d)
    pe[:, 0::2] = torch.sin(pos / div)
    pe[:, 1::2] = torch.cos(pos / div)
    return pe[:, :d_model]
"""),
    ("sinusoidal_encoding", "odd_d_stack_flatten_drops_column", patch(ASSIGNMENT, "sinusoidal_encoding", [
        ("torch.arange(0, d_model, 2,", "torch.arange(0, d_model - 1, 2,"),
        ("    pe = torch.zeros(seq_len, d_model, dtype=torch.float64)\n"
         "    pe[:, 0::2] = torch.sin(angle)\n"
         "    pe[:, 1::2] = torch.cos(angle[:, : d_model // 2])                     # odd d: one cosine fewer\n",
         "    pe = torch.stack([torch.sin(angle), torch.cos(angle)], dim=-1).flatten(1)\n")])),
    ("sinusoidal_encoding", "returns_float64", patch(ASSIGNMENT, "sinusoidal_encoding",
        "return pe.to(torch.float32)", "return pe")),
]

SIN_RIGHT = [
    ("sinusoidal_encoding", "float32_exp_log_div_term", """\
def sinusoidal_encoding(seq_len, d_model):
    pos = torch.arange(seq_len).unsqueeze(1).float()                                   # (L, 1)
    div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
    pe = torch.zeros(seq_len, d_model)
    pe[:, 0::2] = torch.sin(pos * div_term)
    pe[:, 1::2] = torch.cos(pos * div_term)[:, : d_model // 2]
    return pe
"""),
    ("sinusoidal_encoding", "python_loops", """\
def sinusoidal_encoding(seq_len, d_model):
    rows = []
    for p in range(seq_len):
        row = []
        for j in range(d_model):
            angle = p / 10000 ** (2 * (j // 2) / d_model)
            row.append(math.sin(angle) if j % 2 == 0 else math.cos(angle))
        rows.append(row)
    return torch.tensor(rows, dtype=torch.float32).reshape(seq_len, d_model)
"""),
    ("sinusoidal_encoding", "where_on_column_parity", """\
def sinusoidal_encoding(seq_len, d_model):
    j = torch.arange(d_model)
    angle = torch.arange(seq_len, dtype=torch.float64)[:, None] / 10000 ** ((j - j % 2) / d_model)
    return torch.where(j % 2 == 0, angle.sin(), angle.cos()).float()
"""),
]

# ---------------------------------------------------------------- relative_shift_matrix


REL_WRONG = [
    ("relative_shift_matrix", "rotation_transposed", patch(ASSIGNMENT, "relative_shift_matrix", [
        ("m[ev, ev], m[ev, ev + 1] = c, s", "m[ev, ev], m[ev, ev + 1] = c, -s"),
        ("m[ev + 1, ev], m[ev + 1, ev + 1] = -s, c", "m[ev + 1, ev], m[ev + 1, ev + 1] = s, c")])),
    ("relative_shift_matrix", "abs_offset", patch(ASSIGNMENT, "relative_shift_matrix",
                                                  "torch.cos(offset * omega), torch.sin(offset * omega)",
                                                  "torch.cos(abs(offset) * omega), torch.sin(abs(offset) * omega)")),
    ("relative_shift_matrix", "exponent_i_over_d", patch(ASSIGNMENT, "relative_shift_matrix",
                                                         "torch.arange(0, d_model, 2, dtype=torch.float64) / d_model",
                                                         "torch.arange(d_model // 2, dtype=torch.float64) / d_model")),
    ("relative_shift_matrix", "returns_float64", patch(ASSIGNMENT, "relative_shift_matrix",
                                                       "return m.to(torch.float32)", "return m.to(torch.float64)")),
    ("relative_shift_matrix", "rotate_half_pairs_i_and_i_plus_half", patch(ASSIGNMENT, "relative_shift_matrix", [
        ("ev = torch.arange(0, d_model, 2)", "ev, h = torch.arange(d_model // 2), d_model // 2"),
        ("m[ev, ev], m[ev, ev + 1] = c, s", "m[ev, ev], m[ev, ev + h] = c, s"),
        ("m[ev + 1, ev], m[ev + 1, ev + 1] = -s, c", "m[ev + h, ev], m[ev + h, ev + h] = -s, c")])),
    ("relative_shift_matrix", "cos_only_diagonal", patch(ASSIGNMENT, "relative_shift_matrix", [
        ("m[ev, ev], m[ev, ev + 1] = c, s", "m[ev, ev] = c"),
        ("m[ev + 1, ev], m[ev + 1, ev + 1] = -s, c", "m[ev + 1, ev + 1] = c")])),
]

REL_RIGHT = [
    ("relative_shift_matrix", "block_diag_of_2x2", """\
def relative_shift_matrix(offset, d_model):
    omega = 10000.0 ** (-torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    c, s = torch.cos(offset * omega), torch.sin(offset * omega)
    blocks = [torch.tensor([[ci, si], [-si, ci]], dtype=torch.float64) for ci, si in zip(c.tolist(), s.tolist())]
    return torch.block_diag(*blocks).to(torch.float32)
"""),
    ("relative_shift_matrix", "float32_throughout", """\
def relative_shift_matrix(offset, d_model):
    m = torch.zeros(d_model, d_model)
    for i in range(d_model // 2):
        w = 1.0 / (10000 ** (2 * i / d_model))
        a = torch.tensor(offset * w, dtype=torch.float32)
        m[2 * i, 2 * i], m[2 * i, 2 * i + 1] = torch.cos(a), torch.sin(a)
        m[2 * i + 1, 2 * i], m[2 * i + 1, 2 * i + 1] = -torch.sin(a), torch.cos(a)
    return m
"""),
    ("relative_shift_matrix", "matrix_exp_of_generator", """\
def relative_shift_matrix(offset, d_model):
    # M(k) = exp(k G), G block-diagonal with blocks [[0, w], [-w, 0]]: the generator of the shift
    w = 10000.0 ** (-torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    G = torch.block_diag(*[torch.tensor([[0.0, wi], [-wi, 0.0]], dtype=torch.float64) for wi in w.tolist()])
    return torch.linalg.matrix_exp(offset * G).to(torch.float32)
"""),
]

# ---------------------------------------------------------------- t5_relative_bucket


T5_WRONG = [
    ("t5_relative_bucket", "upper_half_for_keys_before_query",
     patch(ASSIGNMENT, "t5_relative_bucket", "(rp > 0)", "(rp < 0)")),
    ("t5_relative_bucket", "unidirectional_uses_abs",
     patch(ASSIGNMENT, "t5_relative_bucket", "n = (-rp).clamp(min=0)", "n = rp.abs()")),
    ("t5_relative_bucket", "unidirectional_counts_future_keys",
     patch(ASSIGNMENT, "t5_relative_bucket", "n = (-rp).clamp(min=0)", "n = rp.clamp(min=0)")),
    ("t5_relative_bucket", "no_halving_when_bidirectional",
     patch(ASSIGNMENT, "t5_relative_bucket", "        num_buckets //= 2\n", "")),
    ("t5_relative_bucket", "no_cap",
     patch(ASSIGNMENT, "t5_relative_bucket", "    large = large.clamp(max=num_buckets - 1)\n", "")),
    ("t5_relative_bucket", "rounds_instead_of_truncating",
     patch(ASSIGNMENT, "t5_relative_bucket", "(scaled * (num_buckets - max_exact)).long()",
                                                               "(scaled * (num_buckets - max_exact)).round().long()")),
    ("t5_relative_bucket", "log_of_max_distance_only",
     patch(ASSIGNMENT, "t5_relative_bucket", "math.log(max_distance / max_exact)", "math.log(max_distance)")),
    ("t5_relative_bucket", "max_exact_is_a_quarter",
     patch(ASSIGNMENT, "t5_relative_bucket", "max_exact = num_buckets // 2", "max_exact = num_buckets // 4")),
]

T5_RIGHT = [
    ("t5_relative_bucket", "python_loop_float64_log", """\
def t5_relative_bucket(relative_position, bidirectional=True, num_buckets=32, max_distance=128):
    out = []
    for r in relative_position.reshape(-1).tolist():
        nb, b = num_buckets, 0
        if bidirectional:
            nb //= 2
            b = nb if r > 0 else 0
            n = abs(r)
        else:
            n = max(-r, 0)
        me = nb // 2
        b += n if n < me else min(nb - 1, me + int(math.log(n / me) / math.log(max_distance / me) * (nb - me)))
        out.append(b)
    return torch.tensor(out, dtype=torch.long).reshape(relative_position.shape)
"""),
    ("t5_relative_bucket", "log2_and_min", """\
def t5_relative_bucket(relative_position, bidirectional=True, num_buckets=32, max_distance=128):
    nb = num_buckets // 2 if bidirectional else num_buckets
    upper = (relative_position > 0).long() * nb if bidirectional else torch.zeros_like(relative_position)
    n = relative_position.abs() if bidirectional else -torch.minimum(relative_position, torch.zeros_like(relative_position))
    me = nb // 2
    frac = torch.log2(n.double().clamp(min=1) / me) / math.log2(max_distance / me)
    large = torch.minimum(me + (frac * (nb - me)).floor().long(), torch.full_like(n, nb - 1))
    return (upper + torch.where(n < me, n, large)).long()
"""),
]

# ---------------------------------------------------------------- apply_rope
ROPE_WRONG = [
    ("apply_rope", "rotate_half_layout", """\
def apply_rope(x, positions=None, base=10000.0):
    L, D = x.shape[-2], x.shape[-1]
    if positions is None:
        positions = torch.arange(L)
    inv_freq = base ** (-torch.arange(0, D, 2, dtype=torch.float32) / D)
    angle = positions.float().unsqueeze(-1) * inv_freq
    emb = torch.cat([angle, angle], -1)
    x1, x2 = x[..., : D // 2], x[..., D // 2:]
    rotated = torch.cat([-x2, x1], -1)
    return x * emb.cos().to(x.dtype) + rotated * emb.sin().to(x.dtype)
"""),
    ("apply_rope", "negative_angle", patch(ASSIGNMENT, "apply_rope", "x_re * cos - x_im * sin, x_re * sin + x_im * cos",
                                                   "x_re * cos + x_im * sin, -x_re * sin + x_im * cos")),
    ("apply_rope", "exponent_i_over_D", patch(ASSIGNMENT, "apply_rope", 
        "torch.arange(0, D, 2, dtype=torch.float64) / D", "torch.arange(D // 2, dtype=torch.float64) / D")),
    ("apply_rope", "ignores_positions", patch(ASSIGNMENT, "apply_rope", 
        "    if positions is None:\n        positions = torch.arange(L)\n", "    positions = torch.arange(L)\n")),
    ("apply_rope", "positions_truncated_to_int", patch(ASSIGNMENT, "apply_rope", 
        "positions.to(torch.float64).unsqueeze(-1)", "positions.long().to(torch.float64).unsqueeze(-1)")),
    ("apply_rope", "default_positions_start_at_1", patch(ASSIGNMENT, "apply_rope", 
        "positions = torch.arange(L)", "positions = torch.arange(1, L + 1)")),
    ("apply_rope", "float64_input_returned_as_float32", patch(ASSIGNMENT, "apply_rope", 
        "    L, D = x.shape[-2], x.shape[-1]\n", "    x = x.float()\n    L, D = x.shape[-2], x.shape[-1]\n")),
    ("apply_rope", "modifies_input_in_place", patch(ASSIGNMENT, "apply_rope",
        "    out = torch.stack([x_re * cos - x_im * sin, x_re * sin + x_im * cos], dim=-1)    # (..., L, D/2, 2)\n"
        "    return out.flatten(-2)                                                           # (..., L, D)\n",
        "    x_re, x_im = x_re.clone(), x_im.clone()\n"
        "    x[..., 0::2] = x_re * cos - x_im * sin\n"
        "    x[..., 1::2] = x_re * sin + x_im * cos\n"
        "    return x\n")),
    ("apply_rope", "ignores_base", patch(ASSIGNMENT, "apply_rope", "base ** (", "10000.0 ** (")),
    ("apply_rope", "interleaved_pairs_with_rotate_half_frequencies", """\
def apply_rope(x, positions=None, base=10000.0):
    L, D = x.shape[-2], x.shape[-1]
    if positions is None:
        positions = torch.arange(L)
    inv_freq = base ** (-torch.arange(0, D, 2, dtype=torch.float32) / D)
    angle = positions.float().unsqueeze(-1) * inv_freq
    emb = torch.cat([angle, angle], -1)                     # HF layout of the angles ...
    x1, x2 = x[..., 0::2], x[..., 1::2]
    rotated = torch.stack([-x2, x1], -1).flatten(-2)         # ... with Meta's interleaved pairs
    return x * emb.cos().to(x.dtype) + rotated * emb.sin().to(x.dtype)
"""),
]

ROPE_RIGHT = [
    ("apply_rope", "float32_cos_sin", patch(ASSIGNMENT, "apply_rope", [  # the angles and cos / sin in float32
        ("dtype=torch.float64) / D", "dtype=torch.float32) / D"),
        ("positions.to(torch.float64)", "positions.float()")])),
    ("apply_rope", "complex_multiplication", """\
def apply_rope(x, positions=None, base=10000.0):
    L, D = x.shape[-2], x.shape[-1]
    pos = torch.arange(L) if positions is None else positions
    inv_freq = 1.0 / (base ** (torch.arange(0, D, 2).float() / D))
    phasor = torch.polar(torch.ones(L, D // 2), torch.outer(pos.float(), inv_freq))   # (L, D/2) complex
    z = torch.view_as_complex(x.float().reshape(*x.shape[:-1], D // 2, 2).contiguous())
    return torch.view_as_real(z * phasor).reshape(x.shape).to(x.dtype)
"""),
    ("apply_rope", "rotation_matrices_float64", """\
def apply_rope(x, positions=None, base=10000.0):
    L, D = x.shape[-2], x.shape[-1]
    pos = torch.arange(L, dtype=torch.float64) if positions is None else positions.double()
    theta = pos[:, None] * base ** (-2 * torch.arange(D // 2, dtype=torch.float64) / D)   # (L, D/2)
    c, s = theta.cos(), theta.sin()
    R = torch.stack([torch.stack([c, -s], -1), torch.stack([s, c], -1)], -2)              # (L, D/2, 2, 2)
    pairs = x.double().unflatten(-1, (D // 2, 2))                                         # (..., L, D/2, 2)
    return (R @ pairs.unsqueeze(-1)).squeeze(-1).flatten(-2).to(x.dtype)
"""),
]

# ---------------------------------------------------------------- alibi_slopes

SLOPE_WRONG = [
    ("alibi_slopes", "power_of_two_rule_for_every_n", patch(ASSIGNMENT, "alibi_slopes",
        "c = 2 ** int(math.floor(math.log2(n_heads)))        # largest power of two <= n_heads", "c = n_heads")),
    ("alibi_slopes", "sorted_descending", patch(ASSIGNMENT, "alibi_slopes",
        "torch.tensor(slopes,", "torch.tensor(sorted(slopes, reverse=True),")),
    ("alibi_slopes", "even_positions_of_2c_list", patch(ASSIGNMENT, "alibi_slopes",
        "[0::2][: n_heads - c]", "[1::2][: n_heads - c]")),
    ("alibi_slopes", "next_power_of_two_truncated", patch(ASSIGNMENT, "alibi_slopes", [
        ("c = 2 ** int(math.floor(math.log2(n_heads)))        # largest power of two <= n_heads",
         "c = 2 ** int(math.ceil(math.log2(n_heads)))"),
        ("torch.tensor(slopes,", "torch.tensor(slopes[:n_heads],")])),
    ("alibi_slopes", "starts_at_slope_1", patch(ASSIGNMENT, "alibi_slopes", "(h + 1) / n)", "h / n)")),
    ("alibi_slopes", "returns_float64", patch(ASSIGNMENT, "alibi_slopes",
        "dtype=torch.float32)", "dtype=torch.float64)")),
]

SLOPE_RIGHT = [
    ("alibi_slopes", "authors_get_slopes_recursive", """\
def alibi_slopes(n_heads):
    def get_slopes(n):
        def get_slopes_power_of_2(n):
            start = 2 ** (-2 ** -(math.log2(n) - 3))
            return [start * start ** i for i in range(n)]
        if math.log2(n).is_integer():
            return get_slopes_power_of_2(n)
        closest = 2 ** math.floor(math.log2(n))
        return get_slopes_power_of_2(closest) + get_slopes(2 * closest)[0::2][: n - closest]
    return torch.tensor(get_slopes(n_heads), dtype=torch.float32)
"""),
    ("alibi_slopes", "torch_pow_vectorised", """\
def alibi_slopes(n_heads):
    c = 1 << (n_heads.bit_length() - 1)
    base = 2.0 ** (-8.0 / c)
    slopes = torch.pow(torch.tensor(base, dtype=torch.float64), torch.arange(1, c + 1))
    if c < n_heads:
        extra = torch.pow(torch.tensor(2.0 ** (-4.0 / c), dtype=torch.float64), torch.arange(1, 2 * (n_heads - c), 2))
        slopes = torch.cat([slopes, extra])
    return slopes.float()
"""),
]

# ---------------------------------------------------------------- alibi_bias
BIAS_WRONG = [
    ("alibi_bias", "positive_bias", patch(ASSIGNMENT, "alibi_bias", "bias = -slopes.view", "bias = slopes.view")),
    ("alibi_bias", "symmetric_no_causal_mask", patch(ASSIGNMENT, "alibi_bias", [
        ("(i - j).to(torch.float32)", "(i - j).abs().to(torch.float32)"),
        ('return bias.masked_fill(j > i, float("-inf"))', "return bias")])),
    ("alibi_bias", "mask_minus_1e9", patch(ASSIGNMENT, "alibi_bias",
                                           'masked_fill(j > i, float("-inf"))', "masked_fill(j > i, -1e9)")),
    ("alibi_bias", "diagonal_masked", patch(ASSIGNMENT, "alibi_bias", "masked_fill(j > i,", "masked_fill(j >= i,")),
    ("alibi_bias", "bloom_style_key_position", patch(
        ASSIGNMENT, "alibi_bias", "-slopes.view(-1, 1, 1) * (i - j).to(torch.float32)",
        "(slopes.view(-1, 1, 1) * j.to(torch.float32)).expand(-1, seq_len, -1)")),
    ("alibi_bias", "transposed_query_key", patch(ASSIGNMENT, "alibi_bias", [
        ("* (i - j).to(", "* (j - i).to("), ("masked_fill(j > i,", "masked_fill(i > j,")])),
    ("alibi_bias", "power_of_two_slopes_for_every_n", patch(
        ASSIGNMENT, "alibi_bias", "slopes = alibi_slopes(n_heads)",
        "slopes = torch.tensor([2.0 ** (-8.0 * (h + 1) / n_heads) for h in range(n_heads)])")),
]

BIAS_RIGHT = [
    ("alibi_bias", "triu_fill_after_broadcast", """\
def alibi_bias(n_heads, seq_len):
    pos = torch.arange(seq_len, dtype=torch.float32)
    dist = pos[None, :] - pos[:, None]                                   # j - i, <= 0 below the diagonal
    bias = alibi_slopes(n_heads)[:, None, None] * dist                   # (H, L, L)
    return bias + torch.full((seq_len, seq_len), float("-inf")).triu(1)
"""),
    ("alibi_bias", "loops_float64", """\
def alibi_bias(n_heads, seq_len):
    slopes = alibi_slopes(n_heads).tolist()
    out = torch.empty(n_heads, seq_len, seq_len, dtype=torch.float64)
    for h in range(n_heads):
        for i in range(seq_len):
            for j in range(seq_len):
                out[h, i, j] = -slopes[h] * (i - j) if j <= i else float("-inf")
    return out.float()
"""),
]

# ---------------------------------------------------------------- interpolate_positions

PI_WRONG = [
    ("interpolate_positions", "inverted_ratio", patch(ASSIGNMENT, "interpolate_positions",
        "torch.float64) * train_len / target_len", "torch.float64) * target_len / train_len")),
    ("interpolate_positions", "floor_division", patch(ASSIGNMENT, "interpolate_positions",
        "torch.float64) * train_len / target_len", "torch.float64) * train_len // target_len")),
    ("interpolate_positions", "keeps_integer_dtype", patch(ASSIGNMENT, "interpolate_positions",
        "out_dtype = positions.dtype if positions.is_floating_point() else torch.float32",
        "out_dtype = positions.dtype")),
    ("interpolate_positions", "rounded_to_integers", patch(ASSIGNMENT, "interpolate_positions",
        "(positions.to(torch.float64) * train_len / target_len)",
        "torch.round(positions.to(torch.float64) * train_len / target_len)")),
    ("interpolate_positions", "normalised_to_unit_interval", patch(ASSIGNMENT, "interpolate_positions",
        "torch.float64) * train_len / target_len", "torch.float64) / target_len")),
    ("interpolate_positions", "in_place_on_float_input", patch(ASSIGNMENT, "interpolate_positions",
        "    out_dtype =",
        "    if positions.is_floating_point():\n"
        "        return positions.mul_(train_len / target_len)\n"
        "    out_dtype =")),
]

PI_RIGHT = [
    ("interpolate_positions", "true_division", """\
def interpolate_positions(positions, train_len, target_len):
    return positions * train_len / target_len if positions.is_floating_point() \\
        else positions.to(torch.float32) * train_len / target_len
"""),
]

# ---------------------------------------------------------------- ntk_scaled_base

NTK_WRONG = [
    ("ntk_scaled_base", "exponent_inverted", patch(ASSIGNMENT, "ntk_scaled_base",
        "(d_head / (d_head - 2))", "((d_head - 2) / d_head)")),
    ("ntk_scaled_base", "linear_in_scale", patch(ASSIGNMENT, "ntk_scaled_base",
        "float(scale) ** (d_head / (d_head - 2))", "float(scale)")),
    ("ntk_scaled_base", "returns_tensor", patch(ASSIGNMENT, "ntk_scaled_base",
        "float(base) * float(scale)", "torch.tensor(base, dtype=torch.float64) * scale")),
    ("ntk_scaled_base", "half_dim_in_exponent", patch(ASSIGNMENT, "ntk_scaled_base",
        "(d_head / (d_head - 2))", "((d_head // 2) / (d_head // 2 - 2))")),
    ("ntk_scaled_base", "integer_result_for_int_arguments", patch(ASSIGNMENT, "ntk_scaled_base",
        "return float(base) * float(scale) ** (d_head / (d_head - 2))",
        "return round(base * scale ** (d_head / (d_head - 2)))")),
]

NTK_RIGHT = [
    ("ntk_scaled_base", "via_exp_log", """\
def ntk_scaled_base(base, d_head, scale):
    return math.exp(math.log(base) + d_head / (d_head - 2) * math.log(scale))
"""),
    ("ntk_scaled_base", "pow_builtin", """\
def ntk_scaled_base(base, d_head, scale):
    return base * pow(scale, d_head / (d_head - 2)) * 1.0
"""),
]

WRONG = SIN_WRONG + REL_WRONG + T5_WRONG + ROPE_WRONG + SLOPE_WRONG + BIAS_WRONG + PI_WRONG + NTK_WRONG
RIGHT = SIN_RIGHT + REL_RIGHT + T5_RIGHT + ROPE_RIGHT + SLOPE_RIGHT + BIAS_RIGHT + PI_RIGHT + NTK_RIGHT

# Added by a probe for false accepts / false rejects: more plausible mistakes and valid variants.
WRONG += [
    ("t5_relative_bucket", "max_exact_before_halving", patch(ASSIGNMENT, "t5_relative_bucket", [
        ("    bucket = torch.zeros_like(rp)\n",
         "    max_exact = num_buckets // 2\n    bucket = torch.zeros_like(rp)\n"),
        ("    max_exact = num_buckets // 2\n    is_small", "    is_small")])),
    ("t5_relative_bucket", "halves_when_unidirectional", patch(
        ASSIGNMENT, "t5_relative_bucket",
        "    if bidirectional:\n        num_buckets //= 2\n", "    num_buckets //= 2\n    if bidirectional:\n")),
    ("t5_relative_bucket", "cap_at_num_buckets", patch(
        ASSIGNMENT, "t5_relative_bucket", "large.clamp(max=num_buckets - 1)", "large.clamp(max=num_buckets)")),
    ("alibi_slopes", "extra_from_2n_list", patch(ASSIGNMENT, "alibi_slopes",
        "geometric(2 * c)[0::2]", "geometric(2 * n_heads)[0::2]")),
]

RIGHT += [
    ("t5_relative_bucket", "elementwise_python_math", """
def t5_relative_bucket(relative_position, bidirectional=True, num_buckets=32, max_distance=128):
    def one(r):
        nb, b = num_buckets, 0
        if bidirectional:
            nb //= 2
            if r > 0:
                b = nb
            n = abs(r)
        else:
            n = max(-r, 0)
        me = nb // 2
        if n < me:
            return b + n
        val = me + int(math.log(n / me) / math.log(max_distance / me) * (nb - me))
        return b + min(val, nb - 1)
    flat = [one(int(r)) for r in relative_position.reshape(-1).tolist()]
    return torch.tensor(flat, dtype=torch.long).reshape(relative_position.shape)
"""),
    ("apply_rope", "rotation_einsum_float32", """
def apply_rope(x, positions=None, base=10000.0):
    L, D = x.shape[-2:]
    pos = torch.arange(L, dtype=x.dtype) if positions is None else positions.to(x.dtype)
    theta = base ** (-torch.arange(0, D, 2, dtype=x.dtype) / D)
    ang = pos[:, None] * theta[None, :]
    c, s = ang.cos(), ang.sin()
    rot = torch.stack([torch.stack([c, -s], -1), torch.stack([s, c], -1)], -2)   # (L, D/2, 2, 2)
    pairs = x.unflatten(-1, (D // 2, 2))
    return torch.einsum("lkij,...lkj->...lki", rot, pairs).flatten(-2)
"""),
    ("apply_rope", "halves_not_pairs_in_place_clone", """
def apply_rope(x, positions=None, base=10000.0):
    D = x.shape[-1]
    if positions is None:
        positions = torch.arange(x.shape[-2])
    inv = 1.0 / (base ** (torch.arange(0, D, 2, dtype=torch.float64) / D))
    ang = positions.double()[:, None] * inv
    cos, sin = ang.cos().to(x.dtype), ang.sin().to(x.dtype)
    out = torch.empty_like(x)
    out[..., 0::2] = x[..., 0::2] * cos - x[..., 1::2] * sin
    out[..., 1::2] = x[..., 0::2] * sin + x[..., 1::2] * cos
    return out
"""),
    ("alibi_slopes", "closest_power_via_bit_length", """
def alibi_slopes(n_heads):
    c = 1 << (n_heads.bit_length() - 1)
    base = torch.arange(1, c + 1, dtype=torch.float64)
    s = 2.0 ** (-8.0 * base / c)
    if c < n_heads:
        extra = 2.0 ** (-8.0 * torch.arange(1, 2 * c + 1, 2, dtype=torch.float64) / (2 * c))
        s = torch.cat([s, extra[: n_heads - c]])
    return s.float()
"""),
    ("alibi_bias", "abs_distance_with_mask", """
def alibi_bias(n_heads, seq_len):
    s = alibi_slopes(n_heads)
    pos = torch.arange(seq_len)
    dist = (pos[None, :] - pos[:, None]).abs().float()
    b = -s[:, None, None] * dist
    return b + torch.triu(torch.full((seq_len, seq_len), float("-inf")), 1)
"""),
    ("sinusoidal_encoding", "div_term_float32_exp", """
def sinusoidal_encoding(seq_len, d_model):
    pe = torch.zeros(seq_len, d_model)
    position = torch.arange(seq_len).unsqueeze(1).float()
    div = torch.pow(10000.0, torch.arange(0, d_model, 2).float() / d_model)
    pe[:, 0::2] = torch.sin(position / div)
    pe[:, 1::2] = torch.cos(position / div[: d_model // 2])
    return pe
"""),
    ("relative_shift_matrix", "loops_math", """
def relative_shift_matrix(offset, d_model):
    m = torch.zeros(d_model, d_model)
    for i in range(d_model // 2):
        a = offset / 10000.0 ** (2 * i / d_model)
        c, s = math.cos(a), math.sin(a)
        m[2 * i, 2 * i], m[2 * i, 2 * i + 1] = c, s
        m[2 * i + 1, 2 * i], m[2 * i + 1, 2 * i + 1] = -s, c
    return m
"""),
]

# Issue 13: the text promises that a float tensor keeps its dtype (float64 stays float64); the two "right"
# variants that always return float32 break that promise and are wrong now.
WRONG += [
    ("interpolate_positions", "ratio_first", """\
def interpolate_positions(positions, train_len, target_len):
    scale = train_len / target_len
    return positions.float() * scale
"""),
    ("interpolate_positions", "float32_always", """
def interpolate_positions(positions, train_len, target_len):
    return positions.float() * (train_len / target_len)
"""),
    ("interpolate_positions", "always_float32", """\
def interpolate_positions(positions, train_len, target_len):
    return positions.float() * train_len / target_len
"""),
    ("interpolate_positions", "float32_round_trip_for_float64", """\
def interpolate_positions(positions, train_len, target_len):
    return (positions.float() * (train_len / target_len)).to(positions.dtype if positions.is_floating_point()
                                                               else torch.float32)
"""),
]

RIGHT += [
    ("interpolate_positions", "true_division_promotes", """\
def interpolate_positions(positions, train_len, target_len):
    return positions * train_len / target_len if positions.is_floating_point() else positions / (target_len / train_len)
"""),
]
