"""09_compression_deployment: plausible wrong implementations the tests must catch, and correct variants they must accept.

Most variants are the reference cell with a small edit (``patch``), so each shows exactly the mistake it makes;
whole cells are genuinely different implementations.
"""

from mutations._patch import patch

ASSIGNMENT = "09_compression_deployment"

def _lora(old, new=None, count=1):
    return patch(ASSIGNMENT, "lora_linear", old, new, count=count)


WRONG = [
    # quantize_absmax
    ("quantize_absmax", "qmax_is_2_pow_bits_minus_1", """
def quantize_absmax(x, bits=8, dim=None):
    qmax = 2 ** bits - 1
    absmax = x.abs().amax() if dim is None else x.abs().amax(dim=dim, keepdim=True)
    scale = absmax / qmax
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    return torch.round(x / safe).clamp(-qmax, qmax).to(torch.int8), scale
"""),
    ("quantize_absmax", "qmax_128_asymmetric_clamp", """
def quantize_absmax(x, bits=8, dim=None):
    qmax = 2 ** (bits - 1)
    absmax = x.abs().amax() if dim is None else x.abs().amax(dim=dim, keepdim=True)
    scale = absmax / qmax
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    return torch.round(x / safe).clamp(-qmax, qmax - 1).to(torch.int8), scale
"""),
    ("quantize_absmax", "truncates_instead_of_rounding", """
def quantize_absmax(x, bits=8, dim=None):
    qmax = 2 ** (bits - 1) - 1
    absmax = x.abs().amax() if dim is None else x.abs().amax(dim=dim, keepdim=True)
    scale = absmax / qmax
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    return (x / safe).clamp(-qmax, qmax).to(torch.int8), scale
"""),
    ("quantize_absmax", "max_not_absmax", """
def quantize_absmax(x, bits=8, dim=None):
    qmax = 2 ** (bits - 1) - 1
    absmax = x.amax() if dim is None else x.amax(dim=dim, keepdim=True)
    scale = absmax / qmax
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    return torch.round(x / safe).clamp(-qmax, qmax).to(torch.int8), scale
"""),
    ("quantize_absmax", "no_keepdim", """
def quantize_absmax(x, bits=8, dim=None):
    qmax = 2 ** (bits - 1) - 1
    absmax = x.abs().amax() if dim is None else x.abs().amax(dim=dim)
    scale = absmax / qmax
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    s = safe if dim is None else safe.unsqueeze(dim)
    return torch.round(x / s).clamp(-qmax, qmax).to(torch.int8), scale
"""),
    ("quantize_absmax", "dim_is_the_kept_axis", patch(ASSIGNMENT, "quantize_absmax",
        "        absmax = x.abs().amax(dim=dim, keepdim=True)            # size 1 along dim\n",
        "        other = [d for d in range(x.dim()) if d != dim % x.dim()]\n"
        "        absmax = x.abs().amax(dim=other, keepdim=True)\n")),
    ("quantize_absmax", "per_tensor_scale_shape_1", """
def quantize_absmax(x, bits=8, dim=None):
    qmax = 2 ** (bits - 1) - 1
    absmax = x.abs().reshape(-1).amax(0, keepdim=True) if dim is None else x.abs().amax(dim=dim, keepdim=True)
    scale = absmax / qmax
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    return torch.round(x / safe).clamp(-qmax, qmax).to(torch.int8), scale
"""),
    ("quantize_absmax", "scale_always_float32", """
def quantize_absmax(x, bits=8, dim=None):
    qmax = 2 ** (bits - 1) - 1
    x = x.float()
    absmax = x.abs().amax() if dim is None else x.abs().amax(dim=dim, keepdim=True)
    scale = absmax / qmax
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    return torch.round(x / safe).clamp(-qmax, qmax).to(torch.int8), scale
"""),
    ("quantize_absmax", "zero_slice_gets_nan_scale", """
def quantize_absmax(x, bits=8, dim=None):
    qmax = 2 ** (bits - 1) - 1
    absmax = x.abs().amax() if dim is None else x.abs().amax(dim=dim, keepdim=True)
    scale = absmax / qmax
    scale = torch.where(scale > 0, scale, torch.full_like(scale, float("nan")))
    q = torch.nan_to_num(torch.round(x / scale), nan=0.0)
    return q.clamp(-qmax, qmax).to(torch.int8), scale
"""),
    # dequantize
    ("dequantize", "uint8_wraps_around", patch(ASSIGNMENT, "dequantize", "q.to(torch.int32)", "q")),
    ("dequantize", "ignores_zero_point", patch(ASSIGNMENT, "dequantize",
        "return (q.to(torch.int32) - zero_point) * scale", "return q.to(torch.int32) * scale")),
    ("dequantize", "adds_zero_point", patch(ASSIGNMENT, "dequantize",
        "q.to(torch.int32) - zero_point", "q.to(torch.int32) + zero_point")),
    ("dequantize", "divides_by_scale", patch(ASSIGNMENT, "dequantize",
        "return (q.to(torch.int32) - zero_point) * scale", "return (q.to(torch.int32) - zero_point) / scale")),
    ("dequantize", "always_float32", patch(ASSIGNMENT, "dequantize",
        "return (q.to(torch.int32) - zero_point) * scale", "return (q.float() - zero_point) * scale.float()")),
    # quantize_zeropoint
    ("quantize_zeropoint", "range_excludes_zero", patch(ASSIGNMENT, "quantize_zeropoint",
        "    lo = torch.clamp(x.min(), max=0)\n"
        "    hi = torch.clamp(x.max(), min=0)\n",
        "    lo, hi = x.min(), x.max()\n")),
    ("quantize_zeropoint", "divides_by_2_pow_bits", patch(ASSIGNMENT, "quantize_zeropoint",
        "(hi - lo) / qmax", "(hi - lo) / 2 ** bits")),
    ("quantize_zeropoint", "zero_point_truncated", patch(ASSIGNMENT, "quantize_zeropoint",
        "torch.round(-lo / scale)", "(-lo / scale)")),
    ("quantize_zeropoint", "zero_point_sign_flipped", patch(ASSIGNMENT, "quantize_zeropoint", [
        ("torch.round(-lo / scale)", "torch.round(lo / scale)"),
        ("+ zero_point)", "- zero_point)")])),
    ("quantize_zeropoint", "signed_int8_codes", patch(ASSIGNMENT, "quantize_zeropoint", [
        (").clamp(0, qmax).to(torch.uint8)", " - 128).clamp(-128, 127).to(torch.int8)"),
        ("return q, scale, zero_point", "return q, scale, zero_point - 128")])),
    ("quantize_zeropoint", "floor_codes", patch(ASSIGNMENT, "quantize_zeropoint",
        "torch.round(x / scale)", "torch.floor(x / scale)")),
    ("quantize_zeropoint", "float_zero_point", patch(ASSIGNMENT, "quantize_zeropoint", ".to(torch.int64)", "")),
    # group_quantize
    ("group_quantize", "one_scale_per_row", """
def group_quantize(w, bits=4, group_size=128):
    qmax = 2 ** (bits - 1) - 1
    n_groups = w.shape[-1] // group_size
    row = w.abs().amax(-1, keepdim=True) / qmax
    safe = torch.where(row > 0, row, torch.ones_like(row))
    q = torch.round(w / safe).clamp(-qmax, qmax).to(torch.int8)
    return q, row.expand(*w.shape[:-1], n_groups).clone()
"""),
    # entries j, j+G, j+2G, ... share a scale
    ("group_quantize", "strided_groups", patch(ASSIGNMENT, "group_quantize", [
        ("    groups = w.reshape(*lead, n // group_size, group_size)          # (..., G, g)\n",
         "    G = n // group_size\n"
         "    groups = w.reshape(*lead, group_size, G).transpose(-1, -2)\n"),
        ("q.to(torch.int8).reshape(w.shape)", "q.transpose(-1, -2).reshape(w.shape).to(torch.int8)")])),
    ("group_quantize", "scale_keeps_trailing_1", patch(ASSIGNMENT, "group_quantize", [
        ("groups.abs().amax(-1) / qmax", "groups.abs().amax(-1, keepdim=True) / qmax"),
        ("safe[..., None]", "safe")])),
    ("group_quantize", "q_in_group_shape", patch(ASSIGNMENT, "group_quantize",
        "q.to(torch.int8).reshape(w.shape)", "q.to(torch.int8)")),
    ("group_quantize", "unsigned_range_15", patch(ASSIGNMENT, "group_quantize",
        "2 ** (bits - 1) - 1", "2 ** bits - 1")),
    # pack_int4
    ("pack_int4", "nibbles_swapped", patch(ASSIGNMENT, "pack_int4", "(low | (high << 4))", "((low << 4) | high)")),
    ("pack_int4", "offset_binary", """
def pack_int4(q):
    nib = q.to(torch.int16) + 8
    return (nib[..., 0::2] | (nib[..., 1::2] << 4)).to(torch.uint8)
"""),
    ("pack_int4", "low_nibble_not_masked", """
def pack_int4(q):
    q = q.to(torch.int16)
    return (q[..., 0::2] | ((q[..., 1::2] & 0xF) << 4)).to(torch.uint8)
"""),
    ("pack_int4", "halves_not_neighbours", patch(ASSIGNMENT, "pack_int4",
        "low, high = nibbles[..., 0::2], nibbles[..., 1::2]",
        "half = q.shape[-1] // 2\n"
        "    low, high = nibbles[..., :half], nibbles[..., half:]")),
    ("pack_int4", "returns_int8", patch(ASSIGNMENT, "pack_int4",
        "(low | (high << 4)).to(torch.uint8)", "(low | (high << 4)).to(torch.int8)")),
    # unpack_int4
    ("unpack_int4", "no_sign_extension", """
def unpack_int4(packed):
    p = packed.to(torch.int16)
    return torch.stack([p & 0xF, p >> 4], dim=-1).flatten(-2).to(torch.int8)
"""),
    ("unpack_int4", "nibbles_swapped", patch(ASSIGNMENT, "unpack_int4",
        "torch.stack([low, high], dim=-1)", "torch.stack([high, low], dim=-1)")),
    ("unpack_int4", "sign_threshold_off_by_one", """
def unpack_int4(packed):
    p = packed.to(torch.int16)
    nib = torch.stack([p & 0xF, p >> 4], dim=-1).flatten(-2)
    return torch.where(nib > 8, nib - 16, nib).to(torch.int8)
"""),
    ("unpack_int4", "concatenates_not_interleaves", patch(ASSIGNMENT, "unpack_int4",
        "torch.stack([low, high], dim=-1).flatten(-2)", "torch.cat([low, high], dim=-1)")),
    ("unpack_int4", "returns_int16", """
def unpack_int4(packed):
    p = packed.to(torch.int16)
    nib = torch.stack([p & 0xF, p >> 4], dim=-1).flatten(-2)
    return torch.where(nib >= 8, nib - 16, nib)
"""),
    # smoothquant_scales
    ("smoothquant_scales", "exponents_swapped", patch(ASSIGNMENT, "smoothquant_scales",
        "act_absmax.pow(alpha) / weight_absmax.pow(1 - alpha)",
        "act_absmax.pow(1 - alpha) / weight_absmax.pow(alpha)")),
    ("smoothquant_scales", "ratio_to_the_alpha", patch(ASSIGNMENT, "smoothquant_scales",
        "act_absmax.pow(alpha) / weight_absmax.pow(1 - alpha)", "(act_absmax / weight_absmax).pow(alpha)")),
    ("smoothquant_scales", "inverted", patch(ASSIGNMENT, "smoothquant_scales",
        "act_absmax.pow(alpha) / weight_absmax.pow(1 - alpha)",
        "weight_absmax.pow(1 - alpha) / act_absmax.pow(alpha)")),
    ("smoothquant_scales", "product_not_ratio", patch(ASSIGNMENT, "smoothquant_scales",
        "act_absmax.pow(alpha) / weight_absmax.pow(1 - alpha)",
        "act_absmax.pow(alpha) * weight_absmax.pow(1 - alpha)")),
    ("smoothquant_scales", "always_float32", patch(ASSIGNMENT, "smoothquant_scales",
        "return act_absmax.pow(alpha) / weight_absmax.pow(1 - alpha)",
        "return (act_absmax.pow(alpha) / weight_absmax.pow(1 - alpha)).float()")),
    # magnitude_prune
    ("magnitude_prune", "prunes_largest", patch(ASSIGNMENT, "magnitude_prune", "n_prune, largest=False)", "n_prune)")),
    ("magnitude_prune", "signed_not_magnitude", patch(ASSIGNMENT, "magnitude_prune",
        "torch.topk(w.abs().reshape(-1)", "torch.topk(w.reshape(-1)")),
    ("magnitude_prune", "floor_count", patch(ASSIGNMENT, "magnitude_prune",
        "round(sparsity * w.numel())", "int(sparsity * w.numel())")),
    ("magnitude_prune", "per_row", """
def magnitude_prune(w, sparsity):
    flat = w.abs().reshape(w.shape[0], -1)
    k = round(sparsity * flat.shape[1])
    mask = torch.ones(flat.shape, dtype=torch.bool)
    if k > 0:
        mask.scatter_(1, torch.topk(flat, k, dim=1, largest=False).indices, False)
    return mask.reshape(w.shape)
"""),
    ("magnitude_prune", "float_mask", patch(ASSIGNMENT, "magnitude_prune", [
        ("torch.ones(w.shape, dtype=torch.bool)", "torch.ones_like(w)"),
        ("mask.view(-1)[smallest] = False", "mask.view(-1)[smallest] = 0.0")])),
    ("magnitude_prune", "threshold_off_by_one", """
def magnitude_prune(w, sparsity):
    k = round(sparsity * w.numel())
    if k == 0:
        return torch.ones(w.shape, dtype=torch.bool)
    kth = w.abs().reshape(-1).kthvalue(k).values
    return w.abs() >= kth
"""),
    # prune_n_m
    ("prune_n_m", "keeps_smallest", """
def prune_n_m(w, n=2, m=4):
    groups = w.abs().reshape(*w.shape[:-1], w.shape[-1] // m, m)
    keep = groups.topk(n, dim=-1, largest=False).indices
    return torch.zeros(groups.shape, dtype=torch.bool).scatter_(-1, keep, True).reshape(w.shape)
"""),
    ("prune_n_m", "signed_values", """
def prune_n_m(w, n=2, m=4):
    groups = w.reshape(*w.shape[:-1], w.shape[-1] // m, m)
    keep = groups.topk(n, dim=-1).indices
    return torch.zeros(groups.shape, dtype=torch.bool).scatter_(-1, keep, True).reshape(w.shape)
"""),
    ("prune_n_m", "strided_groups", """
def prune_n_m(w, n=2, m=4):
    G = w.shape[-1] // m
    groups = w.abs().reshape(*w.shape[:-1], m, G).transpose(-1, -2)   # entries j, j+G, ... grouped
    keep = groups.topk(n, dim=-1).indices
    mask = torch.zeros(groups.shape, dtype=torch.bool).scatter_(-1, keep, True)
    return mask.transpose(-1, -2).reshape(w.shape)
"""),
    ("prune_n_m", "hardcoded_2_of_4", """
def prune_n_m(w, n=2, m=4):
    groups = w.abs().reshape(*w.shape[:-1], w.shape[-1] // 4, 4)
    keep = groups.topk(2, dim=-1).indices
    return torch.zeros(groups.shape, dtype=torch.bool).scatter_(-1, keep, True).reshape(w.shape)
"""),
    ("prune_n_m", "global_threshold_half", """
def prune_n_m(w, n=2, m=4):
    return w.abs() >= w.abs().median()
"""),
    # distillation_loss
    ("distillation_loss", "no_t_squared", """
def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    kl = F.kl_div(F.log_softmax(student_logits / t, -1), F.log_softmax(teacher_logits / t, -1),
                  reduction="batchmean", log_target=True)
    return alpha * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
"""),
    ("distillation_loss", "t_not_t_squared", """
def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    kl = F.kl_div(F.log_softmax(student_logits / t, -1), F.log_softmax(teacher_logits / t, -1),
                  reduction="batchmean", log_target=True)
    return alpha * t * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
"""),
    ("distillation_loss", "kl_reversed", """
def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    kl = F.kl_div(F.log_softmax(teacher_logits / t, -1), F.log_softmax(student_logits / t, -1),
                  reduction="batchmean", log_target=True)
    return alpha * t ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
"""),
    ("distillation_loss", "reduction_mean_over_classes", """
def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    kl = F.kl_div(F.log_softmax(student_logits / t, -1), F.log_softmax(teacher_logits / t, -1),
                  reduction="mean", log_target=True)
    return alpha * t ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
"""),
    ("distillation_loss", "ce_on_softened_logits", """
def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    kl = F.kl_div(F.log_softmax(student_logits / t, -1), F.log_softmax(teacher_logits / t, -1),
                  reduction="batchmean", log_target=True)
    return alpha * t ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits / t, labels)
"""),
    ("distillation_loss", "probabilities_as_kl_input", """
def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    kl = F.kl_div(F.softmax(student_logits / t, -1), F.softmax(teacher_logits / t, -1), reduction="batchmean")
    return alpha * t ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
"""),
    ("distillation_loss", "log_of_softmax", """
def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    p_s = torch.softmax(student_logits / t, -1)
    p_t = torch.softmax(teacher_logits / t, -1)
    kl = (p_t * (torch.log(p_t) - torch.log(p_s))).sum() / student_logits.shape[0]
    return alpha * t ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
"""),
    ("distillation_loss", "alpha_on_the_wrong_term", """
def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    t = temperature
    kl = F.kl_div(F.log_softmax(student_logits / t, -1), F.log_softmax(teacher_logits / t, -1),
                  reduction="batchmean", log_target=True)
    return (1 - alpha) * t ** 2 * kl + alpha * F.cross_entropy(student_logits, labels)
"""),
    # LoRALinear
    ("lora_linear", "scaling_r_over_alpha", _lora("self.scaling = alpha / r", "self.scaling = r / alpha")),
    ("lora_linear", "b_random_a_zero", _lora("""\
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features, dtype=w.dtype, device=w.device))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r, dtype=w.dtype, device=w.device))
""", """\
        self.lora_A = nn.Parameter(torch.zeros(r, base.in_features, dtype=w.dtype, device=w.device))
        self.lora_B = nn.Parameter(torch.empty(base.out_features, r, dtype=w.dtype, device=w.device))
        nn.init.kaiming_uniform_(self.lora_B, a=math.sqrt(5))
""")),
    ("lora_linear", "base_not_frozen", _lora(
        "        for p in self.base.parameters():\n            p.requires_grad_(False)\n", "")),
    ("lora_linear", "forward_without_scaling", _lora(
        "self.base(x) + self.scaling * (x @ self.lora_A.T @ self.lora_B.T)",
        "self.base(x) + x @ self.lora_A.T @ self.lora_B.T")),
    ("lora_linear", "merge_in_place", _lora("""\
        base = self.base
        merged = nn.Linear(base.in_features, base.out_features, bias=base.bias is not None,
                           dtype=base.weight.dtype, device=base.weight.device)
        with torch.no_grad():
            merged.weight.copy_(base.weight + self.scaling * self.lora_B @ self.lora_A)
            if base.bias is not None:
                merged.bias.copy_(base.bias)
        return merged
""", """\
        with torch.no_grad():
            self.base.weight += self.scaling * self.lora_B @ self.lora_A
        return self.base
""")),
    ("lora_linear", "merge_without_scaling", _lora("self.scaling * self.lora_B @ self.lora_A",
                                                   "self.lora_B @ self.lora_A")),
    ("lora_linear", "merge_drops_bias", _lora([
        ("bias=base.bias is not None,", "bias=False,"),
        ("            if base.bias is not None:\n                merged.bias.copy_(base.bias)\n", "")])),
    ("lora_linear", "merge_transposed_product", _lora(
        "self.lora_B @ self.lora_A", "(self.lora_A.T @ self.lora_B.T).reshape(base.out_features, base.in_features)")),
    ("lora_linear", "params_always_float32", _lora(", dtype=w.dtype, device=w.device", "", count=2)),
    # low_rank_approx
    ("low_rank_approx", "no_singular_values", patch(ASSIGNMENT, "low_rank_approx",
        "(U[:, :rank] * S[:rank])", "U[:, :rank]")),
    ("low_rank_approx", "smallest_singular_values", patch(ASSIGNMENT, "low_rank_approx",
        "(U[:, :rank] * S[:rank]) @ Vh[:rank]", "(U[:, -rank:] * S[-rank:]) @ Vh[-rank:]")),
    # torch.svd returns V, not V^H
    ("low_rank_approx", "torch_svd_v_rows", patch(ASSIGNMENT, "low_rank_approx",
        "torch.linalg.svd(w, full_matrices=False)", "torch.svd(w)")),
    ("low_rank_approx", "rank_off_by_one", patch(ASSIGNMENT, "low_rank_approx",
        "(U[:, :rank] * S[:rank]) @ Vh[:rank]", "(U[:, :rank + 1] * S[:rank + 1]) @ Vh[:rank + 1]")),
    ("low_rank_approx", "always_float32", patch(ASSIGNMENT, "low_rank_approx",
        "torch.linalg.svd(w,", "torch.linalg.svd(w.float(),")),
    # fold_batchnorm
    ("fold_batchnorm", "forgets_eps", patch(ASSIGNMENT, "fold_batchnorm",
        "torch.rsqrt(bn.running_var + bn.eps)", "bn.running_var.rsqrt()")),
    ("fold_batchnorm", "divides_by_variance", patch(ASSIGNMENT, "fold_batchnorm",
        "torch.rsqrt(bn.running_var + bn.eps)", "1 / (bn.running_var + bn.eps)")),
    ("fold_batchnorm", "scales_input_columns", patch(ASSIGNMENT, "fold_batchnorm",
        "W * k[:, None]", "W * k[None, :]")),
    ("fold_batchnorm", "bias_not_scaled", patch(ASSIGNMENT, "fold_batchnorm",
        "new_bias = k * (b - bn.running_mean)", "new_bias = b - k * bn.running_mean")),
    ("fold_batchnorm", "forgets_beta", patch(ASSIGNMENT, "fold_batchnorm",
        "    if bn.bias is not None:\n"
        "        new_bias = new_bias + bn.bias\n",
        "")),
    ("fold_batchnorm", "torch_helper_needs_affine", """
def fold_batchnorm(linear, bn):
    from torch.nn.utils.fusion import fuse_linear_bn_eval
    return fuse_linear_bn_eval(linear.eval(), bn)
"""),
    ("fold_batchnorm", "bias_only_if_linear_had_one", patch(ASSIGNMENT, "fold_batchnorm", [
        ("bias=True,", "bias=linear.bias is not None,"),
        ("        fused.bias.copy_(new_bias)\n",
         "        if linear.bias is not None:\n"
         "            fused.bias.copy_(new_bias)\n")])),
    ("fold_batchnorm", "modifies_linear_in_place", patch(ASSIGNMENT, "fold_batchnorm",
        "fused.weight.copy_(W * k[:, None])", "fused.weight.copy_(W.mul_(k[:, None]))")),
]

