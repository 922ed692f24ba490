"""13_ml_applications: plausible wrong implementations the tests must catch, and correct variants they must accept."""

ASSIGNMENT = "13_ml_applications"

WRONG = [
    # discounted_returns
    ("discounted_returns", "forward_cumsum", """
def discounted_returns(rewards, gamma, dones=None):
    out = torch.empty_like(rewards)
    running = torch.zeros_like(rewards[0])
    for t in range(rewards.shape[0]):
        keep = 1.0 if dones is None else (~dones[t]).to(rewards.dtype)
        running = rewards[t] + gamma * keep * running
        out[t] = running
    return out
"""),
    ("discounted_returns", "done_applied_one_step_late", """
def discounted_returns(rewards, gamma, dones=None):
    out = torch.empty_like(rewards)
    running = torch.zeros_like(rewards[0])
    for t in reversed(range(rewards.shape[0])):
        if dones is not None and t + 1 < rewards.shape[0]:
            running = running * (~dones[t + 1]).to(rewards.dtype)
        running = rewards[t] + gamma * running
        out[t] = running
    return out
"""),
    ("discounted_returns", "ignores_dones", """
def discounted_returns(rewards, gamma, dones=None):
    out = torch.empty_like(rewards)
    running = torch.zeros_like(rewards[0])
    for t in reversed(range(rewards.shape[0])):
        running = rewards[t] + gamma * running
        out[t] = running
    return out
"""),
    ("discounted_returns", "discounts_current_reward", """
def discounted_returns(rewards, gamma, dones=None):
    out = torch.empty_like(rewards)
    running = torch.zeros_like(rewards[0])
    for t in reversed(range(rewards.shape[0])):
        keep = 1.0 if dones is None else (~dones[t]).to(rewards.dtype)
        running = gamma * (rewards[t] + keep * running)
        out[t] = running
    return out
"""),
    ("discounted_returns", "discount_from_episode_start", """
def discounted_returns(rewards, gamma, dones=None):
    t_idx = torch.arange(rewards.shape[0], dtype=rewards.dtype)
    w = (gamma ** t_idx).reshape(-1, *([1] * (rewards.dim() - 1)))
    return (w * rewards).flip(0).cumsum(0).flip(0)
"""),
    ("discounted_returns", "dones_zero_the_reward", """
def discounted_returns(rewards, gamma, dones=None):
    out = torch.empty_like(rewards)
    running = torch.zeros_like(rewards[0])
    for t in reversed(range(rewards.shape[0])):
        keep = 1.0 if dones is None else (~dones[t]).to(rewards.dtype)
        running = keep * rewards[t] + gamma * running
        out[t] = running
    return out
"""),
    ("discounted_returns", "float32_always", """
def discounted_returns(rewards, gamma, dones=None):
    r = rewards.float()
    out = torch.empty_like(r)
    running = torch.zeros_like(r[0])
    for t in reversed(range(r.shape[0])):
        keep = 1.0 if dones is None else (~dones[t]).float()
        running = r[t] + gamma * keep * running
        out[t] = running
    return out
"""),
    # reinforce_loss
    ("reinforce_loss", "no_minus_sign", """
def reinforce_loss(logits, actions, returns, baseline=None):
    logp = F.log_softmax(logits, -1).gather(-1, actions[:, None]).squeeze(-1)
    b = 0.0 if baseline is None else (baseline.detach() if torch.is_tensor(baseline) else baseline)
    adv = returns.detach() - b
    return (logp * adv).mean()
"""),
    ("reinforce_loss", "probabilities_not_log", """
def reinforce_loss(logits, actions, returns, baseline=None):
    p = torch.softmax(logits, -1).gather(-1, actions[:, None]).squeeze(-1)
    b = 0.0 if baseline is None else (baseline.detach() if torch.is_tensor(baseline) else baseline)
    adv = returns.detach() - b
    return -(p * adv).mean()
"""),
    ("reinforce_loss", "baseline_added", """
def reinforce_loss(logits, actions, returns, baseline=None):
    logp = F.log_softmax(logits, -1).gather(-1, actions[:, None]).squeeze(-1)
    b = 0.0 if baseline is None else (baseline.detach() if torch.is_tensor(baseline) else baseline)
    adv = returns.detach() + b
    return -(logp * adv).mean()
"""),
    ("reinforce_loss", "not_detached", """
def reinforce_loss(logits, actions, returns, baseline=None):
    logp = F.log_softmax(logits, -1).gather(-1, actions[:, None]).squeeze(-1)
    adv = returns - (0.0 if baseline is None else baseline)
    return -(logp * adv).mean()
"""),
    ("reinforce_loss", "sum_not_mean", """
def reinforce_loss(logits, actions, returns, baseline=None):
    logp = F.log_softmax(logits, -1).gather(-1, actions[:, None]).squeeze(-1)
    b = 0.0 if baseline is None else (baseline.detach() if torch.is_tensor(baseline) else baseline)
    adv = returns.detach() - b
    return -(logp * adv).sum()
"""),
    ("reinforce_loss", "normalised_advantages", """
def reinforce_loss(logits, actions, returns, baseline=None):
    logp = F.log_softmax(logits, -1).gather(-1, actions[:, None]).squeeze(-1)
    b = 0.0 if baseline is None else (baseline.detach() if torch.is_tensor(baseline) else baseline)
    adv = returns.detach() - b
    adv = (adv - adv.mean()) / (adv.std() + 1e-8)
    return -(logp * adv).mean()
"""),
    ("reinforce_loss", "raw_logits_as_log_probs", """
def reinforce_loss(logits, actions, returns, baseline=None):
    logp = logits.gather(-1, actions[:, None]).squeeze(-1)
    b = 0.0 if baseline is None else (baseline.detach() if torch.is_tensor(baseline) else baseline)
    adv = returns.detach() - b
    return -(logp * adv).mean()
"""),
    # potential_shaping
    ("potential_shaping", "sign_flipped", """
def potential_shaping(rewards, phi, phi_next, gamma, dones=None):
    keep = 1.0 if dones is None else (~dones).to(rewards.dtype)
    return rewards + phi - gamma * phi_next * keep
"""),
    ("potential_shaping", "no_gamma", """
def potential_shaping(rewards, phi, phi_next, gamma, dones=None):
    keep = 1.0 if dones is None else (~dones).to(rewards.dtype)
    return rewards + phi_next * keep - phi
"""),
    ("potential_shaping", "ignores_dones", """
def potential_shaping(rewards, phi, phi_next, gamma, dones=None):
    return rewards + gamma * phi_next - phi
"""),
    ("potential_shaping", "no_shaping_at_terminal", """
def potential_shaping(rewards, phi, phi_next, gamma, dones=None):
    shaped = rewards + gamma * phi_next - phi
    return shaped if dones is None else torch.where(dones, rewards, shaped)
"""),
    ("potential_shaping", "gamma_on_both", """
def potential_shaping(rewards, phi, phi_next, gamma, dones=None):
    keep = 1.0 if dones is None else (~dones).to(rewards.dtype)
    return rewards + gamma * (phi_next * keep - phi)
"""),
    ("potential_shaping", "closer_bonus", """
def potential_shaping(rewards, phi, phi_next, gamma, dones=None):
    keep = 1.0 if dones is None else (~dones).to(rewards.dtype)
    return rewards + (gamma * phi_next * keep > phi).to(rewards.dtype)
"""),
    # gcn_conv
    ("gcn_conv", "no_self_loops", """
def gcn_conv(x, edge_index, weight, bias=None):
    n = x.shape[0]
    a = torch.zeros(n, n, dtype=x.dtype)
    a.index_put_((edge_index[1], edge_index[0]), torch.ones(edge_index.shape[1], dtype=x.dtype), accumulate=True)
    d = a.sum(1).clamp_min(1).rsqrt()
    out = (d[:, None] * a * d[None, :]) @ x @ weight.T
    return out if bias is None else out + bias
"""),
    ("gcn_conv", "source_target_swapped", """
def gcn_conv(x, edge_index, weight, bias=None):
    n = x.shape[0]
    a = torch.eye(n, dtype=x.dtype)
    a.index_put_((edge_index[0], edge_index[1]), torch.ones(edge_index.shape[1], dtype=x.dtype), accumulate=True)
    d = a.sum(1).rsqrt()
    out = (d[:, None] * a * d[None, :]) @ x @ weight.T
    return out if bias is None else out + bias
"""),
    ("gcn_conv", "row_normalised", """
def gcn_conv(x, edge_index, weight, bias=None):
    n = x.shape[0]
    a = torch.eye(n, dtype=x.dtype)
    a.index_put_((edge_index[1], edge_index[0]), torch.ones(edge_index.shape[1], dtype=x.dtype), accumulate=True)
    out = (a / a.sum(1, keepdim=True)) @ x @ weight.T
    return out if bias is None else out + bias
"""),
    ("gcn_conv", "duplicates_collapsed", """
def gcn_conv(x, edge_index, weight, bias=None):
    n = x.shape[0]
    a = torch.eye(n, dtype=x.dtype)
    a[edge_index[1], edge_index[0]] = 1.0
    d = a.sum(1).rsqrt()
    out = (d[:, None] * a * d[None, :]) @ x @ weight.T
    return out if bias is None else out + bias
"""),
    ("gcn_conv", "out_degree", """
def gcn_conv(x, edge_index, weight, bias=None):
    n = x.shape[0]
    a = torch.eye(n, dtype=x.dtype)
    a.index_put_((edge_index[1], edge_index[0]), torch.ones(edge_index.shape[1], dtype=x.dtype), accumulate=True)
    d = a.sum(0).rsqrt()
    out = (d[:, None] * a * d[None, :]) @ x @ weight.T
    return out if bias is None else out + bias
"""),
    ("gcn_conv", "bias_before_aggregation", """
def gcn_conv(x, edge_index, weight, bias=None):
    n = x.shape[0]
    a = torch.eye(n, dtype=x.dtype)
    a.index_put_((edge_index[1], edge_index[0]), torch.ones(edge_index.shape[1], dtype=x.dtype), accumulate=True)
    d = a.sum(1).rsqrt()
    h = x @ weight.T if bias is None else x @ weight.T + bias
    return (d[:, None] * a * d[None, :]) @ h
"""),
    ("gcn_conv", "symmetrised", """
def gcn_conv(x, edge_index, weight, bias=None):
    n = x.shape[0]
    a = torch.zeros(n, n, dtype=x.dtype)
    a.index_put_((edge_index[1], edge_index[0]), torch.ones(edge_index.shape[1], dtype=x.dtype), accumulate=True)
    a = ((a + a.T) > 0).to(x.dtype) + torch.eye(n, dtype=x.dtype)
    d = a.sum(1).rsqrt()
    out = (d[:, None] * a * d[None, :]) @ x @ weight.T
    return out if bias is None else out + bias
"""),
    ("gcn_conv", "nodes_from_edge_index", """
def gcn_conv(x, edge_index, weight, bias=None):
    n = int(edge_index.max()) + 1 if edge_index.numel() else x.shape[0]
    a = torch.eye(x.shape[0], dtype=x.dtype)
    a.index_put_((edge_index[1], edge_index[0]), torch.ones(edge_index.shape[1], dtype=x.dtype), accumulate=True)
    a[n:, :] = 0.0
    d = a.sum(1).clamp_min(1e-12).rsqrt()
    out = (d[:, None] * a * d[None, :]) @ x @ weight.T
    return out if bias is None else out + bias
"""),
    # als_update
    ("als_update", "zero_filled", """
def als_update(ratings, mask, fixed, lam):
    r = torch.where(mask, ratings, torch.zeros_like(ratings)).double()
    v = fixed.double()
    a = v.T @ v + lam * torch.eye(v.shape[1], dtype=torch.float64)
    return torch.linalg.solve(a, (r @ v).T).T.to(ratings.dtype)
"""),
    ("als_update", "als_wr_lambda", """
def als_update(ratings, mask, fixed, lam):
    w = mask.double()
    v = fixed.double()
    r = torch.where(mask, ratings, torch.zeros_like(ratings)).double()
    n_obs = w.sum(1).clamp_min(1)
    eye = torch.eye(v.shape[1], dtype=torch.float64)
    gram = torch.einsum("ij,jk,jl->ikl", w, v, v) + (lam * n_obs)[:, None, None] * eye
    return torch.linalg.solve(gram, ((w * r) @ v)[..., None]).squeeze(-1).to(ratings.dtype)
"""),
    ("als_update", "unobserved_values_used", """
def als_update(ratings, mask, fixed, lam):
    w = mask.double()
    v = fixed.double()
    gram = torch.einsum("ij,jk,jl->ikl", w, v, v) + lam * torch.eye(v.shape[1], dtype=torch.float64)
    return torch.linalg.solve(gram, (ratings.double() @ v)[..., None]).squeeze(-1).to(ratings.dtype)
"""),
    ("als_update", "no_regulariser", """
def als_update(ratings, mask, fixed, lam):
    w = mask.double()
    v = fixed.double()
    r = torch.where(mask, ratings, torch.zeros_like(ratings)).double()
    gram = torch.einsum("ij,jk,jl->ikl", w, v, v) + 1e-9 * torch.eye(v.shape[1], dtype=torch.float64)
    return torch.linalg.solve(gram, ((w * r) @ v)[..., None]).squeeze(-1).to(ratings.dtype)
"""),
    ("als_update", "lambda_halved", """
def als_update(ratings, mask, fixed, lam):
    w = mask.double()
    v = fixed.double()
    r = torch.where(mask, ratings, torch.zeros_like(ratings)).double()
    gram = torch.einsum("ij,jk,jl->ikl", w, v, v) + 0.5 * lam * torch.eye(v.shape[1], dtype=torch.float64)
    return torch.linalg.solve(gram, ((w * r) @ v)[..., None]).squeeze(-1).to(ratings.dtype)
"""),
    ("als_update", "returns_float64", """
def als_update(ratings, mask, fixed, lam):
    w = mask.double()
    v = fixed.double()
    r = torch.where(mask, ratings, torch.zeros_like(ratings)).double()
    gram = torch.einsum("ij,jk,jl->ikl", w, v, v) + lam * torch.eye(v.shape[1], dtype=torch.float64)
    return torch.linalg.solve(gram, ((w * r) @ v)[..., None]).squeeze(-1)
"""),
    ("als_update", "zeroes_ratings_in_place", """
def als_update(ratings, mask, fixed, lam):
    ratings[~mask] = 0
    w = mask.to(ratings.dtype)
    gram = torch.einsum("ij,jk,jl->ikl", w, fixed, fixed) + lam * torch.eye(fixed.shape[1], dtype=ratings.dtype)
    return torch.linalg.solve(gram, (ratings @ fixed)[..., None]).squeeze(-1)
"""),
    # masked_rmse
    ("masked_rmse", "returns_tensor", """
def masked_rmse(pred, target, mask):
    return ((pred - target)[mask] ** 2).mean().sqrt()
"""),
    ("masked_rmse", "mse_no_root", """
def masked_rmse(pred, target, mask):
    return ((pred - target)[mask] ** 2).mean().item()
"""),
    ("masked_rmse", "mean_over_all_entries", """
def masked_rmse(pred, target, mask):
    return math.sqrt((((pred - target) * mask) ** 2).mean().item())
"""),
    ("masked_rmse", "root_of_sum", """
def masked_rmse(pred, target, mask):
    return math.sqrt(((pred - target)[mask] ** 2).sum().item())
"""),
    ("masked_rmse", "mean_absolute_error", """
def masked_rmse(pred, target, mask):
    return (pred - target)[mask].abs().mean().item()
"""),
    ("masked_rmse", "ignores_mask", """
def masked_rmse(pred, target, mask):
    return math.sqrt(((pred - target) ** 2).mean().item())
"""),
    # uncertainty_weighted_loss
    ("uncertainty_weighted_loss", "kendall_half", """
def uncertainty_weighted_loss(losses, log_vars):
    return (0.5 * torch.exp(-log_vars) * losses + 0.5 * log_vars).sum()
"""),
    ("uncertainty_weighted_loss", "no_regulariser", """
def uncertainty_weighted_loss(losses, log_vars):
    return (torch.exp(-log_vars) * losses).sum()
"""),
    ("uncertainty_weighted_loss", "mean_over_tasks", """
def uncertainty_weighted_loss(losses, log_vars):
    return (torch.exp(-log_vars) * losses + log_vars).mean()
"""),
    ("uncertainty_weighted_loss", "log_sigma_parametrisation", """
def uncertainty_weighted_loss(losses, log_vars):
    return (torch.exp(-2 * log_vars) * losses + log_vars).sum()
"""),
    ("uncertainty_weighted_loss", "detached_log_vars", """
def uncertainty_weighted_loss(losses, log_vars):
    s = log_vars.detach()
    return (torch.exp(-s) * losses + s).sum()
"""),
    ("uncertainty_weighted_loss", "softplus_regulariser", """
def uncertainty_weighted_loss(losses, log_vars):
    return (torch.exp(-log_vars) * losses + F.softplus(log_vars)).sum()
"""),
    # MMoE
    ("mmoe", "softmax_over_batch", """
class MMoE(nn.Module):
    def __init__(self, d_in, d_expert, n_experts, n_tasks, d_out=1):
        super().__init__()
        self.experts = nn.ModuleList(nn.Sequential(nn.Linear(d_in, d_expert), nn.ReLU()) for _ in range(n_experts))
        self.gates = nn.ModuleList(nn.Linear(d_in, n_experts, bias=False) for _ in range(n_tasks))
        self.towers = nn.ModuleList(nn.Linear(d_expert, d_out) for _ in range(n_tasks))

    def forward(self, x):
        e = torch.stack([m(x) for m in self.experts], 1)
        return [t((torch.softmax(g(x), 0)[:, :, None] * e).sum(1)) for g, t in zip(self.gates, self.towers)]
"""),
    ("mmoe", "one_shared_gate", """
class MMoE(nn.Module):
    def __init__(self, d_in, d_expert, n_experts, n_tasks, d_out=1):
        super().__init__()
        self.experts = nn.ModuleList(nn.Sequential(nn.Linear(d_in, d_expert), nn.ReLU()) for _ in range(n_experts))
        self.gates = nn.ModuleList(nn.Linear(d_in, n_experts, bias=False) for _ in range(n_tasks))
        self.towers = nn.ModuleList(nn.Linear(d_expert, d_out) for _ in range(n_tasks))

    def forward(self, x):
        e = torch.stack([m(x) for m in self.experts], 1)
        w = torch.softmax(self.gates[0](x), -1)
        return [t((w[:, :, None] * e).sum(1)) for t in self.towers]
"""),
    ("mmoe", "gates_with_bias", """
class MMoE(nn.Module):
    def __init__(self, d_in, d_expert, n_experts, n_tasks, d_out=1):
        super().__init__()
        self.experts = nn.ModuleList(nn.Sequential(nn.Linear(d_in, d_expert), nn.ReLU()) for _ in range(n_experts))
        self.gates = nn.ModuleList(nn.Linear(d_in, n_experts) for _ in range(n_tasks))
        self.towers = nn.ModuleList(nn.Linear(d_expert, d_out) for _ in range(n_tasks))

    def forward(self, x):
        e = torch.stack([m(x) for m in self.experts], 1)
        return [t((torch.softmax(g(x), -1)[:, :, None] * e).sum(1)) for g, t in zip(self.gates, self.towers)]
"""),
    ("mmoe", "mix_before_relu", """
class MMoE(nn.Module):
    def __init__(self, d_in, d_expert, n_experts, n_tasks, d_out=1):
        super().__init__()
        self.experts = nn.ModuleList(nn.Sequential(nn.Linear(d_in, d_expert), nn.ReLU()) for _ in range(n_experts))
        self.gates = nn.ModuleList(nn.Linear(d_in, n_experts, bias=False) for _ in range(n_tasks))
        self.towers = nn.ModuleList(nn.Linear(d_expert, d_out) for _ in range(n_tasks))

    def forward(self, x):
        e = torch.stack([m[0](x) for m in self.experts], 1)
        mixed = [torch.relu((torch.softmax(g(x), -1)[:, :, None] * e).sum(1)) for g in self.gates]
        return [t(m) for m, t in zip(mixed, self.towers)]
"""),
    ("mmoe", "sigmoid_gates", """
class MMoE(nn.Module):
    def __init__(self, d_in, d_expert, n_experts, n_tasks, d_out=1):
        super().__init__()
        self.experts = nn.ModuleList(nn.Sequential(nn.Linear(d_in, d_expert), nn.ReLU()) for _ in range(n_experts))
        self.gates = nn.ModuleList(nn.Linear(d_in, n_experts, bias=False) for _ in range(n_tasks))
        self.towers = nn.ModuleList(nn.Linear(d_expert, d_out) for _ in range(n_tasks))

    def forward(self, x):
        e = torch.stack([m(x) for m in self.experts], 1)
        return [t((torch.sigmoid(g(x))[:, :, None] * e).sum(1)) for g, t in zip(self.gates, self.towers)]
"""),
    ("mmoe", "returns_stacked_tensor", """
class MMoE(nn.Module):
    def __init__(self, d_in, d_expert, n_experts, n_tasks, d_out=1):
        super().__init__()
        self.experts = nn.ModuleList(nn.Sequential(nn.Linear(d_in, d_expert), nn.ReLU()) for _ in range(n_experts))
        self.gates = nn.ModuleList(nn.Linear(d_in, n_experts, bias=False) for _ in range(n_tasks))
        self.towers = nn.ModuleList(nn.Linear(d_expert, d_out) for _ in range(n_tasks))

    def forward(self, x):
        e = torch.stack([m(x) for m in self.experts], 1)
        outs = [t((torch.softmax(g(x), -1)[:, :, None] * e).sum(1)) for g, t in zip(self.gates, self.towers)]
        return torch.stack(outs)
"""),
    ("mmoe", "shared_bottom_mean", """
class MMoE(nn.Module):
    def __init__(self, d_in, d_expert, n_experts, n_tasks, d_out=1):
        super().__init__()
        self.experts = nn.ModuleList(nn.Sequential(nn.Linear(d_in, d_expert), nn.ReLU()) for _ in range(n_experts))
        self.gates = nn.ModuleList(nn.Linear(d_in, n_experts, bias=False) for _ in range(n_tasks))
        self.towers = nn.ModuleList(nn.Linear(d_expert, d_out) for _ in range(n_tasks))

    def forward(self, x):
        e = torch.stack([m(x) for m in self.experts], 1).mean(1)
        return [t(e) for t in self.towers]
"""),
    # logit_adjusted_cross_entropy
    ("logit_adjusted_cross_entropy", "subtracts_log_prior", """
def logit_adjusted_cross_entropy(logits, targets, class_prior, tau=1.0):
    return F.cross_entropy(logits - tau * class_prior.to(logits.dtype).log(), targets)
"""),
    ("logit_adjusted_cross_entropy", "prior_not_logged", """
def logit_adjusted_cross_entropy(logits, targets, class_prior, tau=1.0):
    p = class_prior.to(logits.dtype)
    return F.cross_entropy(logits + tau * p / p.sum(), targets)
"""),
    ("logit_adjusted_cross_entropy", "ignores_tau", """
def logit_adjusted_cross_entropy(logits, targets, class_prior, tau=1.0):
    return F.cross_entropy(logits + class_prior.to(logits.dtype).log(), targets)
"""),
    ("logit_adjusted_cross_entropy", "inverse_prior_weights", """
def logit_adjusted_cross_entropy(logits, targets, class_prior, tau=1.0):
    p = class_prior.to(logits.dtype)
    return F.cross_entropy(logits, targets, weight=(p / p.sum()) ** -tau)
"""),
    ("logit_adjusted_cross_entropy", "target_logit_only", """
def logit_adjusted_cross_entropy(logits, targets, class_prior, tau=1.0):
    adj = tau * class_prior.to(logits.dtype).log()
    z = logits + F.one_hot(targets, logits.shape[1]).to(logits.dtype) * adj[targets][:, None]
    return F.cross_entropy(z, targets)
"""),
    ("logit_adjusted_cross_entropy", "sum_reduction", """
def logit_adjusted_cross_entropy(logits, targets, class_prior, tau=1.0):
    return F.cross_entropy(logits + tau * class_prior.to(logits.dtype).log(), targets, reduction="sum")
"""),
    ("logit_adjusted_cross_entropy", "prior_normalised_in_place", """
def logit_adjusted_cross_entropy(logits, targets, class_prior, tau=1.0):
    class_prior /= class_prior.sum()
    return F.cross_entropy(logits + tau * class_prior.to(logits.dtype).log(), targets)
"""),
    # resampling_weights
    ("resampling_weights", "ignores_q", """
def resampling_weights(labels, q=0.0):
    _, inv, counts = torch.unique(labels, return_inverse=True, return_counts=True)
    p = torch.ones(len(counts), dtype=torch.float64) / len(counts)
    return (p / counts)[inv].float()
"""),
    ("resampling_weights", "class_probability_not_split", """
def resampling_weights(labels, q=0.0):
    _, inv, counts = torch.unique(labels, return_inverse=True, return_counts=True)
    p = counts.double() ** q
    w = (p / p.sum())[inv]
    return (w / w.sum()).float()
"""),
    ("resampling_weights", "absent_classes_counted", """
def resampling_weights(labels, q=0.0):
    counts = torch.bincount(labels).double()
    p = counts ** q
    p = p / p.sum()
    return (p / counts.clamp_min(1))[labels].float()
"""),
    ("resampling_weights", "negative_exponent", """
def resampling_weights(labels, q=0.0):
    _, inv, counts = torch.unique(labels, return_inverse=True, return_counts=True)
    p = counts.double() ** (-q)
    p = p / p.sum()
    return (p / counts)[inv].float()
"""),
    ("resampling_weights", "not_normalised", """
def resampling_weights(labels, q=0.0):
    _, inv, counts = torch.unique(labels, return_inverse=True, return_counts=True)
    return (counts.double() ** q / counts)[inv].float()
"""),
    ("resampling_weights", "returns_float64", """
def resampling_weights(labels, q=0.0):
    _, inv, counts = torch.unique(labels, return_inverse=True, return_counts=True)
    p = counts.double() ** q
    p = p / p.sum()
    return (p / counts)[inv]
"""),
    # gumbel_softmax
    ("gumbel_softmax", "torch_builtin_ignores_generator", """
def gumbel_softmax(logits, tau=1.0, hard=False, dim=-1, generator=None):
    return F.gumbel_softmax(logits, tau=tau, hard=hard, dim=dim)
"""),
    ("gumbel_softmax", "single_log_noise", """
def gumbel_softmax(logits, tau=1.0, hard=False, dim=-1, generator=None):
    g = -torch.rand(logits.shape, generator=generator, dtype=logits.dtype).clamp_min(1e-20).log()
    y = torch.softmax((logits + g) / tau, dim)
    if not hard:
        return y
    yh = torch.zeros_like(y).scatter_(dim, y.argmax(dim, keepdim=True), 1.0)
    return yh - y.detach() + y
"""),
    ("gumbel_softmax", "noise_after_temperature", """
def gumbel_softmax(logits, tau=1.0, hard=False, dim=-1, generator=None):
    g = -torch.empty_like(logits).exponential_(generator=generator).log()
    y = torch.softmax(logits / tau + g, dim)
    if not hard:
        return y
    yh = torch.zeros_like(y).scatter_(dim, y.argmax(dim, keepdim=True), 1.0)
    return yh - y.detach() + y
"""),
    ("gumbel_softmax", "hard_without_straight_through", """
def gumbel_softmax(logits, tau=1.0, hard=False, dim=-1, generator=None):
    g = -torch.empty_like(logits).exponential_(generator=generator).log()
    y = torch.softmax((logits + g) / tau, dim)
    if not hard:
        return y
    return torch.zeros_like(y).scatter_(dim, y.argmax(dim, keepdim=True), 1.0).detach()
"""),
    ("gumbel_softmax", "hard_argmax_of_logits", """
def gumbel_softmax(logits, tau=1.0, hard=False, dim=-1, generator=None):
    g = -torch.empty_like(logits).exponential_(generator=generator).log()
    y = torch.softmax((logits + g) / tau, dim)
    if not hard:
        return y
    yh = torch.zeros_like(y).scatter_(dim, logits.argmax(dim, keepdim=True), 1.0)
    return yh - y.detach() + y
"""),
    ("gumbel_softmax", "straight_through_sign_flipped", """
def gumbel_softmax(logits, tau=1.0, hard=False, dim=-1, generator=None):
    g = -torch.empty_like(logits).exponential_(generator=generator).log()
    y = torch.softmax((logits + g) / tau, dim)
    if not hard:
        return y
    yh = torch.zeros_like(y).scatter_(dim, y.argmax(dim, keepdim=True), 1.0)
    return yh + y.detach() - y
"""),
    ("gumbel_softmax", "ignores_dim", """
def gumbel_softmax(logits, tau=1.0, hard=False, dim=-1, generator=None):
    g = -torch.empty_like(logits).exponential_(generator=generator).log()
    y = torch.softmax((logits + g) / tau, -1)
    if not hard:
        return y
    yh = torch.zeros_like(y).scatter_(-1, y.argmax(-1, keepdim=True), 1.0)
    return yh - y.detach() + y
"""),
    ("gumbel_softmax", "gaussian_noise", """
def gumbel_softmax(logits, tau=1.0, hard=False, dim=-1, generator=None):
    g = torch.randn(logits.shape, generator=generator, dtype=logits.dtype)
    y = torch.softmax((logits + g) / tau, dim)
    if not hard:
        return y
    yh = torch.zeros_like(y).scatter_(dim, y.argmax(dim, keepdim=True), 1.0)
    return yh - y.detach() + y
"""),
    # gan_losses
    ("gan_losses", "minimax_generator", """
def gan_losses(d_real_logits, d_fake_logits):
    d_loss = F.softplus(-d_real_logits).mean() + F.softplus(d_fake_logits).mean()
    return d_loss, -F.softplus(d_fake_logits).mean()
"""),
    ("gan_losses", "log_of_sigmoid", """
def gan_losses(d_real_logits, d_fake_logits):
    d_loss = -torch.log(torch.sigmoid(d_real_logits)).mean() - torch.log(1 - torch.sigmoid(d_fake_logits)).mean()
    return d_loss, -torch.log(torch.sigmoid(d_fake_logits)).mean()
"""),
    ("gan_losses", "d_loss_halved", """
def gan_losses(d_real_logits, d_fake_logits):
    d_loss = 0.5 * (F.softplus(-d_real_logits).mean() + F.softplus(d_fake_logits).mean())
    return d_loss, F.softplus(-d_fake_logits).mean()
"""),
    ("gan_losses", "generator_target_zero", """
def gan_losses(d_real_logits, d_fake_logits):
    d_loss = F.softplus(-d_real_logits).mean() + F.softplus(d_fake_logits).mean()
    return d_loss, F.softplus(d_fake_logits).mean()
"""),
    ("gan_losses", "fakes_detached_inside", """
def gan_losses(d_real_logits, d_fake_logits):
    d_loss = F.softplus(-d_real_logits).mean() + F.softplus(d_fake_logits.detach()).mean()
    return d_loss, F.softplus(-d_fake_logits).mean()
"""),
    ("gan_losses", "one_mean_over_all", """
def gan_losses(d_real_logits, d_fake_logits):
    both = torch.cat([F.softplus(-d_real_logits).reshape(-1), F.softplus(d_fake_logits).reshape(-1)])
    return 2 * both.mean(), F.softplus(-d_fake_logits).mean()
"""),
    ("gan_losses", "labels_swapped", """
def gan_losses(d_real_logits, d_fake_logits):
    d_loss = F.softplus(d_real_logits).mean() + F.softplus(-d_fake_logits).mean()
    return d_loss, F.softplus(-d_fake_logits).mean()
"""),
    # freeze
    ("freeze", "prefix_without_dot", """
def freeze(model, trainable=()):
    for name, p in model.named_parameters():
        p.requires_grad_(any(name.startswith(t) for t in trainable))
    return model
"""),
    ("freeze", "keeps_earlier_choices", """
def freeze(model, trainable=()):
    for name, p in model.named_parameters():
        if any(name == t or name.startswith(t + ".") for t in trainable):
            p.requires_grad_(True)
        elif not trainable:
            p.requires_grad_(False)
        elif not p.requires_grad:
            pass
    return model
"""),
    ("freeze", "switches_to_eval", """
def freeze(model, trainable=()):
    for name, p in model.named_parameters():
        p.requires_grad_(any(name == t or name.startswith(t + ".") for t in trainable))
    model.eval()
    return model
"""),
    ("freeze", "exact_names_only", """
def freeze(model, trainable=()):
    for name, p in model.named_parameters():
        p.requires_grad_(name in trainable)
    return model
"""),
    ("freeze", "returns_none", """
def freeze(model, trainable=()):
    for name, p in model.named_parameters():
        p.requires_grad_(any(name == t or name.startswith(t + ".") for t in trainable))
"""),
    ("freeze", "substring_match", """
def freeze(model, trainable=()):
    for name, p in model.named_parameters():
        p.requires_grad_(any(t in name for t in trainable))
    return model
"""),
    ("freeze", "returns_a_copy", """
def freeze(model, trainable=()):
    import copy
    model = copy.deepcopy(model)
    for name, p in model.named_parameters():
        p.requires_grad_(any(name == t or name.startswith(t + ".") for t in trainable))
    return model
"""),
    ("freeze", "module_names_only", """
def freeze(model, trainable=()):
    for p in model.parameters():
        p.requires_grad_(False)
    for name, module in model.named_modules():
        if name in trainable:
            for p in module.parameters():
                p.requires_grad_(True)
    return model
"""),
    # count_trainable_parameters
    ("count_trainable_parameters", "shared_counted_twice", """
def count_trainable_parameters(model):
    return sum(p.numel() for _, p in model.named_parameters(remove_duplicate=False) if p.requires_grad)
"""),
    ("count_trainable_parameters", "includes_buffers", """
def count_trainable_parameters(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad) + sum(b.numel() for b in model.buffers())
"""),
    ("count_trainable_parameters", "ignores_requires_grad", """
def count_trainable_parameters(model):
    return sum(p.numel() for p in model.parameters())
"""),
    ("count_trainable_parameters", "counts_frozen", """
def count_trainable_parameters(model):
    return sum(p.numel() for p in model.parameters() if not p.requires_grad)
"""),
    ("count_trainable_parameters", "returns_tensor", """
def count_trainable_parameters(model):
    return torch.tensor(sum(p.numel() for p in model.parameters() if p.requires_grad))
"""),
    ("count_trainable_parameters", "recursive_double_count", """
def count_trainable_parameters(model):
    return sum(p.numel() for m in model.modules() for p in m.parameters() if p.requires_grad)
"""),
]

