"""12_multimodal_federated_privacy: plausible wrong implementations the tests must catch, and correct variants they must accept."""

from mutations._patch import patch

ASSIGNMENT = "12_multimodal_federated_privacy"


def _projector(old, new=None):
    return patch(ASSIGNMENT, "vision_projector", old, new)


_GELU = "nn.GELU(),                   # exact (erf) GELU"

WRONG = [
    # clip_loss
    ("clip_loss", "no_normalisation", """
def clip_loss(image_emb, text_emb, temperature=0.07):
    logits = image_emb @ text_emb.T / temperature
    labels = torch.arange(logits.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
"""),
    ("clip_loss", "image_to_text_only", """
def clip_loss(image_emb, text_emb, temperature=0.07):
    logits = F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T / temperature
    return F.cross_entropy(logits, torch.arange(logits.shape[0]))
"""),
    ("clip_loss", "sum_of_directions", """
def clip_loss(image_emb, text_emb, temperature=0.07):
    logits = F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T / temperature
    labels = torch.arange(logits.shape[0])
    return F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)
"""),
    ("clip_loss", "times_temperature", """
def clip_loss(image_emb, text_emb, temperature=0.07):
    logits = F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T * temperature
    labels = torch.arange(logits.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
"""),
    ("clip_loss", "normalise_wrong_axis", """
def clip_loss(image_emb, text_emb, temperature=0.07):
    logits = F.normalize(image_emb, dim=0) @ F.normalize(text_emb, dim=0).T / temperature
    labels = torch.arange(logits.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
"""),
    ("clip_loss", "both_directions_on_rows", """
def clip_loss(image_emb, text_emb, temperature=0.07):
    logits = F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T / temperature
    labels = torch.arange(logits.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits, labels)) / 2
"""),
    ("clip_loss", "float32_cast", patch(ASSIGNMENT, "clip_loss", [
        ("F.normalize(image_emb, dim=-1)", "F.normalize(image_emb.float(), dim=-1)"),
        ("F.normalize(text_emb, dim=-1)", "F.normalize(text_emb.float(), dim=-1)")])),
    ("clip_loss", "in_place_normalisation", """
def clip_loss(image_emb, text_emb, temperature=0.07):
    with torch.no_grad():
        image_emb /= image_emb.norm(dim=-1, keepdim=True)
        text_emb /= text_emb.norm(dim=-1, keepdim=True)
    logits = image_emb @ text_emb.T / temperature
    labels = torch.arange(logits.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
"""),
    ("clip_loss", "detached_norms", patch(ASSIGNMENT, "clip_loss", [
        ("F.normalize(image_emb, dim=-1)", "image_emb / image_emb.norm(dim=-1, keepdim=True).detach()"),
        ("F.normalize(text_emb, dim=-1)", "text_emb / text_emb.norm(dim=-1, keepdim=True).detach()")])),
    ("clip_loss", "summed_cross_entropy", """
def clip_loss(image_emb, text_emb, temperature=0.07):
    logits = F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T / temperature
    labels = torch.arange(logits.shape[0])
    return (F.cross_entropy(logits, labels, reduction="sum") + F.cross_entropy(logits.T, labels, reduction="sum")) / 2
"""),
    # recall_at_k
    ("recall_at_k", "columns_as_queries", """
def recall_at_k(similarity, k):
    s = similarity.T
    n = s.shape[1]
    match = s[torch.arange(n), torch.arange(n)]
    rank = (s[:n] > match[:, None]).sum(1)
    return (rank < k).double().mean().item()
"""),
    ("recall_at_k", "off_by_one", """
def recall_at_k(similarity, k):
    n = similarity.shape[0]
    match = similarity[torch.arange(n), torch.arange(n)]
    rank = (similarity > match[:, None]).sum(1)
    return (rank <= k).double().mean().item()
"""),
    ("recall_at_k", "returns_tensor", """
def recall_at_k(similarity, k):
    n = similarity.shape[0]
    top = similarity.topk(k, dim=1).indices
    return (top == torch.arange(n)[:, None]).any(1).double().mean()
"""),
    ("recall_at_k", "smallest_scores", """
def recall_at_k(similarity, k):
    n = similarity.shape[0]
    top = similarity.topk(k, dim=1, largest=False).indices
    return (top == torch.arange(n)[:, None]).any(1).double().mean().item()
"""),
    ("recall_at_k", "precision_at_k", """
def recall_at_k(similarity, k):
    n = similarity.shape[0]
    top = similarity.topk(k, dim=1).indices
    return ((top == torch.arange(n)[:, None]).sum().item() / (n * k))
"""),
    ("recall_at_k", "topk_over_queries", """
def recall_at_k(similarity, k):
    n = similarity.shape[0]
    top = similarity.topk(k, dim=0).indices
    return (top[:, :n] == torch.arange(n)[None, :]).any(0).double().mean().item()
"""),
    ("recall_at_k", "divides_by_gallery_size", """
def recall_at_k(similarity, k):
    n = similarity.shape[0]
    hits = (similarity.argsort(dim=1, descending=True)[:, :k] == torch.arange(n)[:, None]).any(1)
    return hits.double().sum().item() / similarity.shape[1]
"""),
    # vision_projector
    ("vision_projector", "relu", _projector(_GELU, "nn.ReLU(),")),
    ("vision_projector", "gelu_tanh", _projector(_GELU, "nn.GELU(approximate='tanh'),")),
    ("vision_projector", "hidden_defaults_to_d_vision", _projector("h = hidden or d_model", "h = hidden or d_vision")),
    ("vision_projector", "twice_the_width", _projector("h = hidden or d_model", "h = hidden or 2 * d_model")),
    ("vision_projector", "single_linear_llava1", _projector([
        ("nn.Linear(d_vision, h),      # (..., N, d_vision) -> (..., N, h)", "nn.Linear(d_vision, d_model),"),
        ("            " + _GELU + "\n", ""),
        ("            nn.Linear(h, d_model),       # (..., N, h) -> (..., N, d_model)\n", "")])),
    ("vision_projector", "no_bias", _projector([("nn.Linear(d_vision, h)", "nn.Linear(d_vision, h, bias=False)"),
                                    ("nn.Linear(h, d_model)", "nn.Linear(h, d_model, bias=False)")])),
    ("vision_projector", "gelu_after_output", _projector("return self.proj(x)", "return F.gelu(self.proj(x))")),
    ("vision_projector", "flattens_batch_dims",
     _projector("return self.proj(x)", "return self.proj(x.reshape(-1, x.shape[-1]))")),
    ("vision_projector", "hidden_ignored", _projector("h = hidden or d_model", "h = d_model")),
    # fedavg
    ("fedavg", "unweighted_mean", """
def fedavg(client_states, client_sizes):
    return {k: sum(s[k] for s in client_states) / len(client_states) for k in client_states[0]}
"""),
    ("fedavg", "not_normalised", """
def fedavg(client_states, client_sizes):
    return {k: sum(n * s[k] for s, n in zip(client_states, client_sizes)) for k in client_states[0]}
"""),
    ("fedavg", "integer_weights", """
def fedavg(client_states, client_sizes):
    total = sum(client_sizes)
    return {k: sum((n // total) * s[k] for s, n in zip(client_states, client_sizes)) for k in client_states[0]}
"""),
    ("fedavg", "divides_by_clients_again", """
def fedavg(client_states, client_sizes):
    total = sum(client_sizes)
    K = len(client_states)
    return {k: sum(n / total * s[k] for s, n in zip(client_states, client_sizes)) / K * 1.0 for k in client_states[0]}
"""),
    ("fedavg", "accumulates_into_first_client", """
def fedavg(client_states, client_sizes):
    total = sum(client_sizes)
    out = client_states[0]
    for k in out:
        out[k].mul_(client_sizes[0] / total)
        for s, n in zip(client_states[1:], client_sizes[1:]):
            out[k].add_(s[k] * (n / total))
    return out
"""),
    ("fedavg", "float32_everything", """
def fedavg(client_states, client_sizes):
    total = float(sum(client_sizes))
    return {k: sum(n * s[k].float() for s, n in zip(client_states, client_sizes)) / total for k in client_states[0]}
"""),
    ("fedavg", "single_client_shortcut", """
def fedavg(client_states, client_sizes):
    if len(client_states) == 1:
        return dict(client_states[0])
    total = float(sum(client_sizes))
    return {k: (sum(n * s[k].double() for s, n in zip(client_states, client_sizes)) / total).to(s0.dtype)
            for k, s0 in client_states[0].items()}
"""),
    # laplace_mechanism
    ("laplace_mechanism", "scale_inverted", patch(ASSIGNMENT, "laplace_mechanism",
        "    b = sensitivity / epsilon\n", "    b = epsilon / sensitivity\n")),
    ("laplace_mechanism", "gaussian_std_b", """
def laplace_mechanism(value, sensitivity, epsilon, generator=None):
    value = torch.as_tensor(value)
    value = value if value.is_floating_point() else value.float()
    return value + (sensitivity / epsilon) * torch.randn(value.shape, generator=generator, dtype=value.dtype)
"""),
    ("laplace_mechanism", "gaussian_same_variance", """
def laplace_mechanism(value, sensitivity, epsilon, generator=None):
    value = torch.as_tensor(value)
    value = value if value.is_floating_point() else value.float()
    b = sensitivity / epsilon
    return value + math.sqrt(2) * b * torch.randn(value.shape, generator=generator, dtype=value.dtype)
"""),
    ("laplace_mechanism", "one_sided_exponential", """
def laplace_mechanism(value, sensitivity, epsilon, generator=None):
    value = torch.as_tensor(value)
    value = value if value.is_floating_point() else value.float()
    b = sensitivity / epsilon
    return value + b * torch.empty(value.shape, dtype=value.dtype).exponential_(generator=generator)
"""),
    ("laplace_mechanism", "ignores_generator", """
def laplace_mechanism(value, sensitivity, epsilon, generator=None):
    value = torch.as_tensor(value)
    value = value if value.is_floating_point() else value.float()
    noise = torch.distributions.Laplace(0.0, sensitivity / epsilon).sample(value.shape)
    return value + noise.to(value.dtype)
"""),
    ("laplace_mechanism", "one_draw_for_all_entries", """
def laplace_mechanism(value, sensitivity, epsilon, generator=None):
    value = torch.as_tensor(value)
    value = value if value.is_floating_point() else value.float()
    b = sensitivity / epsilon
    e = torch.empty(2, dtype=value.dtype).exponential_(generator=generator)
    return value + b * (e[0] - e[1])
"""),
    ("laplace_mechanism", "returns_python_float_for_numbers", """
def laplace_mechanism(value, sensitivity, epsilon, generator=None):
    t = torch.as_tensor(value)
    t = t if t.is_floating_point() else t.float()
    b = sensitivity / epsilon
    e1 = torch.empty(t.shape, dtype=t.dtype).exponential_(generator=generator)
    e2 = torch.empty(t.shape, dtype=t.dtype).exponential_(generator=generator)
    out = t + b * (e1 - e2)
    return out.item() if not torch.is_tensor(value) else out
"""),
    ("laplace_mechanism", "variance_scale", patch(ASSIGNMENT, "laplace_mechanism",
        "    b = sensitivity / epsilon\n", "    b = sensitivity / epsilon / math.sqrt(2)\n")),
    # dp_sgd_step
    ("dp_sgd_step", "no_divide_by_batch", """
def dp_sgd_step(per_sample_grads, clip_norm, noise_multiplier, generator=None):
    B = per_sample_grads.shape[0]
    norms = per_sample_grads.reshape(B, -1).norm(dim=1)
    factor = (clip_norm / norms).clamp(max=1.0).view(B, *([1] * (per_sample_grads.dim() - 1)))
    s = (per_sample_grads * factor).sum(0)
    return s + noise_multiplier * clip_norm * torch.randn(s.shape, generator=generator, dtype=s.dtype)
"""),
    ("dp_sgd_step", "always_scale_to_C", """
def dp_sgd_step(per_sample_grads, clip_norm, noise_multiplier, generator=None):
    B = per_sample_grads.shape[0]
    norms = per_sample_grads.reshape(B, -1).norm(dim=1)
    factor = (clip_norm / norms).view(B, *([1] * (per_sample_grads.dim() - 1)))
    s = (per_sample_grads * factor).sum(0)
    return (s + noise_multiplier * clip_norm * torch.randn(s.shape, generator=generator, dtype=s.dtype)) / B
"""),
    ("dp_sgd_step", "clips_the_batch_mean", """
def dp_sgd_step(per_sample_grads, clip_norm, noise_multiplier, generator=None):
    B = per_sample_grads.shape[0]
    m = per_sample_grads.mean(0)
    m = m * min(1.0, clip_norm / m.norm().item())
    return m + noise_multiplier * clip_norm / B * torch.randn(m.shape, generator=generator, dtype=m.dtype)
"""),
    ("dp_sgd_step", "norm_over_last_dim", """
def dp_sgd_step(per_sample_grads, clip_norm, noise_multiplier, generator=None):
    B = per_sample_grads.shape[0]
    norms = per_sample_grads.norm(dim=-1, keepdim=True)
    s = (per_sample_grads * (clip_norm / norms).clamp(max=1.0)).sum(0)
    return (s + noise_multiplier * clip_norm * torch.randn(s.shape, generator=generator, dtype=s.dtype)) / B
"""),
    ("dp_sgd_step", "noise_not_divided_by_batch", """
def dp_sgd_step(per_sample_grads, clip_norm, noise_multiplier, generator=None):
    B = per_sample_grads.shape[0]
    norms = per_sample_grads.reshape(B, -1).norm(dim=1)
    factor = (clip_norm / norms).clamp(max=1.0).view(B, *([1] * (per_sample_grads.dim() - 1)))
    m = (per_sample_grads * factor).sum(0) / B
    return m + noise_multiplier * clip_norm * torch.randn(m.shape, generator=generator, dtype=m.dtype)
"""),
    ("dp_sgd_step", "noise_without_clip_norm", """
def dp_sgd_step(per_sample_grads, clip_norm, noise_multiplier, generator=None):
    B = per_sample_grads.shape[0]
    norms = per_sample_grads.reshape(B, -1).norm(dim=1)
    factor = (clip_norm / norms).clamp(max=1.0).view(B, *([1] * (per_sample_grads.dim() - 1)))
    s = (per_sample_grads * factor).sum(0)
    return (s + noise_multiplier * torch.randn(s.shape, generator=generator, dtype=s.dtype)) / B
"""),
    ("dp_sgd_step", "noise_per_example", """
def dp_sgd_step(per_sample_grads, clip_norm, noise_multiplier, generator=None):
    B = per_sample_grads.shape[0]
    norms = per_sample_grads.reshape(B, -1).norm(dim=1)
    factor = (clip_norm / norms).clamp(max=1.0).view(B, *([1] * (per_sample_grads.dim() - 1)))
    noisy = per_sample_grads * factor + noise_multiplier * clip_norm * torch.randn(
        per_sample_grads.shape, generator=generator, dtype=per_sample_grads.dtype)
    return noisy.sum(0) / B
"""),
    ("dp_sgd_step", "one_noise_scalar", """
def dp_sgd_step(per_sample_grads, clip_norm, noise_multiplier, generator=None):
    B = per_sample_grads.shape[0]
    norms = per_sample_grads.reshape(B, -1).norm(dim=1)
    factor = (clip_norm / norms).clamp(max=1.0).view(B, *([1] * (per_sample_grads.dim() - 1)))
    s = (per_sample_grads * factor).sum(0)
    return (s + noise_multiplier * clip_norm * torch.randn(1, generator=generator, dtype=s.dtype)) / B
"""),
    ("dp_sgd_step", "ignores_generator", """
def dp_sgd_step(per_sample_grads, clip_norm, noise_multiplier, generator=None):
    B = per_sample_grads.shape[0]
    norms = per_sample_grads.reshape(B, -1).norm(dim=1)
    factor = (clip_norm / norms).clamp(max=1.0).view(B, *([1] * (per_sample_grads.dim() - 1)))
    s = (per_sample_grads * factor).sum(0)
    return (s + noise_multiplier * clip_norm * torch.randn(s.shape, dtype=s.dtype)) / B
"""),
    ("dp_sgd_step", "clips_in_place", """
def dp_sgd_step(per_sample_grads, clip_norm, noise_multiplier, generator=None):
    B = per_sample_grads.shape[0]
    norms = per_sample_grads.reshape(B, -1).norm(dim=1)
    factor = (clip_norm / norms).clamp(max=1.0).view(B, *([1] * (per_sample_grads.dim() - 1)))
    s = per_sample_grads.mul_(factor).sum(0)
    return (s + noise_multiplier * clip_norm * torch.randn(s.shape, generator=generator, dtype=s.dtype)) / B
"""),
    ("dp_sgd_step", "nan_on_zero_gradient", """
def dp_sgd_step(per_sample_grads, clip_norm, noise_multiplier, generator=None):
    B = per_sample_grads.shape[0]
    norms = per_sample_grads.reshape(B, -1).norm(dim=1).view(B, *([1] * (per_sample_grads.dim() - 1)))
    unit = per_sample_grads / norms
    clipped = unit * torch.clamp(norms, max=clip_norm)
    s = clipped.sum(0)
    return (s + noise_multiplier * clip_norm * torch.randn(s.shape, generator=generator, dtype=s.dtype)) / B
"""),
]

