"""03_ffn_normalization: plausible wrong implementations the tests must catch, and correct variants they must accept.

Most variants are the reference cell with a small edit (``patch``), so each shows exactly the mistake it makes;
whole cells are genuinely different implementations.
"""

from mutations._patch import patch

ASSIGNMENT = "03_ffn_normalization"

WRONG = [
    # gelu
    ("gelu", "erf_without_sqrt2", patch(ASSIGNMENT, "gelu", "torch.erf(x / math.sqrt(2.0))", "torch.erf(x)")),
    ("gelu", "tanh_constant_sqrt_pi_over_2", patch(ASSIGNMENT, "gelu",
        "math.sqrt(2.0 / math.pi)", "math.sqrt(math.pi / 2.0)")),
    ("gelu", "tanh_coefficient_typo", patch(ASSIGNMENT, "gelu", "0.044715 * x ** 3", "0.44715 * x ** 3")),
    ("gelu", "tanh_x_squared", patch(ASSIGNMENT, "gelu", "0.044715 * x ** 3", "0.044715 * x ** 2")),
    # the erf form whatever `approximate` says
    ("gelu", "approximate_ignored", patch(ASSIGNMENT, "gelu",
        '    if approximate == "none":\n'
        "        return",
        "    return")),
    ("gelu", "sigmoid_1702_for_tanh", patch(ASSIGNMENT, "gelu",
        "return 0.5 * x * (1.0 + torch.tanh(inner))", "return x * torch.sigmoid(1.702 * x)")),
    ("gelu", "float32_inside", patch(ASSIGNMENT, "gelu",
        '    if approximate == "none":\n',
        "    x = x.float()\n"
        '    if approximate == "none":\n')),
    # FeedForward
    ("feed_forward", "tanh_gelu", patch(ASSIGNMENT, "feed_forward", "F.gelu(h)", 'F.gelu(h, approximate="tanh")')),
    ("feed_forward", "default_d_ff_is_d_model", patch(ASSIGNMENT, "feed_forward",
        "d_ff = 4 * d_model if", "d_ff = d_model if")),
    ("feed_forward", "activation_argument_ignored", patch(ASSIGNMENT, "feed_forward",
        'h = F.gelu(h) if self.activation == "gelu" else F.relu(h)', "h = F.gelu(h)")),
    ("feed_forward", "dropout_in_forward", patch(ASSIGNMENT, "feed_forward", [
        ("        self.activation = activation\n",
         "        self.activation = activation\n"
         "        self.dropout = nn.Dropout(0.1)\n"),
        ("return self.fc2(h)", "return self.dropout(self.fc2(h))")])),
    ("feed_forward", "no_biases", patch(ASSIGNMENT, "feed_forward", [
        ("nn.Linear(d_model, d_ff)", "nn.Linear(d_model, d_ff, bias=False)"),
        ("nn.Linear(d_ff, d_model)", "nn.Linear(d_ff, d_model, bias=False)")])),
    ("feed_forward", "activation_after_fc2_too", patch(ASSIGNMENT, "feed_forward", [
        ('h = F.gelu(h) if self.activation == "gelu" else F.relu(h)',
         'act = F.gelu if self.activation == "gelu" else F.relu\n'
         "        h = act(h)"),
        ("return self.fc2(h)", "return act(self.fc2(h))")])),
    # swiglu_hidden_dim
    ("swiglu_hidden_dim", "no_rounding", patch(ASSIGNMENT, "swiglu_hidden_dim",
        "multiple_of * ((hidden + multiple_of - 1) // multiple_of)  # rounded up", "hidden")),
    ("swiglu_hidden_dim", "rounds_down", patch(ASSIGNMENT, "swiglu_hidden_dim",
        "multiple_of * ((hidden + multiple_of - 1) // multiple_of)  # rounded up",
        "multiple_of * (hidden // multiple_of)  # rounded down")),
    ("swiglu_hidden_dim", "round_instead_of_int", patch(ASSIGNMENT, "swiglu_hidden_dim",
        "int(2 * (4 * d_model) / 3)                             # two thirds of 4d, truncated",
        "round(2 * (4 * d_model) / 3)")),
    ("swiglu_hidden_dim", "always_adds_a_multiple", patch(ASSIGNMENT, "swiglu_hidden_dim",
        "multiple_of * ((hidden + multiple_of - 1) // multiple_of)", "multiple_of * (hidden // multiple_of + 1)")),
    ("swiglu_hidden_dim", "numpy_float_result", patch(ASSIGNMENT, "swiglu_hidden_dim",
        "    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)",
        "    import numpy as np\n"
        "    return multiple_of * np.ceil(hidden / multiple_of)")),
    ("swiglu_hidden_dim", "multiple_of_hardcoded", patch(ASSIGNMENT, "swiglu_hidden_dim",
        "multiple_of * ((hidden + multiple_of - 1) // multiple_of)", "256 * ((hidden + 255) // 256)")),
    # SwiGLU
    ("swiglu", "silu_on_value_branch", patch(ASSIGNMENT, "swiglu",
        "F.silu(self.w1(x)) * self.w3(x)", "self.w1(x) * F.silu(self.w3(x))")),
    ("swiglu", "sigmoid_gate", patch(ASSIGNMENT, "swiglu", "F.silu(self.w1(x))", "torch.sigmoid(self.w1(x))")),
    ("swiglu", "gelu_gate", patch(ASSIGNMENT, "swiglu", "F.silu(", "F.gelu(")),
    ("swiglu", "default_d_ff_4d", patch(ASSIGNMENT, "swiglu",
        "swiglu_hidden_dim(d_model) if d_ff is None", "4 * d_model if d_ff is None")),
    ("swiglu", "bias_argument_ignored", patch(ASSIGNMENT, "swiglu", "bias=bias)", "bias=False)", count=3)),
    ("swiglu", "nn_linear_default_bias", patch(ASSIGNMENT, "swiglu", ", bias=bias)", ")", count=3)),
    ("swiglu", "silu_after_product", patch(ASSIGNMENT, "swiglu",
        "F.silu(self.w1(x)) * self.w3(x)", "F.silu(self.w1(x) * self.w3(x))")),
    # layer_norm
    ("layer_norm", "unbiased_variance", patch(ASSIGNMENT, "layer_norm",
        "(x - mean).pow(2).mean(dim=-1, keepdim=True)              # (..., 1), biased",
        "x.var(dim=-1, keepdim=True, unbiased=True)")),
    ("layer_norm", "eps_outside_sqrt", patch(ASSIGNMENT, "layer_norm",
        "torch.sqrt(var + eps)", "(torch.sqrt(var) + eps)")),
    ("layer_norm", "no_eps", patch(ASSIGNMENT, "layer_norm", "torch.sqrt(var + eps)", "torch.sqrt(var)")),
    ("layer_norm", "mean_over_batch_axis", patch(ASSIGNMENT, "layer_norm", "dim=-1", "dim=0", count=2)),
    ("layer_norm", "stats_over_all_elements", patch(ASSIGNMENT, "layer_norm", [
        ("x.mean(dim=-1, keepdim=True)", "x.mean()"),
        ("(x - mean).pow(2).mean(dim=-1, keepdim=True)", "(x - mean).pow(2).mean()")])),
    ("layer_norm", "bias_before_weight", patch(ASSIGNMENT, "layer_norm",
        "(x - mean) / torch.sqrt(var + eps) * weight + bias", "((x - mean) / torch.sqrt(var + eps) + bias) * weight")),
    # the std, not the variance, under the square root
    ("layer_norm", "std_not_var_under_eps", patch(ASSIGNMENT, "layer_norm",
        "mean(dim=-1, keepdim=True)              # (..., 1), biased", "mean(dim=-1, keepdim=True).sqrt()")),
    # layer_norm_backward
    ("layer_norm_backward", "missing_xhat_term", patch(ASSIGNMENT, "layer_norm_backward",
        " - xhat * (g * xhat).mean(dim=-1, keepdim=True))", ")")),
    ("layer_norm_backward", "missing_mean_term", patch(ASSIGNMENT, "layer_norm_backward",
        "g - g.mean(dim=-1, keepdim=True) - xhat", "g - xhat")),
    ("layer_norm_backward", "weight_missing_in_dx", patch(ASSIGNMENT, "layer_norm_backward",
        "g = dout * weight", "g = dout")),
    ("layer_norm_backward", "no_eps_in_backward", patch(ASSIGNMENT, "layer_norm_backward",
        "torch.sqrt(var + eps)", "torch.sqrt(var)")),
    ("layer_norm_backward", "sums_over_dim0_only", patch(ASSIGNMENT, "layer_norm_backward", [
        ("(dout * xhat).reshape(-1, D).sum(dim=0)", "(dout * xhat).sum(dim=0)"),
        ("dout.reshape(-1, D).sum(dim=0)", "dout.sum(dim=0)")])),
    ("layer_norm_backward", "sum_over_empty_dims", patch(ASSIGNMENT, "layer_norm_backward", [
        ("    D = x.shape[-1]\n", "    lead = tuple(range(x.dim() - 1))\n"),
        ("(dout * xhat).reshape(-1, D).sum(dim=0)", "(dout * xhat).sum(dim=lead)"),
        ("dout.reshape(-1, D).sum(dim=0)", "dout.sum(dim=lead)")])),
    ("layer_norm_backward", "dbias_mean_not_sum", patch(ASSIGNMENT, "layer_norm_backward",
        "dout.reshape(-1, D).sum(dim=0)", "dout.reshape(-1, D).mean(dim=0)")),
    ("layer_norm_backward", "uses_autograd", """
def layer_norm_backward(dout, x, weight, eps=1e-5):
    with torch.enable_grad():
        x = x.detach().clone().requires_grad_()
        w = weight.detach().clone().requires_grad_()
        b = torch.zeros_like(w, requires_grad=True)
        F.layer_norm(x, x.shape[-1:], w, b, eps).backward(dout)
    return x.grad, w.grad, b.grad
"""),
    # rms_norm
    ("rms_norm", "eps_outside_sqrt", patch(ASSIGNMENT, "rms_norm", "torch.sqrt(ms + eps)", "(torch.sqrt(ms) + eps)")),
    ("rms_norm", "subtracts_mean", patch(ASSIGNMENT, "rms_norm",
        "    ms = x.pow(2)",
        "    x = x - x.mean(dim=-1, keepdim=True)\n"
        "    ms = x.pow(2)")),
    ("rms_norm", "sum_not_mean", patch(ASSIGNMENT, "rms_norm", "x.pow(2).mean(", "x.pow(2).sum(")),
    ("rms_norm", "unbiased_std", patch(ASSIGNMENT, "rms_norm",
        "x.pow(2).mean(dim=-1, keepdim=True)                        # (..., 1) mean square",
        "x.var(dim=-1, keepdim=True)")),
    ("rms_norm", "default_eps_1e5", patch(ASSIGNMENT, "rms_norm", "eps=1e-6", "eps=1e-5")),
    ("rms_norm", "mean_over_batch_axis", patch(ASSIGNMENT, "rms_norm", "mean(dim=-1", "mean(dim=0")),
    # batch_norm
    ("batch_norm", "biased_running_var", patch(ASSIGNMENT, "batch_norm",
        "momentum * var * n / (n - 1))   # unbiased", "momentum * var)")),
    ("batch_norm", "unbiased_var_to_normalise", patch(ASSIGNMENT, "batch_norm", [
        ("x.var(dim=0, unbiased=False)                          # (C,) biased: used to normalise",
         "x.var(dim=0, unbiased=True)"),
        ("momentum * var * n / (n - 1))   # unbiased", "momentum * var)")])),
    ("batch_norm", "momentum_reversed", patch(ASSIGNMENT, "batch_norm", [
        ("running_mean.mul_(1 - momentum).add_(momentum * mean)",
         "running_mean.mul_(momentum).add_((1 - momentum) * mean)"),
        ("running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))",
         "running_var.mul_(momentum).add_((1 - momentum) * var * n / (n - 1))")])),
    ("batch_norm", "running_stats_rebound_not_in_place", patch(ASSIGNMENT, "batch_norm", [
        ("running_mean.mul_(1 - momentum).add_(momentum * mean)",
         "running_mean = (1 - momentum) * running_mean + momentum * mean"),
        ("running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))",
         "running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)")])),
    ("batch_norm", "eval_uses_batch_stats", patch(ASSIGNMENT, "batch_norm",
        "mean, var = running_mean, running_var", "mean, var = x.mean(dim=0), x.var(dim=0, unbiased=False)")),
    ("batch_norm", "stats_over_channels", patch(ASSIGNMENT, "batch_norm", [
        ("n = x.shape[0]", "n = x.shape[1]"),
        ("x.mean(dim=0)", "x.mean(dim=1, keepdim=True)"),
        ("x.var(dim=0, unbiased=False)", "x.var(dim=1, unbiased=False, keepdim=True)"),
        ("momentum * mean)", "momentum * mean.mean())"),
        ("momentum * var * n", "momentum * var.mean() * n")])),
    ("batch_norm", "eps_outside_sqrt", patch(ASSIGNMENT, "batch_norm",
        "torch.sqrt(var + eps)", "(torch.sqrt(var) + eps)")),
    ("batch_norm", "normalises_with_updated_running_stats", patch(ASSIGNMENT, "batch_norm",
        "    else:\n"
        "        mean, var = running_mean, running_var\n"
        "    return (x - mean) / torch.sqrt(var + eps)",
        "    return (x - running_mean) / torch.sqrt(running_var + eps)")),
    # pre_ln_block
    ("pre_ln_block", "post_order", patch(ASSIGNMENT, "pre_ln_block",
        "return x + sublayer(norm(x))", "return norm(x + sublayer(x))")),
    ("pre_ln_block", "no_residual", patch(ASSIGNMENT, "pre_ln_block",
        "return x + sublayer(norm(x))", "return sublayer(norm(x))")),
    ("pre_ln_block", "residual_from_normed_x", patch(ASSIGNMENT, "pre_ln_block",
        "    return x + sublayer(norm(x))",
        "    h = norm(x)\n"
        "    return h + sublayer(h)")),
    ("pre_ln_block", "norm_on_branch_output", patch(ASSIGNMENT, "pre_ln_block",
        "return x + sublayer(norm(x))", "return x + norm(sublayer(x))")),
    ("pre_ln_block", "in_place_residual_add", patch(ASSIGNMENT, "pre_ln_block",
        "    return x + sublayer(norm(x))",
        "    x += sublayer(norm(x))\n"
        "    return x")),
    # post_ln_block
    ("post_ln_block", "pre_order", patch(ASSIGNMENT, "post_ln_block",
        "return norm(x + sublayer(x))", "return x + sublayer(norm(x))")),
    ("post_ln_block", "norm_on_branch_only", patch(ASSIGNMENT, "post_ln_block",
        "return norm(x + sublayer(x))", "return x + norm(sublayer(x))")),
    ("post_ln_block", "no_residual", patch(ASSIGNMENT, "post_ln_block",
        "return norm(x + sublayer(x))", "return norm(sublayer(x))")),
    ("post_ln_block", "in_place_residual_add", patch(ASSIGNMENT, "post_ln_block",
        "    return norm(x + sublayer(x))",
        "    x += sublayer(x)\n"
        "    return norm(x)")),
    ("post_ln_block", "residual_after_norm", patch(ASSIGNMENT, "post_ln_block",
        "return norm(x + sublayer(x))", "return norm(sublayer(x)) + x")),
    # layer_grad_norms
    ("layer_grad_norms", "top_to_bottom", patch(ASSIGNMENT, "layer_grad_norms",
        "    return result", "    return result[::-1]")),
    ("layer_grad_norms", "final_norm_ignored", patch(ASSIGNMENT, "layer_grad_norms",
        "    if final_norm is not None:\n"
        "        h = final_norm(h)\n",
        "")),
    ("layer_grad_norms", "sum_reduced_loss", patch(ASSIGNMENT, "layer_grad_norms",
        "F.mse_loss(h, target)", 'F.mse_loss(h, target, reduction="sum")')),
    ("layer_grad_norms", "weights_only", patch(ASSIGNMENT, "layer_grad_norms",
        "[list(sub.parameters()) for sub in sublayers]",
        '[[p for name, p in sub.named_parameters() if name.endswith("weight")]\n'
        "              for sub in sublayers]")),
    ("layer_grad_norms", "squared_norms", patch(ASSIGNMENT, "layer_grad_norms",
        "result.append(math.sqrt(sq))", "result.append(sq)")),
    ("layer_grad_norms", "sum_of_per_parameter_norms", patch(ASSIGNMENT, "layer_grad_norms", [
        ("sq += gr.double().pow(2).sum().item()", "sq += gr.double().norm().item()"),
        ("result.append(math.sqrt(sq))", "result.append(sq)")])),
    ("layer_grad_norms", "returns_tensors", patch(ASSIGNMENT, "layer_grad_norms", [
        ("sq = 0.0", "sq = torch.zeros(())"),
        ("sq += gr.double().pow(2).sum().item()", "sq = sq + gr.pow(2).sum()"),
        ("result.append(math.sqrt(sq))", "result.append(sq.sqrt())")])),
    ("layer_grad_norms", "includes_norm_parameters", patch(ASSIGNMENT, "layer_grad_norms",
        "[list(sub.parameters()) for sub in sublayers]",
        "[list(sub.parameters()) + (list(norm.parameters()) if isinstance(norm, nn.Module) else [])\n"
        "              for sub, norm in zip(sublayers, norms)]")),
    ("layer_grad_norms", "pre_ln_flag_inverted", patch(ASSIGNMENT, "layer_grad_norms",
        "h = h + sub(norm(h)) if pre_ln else norm(h + sub(h))",
        "h = norm(h + sub(h)) if pre_ln else h + sub(norm(h))")),
    # deepnorm_alpha_beta
    ("deepnorm_alpha_beta", "precedence_error", patch(ASSIGNMENT, "deepnorm_alpha_beta",
        "(2 * n_layers) ** 0.25, (8 * n_layers) ** -0.25", "2 * n_layers ** 0.25, 8 * n_layers ** -0.25")),
    ("deepnorm_alpha_beta", "encoder_decoder_constants", patch(ASSIGNMENT, "deepnorm_alpha_beta",
        "(2 * n_layers) ** 0.25, (8 * n_layers) ** -0.25", "(3 * n_layers) ** 0.25, (12 * n_layers) ** -0.25")),
    ("deepnorm_alpha_beta", "beta_positive_exponent", patch(ASSIGNMENT, "deepnorm_alpha_beta", "** -0.25", "** 0.25")),
    ("deepnorm_alpha_beta", "swapped", patch(ASSIGNMENT, "deepnorm_alpha_beta",
        "(2 * n_layers) ** 0.25, (8 * n_layers) ** -0.25", "(8 * n_layers) ** -0.25, (2 * n_layers) ** 0.25")),
    ("deepnorm_alpha_beta", "returns_tensors", patch(ASSIGNMENT, "deepnorm_alpha_beta",
        "    return (2",
        "    n_layers = torch.tensor(float(n_layers))\n"
        "    return (2")),
    ("deepnorm_alpha_beta", "square_root_not_fourth_root", patch(ASSIGNMENT, "deepnorm_alpha_beta",
        "(2 * n_layers) ** 0.25, (8 * n_layers) ** -0.25", "math.sqrt(2 * n_layers), 1 / math.sqrt(8 * n_layers)")),
]

