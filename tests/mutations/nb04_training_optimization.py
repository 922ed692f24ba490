"""Wrong and right implementations for 04_training_optimization (each replaces a whole solution cell).

Most variants are the reference cell with a small edit (``patch``), so each shows exactly the mistake it makes;
whole cells are genuinely different implementations.
"""

from mutations._patch import patch

ASSIGNMENT = "04_training_optimization"

# ----------------------------------------------------------------------------------------- sgd_step

# an EMA: dampening = momentum
SGD_DAMPENED = patch(ASSIGNMENT, "sgd_step",
    "buf.mul_(momentum).add_(d)", "buf.mul_(momentum).add_(d, alpha=1 - momentum)")

SGD_NESTEROV_IGNORED = patch(ASSIGNMENT, "sgd_step", "d = d + momentum * buf if nesterov else buf", "d = buf")

# look-ahead with the previous buffer
SGD_NESTEROV_OLD_BUFFER = patch(ASSIGNMENT, "sgd_step", [
    ('        buf = state.get("momentum_buffer")\n',
     '        buf = state.get("momentum_buffer")\n'
     "        old = torch.zeros_like(param) if buf is None else buf.clone()\n"),
    ("d = d + momentum * buf if nesterov else buf", "d = d + momentum * old if nesterov else buf")])

# decay outside the momentum
SGD_DECOUPLED_DECAY = patch(ASSIGNMENT, "sgd_step", [
    ("d = grad if weight_decay == 0 else grad + weight_decay * param      # new tensor: grad untouched", "d = grad"),
    ("    param.add_(d, alpha=-lr)",
     "    param.mul_(1 - lr * weight_decay)\n"
     "    param.add_(d, alpha=-lr)")])

# no copy: the buffer is the grad tensor
SGD_BUFFER_ALIASES_GRAD = patch(ASSIGNMENT, "sgd_step",
    "buf = d.clone()                                              # b_1 = g_1 (a copy, never an alias)", "buf = d")

SGD_LR_IN_BUFFER = """\
def sgd_step(param, grad, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    d = grad + weight_decay * param
    if momentum != 0:
        if "v" not in state:
            state["v"] = torch.zeros_like(param)
        state["v"].mul_(momentum).add_(d, alpha=-lr)           # Sutskever form: v = mu v - lr g
        step = -lr * d + momentum * state["v"] if nesterov else state["v"]
        param.add_(step)
    else:
        param.add_(d, alpha=-lr)
"""

# modifies the caller's grad
SGD_GRAD_IN_PLACE = patch(ASSIGNMENT, "sgd_step",
    "d = grad if weight_decay == 0 else grad + weight_decay * param      # new tensor: grad untouched",
    "d = grad.add_(param, alpha=weight_decay)")

SGD_ZERO_INIT = """\
def sgd_step(param, grad, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    d = grad + weight_decay * param
    if momentum != 0:
        buf = state.setdefault("buf", torch.zeros_like(param))  # 0 * mu + g_1 = g_1: same as torch
        buf.mul_(momentum).add_(d)
        d = d + momentum * buf if nesterov else buf
    param.sub_(lr * d)
"""

SGD_FLOAT64_INSIDE = """\
def sgd_step(param, grad, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    g = grad.double() + weight_decay * param.double()
    if momentum != 0:
        if "buf" in state:
            state["buf"] = momentum * state["buf"] + g
        else:
            state["buf"] = g.clone()
        g = g + momentum * state["buf"] if nesterov else state["buf"]
    param.copy_(param.double() - lr * g)
"""

# ----------------------------------------------------------------------------------------- adam_step
_ADAM_DECAY = """\
    if weight_decay != 0:
        if decoupled:
            param.mul_(1 - lr * weight_decay)               # AdamW: shrink the weights directly
        else:
            g = grad + weight_decay * param                 # Adam: L2 term in the gradient
"""
_ADAM_DENOM = "denom = v.sqrt() / math.sqrt(bias2) + eps"

ADAM_NO_BIAS_CORRECTION = patch(ASSIGNMENT, "adam_step", [(_ADAM_DENOM, "denom = v.sqrt() + eps"),
                                                     ("value=-lr / bias1)", "value=-lr)")])
ADAM_EPS_INSIDE_SQRT = patch(ASSIGNMENT, "adam_step", _ADAM_DENOM, "denom = (v / bias2 + eps).sqrt()")
ADAM_EPS_BEFORE_BIAS_CORRECTION = patch(ASSIGNMENT, "adam_step", _ADAM_DENOM,
                                        "denom = (v.sqrt() + eps) / math.sqrt(bias2)")
ADAM_ALWAYS_L2 = patch(ASSIGNMENT, "adam_step", _ADAM_DECAY, "    g = grad + weight_decay * param\n")
ADAM_ALWAYS_DECOUPLED = patch(ASSIGNMENT, "adam_step", _ADAM_DECAY, "    param.mul_(1 - lr * weight_decay)\n")
ADAM_DECAY_WITHOUT_LR = patch(ASSIGNMENT, "adam_step", "param.mul_(1 - lr * weight_decay)",
                              "param.mul_(1 - weight_decay)")
ADAM_STEP_OFF_BY_ONE = patch(ASSIGNMENT, "adam_step", [("bias1 = 1 - beta1 ** t", "bias1 = 1 - beta1 ** (t + 1)"),
                                                  ("bias2 = 1 - beta2 ** t", "bias2 = 1 - beta2 ** (t + 1)")])
