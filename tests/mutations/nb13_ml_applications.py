"""13_ml_applications: plausible wrong implementations the tests must catch, and correct variants they must accept.

Most variants are the reference cell with a small edit (``patch``), so each shows exactly the mistake it makes;
whole cells are genuinely different implementations.
"""

from mutations._patch import patch

ASSIGNMENT = "13_ml_applications"

WRONG = [
    # discounted_returns
    ("discounted_returns", "forward_cumsum", patch(ASSIGNMENT, "discounted_returns",
        "reversed(range(rewards.shape[0]))", "range(rewards.shape[0])")),
    ("discounted_returns", "done_applied_one_step_late", patch(ASSIGNMENT, "discounted_returns", [
        ("1.0 if dones is None else", "1.0 if dones is None or t + 1 == rewards.shape[0] else"),
        ("(~dones[t])", "(~dones[t + 1])")])),
    ("discounted_returns", "ignores_dones", patch(ASSIGNMENT, "discounted_returns",
        "gamma * keep * running", "gamma * running")),
    ("discounted_returns", "discounts_current_reward", patch(ASSIGNMENT, "discounted_returns",
        "rewards[t] + gamma * keep * running", "gamma * (rewards[t] + keep * running)")),
    ("discounted_returns", "discount_from_episode_start", """
def discounted_returns(rewards, gamma, dones=None):
    t_idx = torch.arange(rewards.shape[0], dtype=rewards.dtype)
    w = (gamma ** t_idx).reshape(-1, *([1] * (rewards.dim() - 1)))
    return (w * rewards).flip(0).cumsum(0).flip(0)
"""),
    ("discounted_returns", "dones_zero_the_reward", patch(ASSIGNMENT, "discounted_returns",
        "rewards[t] + gamma * keep * running", "keep * rewards[t] + gamma * running")),
    ("discounted_returns", "float32_always", patch(ASSIGNMENT, "discounted_returns",
        "    returns = torch.empty_like(rewards)\n",
        "    rewards = rewards.float()\n"
        "    returns = torch.empty_like(rewards)\n")),
    # reinforce_loss
    ("reinforce_loss", "no_minus_sign", patch(ASSIGNMENT, "reinforce_loss", "return -(logp", "return (logp")),
    ("reinforce_loss", "probabilities_not_log", patch(ASSIGNMENT, "reinforce_loss",
        "F.log_softmax(logits, dim=-1)", "torch.softmax(logits, dim=-1)")),
    ("reinforce_loss", "baseline_added", patch(ASSIGNMENT, "reinforce_loss",
        "advantage = advantage - (", "advantage = advantage + (")),
    ("reinforce_loss", "not_detached", patch(ASSIGNMENT, "reinforce_loss", [
        ("advantage = returns.detach()", "advantage = returns"),
        ("(baseline.detach() if torch.is_tensor(baseline) else baseline)", "baseline")])),
    ("reinforce_loss", "sum_not_mean", patch(ASSIGNMENT, "reinforce_loss",
        ".to(logits.dtype)).mean()", ".to(logits.dtype)).sum()")),
    ("reinforce_loss", "normalised_advantages", patch(ASSIGNMENT, "reinforce_loss",
        "    return -(logp",
        "    advantage = (advantage - advantage.mean()) / (advantage.std() + 1e-8)\n"
        "    return -(logp")),
    ("reinforce_loss", "raw_logits_as_log_probs", patch(ASSIGNMENT, "reinforce_loss",
        "F.log_softmax(logits, dim=-1).gather", "logits.gather")),
    # potential_shaping
    ("potential_shaping", "sign_flipped", patch(ASSIGNMENT, "potential_shaping",
        "rewards + gamma * phi_next - phi.to(rewards.dtype)", "rewards + phi.to(rewards.dtype) - gamma * phi_next")),
    ("potential_shaping", "no_gamma", patch(ASSIGNMENT, "potential_shaping",
        "rewards + gamma * phi_next", "rewards + phi_next")),
    ("potential_shaping", "ignores_dones", patch(ASSIGNMENT, "potential_shaping",
        "    if dones is not None:\n"
        "        phi_next = phi_next * (~dones).to(rewards.dtype)                 # terminal state: potential 0\n",
        "")),
    ("potential_shaping", "no_shaping_at_terminal", patch(ASSIGNMENT, "potential_shaping", [
        ("    if dones is not None:\n"
         "        phi_next = phi_next * (~dones).to(rewards.dtype)                 # terminal state: potential 0\n",
         ""),
        ("    return rewards + gamma * phi_next - phi.to(rewards.dtype)",
         "    shaped = rewards + gamma * phi_next - phi.to(rewards.dtype)\n"
         "    return shaped if dones is None else torch.where(dones, rewards, shaped)")])),
    ("potential_shaping", "gamma_on_both", patch(ASSIGNMENT, "potential_shaping",
        "gamma * phi_next - phi.to(rewards.dtype)", "gamma * (phi_next - phi.to(rewards.dtype))")),
    ("potential_shaping", "closer_bonus", patch(ASSIGNMENT, "potential_shaping",
        "rewards + gamma * phi_next - phi.to(rewards.dtype)", "rewards + (gamma * phi_next > phi).to(rewards.dtype)")),
    # gcn_conv
    ("gcn_conv", "no_self_loops", patch(ASSIGNMENT, "gcn_conv", [
        ("adj = torch.eye(n, dtype=x.dtype, device=x.device)                       # (N, N): the + I",
         "adj = torch.zeros(n, n, dtype=x.dtype, device=x.device)"),
        ("adj.sum(1).rsqrt()", "adj.sum(1).clamp_min(1).rsqrt()")])),
    ("gcn_conv", "source_target_swapped", patch(ASSIGNMENT, "gcn_conv",
        "adj.index_put_((dst, src)", "adj.index_put_((src, dst)")),
    ("gcn_conv", "row_normalised", patch(ASSIGNMENT, "gcn_conv",
        "d_inv_sqrt[:, None] * adj * d_inv_sqrt[None, :]", "adj / adj.sum(1, keepdim=True)")),
    ("gcn_conv", "duplicates_collapsed", patch(ASSIGNMENT, "gcn_conv",
        "    adj.index_put_((dst, src), torch.ones(src.shape[0], dtype=x.dtype, device=x.device), accumulate=True)\n",
        "    adj[dst, src] = 1.0\n")),
    ("gcn_conv", "out_degree", patch(ASSIGNMENT, "gcn_conv", "adj.sum(1).rsqrt()", "adj.sum(0).rsqrt()")),
    ("gcn_conv", "bias_before_aggregation", patch(ASSIGNMENT, "gcn_conv", [
        ("out = norm_adj @ (x @ weight.T)",
         "h = x @ weight.T if bias is None else x @ weight.T + bias\n"
         "    out = norm_adj @ h"),
        ("return out if bias is None else out + bias", "return out")])),
    ("gcn_conv", "symmetrised", patch(ASSIGNMENT, "gcn_conv", [
        ("adj = torch.eye(n, dtype=x.dtype, device=x.device)                       # (N, N): the + I",
         "adj = torch.zeros(n, n, dtype=x.dtype, device=x.device)"),
        ("    adj.index_put_((dst, src), torch.ones(src.shape[0], dtype=x.dtype, device=x.device), accumulate=True)\n",
         "    adj.index_put_((dst, src), torch.ones(src.shape[0], dtype=x.dtype, device=x.device), accumulate=True)\n"
         "    adj = ((adj + adj.T) > 0).to(x.dtype) + torch.eye(n, dtype=x.dtype)\n")])),
    # zeroes the rows of nodes after the largest index in edge_index
    ("gcn_conv", "nodes_from_edge_index", patch(ASSIGNMENT, "gcn_conv",
        "    d_inv_sqrt = adj.sum(1).rsqrt()",
        "    adj[int(edge_index.max()) + 1 if edge_index.numel() else n:, :] = 0.0\n"
        "    d_inv_sqrt = adj.sum(1).clamp_min(1e-12).rsqrt()")),
    # als_update
    ("als_update", "zero_filled", patch(ASSIGNMENT, "als_update",
        'torch.einsum("ij,jk,jl->ikl", w, v, v)', "v.T @ v")),
    ("als_update", "als_wr_lambda", patch(ASSIGNMENT, "als_update",
        "lam * torch.eye(k, dtype=torch.float64)",
        "(lam * w.sum(1).clamp_min(1))[:, None, None] * torch.eye(k, dtype=torch.float64)")),
    ("als_update", "unobserved_values_used", patch(ASSIGNMENT, "als_update",
        "rhs = (w * r) @ v", "rhs = ratings.to(torch.float64) @ v")),
    ("als_update", "no_regulariser", patch(ASSIGNMENT, "als_update", "lam * torch.eye(k", "1e-9 * torch.eye(k")),
    ("als_update", "lambda_halved", patch(ASSIGNMENT, "als_update", "lam * torch.eye(k", "0.5 * lam * torch.eye(k")),
    ("als_update", "returns_float64", patch(ASSIGNMENT, "als_update",
        ".squeeze(-1).to(ratings.dtype)", ".squeeze(-1)")),
    ("als_update", "zeroes_ratings_in_place", patch(ASSIGNMENT, "als_update",
        "    w = mask.to(torch.float64)",
        "    ratings[~mask] = 0\n"
        "    w = mask.to(torch.float64)")),
    # masked_rmse
    ("masked_rmse", "returns_tensor", patch(ASSIGNMENT, "masked_rmse",
        "return math.sqrt(diff.double().pow(2).mean().item())", "return diff.pow(2).mean().sqrt()")),
    ("masked_rmse", "mse_no_root", patch(ASSIGNMENT, "masked_rmse",
        "math.sqrt(diff.double().pow(2).mean().item())", "diff.double().pow(2).mean().item()")),
    ("masked_rmse", "mean_over_all_entries", patch(ASSIGNMENT, "masked_rmse",
        "(pred - target)[mask]", "(pred - target) * mask")),
    ("masked_rmse", "root_of_sum", patch(ASSIGNMENT, "masked_rmse", ".pow(2).mean()", ".pow(2).sum()")),
    ("masked_rmse", "mean_absolute_error", patch(ASSIGNMENT, "masked_rmse",
        "math.sqrt(diff.double().pow(2).mean().item())", "diff.double().abs().mean().item()")),
    ("masked_rmse", "ignores_mask", patch(ASSIGNMENT, "masked_rmse", "(pred - target)[mask]", "(pred - target)")),
    # uncertainty_weighted_loss
    ("uncertainty_weighted_loss", "kendall_half", patch(ASSIGNMENT, "uncertainty_weighted_loss",
        "(torch.exp(-log_vars) * losses + log_vars)", "(0.5 * torch.exp(-log_vars) * losses + 0.5 * log_vars)")),
    ("uncertainty_weighted_loss", "no_regulariser", patch(ASSIGNMENT, "uncertainty_weighted_loss",
        " + log_vars).sum()", ").sum()")),
    ("uncertainty_weighted_loss", "mean_over_tasks", patch(ASSIGNMENT, "uncertainty_weighted_loss",
        "log_vars).sum()", "log_vars).mean()")),
    ("uncertainty_weighted_loss", "log_sigma_parametrisation", patch(ASSIGNMENT, "uncertainty_weighted_loss",
        "torch.exp(-log_vars)", "torch.exp(-2 * log_vars)")),
    ("uncertainty_weighted_loss", "detached_log_vars", patch(ASSIGNMENT, "uncertainty_weighted_loss",
        "    return",
        "    log_vars = log_vars.detach()\n"
        "    return")),
    ("uncertainty_weighted_loss", "softplus_regulariser", patch(ASSIGNMENT, "uncertainty_weighted_loss",
        "losses + log_vars)", "losses + F.softplus(log_vars))")),
    # MMoE
    ("mmoe", "softmax_over_batch", patch(ASSIGNMENT, "mmoe",
        "torch.softmax(gate(x), dim=-1)", "torch.softmax(gate(x), dim=0)")),
    ("mmoe", "one_shared_gate", patch(ASSIGNMENT, "mmoe",
        "torch.softmax(gate(x), dim=-1)", "torch.softmax(self.gates[0](x), dim=-1)")),
    ("mmoe", "gates_with_bias", patch(ASSIGNMENT, "mmoe",
        "nn.Linear(d_in, n_experts, bias=False)", "nn.Linear(d_in, n_experts)")),
    ("mmoe", "mix_before_relu", patch(ASSIGNMENT, "mmoe", [
        ("[e(x) for e in self.experts]", "[e[0](x) for e in self.experts]"),
        ("outputs.append(tower(mixed))", "outputs.append(tower(torch.relu(mixed)))")])),
    ("mmoe", "sigmoid_gates", patch(ASSIGNMENT, "mmoe", "torch.softmax(gate(x), dim=-1)", "torch.sigmoid(gate(x))")),
    ("mmoe", "returns_stacked_tensor", patch(ASSIGNMENT, "mmoe",
        "        return outputs", "        return torch.stack(outputs)")),
    # no gates: every task gets the experts' mean
    ("mmoe", "shared_bottom_mean", patch(ASSIGNMENT, "mmoe",
        "torch.softmax(gate(x), dim=-1)", "torch.full_like(gate(x), 1.0 / len(self.experts))")),
    # logit_adjusted_cross_entropy
    ("logit_adjusted_cross_entropy", "subtracts_log_prior", patch(ASSIGNMENT, "logit_adjusted_cross_entropy",
        "logits + adjustment", "logits - adjustment")),
    ("logit_adjusted_cross_entropy", "prior_not_logged", patch(ASSIGNMENT, "logit_adjusted_cross_entropy",
        "    adjustment = tau * torch.log(class_prior.to(logits.dtype))",
        "    p = class_prior.to(logits.dtype)\n"
        "    adjustment = tau * p / p.sum()")),
    ("logit_adjusted_cross_entropy", "ignores_tau", patch(ASSIGNMENT, "logit_adjusted_cross_entropy",
        "adjustment = tau * ", "adjustment = ")),
    ("logit_adjusted_cross_entropy", "inverse_prior_weights", """
def logit_adjusted_cross_entropy(logits, targets, class_prior, tau=1.0):
    p = class_prior.to(logits.dtype)
    return F.cross_entropy(logits, targets, weight=(p / p.sum()) ** -tau)
"""),
    ("logit_adjusted_cross_entropy", "target_logit_only", patch(ASSIGNMENT, "logit_adjusted_cross_entropy",
        "    return F.cross_entropy(logits + adjustment, targets)",
        "    z = logits + F.one_hot(targets, logits.shape[1]).to(logits.dtype) * adjustment[targets][:, None]\n"
        "    return F.cross_entropy(z, targets)")),
    ("logit_adjusted_cross_entropy", "sum_reduction", patch(ASSIGNMENT, "logit_adjusted_cross_entropy",
        "F.cross_entropy(logits + adjustment, targets)",
        'F.cross_entropy(logits + adjustment, targets, reduction="sum")')),
    ("logit_adjusted_cross_entropy", "prior_normalised_in_place", patch(ASSIGNMENT, "logit_adjusted_cross_entropy",
        "    adjustment =",
        "    class_prior /= class_prior.sum()\n"
        "    adjustment =")),
    # resampling_weights
    ("resampling_weights", "ignores_q", patch(ASSIGNMENT, "resampling_weights",
        "p_class = counts ** q", "p_class = torch.ones_like(counts)")),
    ("resampling_weights", "class_probability_not_split", patch(ASSIGNMENT, "resampling_weights",
        "return (p_class / counts)[inverse].to(torch.float32)",
        "w = p_class[inverse]\n"
        "    return (w / w.sum()).to(torch.float32)")),
    ("resampling_weights", "absent_classes_counted", patch(ASSIGNMENT, "resampling_weights", [
        ("    _, inverse, counts = torch.unique(labels, return_inverse=True, return_counts=True)\n",
         "    inverse, counts = labels, torch.bincount(labels)\n"),
        ("(p_class / counts)", "(p_class / counts.clamp_min(1))")])),
    ("resampling_weights", "negative_exponent", patch(ASSIGNMENT, "resampling_weights",
        "counts ** q", "counts ** (-q)")),
    ("resampling_weights", "not_normalised", patch(ASSIGNMENT, "resampling_weights",
        "    p_class = p_class / p_class.sum()\n", "")),
    ("resampling_weights", "returns_float64", patch(ASSIGNMENT, "resampling_weights",
        "[inverse].to(torch.float32)", "[inverse]")),
    # gumbel_softmax
    ("gumbel_softmax", "torch_builtin_ignores_generator", """
def gumbel_softmax(logits, tau=1.0, hard=False, dim=-1, generator=None):
    return F.gumbel_softmax(logits, tau=tau, hard=hard, dim=dim)
"""),
    ("gumbel_softmax", "single_log_noise", patch(ASSIGNMENT, "gumbel_softmax",
        "-torch.empty_like(logits).exponential_(generator=generator).log()   # Gumbel(0, 1)",
        "-torch.rand(logits.shape, generator=generator, dtype=logits.dtype).clamp_min(1e-20).log()")),
    ("gumbel_softmax", "noise_after_temperature", patch(ASSIGNMENT, "gumbel_softmax",
        "(logits + gumbels) / tau", "logits / tau + gumbels")),
    ("gumbel_softmax", "hard_without_straight_through", patch(ASSIGNMENT, "gumbel_softmax",
        "return y_hard - y.detach() + y", "return y_hard.detach()")),
    ("gumbel_softmax", "hard_argmax_of_logits", patch(ASSIGNMENT, "gumbel_softmax",
        "index = y.argmax(", "index = logits.argmax(")),
    ("gumbel_softmax", "straight_through_sign_flipped", patch(ASSIGNMENT, "gumbel_softmax",
        "y_hard - y.detach() + y", "y_hard + y.detach() - y")),
    ("gumbel_softmax", "ignores_dim", patch(ASSIGNMENT, "gumbel_softmax", [
        ("dim=dim)", "dim=-1)"),
        ("y.argmax(dim=dim,", "y.argmax(dim=-1,"),
        ("scatter_(dim,", "scatter_(-1,")])),
    ("gumbel_softmax", "gaussian_noise", patch(ASSIGNMENT, "gumbel_softmax",
        "-torch.empty_like(logits).exponential_(generator=generator).log()   # Gumbel(0, 1)",
        "torch.randn(logits.shape, generator=generator, dtype=logits.dtype)")),
    # gan_losses
    ("gan_losses", "minimax_generator", patch(ASSIGNMENT, "gan_losses",
        "g_loss = F.softplus(-d_fake_logits).mean()", "g_loss = -F.softplus(d_fake_logits).mean()")),
    ("gan_losses", "log_of_sigmoid", patch(ASSIGNMENT, "gan_losses", [
        ("F.softplus(-d_real_logits).mean() + F.softplus(d_fake_logits).mean()",
         "-torch.log(torch.sigmoid(d_real_logits)).mean() - torch.log(1 - torch.sigmoid(d_fake_logits)).mean()"),
        ("g_loss = F.softplus(-d_fake_logits).mean()", "g_loss = -torch.log(torch.sigmoid(d_fake_logits)).mean()")])),
    ("gan_losses", "d_loss_halved", patch(ASSIGNMENT, "gan_losses",
        "d_loss = F.softplus(-d_real_logits).mean() + F.softplus(d_fake_logits).mean()",
        "d_loss = 0.5 * (F.softplus(-d_real_logits).mean() + F.softplus(d_fake_logits).mean())")),
    ("gan_losses", "generator_target_zero", patch(ASSIGNMENT, "gan_losses",
        "g_loss = F.softplus(-d_fake_logits)", "g_loss = F.softplus(d_fake_logits)")),
    ("gan_losses", "fakes_detached_inside", patch(ASSIGNMENT, "gan_losses",
        "+ F.softplus(d_fake_logits).mean()", "+ F.softplus(d_fake_logits.detach()).mean()")),
    ("gan_losses", "one_mean_over_all", """
def gan_losses(d_real_logits, d_fake_logits):
    both = torch.cat([F.softplus(-d_real_logits).reshape(-1), F.softplus(d_fake_logits).reshape(-1)])
    return 2 * both.mean(), F.softplus(-d_fake_logits).mean()
"""),
    ("gan_losses", "labels_swapped", patch(ASSIGNMENT, "gan_losses",
        "d_loss = F.softplus(-d_real_logits).mean() + F.softplus(d_fake_logits).mean()",
        "d_loss = F.softplus(d_real_logits).mean() + F.softplus(-d_fake_logits).mean()")),
    # freeze
    ("freeze", "prefix_without_dot", patch(ASSIGNMENT, "freeze",
        'any(name == t or name.startswith(t + ".") for t in trainable)',
        "any(name.startswith(t) for t in trainable)")),
    ("freeze", "keeps_earlier_choices", patch(ASSIGNMENT, "freeze",
        '        param.requires_grad_(any(name == t or name.startswith(t + ".") for t in trainable))\n',
        '        if any(name == t or name.startswith(t + ".") for t in trainable):\n'
        "            param.requires_grad_(True)\n"
        "        elif not trainable:\n"
        "            param.requires_grad_(False)\n")),
    ("freeze", "switches_to_eval", patch(ASSIGNMENT, "freeze",
        "    return model",
        "    model.eval()\n"
        "    return model")),
    ("freeze", "exact_names_only", patch(ASSIGNMENT, "freeze",
        'any(name == t or name.startswith(t + ".") for t in trainable)', "name in trainable")),
    ("freeze", "returns_none", patch(ASSIGNMENT, "freeze", "    return model\n", "")),
    ("freeze", "substring_match", patch(ASSIGNMENT, "freeze",
        'any(name == t or name.startswith(t + ".") for t in trainable)', "any(t in name for t in trainable)")),
    ("freeze", "returns_a_copy", patch(ASSIGNMENT, "freeze",
        "    for name, param in model.named_parameters():",
        "    import copy\n    model = copy.deepcopy(model)\n    for name, param in model.named_parameters():")),
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
    ("count_trainable_parameters", "shared_counted_twice", patch(ASSIGNMENT, "count_trainable_parameters",
        "for p in model.parameters()", "for _, p in model.named_parameters(remove_duplicate=False)")),
    ("count_trainable_parameters", "includes_buffers", patch(ASSIGNMENT, "count_trainable_parameters",
        "if p.requires_grad)", "if p.requires_grad) + sum(b.numel() for b in model.buffers())")),
    ("count_trainable_parameters", "ignores_requires_grad", patch(ASSIGNMENT, "count_trainable_parameters",
        " if p.requires_grad)", ")")),
    ("count_trainable_parameters", "counts_frozen", patch(ASSIGNMENT, "count_trainable_parameters",
        "if p.requires_grad", "if not p.requires_grad")),
    ("count_trainable_parameters", "returns_tensor", patch(ASSIGNMENT, "count_trainable_parameters",
        "return sum(p.numel() for p in model.parameters() if p.requires_grad)",
        "return torch.tensor(sum(p.numel() for p in model.parameters() if p.requires_grad))")),
    ("count_trainable_parameters", "recursive_double_count", patch(ASSIGNMENT, "count_trainable_parameters",
        "for p in model.parameters()", "for m in model.modules() for p in m.parameters()")),
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