RIGHT = [
    ("gelu", "ndtr_and_sigmoid_identity", """
def gelu(x, approximate="none"):
    if approximate == "tanh":
        u = math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)
        return x * torch.sigmoid(2 * u)          # 0.5·(1 + tanh(u)) = sigmoid(2u)
    return x * torch.special.ndtr(x)             # Φ(x)
"""),
    ("gelu", "float64_inside", """
def gelu(x, approximate="none"):
    z = x.double()
    if approximate == "tanh":
        y = 0.5 * z * (1 + torch.tanh(0.7978845608028654 * (z + 0.044715 * z ** 3)))
    else:
        y = 0.5 * z * (1 + torch.erf(z * 0.7071067811865476))
    return y.to(x.dtype)
"""),
    ("feed_forward", "activation_module", """
class FeedForward(nn.Module):
    def __init__(self, d_model, d_ff=None, activation="gelu"):
        super().__init__()
        d_ff = 4 * d_model if d_ff is None else d_ff
        self.fc1 = nn.Linear(d_model, d_ff)
        self.act = {"gelu": nn.GELU(), "relu": nn.ReLU()}[activation]
        self.fc2 = nn.Linear(d_ff, d_model)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))
"""),
    ("swiglu_hidden_dim", "ceil_division", """
def swiglu_hidden_dim(d_model, multiple_of=256):
    hidden = (8 * d_model) // 3
    return -(-hidden // multiple_of) * multiple_of
"""),
    ("swiglu_hidden_dim", "math_ceil", patch(ASSIGNMENT, "swiglu_hidden_dim",
        "multiple_of * ((hidden + multiple_of - 1) // multiple_of)",
        "int(math.ceil(hidden / multiple_of) * multiple_of)")),
    ("swiglu", "explicit_sigmoid", """
class SwiGLU(nn.Module):
    def __init__(self, d_model, d_ff=None, bias=False):
        super().__init__()
        if d_ff is None:
            d_ff = swiglu_hidden_dim(d_model)
        self.w1 = nn.Linear(d_model, d_ff, bias=bias)
        self.w2 = nn.Linear(d_ff, d_model, bias=bias)
        self.w3 = nn.Linear(d_model, d_ff, bias=bias)

    def forward(self, x):
        gate = self.w1(x)
        return self.w2(gate * torch.sigmoid(gate) * self.w3(x))
"""),
    ("layer_norm", "one_pass_variance", """
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = (x * x).mean(-1, keepdim=True) - mean * mean
    return (x - mean) * torch.rsqrt(var + eps) * weight + bias
"""),
    ("layer_norm", "var_mean_float64_inside", """
def layer_norm(x, weight, bias, eps=1e-5):
    z = x.double()
    var, mean = torch.var_mean(z, dim=-1, keepdim=True, correction=0)
    return ((z - mean) / (var + eps).sqrt() * weight.double() + bias.double()).to(x.dtype)
"""),
    ("layer_norm_backward", "staged_chain_rule", """
def layer_norm_backward(dout, x, weight, eps=1e-5):
    D = x.shape[-1]
    xmu = x - x.mean(-1, keepdim=True)
    var = (xmu ** 2).mean(-1, keepdim=True)
    istd = 1 / torch.sqrt(var + eps)
    xhat = xmu * istd
    dxhat = dout * weight
    dvar = (dxhat * xmu * -0.5 * istd ** 3).sum(-1, keepdim=True)
    dmean = (-dxhat * istd).sum(-1, keepdim=True) + dvar * (-2 * xmu).mean(-1, keepdim=True)
    dx = dxhat * istd + dvar * 2 * xmu / D + dmean / D
    flat = lambda t: t.reshape(-1, D)
    return dx, (flat(dout) * flat(xhat)).sum(0), flat(dout).sum(0)
"""),
    ("layer_norm_backward", "float64_inside_einsum", """
def layer_norm_backward(dout, x, weight, eps=1e-5):
    D = x.shape[-1]
    z, d, w = x.double().reshape(-1, D), dout.double().reshape(-1, D), weight.double()
    var, mean = torch.var_mean(z, dim=1, keepdim=True, correction=0)
    rstd = (var + eps).rsqrt()
    xhat = (z - mean) * rstd
    g = d * w
    dx = rstd / D * (D * g - g.sum(1, keepdim=True) - xhat * torch.einsum("nd,nd->n", g, xhat)[:, None])
    return (dx.reshape(x.shape).to(x.dtype), torch.einsum("nd,nd->d", d, xhat).to(weight.dtype),
            d.sum(0).to(weight.dtype))
"""),
    ("rms_norm", "rsqrt", patch(ASSIGNMENT, "rms_norm", "x / torch.sqrt(ms + eps)", "x * torch.rsqrt(ms + eps)")),
    ("rms_norm", "float64_inside", """
def rms_norm(x, weight, eps=1e-6):
    z = x.double()
    return (z / torch.sqrt(z.square().mean(-1, keepdim=True) + eps)).to(x.dtype) * weight
"""),
    ("batch_norm", "var_mean_and_copy", """
def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    if not training:
        return (x - running_mean) / torch.sqrt(running_var + eps) * weight + bias
    var_u, mean = torch.var_mean(x, dim=0, correction=1)
    n = x.shape[0]
    var_b = var_u * (n - 1) / n
    running_mean.copy_(running_mean + momentum * (mean - running_mean))
    running_var.copy_(running_var + momentum * (var_u - running_var))
    return (x - mean) / torch.sqrt(var_b + eps) * weight + bias
"""),
    ("batch_norm", "slice_assignment", """
def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    if training:
        mean = x.mean(dim=0)
        var = ((x - mean) ** 2).mean(dim=0)
        n = x.shape[0]
        running_mean[:] = (1 - momentum) * running_mean + momentum * mean
        running_var[:] = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    return weight * (x - mean) / (var + eps) ** 0.5 + bias
"""),
    ("pre_ln_block", "temporaries", """
def pre_ln_block(x, sublayer, norm):
    normed = norm(x)
    update = sublayer(normed)
    return torch.add(x, update)
"""),
    ("post_ln_block", "temporaries", """
def post_ln_block(x, sublayer, norm):
    residual = x
    out = sublayer(x)
    out = out + residual
    return norm(out)
"""),
    ("layer_grad_norms", "backward_and_grad_attribute", """
def layer_grad_norms(sublayers, norms, x, target, pre_ln, final_norm=None):
    h = x
    for s, n in zip(sublayers, norms):
        h = pre_ln_block(h, s, n) if pre_ln else post_ln_block(h, s, n)
    if final_norm is not None:
        h = final_norm(h)
    F.mse_loss(h, target).backward()
    return [torch.cat([p.grad.reshape(-1) for p in s.parameters()]).norm().item() for s in sublayers]
"""),
    ("layer_grad_norms", "get_total_norm", """
def layer_grad_norms(sublayers, norms, x, target, pre_ln, final_norm=None):
    h = x
    for s, n in zip(sublayers, norms):
        h = h + s(n(h)) if pre_ln else n(h + s(h))
    out = F.mse_loss(final_norm(h) if final_norm is not None else h, target)
    result = []
    for s in sublayers:
        grads = torch.autograd.grad(out, list(s.parameters()), retain_graph=True)
        result.append(float(torch.nn.utils.get_total_norm(grads, 2.0)))
    return result
"""),
    ("deepnorm_alpha_beta", "math_pow", """
def deepnorm_alpha_beta(n_layers):
    alpha = math.pow(2.0 * n_layers, 1 / 4)
    beta = 1.0 / math.pow(8.0 * n_layers, 1 / 4)
    return alpha, beta
"""),
]