RIGHT = [
    ("quantize_absmax", "clamped_scale_and_multiply", """
def quantize_absmax(x, bits=8, dim=None):
    qmax = 2 ** (bits - 1) - 1
    absmax = torch.amax(x.abs()) if dim is None else torch.amax(x.abs(), dim=dim, keepdim=True)
    scale = (absmax / qmax).clamp_min(torch.finfo(x.dtype).tiny)      # an all-zero slice gets a tiny scale
    q = torch.clamp(torch.round(x * (1.0 / scale)), -qmax, qmax)
    return q.to(torch.int8), scale
"""),
    ("quantize_absmax", "float64_inside", """
def quantize_absmax(x, bits=8, dim=None):
    qmax = 2 ** (bits - 1) - 1
    xd = x.double()
    absmax = xd.abs().max() if dim is None else xd.abs().max(dim=dim, keepdim=True).values
    scale = absmax / qmax
    q = torch.where(scale > 0, xd / torch.where(scale > 0, scale, 1.0), 0.0).round().clamp(-qmax, qmax)
    return q.to(torch.int8), scale.to(x.dtype)
"""),
    ("dequantize", "cast_to_scale_dtype_first", patch(ASSIGNMENT, "dequantize",
        "q.to(torch.int32)", "q.to(scale.dtype)")),
    ("dequantize", "int64_then_float", """
def dequantize(q, scale, zero_point=0):
    return torch.sub(q.long(), zero_point).to(scale.dtype) * scale
"""),
    ("quantize_zeropoint", "aminmax_and_float64_params", """
def quantize_zeropoint(x, bits=8):
    qmin, qmax = 0, 2 ** bits - 1
    mn, mx = torch.aminmax(x)
    lo, hi = torch.minimum(mn, torch.zeros_like(mn)), torch.maximum(mx, torch.zeros_like(mx))
    scale = ((hi.double() - lo.double()) / (qmax - qmin)).to(x.dtype)
    zero_point = (qmin - torch.round(lo / scale)).long()
    q = torch.clamp(torch.round(x / scale) + zero_point, qmin, qmax).to(torch.uint8)
    return q, scale, zero_point
"""),
    ("group_quantize", "reuses_quantize_absmax", """
def group_quantize(w, bits=4, group_size=128):
    *lead, n = w.shape
    q, scale = quantize_absmax(w.reshape(*lead, n // group_size, group_size), bits=bits, dim=-1)
    return q.reshape(w.shape), scale.squeeze(-1)
"""),
    ("group_quantize", "repeat_interleave_scales", """
def group_quantize(w, bits=4, group_size=128):
    qmax = 2 ** (bits - 1) - 1
    *lead, n = w.shape
    scale = w.abs().unflatten(-1, (n // group_size, group_size)).amax(-1) / qmax
    full = scale.repeat_interleave(group_size, dim=-1)
    q = torch.where(full > 0, w / torch.where(full > 0, full, torch.ones_like(full)), torch.zeros_like(w))
    return q.round().clamp(-qmax, qmax).to(torch.int8), scale
"""),
    ("pack_int4", "int8_shift_and_wrap", """
def pack_int4(q):
    low, high = q[..., 0::2], q[..., 1::2]
    return ((low & 0xF) | (high << 4)).to(torch.uint8)
"""),
    ("pack_int4", "arithmetic_modulo", """
def pack_int4(q):
    v = q.to(torch.int32) % 16                               # two's complement nibble (Python-style modulo)
    pairs = v.reshape(*q.shape[:-1], q.shape[-1] // 2, 2)
    return (pairs[..., 0] + 16 * pairs[..., 1]).to(torch.uint8)
"""),
    ("unpack_int4", "int8_view_arithmetic_shift", """
def unpack_int4(packed):
    p = packed.view(torch.int8)
    low = (p << 4) >> 4                                      # sign-extends the low nibble
    high = p >> 4                                            # arithmetic shift sign-extends the high nibble
    return torch.stack([low, high], dim=-1).reshape(*packed.shape[:-1], 2 * packed.shape[-1])
"""),
    ("unpack_int4", "divmod", """
def unpack_int4(packed):
    p = packed.to(torch.int32)
    low, high = p % 16, p // 16
    out = torch.empty(*p.shape[:-1], 2 * p.shape[-1], dtype=torch.int32)
    out[..., 0::2], out[..., 1::2] = low, high
    return (out - 16 * (out >= 8).int()).to(torch.int8)
"""),
    ("smoothquant_scales", "exp_log", """
def smoothquant_scales(act_absmax, weight_absmax, alpha=0.5):
    return torch.exp(alpha * torch.log(act_absmax) - (1 - alpha) * torch.log(weight_absmax))
"""),
    ("smoothquant_scales", "float64_inside", """
def smoothquant_scales(act_absmax, weight_absmax, alpha=0.5):
    a, w = act_absmax.double(), weight_absmax.double()
    return (a ** alpha * w ** (alpha - 1)).to(act_absmax.dtype)
"""),
    ("lora_linear", "frozen_deepcopy_of_base", """
import copy


class LoRALinear(nn.Module):
    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = copy.deepcopy(base).requires_grad_(False)
        self.scaling = alpha / r
        w = base.weight
        self.lora_A = nn.Parameter(w.new_empty(r, base.in_features).uniform_(-0.1, 0.1))
        self.lora_B = nn.Parameter(w.new_zeros(base.out_features, r))

    def forward(self, x):
        delta = torch.einsum("...i,ri,or->...o", x, self.lora_A, self.lora_B)
        return self.base(x) + self.scaling * delta

    def merge(self):
        out = nn.Linear(self.base.in_features, self.base.out_features, bias=self.base.bias is not None)
        out = out.to(self.base.weight.dtype)
        out.weight = nn.Parameter((self.base.weight + self.scaling * self.lora_B @ self.lora_A).detach().clone())
        if self.base.bias is not None:
            out.bias = nn.Parameter(self.base.bias.detach().clone())
        return out
"""),
    ("magnitude_prune", "argsort", """
def magnitude_prune(w, sparsity):
    k = round(sparsity * w.numel())
    order = w.abs().flatten().argsort()
    keep = torch.ones(w.numel(), dtype=torch.bool)
    keep[order[:k]] = False
    return keep.reshape(w.shape)
"""),
    ("magnitude_prune", "kthvalue_threshold", """
def magnitude_prune(w, sparsity):
    k = round(sparsity * w.numel())
    if k == 0:
        return torch.ones_like(w, dtype=torch.bool)
    return w.abs() > w.abs().flatten().kthvalue(k).values
"""),
    ("prune_n_m", "argsort_rank", """
def prune_n_m(w, n=2, m=4):
    g = w.abs().unflatten(-1, (w.shape[-1] // m, m))
    rank = g.argsort(dim=-1, descending=True).argsort(dim=-1)     # 0 = largest in its group
    return (rank < n).flatten(-2)
"""),
    ("prune_n_m", "kth_largest_threshold", """
def prune_n_m(w, n=2, m=4):
    g = w.abs().reshape(*w.shape[:-1], -1, m)
    nth = g.sort(dim=-1, descending=True).values[..., n - 1:n]
    return (g >= nth).reshape(w.shape)
"""),
    ("distillation_loss", "manual_sums", """
def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    T_ = temperature
    log_ps = torch.log_softmax(student_logits / T_, dim=1)
    log_pt = torch.log_softmax(teacher_logits / T_, dim=1)
    kl = torch.sum(log_pt.exp() * (log_pt - log_ps)) / student_logits.size(0)
    ce = F.nll_loss(torch.log_softmax(student_logits, dim=1), labels)
    return alpha * (T_ * T_) * kl + (1.0 - alpha) * ce
"""),
    ("distillation_loss", "kl_div_probability_target", """
def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    soft = nn.KLDivLoss(reduction="batchmean")(F.log_softmax(student_logits / temperature, -1),
                                               F.softmax(teacher_logits / temperature, -1))
    return alpha * temperature ** 2 * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
"""),
    ("lora_linear", "f_linear_and_deepcopy_merge", """
import copy


class LoRALinear(nn.Module):
    def __init__(self, base, r, alpha):
        super().__init__()
        base.requires_grad_(False)
        self.base = base
        self.scaling = float(alpha) / r
        self.lora_A = nn.Parameter(torch.randn(r, base.in_features, dtype=base.weight.dtype) / math.sqrt(base.in_features))
        self.lora_B = nn.Parameter(base.weight.new_zeros(base.out_features, r))

    def forward(self, x):
        return F.linear(x, self.base.weight, self.base.bias) + self.scaling * F.linear(F.linear(x, self.lora_A), self.lora_B)

    def merge(self):
        merged = copy.deepcopy(self.base)
        with torch.no_grad():
            merged.weight.add_(torch.einsum("or,ri->oi", self.lora_B, self.lora_A), alpha=self.scaling)
        return merged
"""),
    ("low_rank_approx", "torch_svd_v_columns", """
def low_rank_approx(w, rank):
    U, S, V = torch.svd(w.double())
    return (U[:, :rank] @ torch.diag(S[:rank]) @ V[:, :rank].T).to(w.dtype)
"""),
    ("low_rank_approx", "full_matrices_einsum", """
def low_rank_approx(w, rank):
    U, S, Vh = torch.linalg.svd(w)
    return torch.einsum("ik,k,kj->ij", U[:, :rank], S[:rank], Vh[:rank, :])
"""),
    ("fold_batchnorm", "torch_helper_with_identity_affine", """
import copy
from torch.nn.utils.fusion import fuse_linear_bn_weights


def fold_batchnorm(linear, bn):
    w = linear.weight.detach()
    b = linear.bias.detach() if linear.bias is not None else None
    gamma = bn.weight.detach() if bn.weight is not None else torch.ones_like(bn.running_var)
    beta = bn.bias.detach() if bn.bias is not None else torch.zeros_like(bn.running_mean)
    fw, fb = fuse_linear_bn_weights(w, b, bn.running_mean, bn.running_var, bn.eps, gamma, beta)
    fused = nn.Linear(linear.in_features, linear.out_features, dtype=w.dtype)
    with torch.no_grad():
        fused.weight.copy_(fw)
        fused.bias.copy_(fb)
    return fused
"""),
    ("fold_batchnorm", "float64_inside", """
def fold_batchnorm(linear, bn):
    dt = linear.weight.dtype
    var, mean = bn.running_var.double(), bn.running_mean.double()
    gamma = bn.weight.double() if bn.affine else torch.ones_like(var)
    beta = bn.bias.double() if bn.affine else torch.zeros_like(var)
    k = gamma / torch.sqrt(var + bn.eps)
    b = linear.bias.double() if linear.bias is not None else torch.zeros_like(var)
    fused = nn.Linear(linear.in_features, linear.out_features, bias=True).to(dt)
    with torch.no_grad():
        fused.weight.copy_((linear.weight.double() * k.unsqueeze(1)).to(dt))
        fused.bias.copy_(((b - mean) * k + beta).to(dt))
    return fused
"""),
]