RIGHT = [
    # clip_loss
    ("clip_loss", "manual_log_softmax_float64", """
def clip_loss(image_emb, text_emb, temperature=0.07):
    img = image_emb.double() / image_emb.double().norm(dim=1, keepdim=True)
    txt = text_emb.double() / text_emb.double().norm(dim=1, keepdim=True)
    logits = torch.einsum("ie,je->ij", img, txt) / temperature
    i2t = -torch.log_softmax(logits, dim=1).diagonal().mean()
    t2i = -torch.log_softmax(logits, dim=0).diagonal().mean()
    return ((i2t + t2i) / 2).to(image_emb.dtype)
"""),
    ("clip_loss", "cosine_similarity_matrix", """
def clip_loss(image_emb, text_emb, temperature=0.07):
    sim = F.cosine_similarity(image_emb[:, None, :], text_emb[None, :, :], dim=-1)
    logits = sim / temperature
    labels = torch.arange(len(logits))
    return 0.5 * F.cross_entropy(logits, labels) + 0.5 * F.cross_entropy(logits.t(), labels)
"""),
    # recall_at_k
    ("recall_at_k", "topk_indices", """
def recall_at_k(similarity, k):
    n = similarity.shape[0]
    top = similarity.topk(k, dim=1).indices
    return float((top == torch.arange(n)[:, None]).any(dim=1).float().mean())
"""),
    ("recall_at_k", "python_loop", """
def recall_at_k(similarity, k):
    hits = 0
    for i in range(similarity.shape[0]):
        order = torch.argsort(similarity[i], descending=True)
        hits += int(i in order[:k].tolist())
    return hits / similarity.shape[0]
"""),
    # vision_projector
    ("vision_projector", "explicit_layers", _projector([
        ("h = hidden or d_model", "h = hidden if hidden is not None else d_model"),
        (_GELU, "nn.GELU(approximate='none'),"),
        ("        return self.proj(x)\n", "        for layer in self.proj:\n            x = layer(x)\n        return x\n")])),
    # fedavg
    ("fedavg", "stacked_weights_in_own_dtype", """
def fedavg(client_states, client_sizes):
    out = {}
    for name, ref in client_states[0].items():
        stacked = torch.stack([s[name] for s in client_states])
        w = torch.tensor(client_sizes, dtype=ref.dtype)
        w = (w / w.sum()).view(-1, *([1] * ref.dim()))
        out[name] = (w * stacked).sum(0)
    return out
"""),
    ("fedavg", "running_sum_loop", """
def fedavg(client_states, client_sizes):
    total = sum(client_sizes)
    out = {name: torch.zeros_like(t) for name, t in client_states[0].items()}
    for state, n in zip(client_states, client_sizes):
        for name in out:
            out[name] += state[name] * (n / total)
    return out
"""),
    # laplace_mechanism
    ("laplace_mechanism", "inverse_cdf", """
def laplace_mechanism(value, sensitivity, epsilon, generator=None):
    value = torch.as_tensor(value)
    if not value.is_floating_point():
        value = value.float()
    u = torch.rand(value.shape, generator=generator, dtype=torch.float64) - 0.5        # [-0.5, 0.5)
    noise = -(sensitivity / epsilon) * torch.sign(u) * torch.log1p(-2 * u.abs()).clamp_min(-700)
    return value + noise.to(value.dtype)
"""),
    ("laplace_mechanism", "random_sign_times_exponential", """
def laplace_mechanism(value, sensitivity, epsilon, generator=None):
    value = torch.as_tensor(value)
    if not value.is_floating_point():
        value = value.to(torch.get_default_dtype())
    mag = torch.empty(value.shape, dtype=value.dtype).exponential_(1 / (sensitivity / epsilon), generator=generator)
    sign = torch.randint(0, 2, value.shape, generator=generator).to(value.dtype) * 2 - 1
    return value + sign * mag
"""),
    # dp_sgd_step
    ("dp_sgd_step", "opacus_style_eps", """
def dp_sgd_step(per_sample_grads, clip_norm, noise_multiplier, generator=None):
    B = per_sample_grads.shape[0]
    norms = per_sample_grads.flatten(1).norm(2, dim=1)
    factor = (clip_norm / (norms + 1e-6)).clamp(max=1.0)
    summed = torch.einsum("b,b...->...", factor, per_sample_grads)
    noise = torch.normal(0.0, noise_multiplier * clip_norm, size=summed.shape, generator=generator, dtype=summed.dtype)
    return (summed + noise) / B
"""),
    ("dp_sgd_step", "loop_over_examples", """
def dp_sgd_step(per_sample_grads, clip_norm, noise_multiplier, generator=None):
    B = per_sample_grads.shape[0]
    total = torch.zeros_like(per_sample_grads[0])
    for g in per_sample_grads:
        n = g.norm().item()
        total = total + g * (min(1.0, clip_norm / n) if n > 0 else 1.0)
    noise = torch.randn(total.shape, generator=generator, dtype=total.dtype)
    return (total + noise_multiplier * clip_norm * noise) / B
"""),
]