ADAM_GRAD_IN_PLACE = patch(ASSIGNMENT, "adam_step", "g = grad + weight_decay * param",
                           "g = grad.add_(param, alpha=weight_decay)")
ADAM_DECAY_AFTER_UPDATE_NO_LR_SCHEDULE = patch(ASSIGNMENT, "adam_step",   # lr frozen at its first value
    "            param.mul_(1 - lr * weight_decay)",
    "            state.setdefault('lr0', lr)\n            param.mul_(1 - state['lr0'] * weight_decay)")
ADAM_V_FROM_M = patch(ASSIGNMENT, "adam_step", "v.mul_(beta2).addcmul_(g, g, value=1 - beta2)",
                                           "v.mul_(beta2).addcmul_(m, m, value=1 - beta2)")

ADAM_LERP = patch(ASSIGNMENT, "adam_step", [("m.mul_(beta1).add_(g, alpha=1 - beta1)", "m.lerp_(g, 1 - beta1)"),
                                       ("v.mul_(beta2).addcmul_(g, g, value=1 - beta2)", "v.lerp_(g * g, 1 - beta2)")])
# state keys m / v / t, the bias corrections folded into the step size and the denominator as torch does
ADAM_TORCH_FORM = """\
def adam_step(param, grad, state, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=True):
    b1, b2 = betas
    if 'm' not in state:
        state['m'], state['v'] = torch.zeros_like(param), torch.zeros_like(param)
    state['t'] = state.get('t', 0) + 1
    t, m, v = state['t'], state['m'], state['v']
    g = grad
    if weight_decay != 0:
        if decoupled:
            param.mul_(1 - lr * weight_decay)
        else:
            g = grad + weight_decay * param
    m.mul_(b1).add_(g, alpha=1 - b1)
    v.mul_(b2).addcmul_(g, g, value=1 - b2)
    step_size = lr / (1 - b1 ** t)
    denom = v.sqrt() / math.sqrt(1 - b2 ** t) + eps
    param.addcdiv_(m, denom, value=-step_size)
"""

# ------------------------------------------------------------------------------------ warmup_cosine_lr

LR_WARMUP_OFF_BY_ONE = patch(ASSIGNMENT, "warmup_cosine_lr",
    "max_lr * step / warmup_steps", "max_lr * (step + 1) / warmup_steps")

LR_MIN_NOT_RESCALED = patch(ASSIGNMENT, "warmup_cosine_lr", "(max_lr - min_lr) *", "max_lr *")

LR_T_OVER_TOTAL = patch(ASSIGNMENT, "warmup_cosine_lr",
    "t = (step - warmup_steps) / (total_steps - warmup_steps)", "t = step / total_steps")

LR_NO_FLOOR_AFTER_TOTAL = patch(ASSIGNMENT, "warmup_cosine_lr",
    "    if step >= total_steps:\n"
    "        return float(min_lr)\n",
    "")

LR_RETURNS_TENSOR = """\
def warmup_cosine_lr(step, max_lr, warmup_steps, total_steps, min_lr=0.0):
    step = torch.tensor(float(step), dtype=torch.float64)
    if step < warmup_steps:
        return max_lr * step / warmup_steps
    if step >= total_steps:
        return torch.tensor(float(min_lr))
    t = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (max_lr - min_lr) * (1 + torch.cos(math.pi * t)) / 2
"""

LR_HALF_SINE_FORM = """\
def warmup_cosine_lr(step, max_lr, warmup_steps, total_steps, min_lr=0.0):
    if step >= total_steps:
        return float(min_lr)
    if step < warmup_steps:
        return float(step) / warmup_steps * max_lr
    t = (step - warmup_steps) / (total_steps - warmup_steps)
    return float(min_lr + (max_lr - min_lr) * math.cos(math.pi * t / 2) ** 2)   # (1 + cos x) / 2 = cos^2(x/2)
"""

# -------------------------------------------------------------------------------------- clip_grad_norm

CLIP_PER_TENSOR = patch(ASSIGNMENT, "clip_grad_norm",
    "g.mul_(coef.to(g.dtype))",
    "g.mul_(torch.clamp(max_norm / (torch.linalg.vector_norm(g) + 1e-6), max=1.0).to(g.dtype))")

# also scales small gradients up
CLIP_NO_CLAMP = patch(ASSIGNMENT, "clip_grad_norm",
    "torch.clamp(max_norm / (total_norm + 1e-6), max=1.0)", "max_norm / (total_norm + 1e-6)")

CLIP_NORM_AFTER = patch(ASSIGNMENT, "clip_grad_norm",
    "    return total_norm",
    "    return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))")

CLIP_NO_EPS = patch(ASSIGNMENT, "clip_grad_norm",
    "max_norm / (total_norm + 1e-6), max", "max_norm / total_norm, max")

CLIP_SUM_OF_NORMS = patch(ASSIGNMENT, "clip_grad_norm",
    "total_norm = torch.linalg.vector_norm(norms)", "total_norm = norms.sum()")

CLIP_RETURNS_FLOAT = patch(ASSIGNMENT, "clip_grad_norm", "    return total_norm", "    return total_norm.item()")

# new tensors: the caller's grads are unchanged
CLIP_NOT_IN_PLACE = patch(ASSIGNMENT, "clip_grad_norm",
    "    for g in grads:\n"
    "        g.mul_(coef.to(g.dtype))\n",
    "    grads = [g * coef for g in grads]\n")

CLIP_CAT = """\
def clip_grad_norm(grads, max_norm):
    total = torch.cat([g.reshape(-1) for g in grads]).norm()
    if total > max_norm:
        for g in grads:
            g.mul_(max_norm / (total + 1e-6))
    return total
"""