# Added by a probe for false accepts / false rejects: more plausible mistakes and valid variants.
WRONG += [
    ("layer_norm_backward", "unbiased_variance", patch(ASSIGNMENT, "layer_norm_backward",
        "(x - mean).pow(2).mean(dim=-1, keepdim=True)", "x.var(dim=-1, keepdim=True)")),
    ("layer_norm_backward", "dweight_uses_x_not_xhat", patch(ASSIGNMENT, "layer_norm_backward",
        "(dout * xhat).reshape", "(dout * x).reshape")),
    ("layer_norm_backward", "mean_term_without_weight", patch(ASSIGNMENT, "layer_norm_backward",
        "g - g.mean(dim=-1, keepdim=True)", "g - dout.mean(dim=-1, keepdim=True)")),
    ("batch_norm", "updates_stats_in_eval", """
def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    n = x.shape[0]
    mean = x.mean(dim=0)
    var = x.var(dim=0, unbiased=False)
    if training:
        out = (x - mean) / torch.sqrt(var + eps) * weight + bias
    else:
        out = (x - running_mean) / torch.sqrt(running_var + eps) * weight + bias
    running_mean.mul_(1 - momentum).add_(momentum * mean)
    running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))
    return out
"""),
    ("batch_norm", "eval_normalises_with_batch_var", patch(ASSIGNMENT, "batch_norm",
        "mean, var = running_mean, running_var", "mean, var = running_mean, x.var(dim=0, unbiased=False)")),
    ("layer_grad_norms", "activation_grad_norms", """
def layer_grad_norms(sublayers, norms, x, target, pre_ln, final_norm=None):
    h = x
    outs = []
    for sub, norm in zip(sublayers, norms):
        y = sub(norm(h)) if pre_ln else sub(h)
        outs.append(y)
        h = h + y if pre_ln else norm(h + y)
    if final_norm is not None:
        h = final_norm(h)
    loss = F.mse_loss(h, target)
    gs = torch.autograd.grad(loss, outs)
    return [g.norm().item() for g in gs]
"""),
    ("layer_grad_norms", "mean_of_param_norms", patch(ASSIGNMENT, "layer_grad_norms", [
        ("sq += gr.double().pow(2).sum().item()", "sq += gr.norm().item() / len(group)"),
        ("result.append(math.sqrt(sq))", "result.append(sq)")])),
    ("swiglu", "w2_w3_swapped_roles", patch(ASSIGNMENT, "swiglu",
        "F.silu(self.w1(x)) * self.w3(x)", "self.w1(x) * F.silu(self.w3(x))")),
]

