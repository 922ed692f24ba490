"""14_rlhf_grpo: plausible wrong implementations the tests must catch, and correct variants they must accept.

Most variants are the reference cell with a small edit (``patch``), so each shows exactly the mistake it makes;
whole cells are genuinely different implementations.
"""

from mutations._patch import patch

ASSIGNMENT = "14_rlhf_grpo"

WRONG = [
    # last_token_scores
    ("last_token_scores", "count_minus_one", patch(ASSIGNMENT, "last_token_scores",
        "(positions * (input_ids != pad_token_id)).argmax(-1)", "(input_ids != pad_token_id).sum(-1) - 1")),
    ("last_token_scores", "always_last_position", patch(ASSIGNMENT, "last_token_scores",
        "return token_scores[torch.arange(input_ids.shape[0], device=input_ids.device), last]",
        "return token_scores[:, -1]")),
    ("last_token_scores", "first_non_pad", patch(ASSIGNMENT, "last_token_scores",
        "(positions * (input_ids != pad_token_id)).argmax(-1)", "(input_ids != pad_token_id).int().argmax(-1)")),
    ("last_token_scores", "mean_over_real_tokens", """
def last_token_scores(token_scores, input_ids, pad_token_id):
    keep = (input_ids != pad_token_id).to(token_scores.dtype)
    return (token_scores * keep).sum(-1) / keep.sum(-1)
"""),
    ("last_token_scores", "keeps_dim", patch(ASSIGNMENT, "last_token_scores", [
        (".argmax(-1)", ".argmax(-1, keepdim=True)"),
        ("token_scores[torch.arange(input_ids.shape[0], device=input_ids.device), last]",
         "token_scores.gather(1, last)")])),
    ("last_token_scores", "one_past_the_end", patch(ASSIGNMENT, "last_token_scores",
        "    return token_scores",
        "    last = (last + 1).clamp(max=input_ids.shape[-1] - 1)\n"
        "    return token_scores")),
    # ranking_loss
    ("ranking_loss", "adjacent_pairs_only", patch(ASSIGNMENT, "ranking_loss",
        "margins = rewards[:, i] - rewards[:, j]", "margins = rewards[:, :-1] - rewards[:, 1:]")),
    ("ranking_loss", "reversed_order", patch(ASSIGNMENT, "ranking_loss",
        "rewards[:, i] - rewards[:, j]", "rewards[:, j] - rewards[:, i]")),
    ("ranking_loss", "log_of_sigmoid", patch(ASSIGNMENT, "ranking_loss",
        "-F.logsigmoid(margins)", "-torch.log(torch.sigmoid(margins))")),
    ("ranking_loss", "sum_over_pairs", patch(ASSIGNMENT, "ranking_loss",
        "-F.logsigmoid(margins).mean()", "-F.logsigmoid(margins).sum(-1).mean()")),
    ("ranking_loss", "divide_by_k", patch(ASSIGNMENT, "ranking_loss",
        "-F.logsigmoid(margins).mean()", "-F.logsigmoid(margins).sum(-1).mean() / rewards.shape[-1]")),
    ("ranking_loss", "best_against_rest", patch(ASSIGNMENT, "ranking_loss",
        "rewards[:, i] - rewards[:, j]", "rewards[:, :1] - rewards[:, 1:]")),
    ("ranking_loss", "listwise_softmax", """
def ranking_loss(rewards):
    return -torch.log_softmax(rewards, -1)[:, 0].mean()
"""),
    # kl_penalized_rewards
    ("kl_penalized_rewards", "score_at_last_column", patch(ASSIGNMENT, "kl_penalized_rewards",
        "rewards[rows, last] +=", "rewards[:, -1] +=")),
    ("kl_penalized_rewards", "score_one_step_late", patch(ASSIGNMENT, "kl_penalized_rewards",
        "mask.long().sum(-1) - 1", "mask.long().sum(-1).clamp(max=mask.shape[1] - 1)")),
    ("kl_penalized_rewards", "kl_sign_flipped", patch(ASSIGNMENT, "kl_penalized_rewards",
        "        kl = -log_ratio\n", "        kl = log_ratio\n")),
    ("kl_penalized_rewards", "k3_ratio_inverted", patch(ASSIGNMENT, "kl_penalized_rewards",
        "torch.expm1(log_ratio) - log_ratio", "torch.expm1(-log_ratio) + log_ratio")),
    ("kl_penalized_rewards", "padding_not_zeroed", patch(ASSIGNMENT, "kl_penalized_rewards",
        "torch.where(mask, -beta * kl, torch.zeros_like(kl))", "-beta * kl")),
    ("kl_penalized_rewards", "unknown_estimator_is_k1", patch(ASSIGNMENT, "kl_penalized_rewards",
        "        raise ValueError(f\"unknown kl_estimator {kl_estimator!r}: use 'k1' or 'k3'\")",
        "        kl = -log_ratio")),
    ("kl_penalized_rewards", "beta_scales_score", patch(ASSIGNMENT, "kl_penalized_rewards", [
        ("torch.where(mask, -beta * kl,", "torch.where(mask, -kl,"),
        ("    return rewards", "    return beta * rewards")])),
    ("kl_penalized_rewards", "in_place_on_logprobs", patch(ASSIGNMENT, "kl_penalized_rewards",
        "    rewards = torch.where(mask, -beta * kl, torch.zeros_like(kl))",
        "    rewards = logprobs\n"
        "    rewards.copy_(torch.where(mask, -beta * kl, torch.zeros_like(kl)))")),
    # gae
    ("gae", "bootstraps_from_padding", patch(ASSIGNMENT, "gae",
        "torch.where(mask, values.to(rewards.dtype), zero)                      # padding values never read",
        "values.to(rewards.dtype)")),
    ("gae", "lambda_without_gamma", patch(ASSIGNMENT, "gae", "gamma * lam * last_gae", "lam * last_gae")),
    ("gae", "delta_without_gamma", patch(ASSIGNMENT, "gae", "r[:, t] + gamma * next_v", "r[:, t] + next_v")),
    ("gae", "returns_are_reward_to_go", patch(ASSIGNMENT, "gae", [
        ("    reversed_adv = []\n", "    reversed_adv, ret, rets = [], zero[:, 0], []\n"),
        ("        reversed_adv.append(last_gae)\n",
         "        reversed_adv.append(last_gae)\n"
         "        ret = r[:, t] + gamma * ret\n"
         "        rets.append(ret)\n"),
        ("torch.where(mask, advantages + v, zero)", "torch.where(mask, torch.stack(rets[::-1], dim=1), zero)")])),
    ("gae", "whitened", patch(ASSIGNMENT, "gae",
        "    return advantages, returns",
        "    a = advantages[mask]\n"
        "    advantages = torch.where(mask, (advantages - a.mean()) / (a.std() + 1e-8), zero)\n"
        "    return advantages, returns")),
    ("gae", "returns_use_raw_values", patch(ASSIGNMENT, "gae",
        "returns = torch.where(mask, advantages + v, zero)", "returns = advantages + values")),
    ("gae", "left_to_right", patch(ASSIGNMENT, "gae", [
        ("reversed(range(n_steps))", "range(n_steps)"),
        ("torch.stack(reversed_adv[::-1], dim=1)", "torch.stack(reversed_adv, dim=1)")])),
    # masked_whiten
    ("masked_whiten", "biased_variance", patch(ASSIGNMENT, "masked_whiten",
        "zero).sum() / (n - 1)             # unbiased", "zero).sum() / n")),
    ("masked_whiten", "per_row_statistics", patch(ASSIGNMENT, "masked_whiten", [
        ("n = mask.sum()", "n = mask.sum(-1, keepdim=True)"),
        ("torch.where(mask, x, zero).sum() / n", "torch.where(mask, x, zero).sum(-1, keepdim=True) / n"),
        ("zero).sum() / (n - 1)", "zero).sum(-1, keepdim=True) / (n - 1).clamp(min=1)")])),
    ("masked_whiten", "padding_in_statistics", patch(ASSIGNMENT, "masked_whiten", [
        ("n = mask.sum()", "n = mask.numel()"),
        ("torch.where(mask, x, zero).sum()", "x.sum()"),
        ("torch.where(mask, (x - mean) ** 2, zero).sum()", "((x - mean) ** 2).sum()")])),
    ("masked_whiten", "eps_outside_sqrt", patch(ASSIGNMENT, "masked_whiten",
        "(x - mean) * torch.rsqrt(var + 1e-8)", "(x - mean) / (var.sqrt() + 1e-8)")),
    ("masked_whiten", "ignores_shift_mean", patch(ASSIGNMENT, "masked_whiten",
        "    if not shift_mean:\n"
        "        out = out + mean\n",
        "")),
    ("masked_whiten", "padding_kept", patch(ASSIGNMENT, "masked_whiten",
        "return torch.where(mask, out, zero)", "return out")),
    ("masked_whiten", "shift_mean_false_no_centering", patch(ASSIGNMENT, "masked_whiten", [
        ("out = (x - mean) * torch.rsqrt(var + 1e-8)",
         "out = (x - mean) * torch.rsqrt(var + 1e-8) if shift_mean else x * torch.rsqrt(var + 1e-8)"),
        ("    if not shift_mean:\n"
         "        out = out + mean\n",
         "")])),
    # clipped_value_loss
    ("clipped_value_loss", "min_not_max", patch(ASSIGNMENT, "clipped_value_loss",
        "losses = torch.max(", "losses = torch.min(")),
    ("clipped_value_loss", "no_half", patch(ASSIGNMENT, "clipped_value_loss", "return 0.5 * losses", "return losses")),
    ("clipped_value_loss", "clip_around_returns", patch(ASSIGNMENT, "clipped_value_loss",
        "torch.clamp(values, old_values - clip, old_values + clip)",
        "torch.clamp(values, returns - clip, returns + clip)")),
    ("clipped_value_loss", "mean_over_padding", patch(ASSIGNMENT, "clipped_value_loss",
        "losses[mask].mean()", "(losses * mask).mean()")),
    ("clipped_value_loss", "clipped_term_only", patch(ASSIGNMENT, "clipped_value_loss",
        "torch.max((values - returns) ** 2, (v_clipped - returns) ** 2)", "(v_clipped - returns) ** 2")),
    ("clipped_value_loss", "clip_argument_ignored", patch(ASSIGNMENT, "clipped_value_loss",
        "old_values - clip, old_values + clip", "old_values - 0.2, old_values + 0.2")),
    ("clipped_value_loss", "relative_clip", patch(ASSIGNMENT, "clipped_value_loss",
        "    v_clipped = torch.clamp(values, old_values - clip, old_values + clip)",
        "    lo, hi = old_values * (1 - clip), old_values * (1 + clip)\n"
        "    v_clipped = torch.max(torch.min(values, torch.max(lo, hi)), torch.min(lo, hi))")),
    ("clipped_value_loss", "detached", patch(ASSIGNMENT, "clipped_value_loss",
        "    v_clipped =",
        "    values = values.detach()\n"
        "    v_clipped =")),
    # kl_estimates
    ("kl_estimates", "log_ratio_reversed", patch(ASSIGNMENT, "kl_estimates",
        "log_r = ref_logp - logp", "log_r = logp - ref_logp")),
    ("kl_estimates", "k2_without_half", patch(ASSIGNMENT, "kl_estimates", "0.5 * log_r ** 2", "log_r ** 2")),
    ("kl_estimates", "k3_plus_log", patch(ASSIGNMENT, "kl_estimates",
        "torch.expm1(log_r) - log_r", "torch.expm1(log_r) + log_r")),
    ("kl_estimates", "k1_is_log_r", patch(ASSIGNMENT, "kl_estimates", "return -log_r,", "return log_r,")),
    ("kl_estimates", "k3_of_inverse_ratio", patch(ASSIGNMENT, "kl_estimates",
        "torch.expm1(log_r) - log_r", "torch.expm1(-log_r) + log_r")),
    ("kl_estimates", "k1_absolute", patch(ASSIGNMENT, "kl_estimates", "return -log_r,", "return log_r.abs(),")),
    ("kl_estimates", "float32_inside", patch(ASSIGNMENT, "kl_estimates",
        "log_r = ref_logp - logp", "log_r = (ref_logp - logp).float()")),
    # grpo_advantages
    ("grpo_advantages", "population_std", patch(ASSIGNMENT, "grpo_advantages",
        "groups.std(dim=1, keepdim=True)", "groups.std(dim=1, unbiased=False, keepdim=True)")),
    ("grpo_advantages", "strided_groups", patch(ASSIGNMENT, "grpo_advantages", [
        ("rewards.view(-1, group_size)", "rewards.view(group_size, -1)"),
        ("groups.mean(dim=1,", "groups.mean(dim=0,"),
        ("groups.std(dim=1,", "groups.std(dim=0,")])),
    # one group: the whole batch
    ("grpo_advantages", "batch_statistics", patch(ASSIGNMENT, "grpo_advantages",
        "rewards.view(-1, group_size)", "rewards.view(1, -1)")),
    ("grpo_advantages", "eps_inside_sqrt", patch(ASSIGNMENT, "grpo_advantages",
        "(groups.std(dim=1, keepdim=True) + eps)", "torch.sqrt(groups.var(dim=1, keepdim=True) + eps)")),
    ("grpo_advantages", "always_scaled", patch(ASSIGNMENT, "grpo_advantages",
        "    if scale:\n"
        "        advantages = advantages /",
        "    advantages = advantages /")),
    ("grpo_advantages", "no_eps_nan_on_equal_groups", patch(ASSIGNMENT, "grpo_advantages",
        "(groups.std(dim=1, keepdim=True) + eps)", "groups.std(dim=1, keepdim=True)")),
    ("grpo_advantages", "eps_hardcoded_1e8", patch(ASSIGNMENT, "grpo_advantages",
        "keepdim=True) + eps)", "keepdim=True) + 1e-8)")),
    # grpo_loss
    ("grpo_loss", "kl_to_old_policy", patch(ASSIGNMENT, "grpo_loss",
        "log_r = ref_logp - logp", "log_r = ref_logp - old_logp")),
    ("grpo_loss", "k1_penalty", patch(ASSIGNMENT, "grpo_loss",
        "-surrogate + beta * k3", "-surrogate + beta * (logp - ref_logp)")),
    ("grpo_loss", "grpo_is_token_mean", patch(ASSIGNMENT, "grpo_loss",
        'if loss_type == "grpo":\n'
        "        return (per_token.sum(-1) / m.sum(-1)).mean()\n"
        '    if loss_type == "dapo":',
        'if loss_type in ("grpo", "dapo"):')),
    ("grpo_loss", "no_clip", patch(ASSIGNMENT, "grpo_loss",
        "torch.min(ratio * adv, torch.clamp(ratio, 1 - clip, 1 + clip) * adv)", "ratio * adv")),
    ("grpo_loss", "max_not_min", patch(ASSIGNMENT, "grpo_loss", "surrogate = torch.min(", "surrogate = torch.max(")),
    ("grpo_loss", "kl_subtracted", patch(ASSIGNMENT, "grpo_loss", "-surrogate + beta * k3", "-surrogate - beta * k3")),
    ("grpo_loss", "dr_grpo_divides_by_tokens_per_row", patch(ASSIGNMENT, "grpo_loss",
        "per_token.sum() / (mask.shape[0] * mask.shape[1])", "per_token.sum() / m.sum(-1).max() / mask.shape[0]")),
    ("grpo_loss", "padding_counted", patch(ASSIGNMENT, "grpo_loss", [
        ("torch.where(mask, -surrogate + beta * k3, torch.zeros_like(logp))", "-surrogate + beta * k3"),
        ("(per_token.sum(-1) / m.sum(-1))", "((per_token * m).sum(-1) / m.sum(-1))"),
        ("return per_token.sum() / m.sum()", "return (per_token * m).sum() / m.sum()")])),
    ("grpo_loss", "no_value_error", patch(ASSIGNMENT, "grpo_loss",
        '    if loss_type not in ("grpo", "dapo", "dr_grpo"):\n'
        '        raise ValueError(f"unknown loss_type {loss_type!r}")\n',
        "")),
    ("grpo_loss", "ratio_detached", patch(ASSIGNMENT, "grpo_loss",
        "ratio = torch.exp(logp - old_logp)", "ratio = torch.exp(logp - old_logp).detach()")),
    # dpo_loss_from_logits
    ("dpo_loss_from_logits", "no_shift", patch(ASSIGNMENT, "dpo_loss_from_logits", [
        ("targets = labels[:, 1:]", "targets = labels"),
        ("logits[:, :-1]", "logits")])),
    ("dpo_loss_from_logits", "average_log_prob", patch(ASSIGNMENT, "dpo_loss_from_logits",
        "return (picked * keep).sum(-1)", "return (picked * keep).sum(-1) / keep.sum(-1)")),
    ("dpo_loss_from_logits", "interleaved_pairs", patch(ASSIGNMENT, "dpo_loss_from_logits", [
        ("chosen = policy[:n] - ref[:n]", "chosen = policy[0::2] - ref[0::2]"),
        ("rejected = policy[n:] - ref[n:]", "rejected = policy[1::2] - ref[1::2]")])),
    ("dpo_loss_from_logits", "reference_not_frozen", patch(ASSIGNMENT, "dpo_loss_from_logits",
        "    with torch.no_grad():\n"
        "        ref = seq_logps(ref_logits)\n",
        "    ref = seq_logps(ref_logits)\n")),
    ("dpo_loss_from_logits", "rewards_not_detached", patch(ASSIGNMENT, "dpo_loss_from_logits",
        "return loss, (beta * chosen).detach(), (beta * rejected).detach()",
        "return loss, beta * chosen, beta * rejected")),
    ("dpo_loss_from_logits", "log_of_softmax", patch(ASSIGNMENT, "dpo_loss_from_logits",
        "torch.log_softmax(logits[:, :-1], dim=-1)", "torch.log(torch.softmax(logits[:, :-1], dim=-1))")),
    ("dpo_loss_from_logits", "ignored_labels_read_as_token_0", patch(ASSIGNMENT, "dpo_loss_from_logits", [
        ("torch.where(keep, targets, 0)", "targets.clamp(min=0)"),
        ("return (picked * keep).sum(-1)", "return picked.sum(-1)")])),
    ("dpo_loss_from_logits", "beta_outside_sigmoid", patch(ASSIGNMENT, "dpo_loss_from_logits",
        "-F.logsigmoid(beta * (chosen - rejected)).mean()", "-beta * F.logsigmoid(chosen - rejected).mean()")),
    # best_of_n
    ("best_of_n", "index_within_group", patch(ASSIGNMENT, "best_of_n",
        "return within + n * torch.arange(within.shape[0], device=rewards.device)", "return within")),
    ("best_of_n", "strided_groups", """
def best_of_n(rewards, n):
    P = rewards.numel() // n
    return rewards.view(n, P).argmax(0) * P + torch.arange(P)
"""),
    ("best_of_n", "argmin", patch(ASSIGNMENT, "best_of_n", ".argmax(dim=1)", ".argmin(dim=1)")),
    ("best_of_n", "returns_best_rewards", """
def best_of_n(rewards, n):
    return rewards.view(-1, n).max(1).values
"""),
    ("best_of_n", "global_top_p", """
def best_of_n(rewards, n):
    return rewards.topk(rewards.numel() // n).indices.sort().values
"""),
    ("best_of_n", "int32_indices", patch(ASSIGNMENT, "best_of_n",
        "return within + n * torch.arange(within.shape[0], device=rewards.device)",
        "return (within + n * torch.arange(within.shape[0], device=rewards.device)).to(torch.int32)")),
    # best_of_n_kl
    ("best_of_n_kl", "log_n_only", patch(ASSIGNMENT, "best_of_n_kl",
        "return math.log(n) - (n - 1) / n", "return math.log(n)")),
    ("best_of_n_kl", "log_n_minus_one", patch(ASSIGNMENT, "best_of_n_kl",
        "return math.log(n) - (n - 1) / n", "return math.log(n) - 1.0")),
    ("best_of_n_kl", "sign_flipped", patch(ASSIGNMENT, "best_of_n_kl",
        "return math.log(n) - (n - 1) / n", "return (n - 1) / n - math.log(n)")),
    ("best_of_n_kl", "log2", patch(ASSIGNMENT, "best_of_n_kl", "return math.log(n)", "return math.log2(n)")),
    ("best_of_n_kl", "returns_tensor", patch(ASSIGNMENT, "best_of_n_kl",
        "return math.log(n)", "return torch.log(torch.tensor(float(n)))")),
    ("best_of_n_kl", "one_over_n", patch(ASSIGNMENT, "best_of_n_kl",
        "return math.log(n) - (n - 1) / n", "return math.log(n) - 1 / n")),
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
