"""14_rlhf_grpo: plausible wrong implementations the tests must catch, and correct variants they must accept."""

ASSIGNMENT = "14_rlhf_grpo"

WRONG = [
    # last_token_scores
    ("last_token_scores", "count_minus_one", """
def last_token_scores(token_scores, input_ids, pad_token_id):
    last = (input_ids != pad_token_id).sum(-1) - 1
    return token_scores[torch.arange(input_ids.shape[0]), last]
"""),
    ("last_token_scores", "always_last_position", """
def last_token_scores(token_scores, input_ids, pad_token_id):
    return token_scores[:, -1]
"""),
    ("last_token_scores", "first_non_pad", """
def last_token_scores(token_scores, input_ids, pad_token_id):
    last = (input_ids != pad_token_id).int().argmax(-1)
    return token_scores[torch.arange(input_ids.shape[0]), last]
"""),
    ("last_token_scores", "mean_over_real_tokens", """
def last_token_scores(token_scores, input_ids, pad_token_id):
    keep = (input_ids != pad_token_id).to(token_scores.dtype)
    return (token_scores * keep).sum(-1) / keep.sum(-1)
"""),
    ("last_token_scores", "keeps_dim", """
def last_token_scores(token_scores, input_ids, pad_token_id):
    last = (torch.arange(input_ids.shape[-1]) * (input_ids != pad_token_id)).argmax(-1, keepdim=True)
    return token_scores.gather(1, last)
"""),
    ("last_token_scores", "one_past_the_end", """
def last_token_scores(token_scores, input_ids, pad_token_id):
    last = (torch.arange(input_ids.shape[-1]) * (input_ids != pad_token_id)).argmax(-1)
    last = (last + 1).clamp(max=input_ids.shape[-1] - 1)
    return token_scores[torch.arange(input_ids.shape[0]), last]
"""),
    # ranking_loss
    ("ranking_loss", "adjacent_pairs_only", """
def ranking_loss(rewards):
    return -F.logsigmoid(rewards[:, :-1] - rewards[:, 1:]).mean()
"""),
    ("ranking_loss", "reversed_order", """
def ranking_loss(rewards):
    i, j = torch.triu_indices(rewards.shape[-1], rewards.shape[-1], offset=1)
    return -F.logsigmoid(rewards[:, j] - rewards[:, i]).mean()
"""),
    ("ranking_loss", "log_of_sigmoid", """
def ranking_loss(rewards):
    i, j = torch.triu_indices(rewards.shape[-1], rewards.shape[-1], offset=1)
    return -torch.log(torch.sigmoid(rewards[:, i] - rewards[:, j])).mean()
"""),
    ("ranking_loss", "sum_over_pairs", """
def ranking_loss(rewards):
    i, j = torch.triu_indices(rewards.shape[-1], rewards.shape[-1], offset=1)
    return -F.logsigmoid(rewards[:, i] - rewards[:, j]).sum(-1).mean()
"""),
    ("ranking_loss", "divide_by_k", """
def ranking_loss(rewards):
    K = rewards.shape[-1]
    i, j = torch.triu_indices(K, K, offset=1)
    return -F.logsigmoid(rewards[:, i] - rewards[:, j]).sum(-1).mean() / K
"""),
    ("ranking_loss", "best_against_rest", """
def ranking_loss(rewards):
    return -F.logsigmoid(rewards[:, :1] - rewards[:, 1:]).mean()
"""),
    ("ranking_loss", "listwise_softmax", """
def ranking_loss(rewards):
    return -torch.log_softmax(rewards, -1)[:, 0].mean()
"""),
    # kl_penalized_rewards
    ("kl_penalized_rewards", "score_at_last_column", """
def kl_penalized_rewards(logprobs, ref_logprobs, scores, mask, beta=0.05, kl_estimator="k1"):
    log_ratio = ref_logprobs - logprobs
    if kl_estimator == "k1":
        kl = -log_ratio
    elif kl_estimator == "k3":
        kl = torch.expm1(log_ratio) - log_ratio
    else:
        raise ValueError(kl_estimator)
    rewards = torch.where(mask, -beta * kl, torch.zeros_like(kl))
    rewards[:, -1] += scores
    return rewards
"""),
    ("kl_penalized_rewards", "score_one_step_late", """
def kl_penalized_rewards(logprobs, ref_logprobs, scores, mask, beta=0.05, kl_estimator="k1"):
    log_ratio = ref_logprobs - logprobs
    if kl_estimator == "k1":
        kl = -log_ratio
    elif kl_estimator == "k3":
        kl = torch.expm1(log_ratio) - log_ratio
    else:
        raise ValueError(kl_estimator)
    rewards = torch.where(mask, -beta * kl, torch.zeros_like(kl))
    last = mask.sum(-1).clamp(max=mask.shape[1] - 1)
    rewards[torch.arange(mask.shape[0]), last] += scores
    return rewards
"""),
    ("kl_penalized_rewards", "kl_sign_flipped", """
def kl_penalized_rewards(logprobs, ref_logprobs, scores, mask, beta=0.05, kl_estimator="k1"):
    log_ratio = ref_logprobs - logprobs
    if kl_estimator == "k1":
        kl = log_ratio
    elif kl_estimator == "k3":
        kl = torch.expm1(log_ratio) - log_ratio
    else:
        raise ValueError(kl_estimator)
    rewards = torch.where(mask, -beta * kl, torch.zeros_like(kl))
    rewards[torch.arange(mask.shape[0]), mask.sum(-1) - 1] += scores
    return rewards
"""),
    ("kl_penalized_rewards", "k3_ratio_inverted", """
def kl_penalized_rewards(logprobs, ref_logprobs, scores, mask, beta=0.05, kl_estimator="k1"):
    log_ratio = ref_logprobs - logprobs
    if kl_estimator == "k1":
        kl = -log_ratio
    elif kl_estimator == "k3":
        kl = torch.expm1(-log_ratio) + log_ratio
    else:
        raise ValueError(kl_estimator)
    rewards = torch.where(mask, -beta * kl, torch.zeros_like(kl))
    rewards[torch.arange(mask.shape[0]), mask.sum(-1) - 1] += scores
    return rewards
"""),
    ("kl_penalized_rewards", "padding_not_zeroed", """
def kl_penalized_rewards(logprobs, ref_logprobs, scores, mask, beta=0.05, kl_estimator="k1"):
    log_ratio = ref_logprobs - logprobs
    if kl_estimator == "k1":
        kl = -log_ratio
    elif kl_estimator == "k3":
        kl = torch.expm1(log_ratio) - log_ratio
    else:
        raise ValueError(kl_estimator)
    rewards = -beta * kl
    rewards[torch.arange(mask.shape[0]), mask.sum(-1) - 1] += scores
    return rewards
"""),
    ("kl_penalized_rewards", "unknown_estimator_is_k1", """
def kl_penalized_rewards(logprobs, ref_logprobs, scores, mask, beta=0.05, kl_estimator="k1"):
    log_ratio = ref_logprobs - logprobs
    if kl_estimator == "k3":
        kl = torch.expm1(log_ratio) - log_ratio
    else:
        kl = -log_ratio
    rewards = torch.where(mask, -beta * kl, torch.zeros_like(kl))
    rewards[torch.arange(mask.shape[0]), mask.sum(-1) - 1] += scores
    return rewards
"""),
    ("kl_penalized_rewards", "beta_scales_score", """
def kl_penalized_rewards(logprobs, ref_logprobs, scores, mask, beta=0.05, kl_estimator="k1"):
    log_ratio = ref_logprobs - logprobs
    if kl_estimator == "k1":
        kl = -log_ratio
    elif kl_estimator == "k3":
        kl = torch.expm1(log_ratio) - log_ratio
    else:
        raise ValueError(kl_estimator)
    rewards = torch.where(mask, -kl, torch.zeros_like(kl))
    rewards[torch.arange(mask.shape[0]), mask.sum(-1) - 1] += scores
    return beta * rewards
"""),
    ("kl_penalized_rewards", "in_place_on_logprobs", """
def kl_penalized_rewards(logprobs, ref_logprobs, scores, mask, beta=0.05, kl_estimator="k1"):
    log_ratio = ref_logprobs - logprobs
    if kl_estimator == "k1":
        kl = -log_ratio
    elif kl_estimator == "k3":
        kl = torch.expm1(log_ratio) - log_ratio
    else:
        raise ValueError(kl_estimator)
    rewards = logprobs
    rewards.copy_(torch.where(mask, -beta * kl, torch.zeros_like(kl)))
    rewards[torch.arange(mask.shape[0]), mask.sum(-1) - 1] += scores
    return rewards
"""),
    # gae
    ("gae", "bootstraps_from_padding", """
def gae(rewards, values, mask, gamma=1.0, lam=0.95):
    r = torch.where(mask, rewards, torch.zeros_like(rewards))
    n = rewards.shape[-1]
    last, out = torch.zeros_like(r[:, 0]), []
    for t in reversed(range(n)):
        nv = values[:, t + 1] if t < n - 1 else torch.zeros_like(r[:, 0])
        last = r[:, t] + gamma * nv - values[:, t] + gamma * lam * last
        out.append(last)
    adv = torch.where(mask, torch.stack(out[::-1], 1), torch.zeros_like(r))
    return adv, torch.where(mask, adv + values, torch.zeros_like(r))
"""),
    ("gae", "lambda_without_gamma", """
def gae(rewards, values, mask, gamma=1.0, lam=0.95):
    z = torch.zeros_like(rewards)
    r, v = torch.where(mask, rewards, z), torch.where(mask, values, z)
    n = rewards.shape[-1]
    last, out = z[:, 0], []
    for t in reversed(range(n)):
        nv = v[:, t + 1] if t < n - 1 else z[:, 0]
        last = r[:, t] + gamma * nv - v[:, t] + lam * last
        out.append(last)
    adv = torch.where(mask, torch.stack(out[::-1], 1), z)
    return adv, torch.where(mask, adv + v, z)
"""),
    ("gae", "delta_without_gamma", """
def gae(rewards, values, mask, gamma=1.0, lam=0.95):
    z = torch.zeros_like(rewards)
    r, v = torch.where(mask, rewards, z), torch.where(mask, values, z)
    n = rewards.shape[-1]
    last, out = z[:, 0], []
    for t in reversed(range(n)):
        nv = v[:, t + 1] if t < n - 1 else z[:, 0]
        last = r[:, t] + nv - v[:, t] + gamma * lam * last
        out.append(last)
    adv = torch.where(mask, torch.stack(out[::-1], 1), z)
    return adv, torch.where(mask, adv + v, z)
"""),
    ("gae", "returns_are_reward_to_go", """
def gae(rewards, values, mask, gamma=1.0, lam=0.95):
    z = torch.zeros_like(rewards)
    r, v = torch.where(mask, rewards, z), torch.where(mask, values, z)
    n = rewards.shape[-1]
    last, ret, out, rets = z[:, 0], z[:, 0], [], []
    for t in reversed(range(n)):
        nv = v[:, t + 1] if t < n - 1 else z[:, 0]
        last = r[:, t] + gamma * nv - v[:, t] + gamma * lam * last
        ret = r[:, t] + gamma * ret
        out.append(last)
        rets.append(ret)
    adv = torch.where(mask, torch.stack(out[::-1], 1), z)
    return adv, torch.where(mask, torch.stack(rets[::-1], 1), z)
"""),
    ("gae", "whitened", """
def gae(rewards, values, mask, gamma=1.0, lam=0.95):
    z = torch.zeros_like(rewards)
    r, v = torch.where(mask, rewards, z), torch.where(mask, values, z)
    n = rewards.shape[-1]
    last, out = z[:, 0], []
    for t in reversed(range(n)):
        nv = v[:, t + 1] if t < n - 1 else z[:, 0]
        last = r[:, t] + gamma * nv - v[:, t] + gamma * lam * last
        out.append(last)
    adv = torch.stack(out[::-1], 1)
    ret = torch.where(mask, adv + v, z)
    a = adv[mask]
    adv = torch.where(mask, (adv - a.mean()) / (a.std() + 1e-8), z)
    return adv, ret
"""),
    ("gae", "returns_use_raw_values", """
def gae(rewards, values, mask, gamma=1.0, lam=0.95):
    z = torch.zeros_like(rewards)
    r, v = torch.where(mask, rewards, z), torch.where(mask, values, z)
    n = rewards.shape[-1]
    last, out = z[:, 0], []
    for t in reversed(range(n)):
        nv = v[:, t + 1] if t < n - 1 else z[:, 0]
        last = r[:, t] + gamma * nv - v[:, t] + gamma * lam * last
        out.append(last)
    adv = torch.where(mask, torch.stack(out[::-1], 1), z)
    return adv, adv + values
"""),
    ("gae", "left_to_right", """
def gae(rewards, values, mask, gamma=1.0, lam=0.95):
    z = torch.zeros_like(rewards)
    r, v = torch.where(mask, rewards, z), torch.where(mask, values, z)
    n = rewards.shape[-1]
    last, out = z[:, 0], []
    for t in range(n):
        nv = v[:, t + 1] if t < n - 1 else z[:, 0]
        last = r[:, t] + gamma * nv - v[:, t] + gamma * lam * last
        out.append(last)
    adv = torch.where(mask, torch.stack(out, 1), z)
    return adv, torch.where(mask, adv + v, z)
"""),
    # masked_whiten
    ("masked_whiten", "biased_variance", """
def masked_whiten(x, mask, shift_mean=True):
    vals = x[mask]
    mean, var = vals.mean(), vals.var(unbiased=False)
    out = (x - mean) * torch.rsqrt(var + 1e-8)
    if not shift_mean:
        out = out + mean
    return torch.where(mask, out, torch.zeros_like(x))
"""),
    ("masked_whiten", "per_row_statistics", """
def masked_whiten(x, mask, shift_mean=True):
    m = mask.to(x.dtype)
    n = m.sum(-1, keepdim=True)
    mean = (x * m).sum(-1, keepdim=True) / n
    var = (((x - mean) ** 2) * m).sum(-1, keepdim=True) / (n - 1).clamp(min=1)
    out = (x - mean) * torch.rsqrt(var + 1e-8)
    if not shift_mean:
        out = out + mean
    return torch.where(mask, out, torch.zeros_like(x))
"""),
    ("masked_whiten", "padding_in_statistics", """
def masked_whiten(x, mask, shift_mean=True):
    mean, var = x.mean(), x.var()
    out = (x - mean) * torch.rsqrt(var + 1e-8)
    if not shift_mean:
        out = out + mean
    return torch.where(mask, out, torch.zeros_like(x))
"""),
    ("masked_whiten", "eps_outside_sqrt", """
def masked_whiten(x, mask, shift_mean=True):
    vals = x[mask]
    mean, std = vals.mean(), vals.std()
    out = (x - mean) / (std + 1e-8)
    if not shift_mean:
        out = out + mean
    return torch.where(mask, out, torch.zeros_like(x))
"""),
    ("masked_whiten", "ignores_shift_mean", """
def masked_whiten(x, mask, shift_mean=True):
    vals = x[mask]
    mean, var = vals.mean(), vals.var()
    out = (x - mean) * torch.rsqrt(var + 1e-8)
    return torch.where(mask, out, torch.zeros_like(x))
"""),
    ("masked_whiten", "padding_kept", """
def masked_whiten(x, mask, shift_mean=True):
    vals = x[mask]
    mean, var = vals.mean(), vals.var()
    out = (x - mean) * torch.rsqrt(var + 1e-8)
    if not shift_mean:
        out = out + mean
    return out
"""),
    ("masked_whiten", "shift_mean_false_no_centering", """
def masked_whiten(x, mask, shift_mean=True):
    vals = x[mask]
    mean, var = vals.mean(), vals.var()
    out = (x - mean) * torch.rsqrt(var + 1e-8) if shift_mean else x * torch.rsqrt(var + 1e-8)
    return torch.where(mask, out, torch.zeros_like(x))
"""),
    # clipped_value_loss
    ("clipped_value_loss", "min_not_max", """
def clipped_value_loss(values, old_values, returns, mask, clip=0.2):
    vc = torch.clamp(values, old_values - clip, old_values + clip)
    return 0.5 * torch.min((values - returns) ** 2, (vc - returns) ** 2)[mask].mean()
"""),
    ("clipped_value_loss", "no_half", """
def clipped_value_loss(values, old_values, returns, mask, clip=0.2):
    vc = torch.clamp(values, old_values - clip, old_values + clip)
    return torch.max((values - returns) ** 2, (vc - returns) ** 2)[mask].mean()
"""),
    ("clipped_value_loss", "clip_around_returns", """
def clipped_value_loss(values, old_values, returns, mask, clip=0.2):
    vc = torch.clamp(values, returns - clip, returns + clip)
    return 0.5 * torch.max((values - returns) ** 2, (vc - returns) ** 2)[mask].mean()
"""),
    ("clipped_value_loss", "mean_over_padding", """
def clipped_value_loss(values, old_values, returns, mask, clip=0.2):
    vc = torch.clamp(values, old_values - clip, old_values + clip)
    return 0.5 * (torch.max((values - returns) ** 2, (vc - returns) ** 2) * mask).mean()
"""),
    ("clipped_value_loss", "clipped_term_only", """
def clipped_value_loss(values, old_values, returns, mask, clip=0.2):
    vc = torch.clamp(values, old_values - clip, old_values + clip)
    return 0.5 * ((vc - returns) ** 2)[mask].mean()
"""),
    ("clipped_value_loss", "clip_argument_ignored", """
def clipped_value_loss(values, old_values, returns, mask, clip=0.2):
    vc = torch.clamp(values, old_values - 0.2, old_values + 0.2)
    return 0.5 * torch.max((values - returns) ** 2, (vc - returns) ** 2)[mask].mean()
"""),
    ("clipped_value_loss", "relative_clip", """
def clipped_value_loss(values, old_values, returns, mask, clip=0.2):
    lo, hi = old_values * (1 - clip), old_values * (1 + clip)
    vc = torch.max(torch.min(values, torch.max(lo, hi)), torch.min(lo, hi))
    return 0.5 * torch.max((values - returns) ** 2, (vc - returns) ** 2)[mask].mean()
"""),
    ("clipped_value_loss", "detached", """
def clipped_value_loss(values, old_values, returns, mask, clip=0.2):
    values = values.detach()
    vc = torch.clamp(values, old_values - clip, old_values + clip)
    return 0.5 * torch.max((values - returns) ** 2, (vc - returns) ** 2)[mask].mean()
"""),
    # kl_estimates
    ("kl_estimates", "log_ratio_reversed", """
def kl_estimates(logp, ref_logp):
    log_r = logp - ref_logp
    return -log_r, 0.5 * log_r ** 2, torch.expm1(log_r) - log_r
"""),
    ("kl_estimates", "k2_without_half", """
def kl_estimates(logp, ref_logp):
    log_r = ref_logp - logp
    return -log_r, log_r ** 2, torch.expm1(log_r) - log_r
"""),
    ("kl_estimates", "k3_plus_log", """
def kl_estimates(logp, ref_logp):
    log_r = ref_logp - logp
    return -log_r, 0.5 * log_r ** 2, torch.expm1(log_r) + log_r
"""),
    ("kl_estimates", "k1_is_log_r", """
def kl_estimates(logp, ref_logp):
    log_r = ref_logp - logp
    return log_r, 0.5 * log_r ** 2, torch.expm1(log_r) - log_r
"""),
    ("kl_estimates", "k3_of_inverse_ratio", """
def kl_estimates(logp, ref_logp):
    log_r = ref_logp - logp
    return -log_r, 0.5 * log_r ** 2, torch.expm1(-log_r) + log_r
"""),
    ("kl_estimates", "k1_absolute", """
def kl_estimates(logp, ref_logp):
    log_r = ref_logp - logp
    return log_r.abs(), 0.5 * log_r ** 2, torch.expm1(log_r) - log_r
"""),
    ("kl_estimates", "float32_inside", """
def kl_estimates(logp, ref_logp):
    log_r = (ref_logp - logp).float()
    return -log_r, 0.5 * log_r ** 2, torch.expm1(log_r) - log_r
"""),
    # grpo_advantages
    ("grpo_advantages", "population_std", """
def grpo_advantages(rewards, group_size, scale=True, eps=1e-4):
    g = rewards.view(-1, group_size)
    a = g - g.mean(1, keepdim=True)
    if scale:
        a = a / (g.std(1, unbiased=False, keepdim=True) + eps)
    return a.reshape(-1)
"""),
    ("grpo_advantages", "strided_groups", """
def grpo_advantages(rewards, group_size, scale=True, eps=1e-4):
    g = rewards.view(group_size, -1)
    a = g - g.mean(0, keepdim=True)
    if scale:
        a = a / (g.std(0, keepdim=True) + eps)
    return a.reshape(-1)
"""),
    ("grpo_advantages", "batch_statistics", """
def grpo_advantages(rewards, group_size, scale=True, eps=1e-4):
    a = rewards - rewards.mean()
    if scale:
        a = a / (rewards.std() + eps)
    return a
"""),
    ("grpo_advantages", "eps_inside_sqrt", """
def grpo_advantages(rewards, group_size, scale=True, eps=1e-4):
    g = rewards.view(-1, group_size)
    a = g - g.mean(1, keepdim=True)
    if scale:
        a = a / torch.sqrt(g.var(1, keepdim=True) + eps)
    return a.reshape(-1)
"""),
    ("grpo_advantages", "always_scaled", """
def grpo_advantages(rewards, group_size, scale=True, eps=1e-4):
    g = rewards.view(-1, group_size)
    a = (g - g.mean(1, keepdim=True)) / (g.std(1, keepdim=True) + eps)
    return a.reshape(-1)
"""),
    ("grpo_advantages", "no_eps_nan_on_equal_groups", """
def grpo_advantages(rewards, group_size, scale=True, eps=1e-4):
    g = rewards.view(-1, group_size)
    a = g - g.mean(1, keepdim=True)
    if scale:
        a = a / g.std(1, keepdim=True)
    return a.reshape(-1)
"""),
    ("grpo_advantages", "eps_hardcoded_1e8", """
def grpo_advantages(rewards, group_size, scale=True, eps=1e-4):
    g = rewards.view(-1, group_size)
    a = g - g.mean(1, keepdim=True)
    if scale:
        a = a / (g.std(1, keepdim=True) + 1e-8)
    return a.reshape(-1)
"""),
    # grpo_loss
    ("grpo_loss", "kl_to_old_policy", """
def grpo_loss(logp, old_logp, ref_logp, advantages, mask, clip=0.2, beta=0.04, loss_type="grpo"):
    if loss_type not in ("grpo", "dapo", "dr_grpo"):
        raise ValueError(loss_type)
    a = advantages.unsqueeze(1)
    ratio = torch.exp(logp - old_logp)
    s = torch.min(ratio * a, torch.clamp(ratio, 1 - clip, 1 + clip) * a)
    u = ref_logp - old_logp
    per = torch.where(mask, -s + beta * (torch.exp(u) - u - 1), torch.zeros_like(logp))
    m = mask.to(logp.dtype)
    if loss_type == "grpo":
        return (per.sum(-1) / m.sum(-1)).mean()
    if loss_type == "dapo":
        return per.sum() / m.sum()
    return per.sum() / mask.numel()
"""),
    ("grpo_loss", "k1_penalty", """
def grpo_loss(logp, old_logp, ref_logp, advantages, mask, clip=0.2, beta=0.04, loss_type="grpo"):
    if loss_type not in ("grpo", "dapo", "dr_grpo"):
        raise ValueError(loss_type)
    a = advantages.unsqueeze(1)
    ratio = torch.exp(logp - old_logp)
    s = torch.min(ratio * a, torch.clamp(ratio, 1 - clip, 1 + clip) * a)
    per = torch.where(mask, -s + beta * (logp - ref_logp), torch.zeros_like(logp))
    m = mask.to(logp.dtype)
    if loss_type == "grpo":
        return (per.sum(-1) / m.sum(-1)).mean()
    if loss_type == "dapo":
        return per.sum() / m.sum()
    return per.sum() / mask.numel()
"""),
    ("grpo_loss", "grpo_is_token_mean", """
def grpo_loss(logp, old_logp, ref_logp, advantages, mask, clip=0.2, beta=0.04, loss_type="grpo"):
    if loss_type not in ("grpo", "dapo", "dr_grpo"):
        raise ValueError(loss_type)
    a = advantages.unsqueeze(1)
    ratio = torch.exp(logp - old_logp)
    s = torch.min(ratio * a, torch.clamp(ratio, 1 - clip, 1 + clip) * a)
    u = ref_logp - logp
    per = torch.where(mask, -s + beta * (torch.exp(u) - u - 1), torch.zeros_like(logp))
    if loss_type == "dr_grpo":
        return per.sum() / mask.numel()
    return per.sum() / mask.sum()
"""),
    ("grpo_loss", "no_clip", """
def grpo_loss(logp, old_logp, ref_logp, advantages, mask, clip=0.2, beta=0.04, loss_type="grpo"):
    if loss_type not in ("grpo", "dapo", "dr_grpo"):
        raise ValueError(loss_type)
    ratio = torch.exp(logp - old_logp)
    u = ref_logp - logp
    per = torch.where(mask, -ratio * advantages.unsqueeze(1) + beta * (torch.exp(u) - u - 1), torch.zeros_like(logp))
    m = mask.to(logp.dtype)
    if loss_type == "grpo":
        return (per.sum(-1) / m.sum(-1)).mean()
    if loss_type == "dapo":
        return per.sum() / m.sum()
    return per.sum() / mask.numel()
"""),
    ("grpo_loss", "max_not_min", """
def grpo_loss(logp, old_logp, ref_logp, advantages, mask, clip=0.2, beta=0.04, loss_type="grpo"):
    if loss_type not in ("grpo", "dapo", "dr_grpo"):
        raise ValueError(loss_type)
    a = advantages.unsqueeze(1)
    ratio = torch.exp(logp - old_logp)
    s = torch.max(ratio * a, torch.clamp(ratio, 1 - clip, 1 + clip) * a)
    u = ref_logp - logp
    per = torch.where(mask, -s + beta * (torch.exp(u) - u - 1), torch.zeros_like(logp))
    m = mask.to(logp.dtype)
    if loss_type == "grpo":
        return (per.sum(-1) / m.sum(-1)).mean()
    if loss_type == "dapo":
        return per.sum() / m.sum()
    return per.sum() / mask.numel()
"""),
    ("grpo_loss", "kl_subtracted", """
def grpo_loss(logp, old_logp, ref_logp, advantages, mask, clip=0.2, beta=0.04, loss_type="grpo"):
    if loss_type not in ("grpo", "dapo", "dr_grpo"):
        raise ValueError(loss_type)
    a = advantages.unsqueeze(1)
    ratio = torch.exp(logp - old_logp)
    s = torch.min(ratio * a, torch.clamp(ratio, 1 - clip, 1 + clip) * a)
    u = ref_logp - logp
    per = torch.where(mask, -s - beta * (torch.exp(u) - u - 1), torch.zeros_like(logp))
    m = mask.to(logp.dtype)
    if loss_type == "grpo":
        return (per.sum(-1) / m.sum(-1)).mean()
    if loss_type == "dapo":
        return per.sum() / m.sum()
    return per.sum() / mask.numel()
"""),
    ("grpo_loss", "dr_grpo_divides_by_tokens_per_row", """
def grpo_loss(logp, old_logp, ref_logp, advantages, mask, clip=0.2, beta=0.04, loss_type="grpo"):
    if loss_type not in ("grpo", "dapo", "dr_grpo"):
        raise ValueError(loss_type)
    a = advantages.unsqueeze(1)
    ratio = torch.exp(logp - old_logp)
    s = torch.min(ratio * a, torch.clamp(ratio, 1 - clip, 1 + clip) * a)
    u = ref_logp - logp
    per = torch.where(mask, -s + beta * (torch.exp(u) - u - 1), torch.zeros_like(logp))
    m = mask.to(logp.dtype)
    if loss_type == "grpo":
        return (per.sum(-1) / m.sum(-1)).mean()
    if loss_type == "dapo":
        return per.sum() / m.sum()
    return per.sum() / m.sum(-1).max() / mask.shape[0]
"""),
    ("grpo_loss", "padding_counted", """
def grpo_loss(logp, old_logp, ref_logp, advantages, mask, clip=0.2, beta=0.04, loss_type="grpo"):
    if loss_type not in ("grpo", "dapo", "dr_grpo"):
        raise ValueError(loss_type)
    a = advantages.unsqueeze(1)
    ratio = torch.exp(logp - old_logp)
    s = torch.min(ratio * a, torch.clamp(ratio, 1 - clip, 1 + clip) * a)
    u = ref_logp - logp
    per = -s + beta * (torch.exp(u) - u - 1)
    m = mask.to(logp.dtype)
    if loss_type == "grpo":
        return ((per * m).sum(-1) / m.sum(-1)).mean()
    if loss_type == "dapo":
        return (per * m).sum() / m.sum()
    return per.sum() / mask.numel()
"""),
    ("grpo_loss", "no_value_error", """
def grpo_loss(logp, old_logp, ref_logp, advantages, mask, clip=0.2, beta=0.04, loss_type="grpo"):
    a = advantages.unsqueeze(1)
    ratio = torch.exp(logp - old_logp)
    s = torch.min(ratio * a, torch.clamp(ratio, 1 - clip, 1 + clip) * a)
    u = ref_logp - logp
    per = torch.where(mask, -s + beta * (torch.exp(u) - u - 1), torch.zeros_like(logp))
    m = mask.to(logp.dtype)
    if loss_type == "dapo":
        return per.sum() / m.sum()
    if loss_type == "dr_grpo":
        return per.sum() / mask.numel()
    return (per.sum(-1) / m.sum(-1)).mean()
"""),
    ("grpo_loss", "ratio_detached", """
def grpo_loss(logp, old_logp, ref_logp, advantages, mask, clip=0.2, beta=0.04, loss_type="grpo"):
    if loss_type not in ("grpo", "dapo", "dr_grpo"):
        raise ValueError(loss_type)
    a = advantages.unsqueeze(1)
    ratio = torch.exp(logp - old_logp).detach()
    s = torch.min(ratio * a, torch.clamp(ratio, 1 - clip, 1 + clip) * a)
    u = ref_logp - logp
    per = torch.where(mask, -s + beta * (torch.exp(u) - u - 1), torch.zeros_like(logp))
    m = mask.to(logp.dtype)
    if loss_type == "grpo":
        return (per.sum(-1) / m.sum(-1)).mean()
    if loss_type == "dapo":
        return per.sum() / m.sum()
    return per.sum() / mask.numel()
"""),
    # dpo_loss_from_logits
    ("dpo_loss_from_logits", "no_shift", """
def dpo_loss_from_logits(policy_logits, ref_logits, labels, beta=0.1):
    def seq(logits):
        keep = labels != -100
        lp = torch.log_softmax(logits, -1).gather(-1, torch.where(keep, labels, 0).unsqueeze(-1)).squeeze(-1)
        return (lp * keep).sum(-1)
    n = labels.shape[0] // 2
    p = seq(policy_logits)
    with torch.no_grad():
        q = seq(ref_logits)
    c, r = p[:n] - q[:n], p[n:] - q[n:]
    return -F.logsigmoid(beta * (c - r)).mean(), (beta * c).detach(), (beta * r).detach()
"""),
    ("dpo_loss_from_logits", "average_log_prob", """
def dpo_loss_from_logits(policy_logits, ref_logits, labels, beta=0.1):
    def seq(logits):
        t = labels[:, 1:]
        keep = t != -100
        lp = torch.log_softmax(logits[:, :-1], -1).gather(-1, torch.where(keep, t, 0).unsqueeze(-1)).squeeze(-1)
        return (lp * keep).sum(-1) / keep.sum(-1)
    n = labels.shape[0] // 2
    p = seq(policy_logits)
    with torch.no_grad():
        q = seq(ref_logits)
    c, r = p[:n] - q[:n], p[n:] - q[n:]
    return -F.logsigmoid(beta * (c - r)).mean(), (beta * c).detach(), (beta * r).detach()
"""),
    ("dpo_loss_from_logits", "interleaved_pairs", """
def dpo_loss_from_logits(policy_logits, ref_logits, labels, beta=0.1):
    def seq(logits):
        t = labels[:, 1:]
        keep = t != -100
        lp = torch.log_softmax(logits[:, :-1], -1).gather(-1, torch.where(keep, t, 0).unsqueeze(-1)).squeeze(-1)
        return (lp * keep).sum(-1)
    p = seq(policy_logits)
    with torch.no_grad():
        q = seq(ref_logits)
    c, r = p[0::2] - q[0::2], p[1::2] - q[1::2]
    return -F.logsigmoid(beta * (c - r)).mean(), (beta * c).detach(), (beta * r).detach()
"""),
    ("dpo_loss_from_logits", "reference_not_frozen", """
def dpo_loss_from_logits(policy_logits, ref_logits, labels, beta=0.1):
    def seq(logits):
        t = labels[:, 1:]
        keep = t != -100
        lp = torch.log_softmax(logits[:, :-1], -1).gather(-1, torch.where(keep, t, 0).unsqueeze(-1)).squeeze(-1)
        return (lp * keep).sum(-1)
    n = labels.shape[0] // 2
    p, q = seq(policy_logits), seq(ref_logits)
    c, r = p[:n] - q[:n], p[n:] - q[n:]
    return -F.logsigmoid(beta * (c - r)).mean(), (beta * c).detach(), (beta * r).detach()
"""),
    ("dpo_loss_from_logits", "rewards_not_detached", """
def dpo_loss_from_logits(policy_logits, ref_logits, labels, beta=0.1):
    def seq(logits):
        t = labels[:, 1:]
        keep = t != -100
        lp = torch.log_softmax(logits[:, :-1], -1).gather(-1, torch.where(keep, t, 0).unsqueeze(-1)).squeeze(-1)
        return (lp * keep).sum(-1)
    n = labels.shape[0] // 2
    p = seq(policy_logits)
    with torch.no_grad():
        q = seq(ref_logits)
    c, r = p[:n] - q[:n], p[n:] - q[n:]
    return -F.logsigmoid(beta * (c - r)).mean(), beta * c, beta * r
"""),
    ("dpo_loss_from_logits", "log_of_softmax", """
def dpo_loss_from_logits(policy_logits, ref_logits, labels, beta=0.1):
    def seq(logits):
        t = labels[:, 1:]
        keep = t != -100
        lp = torch.log(torch.softmax(logits[:, :-1], -1)).gather(-1, torch.where(keep, t, 0).unsqueeze(-1)).squeeze(-1)
        return (lp * keep).sum(-1)
    n = labels.shape[0] // 2
    p = seq(policy_logits)
    with torch.no_grad():
        q = seq(ref_logits)
    c, r = p[:n] - q[:n], p[n:] - q[n:]
    return -F.logsigmoid(beta * (c - r)).mean(), (beta * c).detach(), (beta * r).detach()
"""),
    ("dpo_loss_from_logits", "ignored_labels_read_as_token_0", """
def dpo_loss_from_logits(policy_logits, ref_logits, labels, beta=0.1):
    def seq(logits):
        t = labels[:, 1:].clamp(min=0)
        lp = torch.log_softmax(logits[:, :-1], -1).gather(-1, t.unsqueeze(-1)).squeeze(-1)
        return lp.sum(-1)
    n = labels.shape[0] // 2
    p = seq(policy_logits)
    with torch.no_grad():
        q = seq(ref_logits)
    c, r = p[:n] - q[:n], p[n:] - q[n:]
    return -F.logsigmoid(beta * (c - r)).mean(), (beta * c).detach(), (beta * r).detach()
"""),
    ("dpo_loss_from_logits", "beta_outside_sigmoid", """
def dpo_loss_from_logits(policy_logits, ref_logits, labels, beta=0.1):
    def seq(logits):
        t = labels[:, 1:]
        keep = t != -100
        lp = torch.log_softmax(logits[:, :-1], -1).gather(-1, torch.where(keep, t, 0).unsqueeze(-1)).squeeze(-1)
        return (lp * keep).sum(-1)
    n = labels.shape[0] // 2
    p = seq(policy_logits)
    with torch.no_grad():
        q = seq(ref_logits)
    c, r = p[:n] - q[:n], p[n:] - q[n:]
    return -beta * F.logsigmoid(c - r).mean(), (beta * c).detach(), (beta * r).detach()
"""),
    # best_of_n
    ("best_of_n", "index_within_group", """
def best_of_n(rewards, n):
    return rewards.view(-1, n).argmax(1)
"""),
    ("best_of_n", "strided_groups", """
def best_of_n(rewards, n):
    P = rewards.numel() // n
    return rewards.view(n, P).argmax(0) * P + torch.arange(P)
"""),
    ("best_of_n", "argmin", """
def best_of_n(rewards, n):
    return rewards.view(-1, n).argmin(1) + n * torch.arange(rewards.numel() // n)
"""),
    ("best_of_n", "returns_best_rewards", """
def best_of_n(rewards, n):
    return rewards.view(-1, n).max(1).values
"""),
    ("best_of_n", "global_top_p", """
def best_of_n(rewards, n):
    return rewards.topk(rewards.numel() // n).indices.sort().values
"""),
    ("best_of_n", "int32_indices", """
def best_of_n(rewards, n):
    idx = rewards.view(-1, n).argmax(1) + n * torch.arange(rewards.numel() // n)
    return idx.to(torch.int32)
"""),
    # best_of_n_kl
    ("best_of_n_kl", "log_n_only", """
def best_of_n_kl(n):
    return math.log(n)
"""),
    ("best_of_n_kl", "log_n_minus_one", """
def best_of_n_kl(n):
    return math.log(n) - 1.0
"""),
    ("best_of_n_kl", "sign_flipped", """
def best_of_n_kl(n):
    return (n - 1) / n - math.log(n)
"""),
    ("best_of_n_kl", "log2", """
def best_of_n_kl(n):
    return math.log2(n) - (n - 1) / n
"""),
    ("best_of_n_kl", "returns_tensor", """
def best_of_n_kl(n):
    return torch.log(torch.tensor(float(n))) - (n - 1) / n
"""),
    ("best_of_n_kl", "one_over_n", """
def best_of_n_kl(n):
    return math.log(n) - 1 / n
"""),
]