RIGHT += [
    ("gelu", "erfc_form", """
def gelu(x, approximate="none"):
    if approximate == "tanh":
        return 0.5 * x * (1 + torch.tanh((2 / math.pi) ** 0.5 * (x + 0.044715 * torch.pow(x, 3))))
    return 0.5 * x * torch.erfc(-x / math.sqrt(2))
"""),
    ("layer_norm_backward", "explicit_N_form_float64", """
def layer_norm_backward(dout, x, weight, eps=1e-5):
    N = x.shape[-1]
    xd, dd, wd = x.double(), dout.double(), weight.double()
    mu = xd.mean(-1, keepdim=True)
    var = xd.var(-1, unbiased=False, keepdim=True)
    inv = (var + eps).rsqrt()
    xhat = (xd - mu) * inv
    g = dd * wd
    dx = inv / N * (N * g - g.sum(-1, keepdim=True) - xhat * (g * xhat).sum(-1, keepdim=True))
    lead = list(range(x.dim() - 1))
    dw = (dd * xhat).sum(dim=lead) if lead else dd * xhat
    db = dd.sum(dim=lead) if lead else dd.clone()
    return dx.to(x.dtype), dw.to(weight.dtype), db.to(weight.dtype)
"""),
    ("batch_norm", "lerp_running_stats", """
def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    if training:
        var_b, mean = torch.var_mean(x, dim=0, correction=0)
        var_u = x.var(dim=0, correction=1)
        running_mean.lerp_(mean.detach(), momentum)
        running_var.lerp_(var_u.detach(), momentum)
        return (x - mean) * torch.rsqrt(var_b + eps) * weight + bias
    return (x - running_mean) * torch.rsqrt(running_var + eps) * weight + bias
"""),
    ("layer_grad_norms", "cat_flat_norm", """
def layer_grad_norms(sublayers, norms, x, target, pre_ln, final_norm=None):
    h = x
    for sub, norm in zip(sublayers, norms):
        h = pre_ln_block(h, sub, norm) if pre_ln else post_ln_block(h, sub, norm)
    if final_norm is not None:
        h = final_norm(h)
    loss = F.mse_loss(h, target)
    out = []
    for sub in sublayers:
        gs = torch.autograd.grad(loss, list(sub.parameters()), retain_graph=True)
        out.append(torch.cat([g.reshape(-1) for g in gs]).norm().item())
    return out
"""),
    ("swiglu_hidden_dim", "integer_floor_div", """
def swiglu_hidden_dim(d_model, multiple_of=256):
    h = 8 * d_model // 3
    return -(-h // multiple_of) * multiple_of
"""),
    ("feed_forward", "sequential_inside", """
class FeedForward(nn.Module):
    def __init__(self, d_model, d_ff=None, activation="gelu"):
        super().__init__()
        d_ff = d_ff or 4 * d_model
        self.fc1 = nn.Linear(d_model, d_ff)
        self.fc2 = nn.Linear(d_ff, d_model)
        self.act = {"gelu": nn.GELU(), "relu": nn.ReLU()}[activation]

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))
"""),
]