CLIP_SQRT_SUM_SQUARES = """\
def clip_grad_norm(grads, max_norm):
    total = torch.sqrt(sum((g * g).sum() for g in grads))
    coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(coef)
    return total
"""

# -------------------------------------------------------------------------------- accumulate_gradients

ACC_NO_DIVISION = patch(ASSIGNMENT, "accumulate_gradients",
    "loss_fn(model(xb), yb) / n_micro", "loss_fn(model(xb), yb)")

ACC_ZERO_GRAD_EACH_MICRO = patch(ASSIGNMENT, "accumulate_gradients",
    "        loss = loss_fn",
    "        model.zero_grad()\n"
    "        loss = loss_fn")

# chunks OF n_micro rows
ACC_SPLIT_BY_SIZE = patch(ASSIGNMENT, "accumulate_gradients",
    "zip(torch.chunk(x, n_micro, dim=0), torch.chunk(y, n_micro, dim=0))", "zip(x.split(n_micro), y.split(n_micro))")

ACC_DIVIDE_BY_MICRO_SIZE = patch(ASSIGNMENT, "accumulate_gradients", "yb) / n_micro\n", "yb) / xb.shape[0]\n")

ACC_FULL_BATCH = """\
def accumulate_gradients(model, loss_fn, x, y, n_micro):
    loss_fn(model(x), y).backward()                             # right gradient, no micro-batches
"""

ACC_SUM_THEN_BACKWARD = """\
def accumulate_gradients(model, loss_fn, x, y, n_micro):
    losses = [loss_fn(model(xb), yb) for xb, yb in zip(torch.chunk(x, n_micro), torch.chunk(y, n_micro))]
    (sum(losses) / n_micro).backward()
"""

ACC_INDEX_LOOP = """\
def accumulate_gradients(model, loss_fn, x, y, n_micro):
    size = x.shape[0] // n_micro
    for i in range(n_micro):
        xb, yb = x[i * size:(i + 1) * size], y[i * size:(i + 1) * size]
        loss = loss_fn(model(xb), yb)
        loss.div(n_micro).backward()
"""

# ------------------------------------------------------------------------------------ DynamicLossScaler
SCALER_COUNT_NOT_RESET = patch(ASSIGNMENT, "dynamic_loss_scaler",   # count kept across the overflow
    "            self.scale *= self.backoff_factor\n            self._good_steps = 0\n",
    "            self.scale *= self.backoff_factor\n")
SCALER_GROWTH_OFF_BY_ONE = patch(ASSIGNMENT, "dynamic_loss_scaler",   # checked before counting this step
    "            self._good_steps += 1\n            if self._good_steps == self.growth_interval:\n"
    "                self.scale *= self.growth_factor\n                self._good_steps = 0\n",
    "            if self._good_steps == self.growth_interval:\n"
    "                self.scale *= self.growth_factor\n                self._good_steps = 0\n"
    "            self._good_steps += 1\n")
SCALER_NO_RESET_AFTER_GROWTH = patch(ASSIGNMENT, "dynamic_loss_scaler", [  # grows at every step after the interval
    ("if self._good_steps == self.growth_interval:", "if self._good_steps >= self.growth_interval:"),
    ("                self.scale *= self.growth_factor\n                self._good_steps = 0\n",
     "                self.scale *= self.growth_factor\n")])
SCALER_UNSCALE_RETURNS_TENSOR = patch(ASSIGNMENT, "dynamic_loss_scaler", [
    ("found_inf = False\n", "found_inf = torch.tensor(False)\n"),
    ("            if not bool(torch.isfinite(g).all()):\n                found_inf = True\n",
     "            found_inf = found_inf | ~torch.isfinite(g).all()\n")])
SCALER_UNSCALE_MISSES_NAN = patch(ASSIGNMENT, "dynamic_loss_scaler", "if not bool(torch.isfinite(g).all()):",
                                  "if bool(torch.isinf(g).any()):")
SCALER_UNSCALE_MULTIPLIES = patch(ASSIGNMENT, "dynamic_loss_scaler", "g.div_(self.scale)", "g.mul_(self.scale)")
SCALER_SCALE_AS_TENSOR = patch(ASSIGNMENT, "dynamic_loss_scaler", "self.scale = float(init_scale)",
                               "self.scale = torch.tensor(init_scale)")

SCALER_MODULO_COUNTER = """\
class DynamicLossScaler:
    def __init__(self, init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000):
        self.scale = float(init_scale)
        self.growth_factor = growth_factor
        self.backoff_factor = backoff_factor
        self.growth_interval = growth_interval
        self.steps_since_overflow = 0

    def scale_loss(self, loss):
        return loss * self.scale

    def unscale_(self, grads):
        finite = all(bool(torch.isfinite(g).all()) for g in grads)
        for g in grads:
            g.mul_(1.0 / self.scale)                       # exact for powers of two
        return not finite

    def update(self, found_inf):
        if found_inf:
            self.scale = self.scale * self.backoff_factor
            self.steps_since_overflow = 0
            return
        self.steps_since_overflow += 1
        if self.steps_since_overflow % self.growth_interval == 0:
            self.scale = self.scale * self.growth_factor
"""

# ----------------------------------------------------------------------------------------- cross_entropy

# overflows for large logits
CE_LOG_OF_SOFTMAX = patch(ASSIGNMENT, "cross_entropy",
    "torch.log_softmax(logits, dim=1)", "(logits.exp() / logits.exp().sum(dim=1, keepdim=True)).log()")