RIGHT = [
    ("discounted_returns", "discount_matrix_then_loop", """
def discounted_returns(rewards, gamma, dones=None):
    r = rewards.to(torch.float64)
    if dones is None:
        n = r.shape[0]
        i = torch.arange(n)
        expo = (i[None, :] - i[:, None]).to(torch.float64)
        m = torch.where(expo >= 0, torch.tensor(float(gamma), dtype=torch.float64) ** expo.clamp_min(0),
                        torch.zeros((), dtype=torch.float64))
        return torch.tensordot(m, r, dims=([1], [0])).to(rewards.dtype)
    out = torch.zeros_like(r)
    nxt = torch.zeros_like(r[0])
    for t in range(r.shape[0] - 1, -1, -1):
        nxt = r[t] + gamma * torch.where(dones[t], torch.zeros_like(nxt), nxt)
        out[t] = nxt
    return out.to(rewards.dtype)
"""),
    ("discounted_returns", "python_lists", """
def discounted_returns(rewards, gamma, dones=None):
    flat = rewards.reshape(rewards.shape[0], -1)
    d = None if dones is None else dones.reshape(dones.shape[0], -1)
    cols = []
    for j in range(flat.shape[1]):
        g, col = 0.0, []
        for t in range(flat.shape[0] - 1, -1, -1):
            if d is not None and bool(d[t, j]):
                g = 0.0
            g = float(flat[t, j]) + gamma * g
            col.append(g)
        cols.append(col[::-1])
    return torch.tensor(cols, dtype=rewards.dtype).T.reshape(rewards.shape)
"""),
    ("reinforce_loss", "categorical_log_prob", """
def reinforce_loss(logits, actions, returns, baseline=None):
    b = 0.0 if baseline is None else baseline
    adv = (returns - b).detach() if torch.is_tensor(returns - b) else returns - b
    return -(torch.distributions.Categorical(logits=logits).log_prob(actions) * adv).mean()
"""),
    ("reinforce_loss", "cross_entropy_weighted", """
def reinforce_loss(logits, actions, returns, baseline=None):
    adv = returns.detach().to(logits.dtype)
    if baseline is not None:
        adv = adv - (torch.as_tensor(baseline).detach().to(logits.dtype))
    return (F.cross_entropy(logits, actions, reduction="none") * adv).mean()
"""),
    ("potential_shaping", "where_terminal", """
def potential_shaping(rewards, phi, phi_next, gamma, dones=None):
    nxt = phi_next if dones is None else torch.where(dones, torch.zeros_like(phi_next), phi_next)
    return (rewards.double() + gamma * nxt.double() - phi.double()).to(rewards.dtype)
"""),
    ("gcn_conv", "message_passing", """
def gcn_conv(x, edge_index, weight, bias=None):
    n = x.shape[0]
    src, dst = edge_index
    deg = torch.ones(n, dtype=x.dtype).index_add_(0, dst, torch.ones(src.shape[0], dtype=x.dtype))
    norm = deg.rsqrt()
    h = x @ weight.T
    out = h * (norm * norm)[:, None]
    msg = h[src] * (norm[src] * norm[dst])[:, None]
    out = out.index_add(0, dst, msg)
    return out if bias is None else out + bias
"""),
    ("gcn_conv", "sparse_adjacency_float64", """
def gcn_conv(x, edge_index, weight, bias=None):
    n = x.shape[0]
    loops = torch.arange(n).repeat(2, 1)
    ei = torch.cat([edge_index, loops], 1)
    vals = torch.ones(ei.shape[1], dtype=torch.float64)
    a = torch.sparse_coo_tensor(ei.flip(0), vals, (n, n)).coalesce()
    deg = torch.sparse.sum(a, 1).to_dense()
    dn = deg.rsqrt()
    out = dn[:, None] * torch.sparse.mm(a, dn[:, None] * (x.double() @ weight.double().T))
    out = out.to(x.dtype)
    return out if bias is None else out + bias
"""),
    ("als_update", "per_row_lstsq", """
def als_update(ratings, mask, fixed, lam):
    m, k = ratings.shape[0], fixed.shape[1]
    out = torch.zeros(m, k, dtype=torch.float64)
    for i in range(m):
        obs = mask[i]
        if not obs.any():
            continue
        v = fixed[obs].double()
        a = torch.cat([v, math.sqrt(lam) * torch.eye(k, dtype=torch.float64)])
        b = torch.cat([ratings[i, obs].double(), torch.zeros(k, dtype=torch.float64)])
        out[i] = torch.linalg.lstsq(a, b[:, None]).solution.squeeze(1)
    return out.to(ratings.dtype)
"""),
    ("als_update", "cholesky_loop", """
def als_update(ratings, mask, fixed, lam):
    rows = []
    for i in range(ratings.shape[0]):
        v = fixed[mask[i]].double()
        a = v.T @ v + lam * torch.eye(fixed.shape[1], dtype=torch.float64)
        b = v.T @ ratings[i, mask[i]].double()
        rows.append(torch.cholesky_solve(b[:, None], torch.linalg.cholesky(a)).squeeze(1))
    return torch.stack(rows).to(ratings.dtype)
"""),
    ("als_update", "native_dtype_normal_equations", """
def als_update(ratings, mask, fixed, lam):
    w = mask.to(ratings.dtype)                                              # (m, n)
    r = ratings * w                                                         # unobserved -> 0 (finite values)
    eye = torch.eye(fixed.shape[1], dtype=ratings.dtype)
    gram = (w[:, :, None, None] * fixed[None, :, :, None] * fixed[None, :, None, :]).sum(1) + lam * eye
    return torch.linalg.solve(gram, (r @ fixed)[..., None])[..., 0]
"""),
    ("resampling_weights", "bincount_present_classes", """
def resampling_weights(labels, q=0.0):
    counts = torch.bincount(labels).double()
    p = torch.where(counts > 0, counts.clamp_min(1) ** q, torch.zeros_like(counts))
    p = p / p.sum()
    return (p[labels] / counts[labels]).float()
"""),
    ("masked_rmse", "mse_loss", """
def masked_rmse(pred, target, mask):
    return F.mse_loss(pred[mask].double(), target[mask].double()).sqrt().item()
"""),
    ("uncertainty_weighted_loss", "divide_by_variance", """
def uncertainty_weighted_loss(losses, log_vars):
    return torch.sum(losses / log_vars.exp() + log_vars)
"""),
    ("mmoe", "einsum_stacked", """
class MMoE(nn.Module):
    def __init__(self, d_in, d_expert, n_experts, n_tasks, d_out=1):
        super().__init__()
        self.experts = nn.ModuleList([nn.Sequential(nn.Linear(d_in, d_expert), nn.ReLU()) for _ in range(n_experts)])
        self.gates = nn.ModuleList([nn.Linear(d_in, n_experts, bias=False) for _ in range(n_tasks)])
        self.towers = nn.ModuleList([nn.Linear(d_expert, d_out) for _ in range(n_tasks)])

    def forward(self, x):
        e = torch.stack([m(x) for m in self.experts], dim=-1)            # (B, d_expert, E)
        outs = []
        for k in range(len(self.gates)):
            w = F.softmax(self.gates[k](x), dim=1)                        # (B, E)
            outs.append(self.towers[k](torch.einsum("bde,be->bd", e, w)))
        return outs
"""),
    ("logit_adjusted_cross_entropy", "log_prior_to_the_tau", """
def logit_adjusted_cross_entropy(logits, targets, class_prior, tau=1.0):
    p = class_prior.double() / class_prior.double().sum()
    z = logits.double() + torch.log(p ** tau)
    return (torch.logsumexp(z, 1) - z.gather(1, targets[:, None]).squeeze(1)).mean().to(logits.dtype)
"""),
    ("resampling_weights", "python_dict", """
def resampling_weights(labels, q=0.0):
    ys = labels.tolist()
    counts = {}
    for y in ys:
        counts[y] = counts.get(y, 0) + 1
    z = sum(c ** q for c in counts.values())
    return torch.tensor([counts[y] ** q / z / counts[y] for y in ys], dtype=torch.float32)
"""),
    ("gumbel_softmax", "double_log_uniform_one_hot", """
def gumbel_softmax(logits, tau=1.0, hard=False, dim=-1, generator=None):
    u = torch.rand(logits.shape, generator=generator, dtype=logits.dtype).clamp(1e-12, 1 - 1e-7)
    y = F.softmax((logits - torch.log(-torch.log(u))) / tau, dim=dim)
    if hard:
        idx = y.argmax(dim)
        y_hard = F.one_hot(idx, y.shape[dim]).movedim(-1, dim).to(y.dtype)
        y = (y_hard - y).detach() + y
    return y
"""),
    ("gan_losses", "bce_with_logits", """
def gan_losses(d_real_logits, d_fake_logits):
    bce = F.binary_cross_entropy_with_logits
    d_loss = bce(d_real_logits, torch.ones_like(d_real_logits)) + bce(d_fake_logits, torch.zeros_like(d_fake_logits))
    return d_loss, bce(d_fake_logits, torch.ones_like(d_fake_logits))
"""),
    ("freeze", "two_passes", """
def freeze(model, trainable=()):
    for p in model.parameters():
        p.requires_grad = False
    for name, p in model.named_parameters():
        for t in trainable:
            if name == t or name.startswith(f"{t}."):
                p.requires_grad = True
    return model
"""),
    ("count_trainable_parameters", "unique_by_id", """
def count_trainable_parameters(model):
    seen = {}
    for _, p in model.named_parameters(remove_duplicate=False):
        if p.requires_grad:
            seen[id(p)] = p.numel()
    return int(sum(seen.values()))
"""),
]
