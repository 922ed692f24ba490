"""Wrong implementations written by hand for the generic tier's measure: mistakes the project never saw.

None of these is in tests/mutations/ (the catalogue never saw their code); they were written after the generic
tier's relations, as a learner might write them. ``evaluate(UNSEEN)`` plays each one as the learner on the
probes the grader keeps (as tests/diagnose_eval.py does) and asks both tiers: the catalogue (``diagnose.choose``
among the exercise's WRONG variants) and, when it names nothing, the relations (``relations.relate``).

    .venv/bin/python tests/diagnose_unseen.py    # prints each case's verdict and the counts
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import diagnose_eval  # noqa: E402
from course import diagnoses  # noqa: E402
from course.grader import diagnose, relations  # noqa: E402

# (assignment, grade_id) -> [(label, the catalogue's diagnosis of that mistake or None when it has none, source)]
UNSEEN = {
    ("01_attention", "softmax"): [
        ("sum_without_keepdim", None, """
def softmax(x, dim=-1):
    e = torch.exp(x - x.amax(dim=dim, keepdim=True))
    return e / e.sum(dim=dim)
"""),
        ("shift_in_place", 'softmax_in_place', """
def softmax(x, dim=-1):
    x -= x.amax(dim=dim, keepdim=True)
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)
"""),
        ("log_softmax_no_exp", None, """
def softmax(x, dim=-1):
    return x - torch.logsumexp(x, dim=dim, keepdim=True)
"""),
    ],
    ("01_attention", "causal_mask"): [
        ("float_ones", 'mask_wrong_dtype', """
def causal_mask(seq_len):
    return torch.ones(seq_len, seq_len).tril()
"""),
        ("numpy_array", None, """
def causal_mask(seq_len):
    import numpy as np
    return np.tril(np.ones((seq_len, seq_len), dtype=bool))
"""),
    ],
    ("01_attention", "scaled_dot_product_attention"): [
        ("forgets_weights", None, """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(softmax(scores, dim=-1), nan=0.0)
    return weights @ v
"""),
        ("scale_by_sqrt_dv", None, """
def scaled_dot_product_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(softmax(scores, dim=-1), nan=0.0)
    return weights @ v, weights
"""),
    ],
    ("01_attention", "split_heads"): [
        ("view_without_transpose", 'heads_reshape_no_transpose', """