# eps spread over the wrong classes only
CE_SMOOTH_OTHER_CLASSES = patch(ASSIGNMENT, "cross_entropy",
    "    smooth = -logp.mean(dim=1)                                   # (K,)\n"
    "    return ((1 - label_smoothing) * nll + label_smoothing * smooth).mean()",
    "    q = torch.full_like(logp, label_smoothing / (n_classes - 1))\n"
    "    q.scatter_(1, target.unsqueeze(1), 1 - label_smoothing)\n"
    "    return -(q * logp).sum(1).mean()")

# divides by the ignored elements too
CE_MEAN_OVER_ALL = patch(ASSIGNMENT, "cross_entropy", [
    ("    logp, target = logp[keep], target[keep]                      # (K, C), (K,)\n",
     "    n_all = target.numel()\n"
     "    logp, target = logp[keep], target[keep]                      # (K, C), (K,)\n"),
    ("((1 - label_smoothing) * nll + label_smoothing * smooth).mean()",
     "((1 - label_smoothing) * nll + label_smoothing * smooth).sum() / n_all")])

CE_CLASSES_LAST = patch(ASSIGNMENT, "cross_entropy", [
    ("n_classes = logits.shape[1]", "n_classes = logits.shape[-1]"),
    ("torch.log_softmax(logits, dim=1)", "torch.log_softmax(logits, dim=-1)"),
    ("logp.movedim(1, -1).reshape(-1, n_classes)", "logp.reshape(-1, n_classes)")])

# ignored positions counted in the smoothing term
CE_SMOOTHING_COUNTS_IGNORED = patch(ASSIGNMENT, "cross_entropy", [
    ("    smooth = -logp.mean(dim=1)                                   # (K,)\n", ""),
    ("    logp, target = logp[keep], target[keep]                      # (K, C), (K,)\n",
     "    smooth = -logp.mean(dim=1)                                   # (K,)\n"
     "    logp, target = logp[keep], target[keep]                      # (K, C), (K,)\n"),
    ("return ((1 - label_smoothing) * nll + label_smoothing * smooth).mean()",
     "return (1 - label_smoothing) * nll.mean() + label_smoothing * smooth.mean()")])

CE_HARDCODED_IGNORE = patch(ASSIGNMENT, "cross_entropy", "keep = target != ignore_index", "keep = target != -100")

CE_NO_SMOOTHING = patch(ASSIGNMENT, "cross_entropy",
    "((1 - label_smoothing) * nll + label_smoothing * smooth).mean()", "nll.mean()")

CE_LOGSUMEXP_ONEHOT = """\
def cross_entropy(logits, target, label_smoothing=0.0, ignore_index=-100):
    if logits.dim() == 1:
        logits, target = logits[None], target[None]
    x = logits.double().movedim(1, -1)                          # (..., C) in float64
    C = x.shape[-1]
    logp = x - torch.logsumexp(x, -1, keepdim=True)
    keep = target != ignore_index
    q = torch.full_like(logp, label_smoothing / C)
    q = q + (1 - label_smoothing) * F.one_hot(torch.where(keep, target, 0), C).double()
    per = -(q * logp).sum(-1)
    return (per[keep].sum() / keep.sum()).to(logits.dtype)
"""

CE_VIA_NLL_LOSS = """\
def cross_entropy(logits, target, label_smoothing=0.0, ignore_index=-100):
    if logits.dim() == 1:
        logits, target = logits[None], target[None]
    logp = torch.log_softmax(logits, dim=1)
    nll = F.nll_loss(logp, target, ignore_index=ignore_index)
    keep = target != ignore_index
    smooth = -logp.mean(dim=1)[keep].mean()
    return (1 - label_smoothing) * nll + label_smoothing * smooth
"""

# --------------------------------------------------------------------------------------- scaled_init_std

INIT_NO_FACTOR_TWO = patch(ASSIGNMENT, "scaled_init_std", "math.sqrt(2 * n_layers)", "math.sqrt(n_layers)")
INIT_NO_SQRT = patch(ASSIGNMENT, "scaled_init_std",
    "return base_std / math.sqrt(2 * n_layers)", "return base_std / (2 * n_layers)")
INIT_HARDCODED_BASE = patch(ASSIGNMENT, "scaled_init_std", "return base_std /", "return 0.02 /")
INIT_USES_D_MODEL = patch(ASSIGNMENT, "scaled_init_std",
    "return base_std / math.sqrt(2 * n_layers)", "return 1.0 / math.sqrt(d_model * 2 * n_layers)")
INIT_RETURNS_TENSOR = patch(ASSIGNMENT, "scaled_init_std",
    "math.sqrt(2 * n_layers)", "torch.sqrt(torch.tensor(2.0 * n_layers))")
INIT_POWER_FORM = """\
def scaled_init_std(d_model, n_layers, base_std=0.02):
    return float(base_std * (2 * n_layers) ** -0.5)
"""

# ------------------------------------------------------------------------------------- checkpoint_memory

MEM_FLOOR = patch(ASSIGNMENT, "checkpoint_memory", "-(-n_layers // n_segments)", "n_layers // n_segments")
MEM_NO_CEIL = patch(ASSIGNMENT, "checkpoint_memory", "-(-n_layers // n_segments)", "n_layers / n_segments")
MEM_ONLY_SEGMENT = patch(ASSIGNMENT, "checkpoint_memory", "(n_segments + per_segment)", "per_segment")
MEM_PRODUCT = patch(ASSIGNMENT, "checkpoint_memory", "(n_segments + per_segment)", "n_segments * per_segment")
MEM_MATH_CEIL = """\
def checkpoint_memory(n_layers, act_bytes_per_layer, n_segments):
    return (n_segments + math.ceil(n_layers / n_segments)) * act_bytes_per_layer
"""