# Further variants from a probe of the hidden tests' freedom and plausible mistakes.
WRONG += [
    ("clip_loss", "temperature_only_image_side", """
def clip_loss(image_emb, text_emb, temperature=0.07):
    i = F.normalize(image_emb, dim=-1); t = F.normalize(text_emb, dim=-1)
    labels = torch.arange(len(i))
    return 0.5 * (F.cross_entropy(i @ t.T / temperature, labels) + F.cross_entropy(t @ i.T, labels))
"""),
    ("clip_loss", "bce_on_diagonal", """
def clip_loss(image_emb, text_emb, temperature=0.07):
    i = F.normalize(image_emb, dim=-1); t = F.normalize(text_emb, dim=-1)
    logits = i @ t.T / temperature
    return F.binary_cross_entropy_with_logits(logits, torch.eye(len(i)))
"""),
    ("dp_sgd_step", "noise_variance_not_std", patch(ASSIGNMENT, "dp_sgd_step",
        "* (noise_multiplier * clip_norm)", "* (noise_multiplier * clip_norm) ** 2")),
]
RIGHT += [
    ("clip_loss", "logit_scale_and_text_logits", """
def clip_loss(image_emb, text_emb, temperature=0.07):
    i = image_emb / image_emb.norm(dim=1, keepdim=True)
    t = text_emb / text_emb.norm(dim=1, keepdim=True)
    logit_scale = 1.0 / temperature
    logits_per_image = logit_scale * i @ t.t()
    logits_per_text = logit_scale * t @ i.t()
    labels = torch.arange(len(i))
    return 0.5 * (F.cross_entropy(logits_per_image, labels) + F.cross_entropy(logits_per_text, labels))
"""),
    ("recall_at_k", "argsort_position", """
def recall_at_k(similarity, k):
    order = similarity.argsort(dim=1, descending=True)[:, :k]
    n = similarity.shape[0]
    hits = sum(1 for i in range(n) if i in order[i].tolist())
    return hits / n
"""),
    ("fedavg", "normalised_weights_first", """
def fedavg(client_states, client_sizes):
    total = sum(client_sizes)
    w = [n / total for n in client_sizes]
    return {k: sum(wi * s[k] for wi, s in zip(w, client_states)).to(client_states[0][k].dtype) for k in client_states[0]}
"""),
    ("dp_sgd_step", "clip_with_max_norm_C", """
def dp_sgd_step(per_sample_grads, clip_norm, noise_multiplier, generator=None):
    B = per_sample_grads.shape[0]
    flat = per_sample_grads.reshape(B, -1).double()
    norms = flat.norm(dim=1, keepdim=True)
    clipped = flat / torch.clamp(norms / clip_norm, min=1.0)
    total = clipped.sum(0)
    noise = torch.normal(0.0, float(noise_multiplier * clip_norm), size=total.shape, generator=generator, dtype=torch.float64)
    return ((total + noise) / B).reshape(per_sample_grads.shape[1:]).to(per_sample_grads.dtype)
"""),
    ("laplace_mechanism", "uniform_inverse_cdf_log1p", """
def laplace_mechanism(value, sensitivity, epsilon, generator=None):
    v = torch.as_tensor(value, dtype=torch.get_default_dtype()) if not torch.is_tensor(value) or not value.is_floating_point() else value
    u = torch.rand(v.shape, generator=generator, dtype=v.dtype) - 0.5
    b = sensitivity / epsilon
    return v - b * torch.sign(u) * torch.log1p(-2 * u.abs())
"""),
]