RIGHT = [
    ("last_token_scores", "old_hf_first_pad_modulo", """
def last_token_scores(token_scores, input_ids, pad_token_id):
    last = torch.eq(input_ids, pad_token_id).int().argmax(-1) - 1      # transformers before PR #35911
    last = last % input_ids.shape[-1]
    return token_scores[torch.arange(input_ids.shape[0]), last]
"""),
    ("last_token_scores", "python_loop", """
def last_token_scores(token_scores, input_ids, pad_token_id):
    out = []
    for b in range(input_ids.shape[0]):
        t = max(i for i in range(input_ids.shape[1]) if int(input_ids[b, i]) != pad_token_id)
        out.append(token_scores[b, t])
    return torch.stack(out)
"""),
    ("ranking_loss", "softplus_loops", """
def ranking_loss(rewards):
    K = rewards.shape[1]
    terms = [F.softplus(rewards[:, j] - rewards[:, i]) for i in range(K) for j in range(i + 1, K)]
    return torch.stack(terms, 1).mean()
"""),
    ("ranking_loss", "pairwise_matrix", """
def ranking_loss(rewards):
    K = rewards.shape[1]
    diff = rewards[:, :, None] - rewards[:, None, :]
    upper = torch.ones(K, K, dtype=torch.bool).triu(1)
    return -(F.logsigmoid(diff) * upper).sum((1, 2)).mean() / (K * (K - 1) / 2)
"""),
    ("kl_penalized_rewards", "exp_minus_one_loop", """
def kl_penalized_rewards(logprobs, ref_logprobs, scores, mask, beta=0.05, kl_estimator="k1"):
    if kl_estimator not in ("k1", "k3"):
        raise ValueError(kl_estimator)
    out = torch.zeros_like(logprobs)
    for b in range(logprobs.shape[0]):
        n = int(mask[b].sum())
        u = ref_logprobs[b, :n] - logprobs[b, :n]
        k = -u if kl_estimator == "k1" else torch.exp(u) - 1 - u
        out[b, :n] = -beta * k
        out[b, n - 1] = out[b, n - 1] + scores[b]
    return out
"""),
    ("kl_penalized_rewards", "mask_multiply_trl", """
def kl_penalized_rewards(logprobs, ref_logprobs, scores, mask, beta=0.05, kl_estimator="k1"):
    if kl_estimator == "k1":
        kl = logprobs - ref_logprobs
    elif kl_estimator == "k3":
        kl = torch.exp(ref_logprobs - logprobs) - 1 - (ref_logprobs - logprobs)
    else:
        raise ValueError(kl_estimator)
    rewards = -beta * kl
    last = torch.zeros_like(mask)
    last[torch.arange(mask.shape[0]), mask.sum(-1) - 1] = True
    rewards = rewards + last * scores[:, None]
    return rewards * mask
"""),
    ("gae", "closed_form_matrix", """
def gae(rewards, values, mask, gamma=1.0, lam=0.95):
    m = mask.to(rewards.dtype)
    r, v = torch.where(mask, rewards, 0.0), torch.where(mask, values, 0.0)
    next_v = torch.cat([v[:, 1:], torch.zeros_like(v[:, :1])], 1)
    delta = (r + gamma * next_v - v) * m
    n = rewards.shape[1]
    i = torch.arange(n)
    power = (i[None, :] - i[:, None]).clamp(min=0).to(rewards.dtype)
    w = (gamma * lam) ** power * (i[None, :] >= i[:, None])
    adv = delta @ w.T
    return adv * m, (adv + v) * m
"""),
    ("gae", "trl_loop_mask_multiply", """
def gae(rewards, values, mask, gamma=1.0, lam=0.95):
    m = mask.to(rewards.dtype)
    values, rewards = values * m, rewards * m
    last, out = 0.0, []
    n = rewards.shape[-1]
    for t in reversed(range(n)):
        nv = values[:, t + 1] if t < n - 1 else 0.0
        delta = rewards[:, t] + gamma * nv - values[:, t]
        last = delta + gamma * lam * last
        out.append(last)
    adv = torch.stack(out[::-1]).transpose(0, 1)
    return adv * m, (adv + values) * m
"""),
    ("masked_whiten", "trl_masked_var", """
def masked_whiten(x, mask, shift_mean=True):
    m = mask.to(x.dtype)
    n = m.sum()
    mean = (x * m).sum() / n
    var = (((x - mean) ** 2) * m).sum() / n * (n / (n - 1))
    out = (x - mean) * torch.rsqrt(var + 1e-8)
    if not shift_mean:
        out += mean
    return out.masked_fill(~mask, 0)
"""),
    ("masked_whiten", "float64_inside", """
def masked_whiten(x, mask, shift_mean=True):
    vals = x[mask].double()
    mean, var = vals.mean(), vals.var()
    out = (x.double() - mean) / torch.sqrt(var + 1e-8)
    if not shift_mean:
        out = out + mean
    return torch.where(mask, out, torch.zeros_like(out)).to(x.dtype)
"""),
    ("clipped_value_loss", "trl_masked_mean", """
def clipped_value_loss(values, old_values, returns, mask, clip=0.2):
    vc = torch.max(torch.min(values, old_values + clip), old_values - clip)
    losses = torch.max((values - returns) ** 2, (vc - returns) ** 2)
    m = mask.to(values.dtype)
    return 0.5 * (losses * m).sum() / m.sum()
"""),
    ("clipped_value_loss", "where_select", """
def clipped_value_loss(values, old_values, returns, mask, clip=0.2):
    vc = old_values + (values - old_values).clamp(-clip, clip)
    l1, l2 = (values - returns) ** 2, (vc - returns) ** 2
    losses = torch.where(l1 >= l2, l1, l2)
    return 0.5 * torch.where(mask, losses, torch.zeros_like(losses)).sum() / mask.sum()
"""),
    ("kl_estimates", "exp_minus_one", """
def kl_estimates(logp, ref_logp):
    ratio = torch.exp(ref_logp - logp)
    return logp - ref_logp, 0.5 * (logp - ref_logp) ** 2, ratio - 1 - torch.log(ratio)
"""),
    ("grpo_advantages", "python_groups", """
def grpo_advantages(rewards, group_size, scale=True, eps=1e-4):
    out = torch.empty_like(rewards)
    for s in range(0, rewards.numel(), group_size):
        grp = rewards[s:s + group_size]
        a = grp - grp.mean()
        out[s:s + group_size] = a / (grp.std() + eps) if scale else a
    return out
"""),
    ("grpo_advantages", "trl_repeat_interleave", """
def grpo_advantages(rewards, group_size, scale=True, eps=1e-4):
    mean = rewards.view(-1, group_size).mean(dim=1).repeat_interleave(group_size, dim=0)
    std = rewards.view(-1, group_size).std(dim=1).repeat_interleave(group_size, dim=0)
    adv = rewards - mean
    if scale:
        adv = adv / (std + eps)
    return adv
"""),
    ("grpo_loss", "trl_compute_loss", """
def grpo_loss(logp, old_logp, ref_logp, advantages, mask, clip=0.2, beta=0.04, loss_type="grpo"):
    per_token_kl = torch.exp(ref_logp - logp) - (ref_logp - logp) - 1
    coef_1 = torch.exp(logp - old_logp)
    coef_2 = torch.clamp(coef_1, 1 - clip, 1 + clip)
    per_token_loss = -torch.min(coef_1 * advantages.unsqueeze(1), coef_2 * advantages.unsqueeze(1))
    per_token_loss = per_token_loss + beta * per_token_kl
    m = mask.to(logp.dtype)
    if loss_type == "grpo":
        return ((per_token_loss * m).sum(-1) / m.sum(-1).clamp(min=1.0)).mean()
    if loss_type == "dapo":
        return (per_token_loss * m).sum() / m.sum().clamp(min=1.0)
    if loss_type == "dr_grpo":
        return (per_token_loss * m).sum() / (per_token_loss.size(0) * mask.shape[1])
    raise ValueError(loss_type)
"""),
    ("grpo_loss", "float64_inside_where_clip", """
def grpo_loss(logp, old_logp, ref_logp, advantages, mask, clip=0.2, beta=0.04, loss_type="grpo"):
    if loss_type not in ("grpo", "dapo", "dr_grpo"):
        raise ValueError(loss_type)
    lp, old, ref = logp.double(), old_logp.double(), ref_logp.double()
    a = advantages.double()[:, None]
    ratio = torch.exp(lp - old)
    clipped = torch.where(a >= 0, torch.minimum(ratio, torch.full_like(ratio, 1 + clip)),
                          torch.maximum(ratio, torch.full_like(ratio, 1 - clip)))
    per = -clipped * a + beta * (torch.expm1(ref - lp) - (ref - lp))
    per = per.masked_fill(~mask, 0.0)
    n = mask.sum(-1).double()
    if loss_type == "grpo":
        out = (per.sum(-1) / n).mean()
    elif loss_type == "dapo":
        out = per.sum() / n.sum()
    else:
        out = per.sum() / mask.numel()
    return out.to(logp.dtype)
"""),
    ("dpo_loss_from_logits", "cross_entropy_per_row", """
def dpo_loss_from_logits(policy_logits, ref_logits, labels, beta=0.1):
    def seq(logits):
        V = logits.shape[-1]
        nll = F.cross_entropy(logits[:, :-1].reshape(-1, V), labels[:, 1:].reshape(-1), reduction="none")
        return -nll.view(labels.shape[0], -1).sum(-1)
    n = labels.shape[0] // 2
    p = seq(policy_logits)
    q = seq(ref_logits).detach()
    chosen, rejected = p.chunk(2)
    ref_c, ref_r = q.chunk(2)
    logits = (chosen - rejected) - (ref_c - ref_r)
    return (-F.logsigmoid(beta * logits).mean(), beta * (chosen - ref_c).detach(),
            beta * (rejected - ref_r).detach())
"""),
    ("dpo_loss_from_logits", "ref_logits_detached_first", """
def dpo_loss_from_logits(policy_logits, ref_logits, labels, beta=0.1):
    t = labels[:, 1:].clone()
    keep = t != -100
    t[~keep] = 0
    def seq(logits):
        return (torch.gather(logits[:, :-1].log_softmax(-1), 2, t.unsqueeze(2)).squeeze(2) * keep).sum(-1)
    n = labels.shape[0] // 2
    p, q = seq(policy_logits), seq(ref_logits.detach())
    pi_logratios = p[:n] - p[n:]
    ref_logratios = q[:n] - q[n:]
    loss = -F.logsigmoid(beta * (pi_logratios - ref_logratios)).mean()
    return loss, beta * (p[:n] - q[:n]).detach(), beta * (p[n:] - q[n:]).detach()
"""),
    ("best_of_n", "python_loop", """
def best_of_n(rewards, n):
    out = []
    for s in range(0, rewards.numel(), n):
        grp = rewards[s:s + n].tolist()
        out.append(s + grp.index(max(grp)))
    return torch.tensor(out, dtype=torch.long)
"""),
    ("best_of_n", "max_indices", """
def best_of_n(rewards, n):
    P = rewards.numel() // n
    return rewards.reshape(P, n).max(dim=-1).indices + torch.arange(0, P * n, n)
"""),
    ("best_of_n_kl", "log1p_form", """
def best_of_n_kl(n):
    return float(math.log1p(n - 1) - 1 + 1 / n)
"""),
]