# --------------------------------------------------------------------------------------- save_checkpoint

SAVE_DIRECT = """\
def save_checkpoint(state, path):
    torch.save(state, path)
"""

# the old checkpoint is gone before the new one exists
SAVE_REMOVE_OLD_FIRST = patch(ASSIGNMENT, "save_checkpoint",
    "    directory = ",
    "    if os.path.exists(path):\n"
    "        os.remove(path)\n"
    "    directory = ")

# the caller never learns the save failed
SAVE_SWALLOWS_ERRORS = patch(ASSIGNMENT, "save_checkpoint", "        raise\n", "")

SAVE_TMP_ELSEWHERE = """\
def save_checkpoint(state, path):
    import shutil
    fd, tmp = tempfile.mkstemp()                                # in /tmp, maybe another file system
    os.close(fd)
    torch.save(state, tmp)
    shutil.move(tmp, path)
"""

SAVE_BACKUP_THEN_OVERWRITE = """\
def save_checkpoint(state, path):
    import shutil
    if os.path.exists(path):
        shutil.copy(path, path + ".bak")                        # a backup, but path itself is overwritten
    torch.save(state, path)
"""

SAVE_TMP_SUFFIX_RENAME = """\
def save_checkpoint(state, path):
    tmp = str(path) + ".tmp"
    try:
        torch.save(state, tmp)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    os.rename(tmp, path)
"""

SAVE_NAMED_TEMPFILE = """\
def save_checkpoint(state, path):
    with tempfile.NamedTemporaryFile(dir=os.path.dirname(os.path.abspath(path)), delete=False) as f:
        tmp = f.name
        torch.save(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
"""

# ------------------------------------------------------------------------------------------------ resume

RESUME_WEIGHTS_ONLY_DEFAULT = patch(ASSIGNMENT, "resume", "torch.load(path, weights_only=False)", "torch.load(path)")
RESUME_PICKLE = """\
def resume(path):
    import pickle
    with open(path, "rb") as f:
        return pickle.load(f)
"""
RESUME_TMP_PATH = patch(ASSIGNMENT, "resume", "torch.load(path,", 'torch.load(path + ".tmp",')
RESUME_ONLY_MODEL = patch(ASSIGNMENT, "resume",
    "    return torch.load(path, weights_only=False)",
    "    state = torch.load(path, weights_only=False)\n"
    '    return state.get("model", state) if isinstance(state, dict) else state')
RESUME_FILE_OBJECT = """\
def resume(path):
    with open(path, "rb") as f:
        return torch.load(f, map_location="cpu", weights_only=False)
"""