def split_heads(x, n_heads):
    B, L, E = x.shape
    return x.reshape(B, n_heads, L, E // n_heads)
"""),
    ],
    ("01_attention", "merge_heads"): [
        ("reshape_without_transpose", 'heads_reshape_no_transpose', """
def merge_heads(x):
    B, H, L, D = x.shape
    return x.reshape(B, L, H * D)
"""),
    ],
    ("01_attention", "self_attention_flops"): [
        ("macs_everywhere", 'flops_macs', """
def self_attention_flops(seq_len, d_model):
    return 2 * seq_len ** 2 * d_model + 4 * seq_len * d_model ** 2
"""),
    ],
    ("01_attention", "sliding_window_mask"): [
        ("window_inclusive", 'window_off_by_one', """
def sliding_window_mask(seq_len, window):
    i = torch.arange(seq_len).unsqueeze(1)
    j = torch.arange(seq_len).unsqueeze(0)
    return (i - j >= 0) & (i - j <= window)
"""),
    ],
    ("01_attention", "causal_additive_mask"): [
        ("large_negative_not_inf", "additive_mask_finite", """
def causal_additive_mask(seq_len, dtype=torch.float32):
    allowed = torch.ones(seq_len, seq_len, dtype=torch.bool).tril()
    return torch.zeros(seq_len, seq_len, dtype=dtype).masked_fill(~allowed, -1e9)
"""),
    ],
    ("02_positional_encoding", "sinusoidal_encoding"): [
        ("returns_float64", 'wrong_dtype', """
def sinusoidal_encoding(seq_len, d_model):
    pos = torch.arange(seq_len, dtype=torch.float64)[:, None]
    freq = torch.exp(-math.log(10000.0) * torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    pe = torch.empty(seq_len, d_model, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(pos * freq), torch.cos(pos * freq)[:, : d_model // 2]
    return pe
"""),
    ],
    ("02_positional_encoding", "alibi_slopes"): [
        ("python_list", None, """
def alibi_slopes(n_heads):
    def geometric(n):
        return [2.0 ** (-8.0 * (h + 1) / n) for h in range(n)]
    c = 2 ** int(math.floor(math.log2(n_heads)))
    slopes = geometric(c)
    if c < n_heads:
        slopes += geometric(2 * c)[0::2][: n_heads - c]
    return slopes
"""),
    ],
    ("02_positional_encoding", "interpolate_positions"): [
        ("ratio_inverted", 'pi_ratio_inverted', """
def interpolate_positions(positions, train_len, target_len):
    out_dtype = positions.dtype if positions.is_floating_point() else torch.float32
    return (positions.to(torch.float64) * target_len / train_len).to(out_dtype)
"""),
    ],
    ("02_positional_encoding", "ntk_scaled_base"): [
        ("exponent_d_over_d_minus_1", None, """
def ntk_scaled_base(base, d_head, scale):
    return float(base) * float(scale) ** (d_head / (d_head - 1))
"""),
    ],
    ("03_ffn_normalization", "layer_norm"): [
        ("no_eps", 'norm_no_eps', """
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = (x - mean).pow(2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var) * weight + bias
"""),
    ],
    ("03_ffn_normalization", "rms_norm"): [
        ("sum_of_squares", "rms_sum_not_mean", """
def rms_norm(x, weight, eps=1e-6):
    return x * torch.rsqrt(x.pow(2).sum(dim=-1, keepdim=True) + eps) * weight
"""),
    ],
    ("03_ffn_normalization", "gelu"): [
        ("erf_without_sqrt2", None, """
def gelu(x, approximate='none'):
    if approximate == 'tanh':
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1.0 + torch.erf(x / 2.0))
"""),
    ],
    ("04_training_optimization", "warmup_cosine_lr"): [
        ("warmup_off_by_one", 'lr_warmup_off_by_one', """
def warmup_cosine_lr(step, max_lr, warmup_steps, total_steps, min_lr=0.0):
    if step < warmup_steps:
        return float(max_lr * (step + 1) / warmup_steps)
    if step >= total_steps:
        return float(min_lr)
    t = (step - warmup_steps) / (total_steps - warmup_steps)
    return float(min_lr + (max_lr - min_lr) * (1 + math.cos(math.pi * t)) / 2)
"""),
    ],
    ("04_training_optimization", "scaled_init_std"): [
        ("forgets_sqrt", "init_formula", """
def scaled_init_std(d_model, n_layers, base_std=0.02):
    return base_std / (2 * n_layers)
"""),
    ],
    ("04_training_optimization", "clip_grad_norm"): [
        ("returns_norm_after_clipping", 'clip_returns_after', """
def clip_grad_norm(grads, max_norm):
    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coef.to(g.dtype))
    return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
"""),
    ],
    ("04_training_optimization", "sgd_step"): [
        ("returns_new_param", None, """
def sgd_step(param, grad, state, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    d = grad if weight_decay == 0 else grad + weight_decay * param
    if momentum != 0:
        buf = state.get("momentum_buffer")
        buf = d.clone() if buf is None else momentum * buf + d
        state["momentum_buffer"] = buf
        d = d + momentum * buf if nesterov else buf
    return param - lr * d
"""),
    ],
    ("04_training_optimization", "cross_entropy"): [
        ("sum_not_mean", None, """
def cross_entropy(logits, target, label_smoothing=0.0, ignore_index=-100):
    if logits.dim() == 1:
        logits, target = logits.unsqueeze(0), target.reshape(1)
    n_classes = logits.shape[1]
    logp = torch.log_softmax(logits, dim=1).movedim(1, -1).reshape(-1, n_classes)
    target = target.reshape(-1)
    keep = target != ignore_index
    logp, target = logp[keep], target[keep]
    nll = -logp.gather(1, target.unsqueeze(1)).squeeze(1)
    smooth = -logp.mean(dim=1)
    return ((1 - label_smoothing) * nll + label_smoothing * smooth).sum()
"""),
    ],
}


def evaluate(cases: dict, generic: bool = True) -> tuple[dict, list]:
    """({verdict: count}, [(assignment, grade_id, label, verdict, diagnosis)]): verdict "catalogue" (the
    catalogue's diagnosis of that mistake), "wrong" (another catalogue diagnosis), "generic", "none" (the tiers said
    nothing though the learner differs on the kept probes), "silent" (agrees with the reference on every kept
    probe: nothing to say) or "no probes"; ``generic=False``: the catalogue tier alone."""
    counts = {"catalogue": 0, "generic": 0, "wrong": 0, "none": 0, "silent": 0, "no probes": 0}
    rows = []
    for assignment in sorted({a for a, _ in cases}):
        calls, clean = diagnose_eval.record_probes(assignment)
        module = importlib.import_module(f"mutations.nb{assignment}")
        catalogue = diagnoses.load(assignment)
        for (a, gid), entries in cases.items():
            if a != assignment:
                continue
            probes = [p for n in diagnose.function_names(entries[0][-1]) for p in calls.get(n, [])]
            reference = diagnose.replay(clean, probes)
            keep = diagnose.stable(clean, probes, reference)
            probes, reference = [probes[i] for i in keep], [reference[i] for i in keep]
            variants = [(catalogue.variants[(g, n)], diagnose_eval._outcomes(clean, code, probes))
                        for g, n, code in module.WRONG if g == gid and (g, n) in catalogue.variants]
            variants = [(d, outs) for d, outs in variants if isinstance(outs, list)]
            for entry in entries:
                label, code = entry[0], entry[-1]
                learner = diagnose_eval._outcomes(clean, code, probes, diagnose_eval.LEARNER_SEED)
                if not probes or not isinstance(learner, list):
                    verdict, found = "no probes", None
                else:
                    idx = diagnose_eval.select(learner, reference, probes)
                    pick = lambda xs: [xs[i] for i in idx]  # noqa: E731
                    found = diagnose.choose(pick(learner), pick(reference), [(d, pick(o)) for d, o in variants])
                    verdict = "catalogue" if found else "none"
                    if not found and generic and gid not in catalogue.generic_off:
                        found = relations.relate(pick(learner), pick(reference), pick(probes))
                        verdict = "generic" if found else "silent" if all(
                            diagnose.same(x, r) for x, r in zip(pick(learner), pick(reference))) else "none"
                counts[verdict] += 1
                if verdict == "catalogue" and found != entry[1]:
                    verdict = "wrong"
                rows.append((assignment, gid, label, verdict, found))
    return counts, rows


def main() -> int:
    counts, rows = evaluate(UNSEEN)
    for row in rows:
        print(*row)
    print(counts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