# Further variants from a probe of the hidden tests' freedom and plausible mistakes.
WRONG += [
    ("quantize_absmax", "qmax_2_pow_bits_minus_2_below_8_bits", """
def quantize_absmax(x, bits=8, dim=None):
    qmax = 2 ** bits // 2 - 1 if bits == 8 else 2 ** (bits - 2)
    absmax = x.abs().amax() if dim is None else x.abs().amax(dim, keepdim=True)
    scale = absmax / qmax
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    return torch.round(x / safe).clamp(-qmax, qmax).to(torch.int8), scale
"""),
    ("quantize_zeropoint", "codes_from_x_minus_lo_without_zero_point_rounding",
     patch(ASSIGNMENT, "quantize_zeropoint",
        "(torch.round(x / scale) + zero_point)", "torch.round((x - lo) / scale)")),
    ("distillation_loss", "student_not_softened", """
def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    T_ = temperature
    kl = F.kl_div(F.log_softmax(student_logits, -1), F.softmax(teacher_logits / T_, -1), reduction="batchmean")
    return alpha * T_ * T_ * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
"""),
    ("distillation_loss", "teacher_not_softened", """
def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    T_ = temperature
    kl = F.kl_div(F.log_softmax(student_logits / T_, -1), F.softmax(teacher_logits, -1), reduction="batchmean")
    return alpha * T_ * T_ * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
"""),
    ("lora_linear", "rslora_scaling", """
class LoRALinear(nn.Module):
    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        base.requires_grad_(False)
        self.scaling = alpha / math.sqrt(r)
        w = base.weight
        self.lora_A = nn.Parameter(torch.randn(r, base.in_features, dtype=w.dtype) * 0.01)
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r, dtype=w.dtype))

    def forward(self, x):
        return self.base(x) + self.scaling * (x @ self.lora_A.T @ self.lora_B.T)

    def merge(self):
        out = nn.Linear(self.base.in_features, self.base.out_features, dtype=self.base.weight.dtype)
        with torch.no_grad():
            out.weight.copy_(self.base.weight + self.scaling * (self.lora_B @ self.lora_A))
            if self.base.bias is not None:
                out.bias.copy_(self.base.bias)
            else:
                out.bias.zero_()
        return out
"""),
    ("group_quantize", "qmax_from_8_bits", patch(ASSIGNMENT, "group_quantize",
        "qmax = 2 ** (bits - 1) - 1", "qmax = 127")),
]
RIGHT += [
    ("quantize_absmax", "nan_to_num_and_moveaxis_loop", """
def quantize_absmax(x, bits=8, dim=None):
    qmax = 2 ** (bits - 1) - 1
    if dim is None:
        scale = x.abs().max() / qmax
    else:
        scale = torch.amax(torch.abs(x), dim=dim, keepdim=True) / qmax
    q = torch.nan_to_num(x / scale, nan=0.0)
    q = torch.clamp(torch.round(q), -qmax, qmax).to(torch.int8)
    return q, scale
"""),
    ("quantize_absmax", "where_zero", """
def quantize_absmax(x, bits=8, dim=None):
    qmax = float(2 ** (bits - 1) - 1)
    absmax = x.abs().amax() if dim is None else x.abs().amax(dim, keepdim=True)
    scale = absmax / qmax
    q = torch.where(scale == 0, torch.zeros_like(x), (x / scale).round())
    return q.clamp(-qmax, qmax).to(torch.int8), scale
"""),
    ("quantize_zeropoint", "zp_from_lo_qmin_minus", """
def quantize_zeropoint(x, bits=8):
    qmin, qmax = 0, 2 ** bits - 1
    lo = min(x.min().item(), 0.0)
    hi = max(x.max().item(), 0.0)
    scale = torch.tensor((hi - lo) / (qmax - qmin), dtype=x.dtype)
    zero_point = (qmin - torch.round(torch.tensor(lo, dtype=x.dtype) / scale)).to(torch.int64)
    q = torch.clamp(torch.round(x / scale + zero_point), qmin, qmax).to(torch.uint8)
    return q, scale, zero_point
"""),
    ("distillation_loss", "log_target_float64", """
def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    s = student_logits.double(); t = teacher_logits.double()
    kl = F.kl_div(F.log_softmax(s / temperature, dim=1), F.log_softmax(t / temperature, dim=1),
                  reduction="sum", log_target=True) / s.shape[0]
    ce = F.cross_entropy(s, labels)
    return (alpha * temperature ** 2 * kl + (1 - alpha) * ce).to(student_logits.dtype)
"""),
    ("distillation_loss", "ce_mean_of_soft_targets_minus_entropy", """
def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    p_t = torch.softmax(teacher_logits / temperature, -1)
    log_p_s = torch.log_softmax(student_logits / temperature, -1)
    log_p_t = torch.log_softmax(teacher_logits / temperature, -1)
    kl = (p_t * (log_p_t - log_p_s)).sum(-1).mean()
    return alpha * temperature ** 2 * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)
"""),
    ("lora_linear", "merged_weight_forward_kaiming", """
class LoRALinear(nn.Module):
    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.r = r
        self.scaling = alpha / r
        w = base.weight
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features, dtype=w.dtype, device=w.device))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r, dtype=w.dtype, device=w.device))

    def forward(self, x):
        return F.linear(x, self.base.weight + self.scaling * (self.lora_B @ self.lora_A), self.base.bias)

    def merge(self):
        out = nn.Linear(self.base.in_features, self.base.out_features, bias=self.base.bias is not None,
                        dtype=self.base.weight.dtype)
        with torch.no_grad():
            out.weight.copy_(self.base.weight + self.scaling * (self.lora_B @ self.lora_A))
            if self.base.bias is not None:
                out.bias.copy_(self.base.bias)
        return out
"""),
    ("lora_linear", "merge_shares_base_bias", """
class LoRALinear(nn.Module):
    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        base.weight.requires_grad = False
        if base.bias is not None:
            base.bias.requires_grad = False
        self.scaling = float(alpha) / r
        self.lora_A = nn.Parameter(torch.randn(r, base.in_features, dtype=base.weight.dtype) / r)
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r, dtype=base.weight.dtype))

    def forward(self, x):
        return self.base(x) + (x @ self.lora_A.t()) @ self.lora_B.t() * self.scaling

    def merge(self):
        out = nn.Linear(self.base.in_features, self.base.out_features, bias=False, dtype=self.base.weight.dtype)
        out.weight = nn.Parameter((self.base.weight + self.scaling * self.lora_B @ self.lora_A).detach())
        out.bias = self.base.bias
        return out
"""),
    ("smoothquant_scales", "pow_division_mixed", """
def smoothquant_scales(act_absmax, weight_absmax, alpha=0.5):
    return (act_absmax.pow(alpha) / weight_absmax.pow(1 - alpha))
"""),
    ("group_quantize", "view_loop_groups", """
def group_quantize(w, bits=4, group_size=128):
    qmax = 2 ** (bits - 1) - 1
    *lead, n = w.shape
    g = w.reshape(*lead, n // group_size, group_size).double()
    absmax = g.abs().amax(-1)
    scale = absmax / qmax
    safe = torch.where(scale > 0, scale, torch.ones_like(scale))
    q = torch.round(g / safe[..., None]).clamp(-qmax, qmax).to(torch.int8).reshape(w.shape)
    return q, scale.to(w.dtype)
"""),
]