WRONG = [
    ("sgd_step", "dampened_momentum", SGD_DAMPENED),
    ("sgd_step", "nesterov_ignored", SGD_NESTEROV_IGNORED),
    ("sgd_step", "nesterov_uses_old_buffer", SGD_NESTEROV_OLD_BUFFER),
    ("sgd_step", "decay_decoupled_from_momentum", SGD_DECOUPLED_DECAY),
    ("sgd_step", "buffer_aliases_grad", SGD_BUFFER_ALIASES_GRAD),
    ("sgd_step", "lr_inside_buffer", SGD_LR_IN_BUFFER),
    ("sgd_step", "grad_modified_in_place", SGD_GRAD_IN_PLACE),
    ("adam_step", "no_bias_correction", ADAM_NO_BIAS_CORRECTION),
    ("adam_step", "eps_inside_sqrt", ADAM_EPS_INSIDE_SQRT),
    ("adam_step", "eps_before_bias_correction", ADAM_EPS_BEFORE_BIAS_CORRECTION),
    ("adam_step", "always_l2", ADAM_ALWAYS_L2),
    ("adam_step", "always_decoupled", ADAM_ALWAYS_DECOUPLED),
    ("adam_step", "decoupled_decay_without_lr", ADAM_DECAY_WITHOUT_LR),
    ("adam_step", "bias_correction_off_by_one", ADAM_STEP_OFF_BY_ONE),
    ("adam_step", "grad_modified_in_place", ADAM_GRAD_IN_PLACE),
    ("adam_step", "decay_lr_frozen", ADAM_DECAY_AFTER_UPDATE_NO_LR_SCHEDULE),
    ("adam_step", "second_moment_of_m", ADAM_V_FROM_M),
    ("warmup_cosine_lr", "warmup_off_by_one", LR_WARMUP_OFF_BY_ONE),
    ("warmup_cosine_lr", "min_lr_not_rescaled", LR_MIN_NOT_RESCALED),
    ("warmup_cosine_lr", "t_over_total_steps", LR_T_OVER_TOTAL),
    ("warmup_cosine_lr", "no_floor_after_total", LR_NO_FLOOR_AFTER_TOTAL),
    ("warmup_cosine_lr", "returns_tensor", LR_RETURNS_TENSOR),
    ("clip_grad_norm", "per_tensor_clipping", CLIP_PER_TENSOR),
    ("clip_grad_norm", "scales_small_grads_up", CLIP_NO_CLAMP),
    ("clip_grad_norm", "returns_norm_after_clipping", CLIP_NORM_AFTER),
    ("clip_grad_norm", "no_eps", CLIP_NO_EPS),
    ("clip_grad_norm", "sum_of_norms", CLIP_SUM_OF_NORMS),
    ("clip_grad_norm", "returns_python_float", CLIP_RETURNS_FLOAT),
    ("clip_grad_norm", "not_in_place", CLIP_NOT_IN_PLACE),
    ("accumulate_gradients", "no_division_by_n_micro", ACC_NO_DIVISION),
    ("accumulate_gradients", "zero_grad_each_micro_batch", ACC_ZERO_GRAD_EACH_MICRO),
    ("accumulate_gradients", "split_into_chunks_of_n_micro", ACC_SPLIT_BY_SIZE),
    ("accumulate_gradients", "divide_by_micro_batch_size", ACC_DIVIDE_BY_MICRO_SIZE),
    ("accumulate_gradients", "full_batch_no_micro_batches", ACC_FULL_BATCH),
    ("accumulate_gradients", "sum_then_one_backward", ACC_SUM_THEN_BACKWARD),
    ("dynamic_loss_scaler", "count_not_reset_on_overflow", SCALER_COUNT_NOT_RESET),
    ("dynamic_loss_scaler", "growth_off_by_one", SCALER_GROWTH_OFF_BY_ONE),
    ("dynamic_loss_scaler", "no_reset_after_growth", SCALER_NO_RESET_AFTER_GROWTH),
    ("dynamic_loss_scaler", "unscale_returns_tensor", SCALER_UNSCALE_RETURNS_TENSOR),
    ("dynamic_loss_scaler", "unscale_misses_nan", SCALER_UNSCALE_MISSES_NAN),
    ("dynamic_loss_scaler", "unscale_multiplies", SCALER_UNSCALE_MULTIPLIES),
    ("dynamic_loss_scaler", "scale_is_a_tensor", SCALER_SCALE_AS_TENSOR),
    ("cross_entropy", "log_of_softmax", CE_LOG_OF_SOFTMAX),
    ("cross_entropy", "smoothing_over_other_classes", CE_SMOOTH_OTHER_CLASSES),
    ("cross_entropy", "mean_includes_ignored", CE_MEAN_OVER_ALL),
    ("cross_entropy", "classes_on_last_dim", CE_CLASSES_LAST),
    ("cross_entropy", "smoothing_counts_ignored", CE_SMOOTHING_COUNTS_IGNORED),
    ("cross_entropy", "ignore_index_hardcoded", CE_HARDCODED_IGNORE),
    ("cross_entropy", "no_smoothing", CE_NO_SMOOTHING),
    ("scaled_init_std", "no_factor_two", INIT_NO_FACTOR_TWO),
    ("scaled_init_std", "no_sqrt", INIT_NO_SQRT),
    ("scaled_init_std", "hardcoded_base_std", INIT_HARDCODED_BASE),
    ("scaled_init_std", "uses_d_model", INIT_USES_D_MODEL),
    ("scaled_init_std", "returns_tensor", INIT_RETURNS_TENSOR),
    ("checkpoint_memory", "floor_division", MEM_FLOOR),
    ("checkpoint_memory", "no_ceil", MEM_NO_CEIL),
    ("checkpoint_memory", "forgets_stored_inputs", MEM_ONLY_SEGMENT),
    ("checkpoint_memory", "product_of_terms", MEM_PRODUCT),
    ("save_checkpoint", "save_directly_to_path", SAVE_DIRECT),
    ("save_checkpoint", "remove_old_first", SAVE_REMOVE_OLD_FIRST),
    ("save_checkpoint", "swallows_errors", SAVE_SWALLOWS_ERRORS),
    ("save_checkpoint", "temp_file_in_system_tmp", SAVE_TMP_ELSEWHERE),
    ("save_checkpoint", "backup_then_overwrite", SAVE_BACKUP_THEN_OVERWRITE),
    ("resume", "weights_only_default", RESUME_WEIGHTS_ONLY_DEFAULT),
    ("resume", "plain_pickle", RESUME_PICKLE),
    ("resume", "reads_temp_path", RESUME_TMP_PATH),
    ("resume", "returns_only_model", RESUME_ONLY_MODEL),
]

RIGHT = [
    ("sgd_step", "zero_initialised_buffer", SGD_ZERO_INIT),
    ("sgd_step", "float64_inside", SGD_FLOAT64_INSIDE),
    ("adam_step", "lerp_moments", ADAM_LERP),
    ("adam_step", "torch_addcdiv_form", ADAM_TORCH_FORM),
    ("warmup_cosine_lr", "cos_squared_form", LR_HALF_SINE_FORM),
    ("clip_grad_norm", "cat_and_branch", CLIP_CAT),
    ("clip_grad_norm", "sqrt_of_sum_of_squares", CLIP_SQRT_SUM_SQUARES),
    ("accumulate_gradients", "index_slices", ACC_INDEX_LOOP),
    ("dynamic_loss_scaler", "modulo_counter", SCALER_MODULO_COUNTER),
    ("cross_entropy", "logsumexp_onehot_float64", CE_LOGSUMEXP_ONEHOT),
    ("cross_entropy", "via_nll_loss", CE_VIA_NLL_LOSS),
    ("scaled_init_std", "power_form", INIT_POWER_FORM),
    ("checkpoint_memory", "math_ceil", MEM_MATH_CEIL),
    ("save_checkpoint", "suffix_tmp_and_rename", SAVE_TMP_SUFFIX_RENAME),
    ("save_checkpoint", "named_tempfile_fsync", SAVE_NAMED_TEMPFILE),
    ("resume", "file_object_map_location", RESUME_FILE_OBJECT),
]