# Issue 13: every rule the text states is enforced. The builtins the text forbids are oracles, not building blocks.
WRONG += [
    ("gelu", "torch_builtin", """
def gelu(x, approximate="none"):
    return F.gelu(x, approximate=approximate)
"""),
    ("batch_norm", "torch_builtin", """
def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    return F.batch_norm(x, running_mean, running_var, weight, bias, training=training, momentum=momentum, eps=eps)
"""),
    ("rms_norm", "torch_builtin", """
def rms_norm(x, weight, eps=1e-6):
    return F.rms_norm(x, x.shape[-1:], weight, eps)
"""),
    ("layer_norm", "torch_builtin", """
def layer_norm(x, weight, bias, eps=1e-5):
    return F.layer_norm(x, x.shape[-1:], weight, bias, eps)
"""),
    ("layer_norm", "nn_layernorm_module", """
def layer_norm(x, weight, bias, eps=1e-5):
    ln = nn.LayerNorm(x.shape[-1], eps=eps).to(x.dtype)
    with torch.no_grad():
        ln.weight.copy_(weight)
        ln.bias.copy_(bias)
    return ln(x).detach()
"""),
    ("gelu", "torch_builtin_via_module", """
def gelu(x, approximate="none"):
    return nn.GELU(approximate=approximate)(x)
"""),
    ("batch_norm", "module_functional_call", """
def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    return torch.nn.functional.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)
"""),
]

# Issue 13: "no autograd" holds however autograd is reached (a name bound before the test patches torch.autograd).
WRONG += [
    ("layer_norm_backward", "autograd_bound_at_definition", """
from torch.autograd import grad as _vjp


def layer_norm_backward(dout, x, weight, eps=1e-5):
    with torch.enable_grad():
        xr = x.detach().clone().requires_grad_(True)
        wr = weight.detach().clone().requires_grad_(True)
        br = torch.zeros_like(wr, requires_grad=True)
        out = F.layer_norm(xr, x.shape[-1:], wr, br, eps)
        dx, dw, db = _vjp(out, (xr, wr, br), dout)
    return dx, dw, db
"""),
]
