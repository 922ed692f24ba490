"""03_ffn_normalization: plausible wrong implementations the tests must catch, and correct variants they must accept."""

ASSIGNMENT = "03_ffn_normalization"

WRONG = [
    # gelu
    ("gelu", "erf_without_sqrt2", """
def gelu(x, approximate="none"):
    if approximate == "tanh":
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + torch.erf(x))
"""),
    ("gelu", "tanh_constant_sqrt_pi_over_2", """
def gelu(x, approximate="none"):
    if approximate == "tanh":
        return 0.5 * x * (1 + torch.tanh(math.sqrt(math.pi / 2) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))
"""),
    ("gelu", "tanh_coefficient_typo", """
def gelu(x, approximate="none"):
    if approximate == "tanh":
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.44715 * x ** 3)))
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))
"""),
    ("gelu", "tanh_x_squared", """
def gelu(x, approximate="none"):
    if approximate == "tanh":
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 2)))
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))
"""),
    ("gelu", "approximate_ignored", """
def gelu(x, approximate="none"):
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))
"""),
    ("gelu", "sigmoid_1702_for_tanh", """
def gelu(x, approximate="none"):
    if approximate == "tanh":
        return x * torch.sigmoid(1.702 * x)
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))
"""),
    ("gelu", "float32_inside", """
def gelu(x, approximate="none"):
    x = x.float()
    if approximate == "tanh":
        return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))
"""),
    # FeedForward
    ("feed_forward", "tanh_gelu", """
class FeedForward(nn.Module):
    def __init__(self, d_model, d_ff=None, activation="gelu"):
        super().__init__()
        d_ff = d_ff or 4 * d_model
        self.fc1, self.fc2, self.activation = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model), activation

    def forward(self, x):
        h = self.fc1(x)
        h = F.gelu(h, approximate="tanh") if self.activation == "gelu" else F.relu(h)
        return self.fc2(h)
"""),
    ("feed_forward", "default_d_ff_is_d_model", """
class FeedForward(nn.Module):
    def __init__(self, d_model, d_ff=None, activation="gelu"):
        super().__init__()
        d_ff = d_ff or d_model
        self.fc1, self.fc2, self.activation = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model), activation

    def forward(self, x):
        h = self.fc1(x)
        h = F.gelu(h) if self.activation == "gelu" else F.relu(h)
        return self.fc2(h)
"""),
    ("feed_forward", "activation_argument_ignored", """
class FeedForward(nn.Module):
    def __init__(self, d_model, d_ff=None, activation="gelu"):
        super().__init__()
        d_ff = d_ff or 4 * d_model
        self.fc1, self.fc2 = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))
"""),
    ("feed_forward", "dropout_in_forward", """
class FeedForward(nn.Module):
    def __init__(self, d_model, d_ff=None, activation="gelu"):
        super().__init__()
        d_ff = d_ff or 4 * d_model
        self.fc1, self.fc2, self.activation = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model), activation
        self.dropout = nn.Dropout(0.1)

    def forward(self, x):
        h = self.fc1(x)
        h = F.gelu(h) if self.activation == "gelu" else F.relu(h)
        return self.dropout(self.fc2(h))
"""),
    ("feed_forward", "no_biases", """
class FeedForward(nn.Module):
    def __init__(self, d_model, d_ff=None, activation="gelu"):
        super().__init__()
        d_ff = d_ff or 4 * d_model
        self.fc1 = nn.Linear(d_model, d_ff, bias=False)
        self.fc2 = nn.Linear(d_ff, d_model, bias=False)
        self.activation = activation

    def forward(self, x):
        h = self.fc1(x)
        h = F.gelu(h) if self.activation == "gelu" else F.relu(h)
        return self.fc2(h)
"""),
    ("feed_forward", "activation_after_fc2_too", """
class FeedForward(nn.Module):
    def __init__(self, d_model, d_ff=None, activation="gelu"):
        super().__init__()
        d_ff = d_ff or 4 * d_model
        self.fc1, self.fc2, self.activation = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model), activation

    def forward(self, x):
        act = F.gelu if self.activation == "gelu" else F.relu
        return act(self.fc2(act(self.fc1(x))))
"""),
    # swiglu_hidden_dim
    ("swiglu_hidden_dim", "no_rounding", """
def swiglu_hidden_dim(d_model, multiple_of=256):
    return int(2 * 4 * d_model / 3)
"""),
    ("swiglu_hidden_dim", "rounds_down", """
def swiglu_hidden_dim(d_model, multiple_of=256):
    hidden = int(2 * 4 * d_model / 3)
    return multiple_of * (hidden // multiple_of)
"""),
    ("swiglu_hidden_dim", "round_instead_of_int", """
def swiglu_hidden_dim(d_model, multiple_of=256):
    hidden = round(8 * d_model / 3)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)
"""),
    ("swiglu_hidden_dim", "always_adds_a_multiple", """
def swiglu_hidden_dim(d_model, multiple_of=256):
    hidden = int(2 * 4 * d_model / 3)
    return multiple_of * (hidden // multiple_of + 1)
"""),
    ("swiglu_hidden_dim", "numpy_float_result", """
def swiglu_hidden_dim(d_model, multiple_of=256):
    import numpy as np
    hidden = int(2 * 4 * d_model / 3)
    return multiple_of * np.ceil(hidden / multiple_of)
"""),
    ("swiglu_hidden_dim", "multiple_of_hardcoded", """
def swiglu_hidden_dim(d_model, multiple_of=256):
    hidden = int(2 * 4 * d_model / 3)
    return 256 * ((hidden + 255) // 256)
"""),
    # SwiGLU
    ("swiglu", "silu_on_value_branch", """
class SwiGLU(nn.Module):
    def __init__(self, d_model, d_ff=None, bias=False):
        super().__init__()
        d_ff = d_ff or swiglu_hidden_dim(d_model)
        self.w1 = nn.Linear(d_model, d_ff, bias=bias)
        self.w3 = nn.Linear(d_model, d_ff, bias=bias)
        self.w2 = nn.Linear(d_ff, d_model, bias=bias)

    def forward(self, x):
        return self.w2(self.w1(x) * F.silu(self.w3(x)))
"""),
    ("swiglu", "sigmoid_gate", """
class SwiGLU(nn.Module):
    def __init__(self, d_model, d_ff=None, bias=False):
        super().__init__()
        d_ff = d_ff or swiglu_hidden_dim(d_model)
        self.w1 = nn.Linear(d_model, d_ff, bias=bias)
        self.w3 = nn.Linear(d_model, d_ff, bias=bias)
        self.w2 = nn.Linear(d_ff, d_model, bias=bias)

    def forward(self, x):
        return self.w2(torch.sigmoid(self.w1(x)) * self.w3(x))
"""),
    ("swiglu", "gelu_gate", """
class SwiGLU(nn.Module):
    def __init__(self, d_model, d_ff=None, bias=False):
        super().__init__()
        d_ff = d_ff or swiglu_hidden_dim(d_model)
        self.w1 = nn.Linear(d_model, d_ff, bias=bias)
        self.w3 = nn.Linear(d_model, d_ff, bias=bias)
        self.w2 = nn.Linear(d_ff, d_model, bias=bias)

    def forward(self, x):
        return self.w2(F.gelu(self.w1(x)) * self.w3(x))
"""),
    ("swiglu", "default_d_ff_4d", """
class SwiGLU(nn.Module):
    def __init__(self, d_model, d_ff=None, bias=False):
        super().__init__()
        d_ff = d_ff or 4 * d_model
        self.w1 = nn.Linear(d_model, d_ff, bias=bias)
        self.w3 = nn.Linear(d_model, d_ff, bias=bias)
        self.w2 = nn.Linear(d_ff, d_model, bias=bias)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))
"""),
    ("swiglu", "bias_argument_ignored", """
class SwiGLU(nn.Module):
    def __init__(self, d_model, d_ff=None, bias=False):
        super().__init__()
        d_ff = d_ff or swiglu_hidden_dim(d_model)
        self.w1 = nn.Linear(d_model, d_ff, bias=False)
        self.w3 = nn.Linear(d_model, d_ff, bias=False)
        self.w2 = nn.Linear(d_ff, d_model, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))
"""),
    ("swiglu", "nn_linear_default_bias", """
class SwiGLU(nn.Module):
    def __init__(self, d_model, d_ff=None, bias=False):
        super().__init__()
        d_ff = d_ff or swiglu_hidden_dim(d_model)
        self.w1 = nn.Linear(d_model, d_ff)
        self.w3 = nn.Linear(d_model, d_ff)
        self.w2 = nn.Linear(d_ff, d_model)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))
"""),
    ("swiglu", "silu_after_product", """
class SwiGLU(nn.Module):
    def __init__(self, d_model, d_ff=None, bias=False):
        super().__init__()
        d_ff = d_ff or swiglu_hidden_dim(d_model)
        self.w1 = nn.Linear(d_model, d_ff, bias=bias)
        self.w3 = nn.Linear(d_model, d_ff, bias=bias)
        self.w2 = nn.Linear(d_ff, d_model, bias=bias)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x) * self.w3(x)))
"""),
    # layer_norm
    ("layer_norm", "unbiased_variance", """
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
"""),
    ("layer_norm", "eps_outside_sqrt", """
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = (x - mean).pow(2).mean(-1, keepdim=True)
    return (x - mean) / (torch.sqrt(var) + eps) * weight + bias
"""),
    ("layer_norm", "no_eps", """
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = (x - mean).pow(2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var) * weight + bias
"""),
    ("layer_norm", "mean_over_batch_axis", """
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(0, keepdim=True)
    var = (x - mean).pow(2).mean(0, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
"""),
    ("layer_norm", "stats_over_all_elements", """
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean()
    var = (x - mean).pow(2).mean()
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
"""),
    ("layer_norm", "bias_before_weight", """
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = (x - mean).pow(2).mean(-1, keepdim=True)
    return ((x - mean) / torch.sqrt(var + eps) + bias) * weight
"""),
    ("layer_norm", "std_not_var_under_eps", """
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    std = (x - mean).pow(2).mean(-1, keepdim=True).sqrt()
    return (x - mean) / torch.sqrt(std + eps) * weight + bias
"""),
    # layer_norm_backward
    ("layer_norm_backward", "missing_xhat_term", """
def layer_norm_backward(dout, x, weight, eps=1e-5):
    D = x.shape[-1]
    mean = x.mean(-1, keepdim=True)
    rstd = 1 / torch.sqrt((x - mean).pow(2).mean(-1, keepdim=True) + eps)
    xhat = (x - mean) * rstd
    g = dout * weight
    dx = rstd * (g - g.mean(-1, keepdim=True))
    return dx, (dout * xhat).reshape(-1, D).sum(0), dout.reshape(-1, D).sum(0)
"""),
    ("layer_norm_backward", "missing_mean_term", """
def layer_norm_backward(dout, x, weight, eps=1e-5):
    D = x.shape[-1]
    mean = x.mean(-1, keepdim=True)
    rstd = 1 / torch.sqrt((x - mean).pow(2).mean(-1, keepdim=True) + eps)
    xhat = (x - mean) * rstd
    g = dout * weight
    dx = rstd * (g - xhat * (g * xhat).mean(-1, keepdim=True))
    return dx, (dout * xhat).reshape(-1, D).sum(0), dout.reshape(-1, D).sum(0)
"""),
    ("layer_norm_backward", "weight_missing_in_dx", """
def layer_norm_backward(dout, x, weight, eps=1e-5):
    D = x.shape[-1]
    mean = x.mean(-1, keepdim=True)
    rstd = 1 / torch.sqrt((x - mean).pow(2).mean(-1, keepdim=True) + eps)
    xhat = (x - mean) * rstd
    g = dout
    dx = rstd * (g - g.mean(-1, keepdim=True) - xhat * (g * xhat).mean(-1, keepdim=True))
    return dx, (dout * xhat).reshape(-1, D).sum(0), dout.reshape(-1, D).sum(0)
"""),
    ("layer_norm_backward", "no_eps_in_backward", """
def layer_norm_backward(dout, x, weight, eps=1e-5):
    D = x.shape[-1]
    mean = x.mean(-1, keepdim=True)
    rstd = 1 / torch.sqrt((x - mean).pow(2).mean(-1, keepdim=True))
    xhat = (x - mean) * rstd
    g = dout * weight
    dx = rstd * (g - g.mean(-1, keepdim=True) - xhat * (g * xhat).mean(-1, keepdim=True))
    return dx, (dout * xhat).reshape(-1, D).sum(0), dout.reshape(-1, D).sum(0)
"""),
    ("layer_norm_backward", "sums_over_dim0_only", """
def layer_norm_backward(dout, x, weight, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    rstd = 1 / torch.sqrt((x - mean).pow(2).mean(-1, keepdim=True) + eps)
    xhat = (x - mean) * rstd
    g = dout * weight
    dx = rstd * (g - g.mean(-1, keepdim=True) - xhat * (g * xhat).mean(-1, keepdim=True))
    return dx, (dout * xhat).sum(0), dout.sum(0)
"""),
    ("layer_norm_backward", "sum_over_empty_dims", """
def layer_norm_backward(dout, x, weight, eps=1e-5):
    lead = tuple(range(x.dim() - 1))
    mean = x.mean(-1, keepdim=True)
    rstd = 1 / torch.sqrt((x - mean).pow(2).mean(-1, keepdim=True) + eps)
    xhat = (x - mean) * rstd
    g = dout * weight
    dx = rstd * (g - g.mean(-1, keepdim=True) - xhat * (g * xhat).mean(-1, keepdim=True))
    return dx, (dout * xhat).sum(dim=lead), dout.sum(dim=lead)
"""),
    ("layer_norm_backward", "dbias_mean_not_sum", """
def layer_norm_backward(dout, x, weight, eps=1e-5):
    D = x.shape[-1]
    mean = x.mean(-1, keepdim=True)
    rstd = 1 / torch.sqrt((x - mean).pow(2).mean(-1, keepdim=True) + eps)
    xhat = (x - mean) * rstd
    g = dout * weight
    dx = rstd * (g - g.mean(-1, keepdim=True) - xhat * (g * xhat).mean(-1, keepdim=True))
    return dx, (dout * xhat).reshape(-1, D).sum(0), dout.reshape(-1, D).mean(0)
"""),
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
    ("rms_norm", "eps_outside_sqrt", """
def rms_norm(x, weight, eps=1e-6):
    return x / (x.pow(2).mean(-1, keepdim=True).sqrt() + eps) * weight
"""),
    ("rms_norm", "subtracts_mean", """
def rms_norm(x, weight, eps=1e-6):
    xc = x - x.mean(-1, keepdim=True)
    return xc / torch.sqrt(xc.pow(2).mean(-1, keepdim=True) + eps) * weight
"""),
    ("rms_norm", "sum_not_mean", """
def rms_norm(x, weight, eps=1e-6):
    return x / torch.sqrt(x.pow(2).sum(-1, keepdim=True) + eps) * weight
"""),
    ("rms_norm", "unbiased_std", """
def rms_norm(x, weight, eps=1e-6):
    return x / torch.sqrt(x.var(-1, keepdim=True) + eps) * weight
"""),
    ("rms_norm", "default_eps_1e5", """
def rms_norm(x, weight, eps=1e-5):
    return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight
"""),
    ("rms_norm", "mean_over_batch_axis", """
def rms_norm(x, weight, eps=1e-6):
    return x / torch.sqrt(x.pow(2).mean(0, keepdim=True) + eps) * weight
"""),
    # batch_norm
    ("batch_norm", "biased_running_var", """
def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    if training:
        mean, var = x.mean(0), x.var(0, unbiased=False)
        running_mean.mul_(1 - momentum).add_(momentum * mean)
        running_var.mul_(1 - momentum).add_(momentum * var)
    else:
        mean, var = running_mean, running_var
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
"""),
    ("batch_norm", "unbiased_var_to_normalise", """
def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    if training:
        mean, var = x.mean(0), x.var(0, unbiased=True)
        running_mean.mul_(1 - momentum).add_(momentum * mean)
        running_var.mul_(1 - momentum).add_(momentum * var)
    else:
        mean, var = running_mean, running_var
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
"""),
    ("batch_norm", "momentum_reversed", """
def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    if training:
        n = x.shape[0]
        mean, var = x.mean(0), x.var(0, unbiased=False)
        running_mean.mul_(momentum).add_((1 - momentum) * mean)
        running_var.mul_(momentum).add_((1 - momentum) * var * n / (n - 1))
    else:
        mean, var = running_mean, running_var
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
"""),
    ("batch_norm", "running_stats_rebound_not_in_place", """
def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    if training:
        n = x.shape[0]
        mean, var = x.mean(0), x.var(0, unbiased=False)
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
"""),
    ("batch_norm", "eval_uses_batch_stats", """
def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    n = x.shape[0]
    mean, var = x.mean(0), x.var(0, unbiased=False)
    if training:
        running_mean.mul_(1 - momentum).add_(momentum * mean)
        running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
"""),
    ("batch_norm", "stats_over_channels", """
def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    if training:
        n = x.shape[1]
        mean, var = x.mean(1, keepdim=True), x.var(1, unbiased=False, keepdim=True)
        running_mean.mul_(1 - momentum).add_(momentum * mean.mean())
        running_var.mul_(1 - momentum).add_(momentum * var.mean() * n / (n - 1))
    else:
        mean, var = running_mean, running_var
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
"""),
    ("batch_norm", "eps_outside_sqrt", """
def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    if training:
        n = x.shape[0]
        mean, var = x.mean(0), x.var(0, unbiased=False)
        running_mean.mul_(1 - momentum).add_(momentum * mean)
        running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))
    else:
        mean, var = running_mean, running_var
    return (x - mean) / (torch.sqrt(var) + eps) * weight + bias
"""),
    ("batch_norm", "normalises_with_updated_running_stats", """
def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    if training:
        n = x.shape[0]
        mean, var = x.mean(0), x.var(0, unbiased=False)
        running_mean.mul_(1 - momentum).add_(momentum * mean)
        running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))
    return (x - running_mean) / torch.sqrt(running_var + eps) * weight + bias
"""),
    # pre_ln_block
    ("pre_ln_block", "post_order", """
def pre_ln_block(x, sublayer, norm):
    return norm(x + sublayer(x))
"""),
    ("pre_ln_block", "no_residual", """
def pre_ln_block(x, sublayer, norm):
    return sublayer(norm(x))
"""),
    ("pre_ln_block", "residual_from_normed_x", """
def pre_ln_block(x, sublayer, norm):
    h = norm(x)
    return h + sublayer(h)
"""),
    ("pre_ln_block", "norm_on_branch_output", """
def pre_ln_block(x, sublayer, norm):
    return x + norm(sublayer(x))
"""),
    ("pre_ln_block", "in_place_residual_add", """
def pre_ln_block(x, sublayer, norm):
    x += sublayer(norm(x))
    return x
"""),
    # post_ln_block
    ("post_ln_block", "pre_order", """
def post_ln_block(x, sublayer, norm):
    return x + sublayer(norm(x))
"""),
    ("post_ln_block", "norm_on_branch_only", """
def post_ln_block(x, sublayer, norm):
    return x + norm(sublayer(x))
"""),
    ("post_ln_block", "no_residual", """
def post_ln_block(x, sublayer, norm):
    return norm(sublayer(x))
"""),
    ("post_ln_block", "in_place_residual_add", """
def post_ln_block(x, sublayer, norm):
    x += sublayer(x)
    return norm(x)
"""),
    ("post_ln_block", "residual_after_norm", """
def post_ln_block(x, sublayer, norm):
    return norm(sublayer(x)) + x
"""),
    # layer_grad_norms
    ("layer_grad_norms", "top_to_bottom", """
def layer_grad_norms(sublayers, norms, x, target, pre_ln, final_norm=None):
    h = x
    for s, n in zip(sublayers, norms):
        h = h + s(n(h)) if pre_ln else n(h + s(h))
    if final_norm is not None:
        h = final_norm(h)
    F.mse_loss(h, target).backward()
    out = [math.sqrt(sum(p.grad.pow(2).sum().item() for p in s.parameters())) for s in sublayers]
    return out[::-1]
"""),
    ("layer_grad_norms", "final_norm_ignored", """
def layer_grad_norms(sublayers, norms, x, target, pre_ln, final_norm=None):
    h = x
    for s, n in zip(sublayers, norms):
        h = h + s(n(h)) if pre_ln else n(h + s(h))
    F.mse_loss(h, target).backward()
    return [math.sqrt(sum(p.grad.pow(2).sum().item() for p in s.parameters())) for s in sublayers]
"""),
    ("layer_grad_norms", "sum_reduced_loss", """
def layer_grad_norms(sublayers, norms, x, target, pre_ln, final_norm=None):
    h = x
    for s, n in zip(sublayers, norms):
        h = h + s(n(h)) if pre_ln else n(h + s(h))
    if final_norm is not None:
        h = final_norm(h)
    F.mse_loss(h, target, reduction="sum").backward()
    return [math.sqrt(sum(p.grad.pow(2).sum().item() for p in s.parameters())) for s in sublayers]
"""),
    ("layer_grad_norms", "weights_only", """
def layer_grad_norms(sublayers, norms, x, target, pre_ln, final_norm=None):
    h = x
    for s, n in zip(sublayers, norms):
        h = h + s(n(h)) if pre_ln else n(h + s(h))
    if final_norm is not None:
        h = final_norm(h)
    F.mse_loss(h, target).backward()
    return [math.sqrt(sum(p.grad.pow(2).sum().item() for name, p in s.named_parameters() if name.endswith("weight")))
            for s in sublayers]
"""),
    ("layer_grad_norms", "squared_norms", """
def layer_grad_norms(sublayers, norms, x, target, pre_ln, final_norm=None):
    h = x
    for s, n in zip(sublayers, norms):
        h = h + s(n(h)) if pre_ln else n(h + s(h))
    if final_norm is not None:
        h = final_norm(h)
    F.mse_loss(h, target).backward()
    return [sum(p.grad.pow(2).sum().item() for p in s.parameters()) for s in sublayers]
"""),
    ("layer_grad_norms", "sum_of_per_parameter_norms", """
def layer_grad_norms(sublayers, norms, x, target, pre_ln, final_norm=None):
    h = x
    for s, n in zip(sublayers, norms):
        h = h + s(n(h)) if pre_ln else n(h + s(h))
    if final_norm is not None:
        h = final_norm(h)
    F.mse_loss(h, target).backward()
    return [sum(p.grad.norm().item() for p in s.parameters()) for s in sublayers]
"""),
    ("layer_grad_norms", "returns_tensors", """
def layer_grad_norms(sublayers, norms, x, target, pre_ln, final_norm=None):
    h = x
    for s, n in zip(sublayers, norms):
        h = h + s(n(h)) if pre_ln else n(h + s(h))
    if final_norm is not None:
        h = final_norm(h)
    F.mse_loss(h, target).backward()
    return [torch.cat([p.grad.reshape(-1) for p in s.parameters()]).norm() for s in sublayers]
"""),
    ("layer_grad_norms", "includes_norm_parameters", """
def layer_grad_norms(sublayers, norms, x, target, pre_ln, final_norm=None):
    h = x
    for s, n in zip(sublayers, norms):
        h = h + s(n(h)) if pre_ln else n(h + s(h))
    if final_norm is not None:
        h = final_norm(h)
    F.mse_loss(h, target).backward()
    out = []
    for s, n in zip(sublayers, norms):
        params = list(s.parameters()) + (list(n.parameters()) if isinstance(n, nn.Module) else [])
        out.append(math.sqrt(sum(p.grad.pow(2).sum().item() for p in params)))
    return out
"""),
    ("layer_grad_norms", "pre_ln_flag_inverted", """
def layer_grad_norms(sublayers, norms, x, target, pre_ln, final_norm=None):
    h = x
    for s, n in zip(sublayers, norms):
        h = n(h + s(h)) if pre_ln else h + s(n(h))
    if final_norm is not None:
        h = final_norm(h)
    F.mse_loss(h, target).backward()
    return [math.sqrt(sum(p.grad.pow(2).sum().item() for p in s.parameters())) for s in sublayers]
"""),
    # deepnorm_alpha_beta
    ("deepnorm_alpha_beta", "precedence_error", """
def deepnorm_alpha_beta(n_layers):
    return 2 * n_layers ** 0.25, 8 * n_layers ** -0.25
"""),
    ("deepnorm_alpha_beta", "encoder_decoder_constants", """
def deepnorm_alpha_beta(n_layers):
    return (3 * n_layers) ** 0.25, (12 * n_layers) ** -0.25
"""),
    ("deepnorm_alpha_beta", "beta_positive_exponent", """
def deepnorm_alpha_beta(n_layers):
    return (2 * n_layers) ** 0.25, (8 * n_layers) ** 0.25
"""),
    ("deepnorm_alpha_beta", "swapped", """
def deepnorm_alpha_beta(n_layers):
    return (8 * n_layers) ** -0.25, (2 * n_layers) ** 0.25
"""),
    ("deepnorm_alpha_beta", "returns_tensors", """
def deepnorm_alpha_beta(n_layers):
    n = torch.tensor(float(n_layers))
    return (2 * n) ** 0.25, (8 * n) ** -0.25
"""),
    ("deepnorm_alpha_beta", "square_root_not_fourth_root", """
def deepnorm_alpha_beta(n_layers):
    return math.sqrt(2 * n_layers), 1 / math.sqrt(8 * n_layers)
"""),
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
    ("swiglu_hidden_dim", "math_ceil", """
def swiglu_hidden_dim(d_model, multiple_of=256):
    hidden = int(2 * (4 * d_model) / 3)
    return int(math.ceil(hidden / multiple_of) * multiple_of)
"""),
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
    ("rms_norm", "rsqrt", """
def rms_norm(x, weight, eps=1e-6):
    return x * torch.rsqrt((x * x).mean(dim=-1, keepdim=True) + eps) * weight
"""),
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
    ("layer_norm_backward", "unbiased_variance", """
def layer_norm_backward(dout, x, weight, eps=1e-5):
    D = x.shape[-1]
    mean = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, keepdim=True)
    rstd = 1.0 / torch.sqrt(var + eps)
    xhat = (x - mean) * rstd
    g = dout * weight
    dx = rstd * (g - g.mean(dim=-1, keepdim=True) - xhat * (g * xhat).mean(dim=-1, keepdim=True))
    return dx, (dout * xhat).reshape(-1, D).sum(0), dout.reshape(-1, D).sum(0)
"""),
    ("layer_norm_backward", "dweight_uses_x_not_xhat", """
def layer_norm_backward(dout, x, weight, eps=1e-5):
    D = x.shape[-1]
    mean = x.mean(dim=-1, keepdim=True)
    var = (x - mean).pow(2).mean(dim=-1, keepdim=True)
    rstd = 1.0 / torch.sqrt(var + eps)
    xhat = (x - mean) * rstd
    g = dout * weight
    dx = rstd * (g - g.mean(dim=-1, keepdim=True) - xhat * (g * xhat).mean(dim=-1, keepdim=True))
    return dx, (dout * x).reshape(-1, D).sum(0), dout.reshape(-1, D).sum(0)
"""),
    ("layer_norm_backward", "mean_term_without_weight", """
def layer_norm_backward(dout, x, weight, eps=1e-5):
    D = x.shape[-1]
    mean = x.mean(dim=-1, keepdim=True)
    var = (x - mean).pow(2).mean(dim=-1, keepdim=True)
    rstd = 1.0 / torch.sqrt(var + eps)
    xhat = (x - mean) * rstd
    g = dout * weight
    dx = rstd * (g - dout.mean(dim=-1, keepdim=True) - xhat * (g * xhat).mean(dim=-1, keepdim=True))
    return dx, (dout * xhat).reshape(-1, D).sum(0), dout.reshape(-1, D).sum(0)
"""),
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
    ("batch_norm", "eval_normalises_with_batch_var", """
def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    if training:
        n = x.shape[0]
        mean = x.mean(dim=0)
        var = x.var(dim=0, unbiased=False)
        running_mean.mul_(1 - momentum).add_(momentum * mean)
        running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))
    else:
        mean, var = running_mean, x.var(dim=0, unbiased=False)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
"""),
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
    ("layer_grad_norms", "mean_of_param_norms", """
def layer_grad_norms(sublayers, norms, x, target, pre_ln, final_norm=None):
    h = x
    for sub, norm in zip(sublayers, norms):
        h = h + sub(norm(h)) if pre_ln else norm(h + sub(h))
    if final_norm is not None:
        h = final_norm(h)
    F.mse_loss(h, target).backward()
    return [float(torch.stack([p.grad.norm() for p in sub.parameters()]).mean()) for sub in sublayers]
"""),
    ("swiglu", "w2_w3_swapped_roles", """
class SwiGLU(nn.Module):
    def __init__(self, d_model, d_ff=None, bias=False):
        super().__init__()
        d_ff = swiglu_hidden_dim(d_model) if d_ff is None else d_ff
        self.w1 = nn.Linear(d_model, d_ff, bias=bias)
        self.w3 = nn.Linear(d_model, d_ff, bias=bias)
        self.w2 = nn.Linear(d_ff, d_model, bias=bias)

    def forward(self, x):
        return self.w2(self.w1(x) * F.silu(self.w3(x)))
"""),
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