# Added by a probe for false accepts / false rejects: more plausible mistakes and valid variants.
WRONG += [
    ("sgd_step", "state_buffer_never_stored", patch(ASSIGNMENT, "sgd_step",
        '            state["momentum_buffer"] = buf\n', "")),
    ("adam_step", "decay_after_update", """
def adam_step(param, grad, state, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=True):
    b1, b2 = betas
    if not state:
        state.update(step=0, m=torch.zeros_like(param), v=torch.zeros_like(param))
    state["step"] += 1
    t = state["step"]
    g = grad + weight_decay * param if (weight_decay and not decoupled) else grad
    state["m"].mul_(b1).add_(g, alpha=1 - b1)
    state["v"].mul_(b2).addcmul_(g, g, value=1 - b2)
    m_hat = state["m"] / (1 - b1 ** t)
    v_hat = state["v"] / (1 - b2 ** t)
    param.sub_(lr * m_hat / (v_hat.sqrt() + eps))
    if weight_decay and decoupled:
        param.mul_(1 - lr * weight_decay)
"""),
    ("adam_step", "step_counter_shared_global", """
_ADAM_T = [0]
def adam_step(param, grad, state, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=True):
    b1, b2 = betas
    if not state:
        state.update(m=torch.zeros_like(param), v=torch.zeros_like(param))
    _ADAM_T[0] += 1
    t = _ADAM_T[0]
    g = grad + weight_decay * param if (weight_decay and not decoupled) else grad
    if weight_decay and decoupled:
        param.mul_(1 - lr * weight_decay)
    state["m"].mul_(b1).add_(g, alpha=1 - b1)
    state["v"].mul_(b2).addcmul_(g, g, value=1 - b2)
    param.sub_(lr * (state["m"] / (1 - b1 ** t)) / ((state["v"] / (1 - b2 ** t)).sqrt() + eps))
"""),
    ("clip_grad_norm", "max_norm_no_eps_branch_uses_ge", """
def clip_grad_norm(grads, max_norm):
    total = torch.sqrt(sum((g ** 2).sum() for g in grads))
    for g in grads:
        g.mul_(max_norm / torch.maximum(total, torch.tensor(max_norm, dtype=total.dtype)))
    return total
"""),
    ("dynamic_loss_scaler", "found_inf_from_last_tensor_only", patch(ASSIGNMENT, "dynamic_loss_scaler",
        "            if not bool(torch.isfinite(g).all()):\n"
        "                found_inf = True\n",
        "            found_inf = not bool(torch.isfinite(g).all())\n")),
    ("dynamic_loss_scaler", "stops_unscaling_at_first_inf", patch(ASSIGNMENT, "dynamic_loss_scaler",
        "                found_inf = True\n", "                return True\n")),
    ("cross_entropy", "reshape_without_movedim", patch(ASSIGNMENT, "cross_entropy",
        "logp.movedim(1, -1).reshape(-1, n_classes)", "logp.reshape(-1, n_classes)")),
    ("save_checkpoint", "error_rewrapped", patch(ASSIGNMENT, "save_checkpoint", [
        ("    except BaseException:\n", "    except BaseException as err:\n"),
        ("        raise\n", '        raise RuntimeError(f"checkpoint failed: {err}") from err\n')])),
]

RIGHT += [
    ("sgd_step", "functional_rebind_buffer", """
def sgd_step(param, grad, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    g = torch.add(grad, param, alpha=weight_decay)
    if momentum:
        if "buf" in state:
            state["buf"] = momentum * state["buf"] + g
        else:
            state["buf"] = g.detach().clone()
        g = g + momentum * state["buf"] if nesterov else state["buf"]
    param -= lr * g
"""),
    ("adam_step", "textbook_m_hat_v_hat", """
def adam_step(param, grad, state, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=True):
    b1, b2 = betas
    t = state.get("t", 0) + 1
    state["t"] = t
    if weight_decay and not decoupled:
        grad = grad + weight_decay * param
    m = b1 * state.get("m", torch.zeros_like(param)) + (1 - b1) * grad
    v = b2 * state.get("v", torch.zeros_like(param)) + (1 - b2) * grad * grad
    state["m"], state["v"] = m, v
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    if weight_decay and decoupled:
        param.mul_(1 - lr * weight_decay)
    param.sub_(lr * m_hat / (v_hat.sqrt() + eps))
"""),
    ("clip_grad_norm", "python_coef_branch_when_over", """
def clip_grad_norm(grads, max_norm):
    total = torch.linalg.vector_norm(torch.stack([g.norm() for g in grads]))
    if total > max_norm:
        coef = max_norm / (total.item() + 1e-6)
        for g in grads:
            g.mul_(coef)
    return total
"""),
    ("clip_grad_norm", "float64_inside", """
def clip_grad_norm(grads, max_norm):
    total64 = torch.sqrt(sum((g.double() ** 2).sum() for g in grads))
    coef = torch.clamp(max_norm / (total64 + 1e-6), max=1.0)
    for g in grads:
        g.copy_(g.double() * coef)
    return total64.to(grads[0].dtype)
"""),
    ("accumulate_gradients", "split_and_multiply", """
def accumulate_gradients(model, loss_fn, x, y, n_micro):
    size = x.shape[0] // n_micro
    for xb, yb in zip(x.split(size), y.split(size)):
        (loss_fn(model(xb), yb) * (1.0 / n_micro)).backward()
    return None
"""),
    ("dynamic_loss_scaler", "mul_reciprocal_isinf_isnan", """
class DynamicLossScaler:
    def __init__(self, init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000):
        self.scale = init_scale
        self.growth_factor, self.backoff_factor, self.growth_interval = growth_factor, backoff_factor, growth_interval
        self.tracker = 0

    def scale_loss(self, loss):
        return self.scale * loss

    def unscale_(self, grads):
        inv = 1.0 / self.scale
        bad = False
        for g in grads:
            bad = bad or bool(torch.isinf(g).any() or torch.isnan(g).any())
            g.mul_(inv)
        return bad

    def update(self, found_inf):
        if found_inf:
            self.scale = self.scale * self.backoff_factor
            self.tracker = 0
            return
        self.tracker += 1
        if self.tracker >= self.growth_interval:
            self.scale = self.scale * self.growth_factor
            self.tracker = 0
"""),
    ("cross_entropy", "loop_per_element_float64", """
def cross_entropy(logits, target, label_smoothing=0.0, ignore_index=-100):
    if logits.dim() == 1:
        logits, target = logits[None], target.reshape(1)
    C = logits.shape[1]
    lg = logits.double().movedim(1, -1).reshape(-1, C)
    tg = target.reshape(-1).tolist()
    total, count = lg.new_zeros(()), 0
    for row, t in zip(lg, tg):
        if t == ignore_index:
            continue
        lse = torch.logsumexp(row, 0)
        logp = row - lse
        total = total + (1 - label_smoothing) * -logp[t] + label_smoothing * -logp.mean()
        count += 1
    return (total / count).to(logits.dtype)
"""),
    ("save_checkpoint", "pathlib_tmp_no_cleanup", """
def save_checkpoint(state, path):
    import pathlib
    p = pathlib.Path(path)
    tmp = p.with_name(p.name + ".partial")
    torch.save(state, tmp)
    os.replace(tmp, p)
"""),
    ("warmup_cosine_lr", "numpy_pi_cos", """
def warmup_cosine_lr(step, max_lr, warmup_steps, total_steps, min_lr=0.0):
    import numpy as np
    if step < warmup_steps:
        return max_lr * step / warmup_steps
    if step >= total_steps:
        return min_lr * 1.0
    t = (step - warmup_steps) / (total_steps - warmup_steps)
    return float(min_lr + 0.5 * (max_lr - min_lr) * (1 + np.cos(np.pi * t)))
"""),
]

# Issue 13: the way matters. Accumulation must alternate forward and backward per micro-batch; a checkpoint's
# target is only renamed onto, and a failure at any step leaves the old file.
WRONG += [
    # every graph alive until the last backward
    ("accumulate_gradients", "all_forwards_then_all_backwards", patch(ASSIGNMENT, "accumulate_gradients",
        "    for xb, yb in zip(torch.chunk(x, n_micro, dim=0), torch.chunk(y, n_micro, dim=0)):\n"
        "        loss = loss_fn(model(xb), yb) / n_micro\n"
        "        loss.backward()                                    # adds into .grad\n",
        "    losses = [loss_fn(model(xb), yb) / n_micro\n"
        "              for xb, yb in zip(torch.chunk(x, n_micro, dim=0), torch.chunk(y, n_micro, dim=0))]\n"
        "    for loss in losses:\n"
        "        loss.backward()\n")),
    ("save_checkpoint", "bytesio_then_write_target", """
def save_checkpoint(state, path):
    import io
    buf = io.BytesIO()
    torch.save(state, buf)                                  # a crash inside torch.save leaves path alone...
    with open(path, "wb") as f:                             # ...but path is then overwritten in place
        f.write(buf.getvalue())
"""),
    ("save_checkpoint", "temp_then_copyfile", """
def save_checkpoint(state, path):
    import shutil
    tmp = path + ".tmp"
    torch.save(state, tmp)
    shutil.copyfile(tmp, path)                              # a copy, not a rename: path is rewritten in place
    os.remove(tmp)
"""),
    ("save_checkpoint", "temp_then_os_write_target", """
def save_checkpoint(state, path):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    with open(tmp, "rb") as f:
        data = f.read()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.remove(tmp)
"""),
    ("save_checkpoint", "rename_error_swallowed", """
def save_checkpoint(state, path):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    try:
        os.replace(tmp, path)
    except OSError:
        pass                                                # the caller thinks the save succeeded
"""),
]

RIGHT += [
    ("accumulate_gradients", "no_sync_style_autograd_grad", """
def accumulate_gradients(model, loss_fn, x, y, n_micro):
    params = [p for p in model.parameters() if p.requires_grad]
    total = [torch.zeros_like(p) for p in params]           # a local bucket, like DDP's no_sync
    for xb, yb in zip(torch.chunk(x, n_micro), torch.chunk(y, n_micro)):
        grads = torch.autograd.grad(loss_fn(model(xb), yb) / n_micro, params)
        for t, g in zip(total, grads):
            t.add_(g)
    for p, t in zip(params, total):                         # one "sync" at the end
        p.grad = t if p.grad is None else p.grad + t
"""),
    ("accumulate_gradients", "param_hooks_count_backwards", """
def accumulate_gradients(model, loss_fn, x, y, n_micro):
    calls = []
    handles = [p.register_hook(lambda g: calls.append(1) or g) for p in model.parameters()]
    try:
        for xb, yb in zip(torch.chunk(x, n_micro), torch.chunk(y, n_micro)):
            loss = loss_fn(model(xb), yb)
            loss.div(n_micro).backward()
            del loss                                        # free this micro-batch's graph before the next
    finally:
        for h in handles:
            h.remove()
"""),
    ("save_checkpoint", "mkstemp_fdopen_fsync_replace", """
def save_checkpoint(state, path):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
"""),
]
