"""10_llm_training_alignment: plausible wrong implementations the tests must catch, and correct variants they must accept.

Most variants are the reference cell with a small edit (``patch``), so each shows exactly the mistake it makes;
whole cells are genuinely different implementations.
"""

from mutations._patch import patch

ASSIGNMENT = "10_llm_training_alignment"

WRONG = [
    # mlm_mask
    ("mlm_mask", "labels_only_where_masked", patch(ASSIGNMENT, "mlm_mask", [
        ("    labels = input_ids.masked_fill(~selected, -100)\n", ""),
        ("    return inputs, labels", "    return inputs, input_ids.masked_fill(~replaced, -100)")])),
    ("mlm_mask", "special_tokens_selectable", patch(ASSIGNMENT, "mlm_mask", ".masked_fill(special_mask, 0.0)", "")),
    ("mlm_mask", "fixed_count_per_sequence", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    selected = torch.zeros_like(special_mask)
    for b in range(input_ids.shape[0]):
        cand = (~special_mask[b]).nonzero().flatten()
        k = round(mlm_prob * cand.numel())
        pick = cand[torch.randperm(cand.numel(), generator=generator)[:k]]
        selected[b, pick] = True
    u = torch.rand(input_ids.shape, generator=generator)
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator)
    inputs = torch.where(selected & (u < 0.8), torch.full_like(input_ids, mask_token_id), input_ids)
    inputs = torch.where(selected & (u >= 0.8) & (u < 0.9), random_ids, inputs)
    return inputs, input_ids.masked_fill(~selected, -100)
"""),
    ("mlm_mask", "split_80_2_18", patch(ASSIGNMENT, "mlm_mask",
        "torch.full(input_ids.shape, 0.5)", "torch.full(input_ids.shape, 0.1)")),
    ("mlm_mask", "labels_from_corrupted_inputs", patch(ASSIGNMENT, "mlm_mask",
        "    return inputs, labels", "    return inputs, inputs.masked_fill(~selected, -100)")),
    # corrupts the caller's input_ids
    ("mlm_mask", "in_place", patch(ASSIGNMENT, "mlm_mask",
        "inputs = input_ids.masked_fill(replaced, mask_token_id)\n"
        "    inputs = torch.where(randomised, random_ids, inputs)",
        "inputs = input_ids.masked_fill_(replaced, mask_token_id)\n"
        "    inputs[randomised] = random_ids[randomised]")),
    ("mlm_mask", "mask_not_restricted_to_selected", patch(ASSIGNMENT, "mlm_mask",
        "0.8), generator=generator).bool() & selected", "0.8), generator=generator).bool() & ~special_mask")),
    ("mlm_mask", "ignores_generator", patch(ASSIGNMENT, "mlm_mask", ", generator=generator", "", count=4)),
    ("mlm_mask", "random_ids_from_the_batch", patch(ASSIGNMENT, "mlm_mask",
        "    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator, dtype=input_ids.dtype)\n",
        "    pool = input_ids[~special_mask]\n"
        "    random_ids = pool[torch.randint(pool.numel(), input_ids.shape, generator=generator)]\n")),
    ("mlm_mask", "ignores_mlm_prob", patch(ASSIGNMENT, "mlm_mask", "float(mlm_prob)", "0.15")),
    # causal_lm_loss
    ("causal_lm_loss", "no_shift", patch(ASSIGNMENT, "causal_lm_loss", [
        ("= logits[:, :-1, :]", "= logits"),
        ("= input_ids[:, 1:]", "= input_ids")])),
    ("causal_lm_loss", "shift_reversed", patch(ASSIGNMENT, "causal_lm_loss", [
        ("= logits[:, :-1, :]", "= logits[:, 1:, :]"),
        ("= input_ids[:, 1:]", "= input_ids[:, :-1]")])),
    ("causal_lm_loss", "shift_after_flatten", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    flat_logits = logits.reshape(-1, logits.shape[-1])
    flat_ids = input_ids.reshape(-1)
    return F.cross_entropy(flat_logits[:-1], flat_ids[1:], ignore_index=ignore_index)
"""),
    ("causal_lm_loss", "ignore_index_not_passed", patch(ASSIGNMENT, "causal_lm_loss",
        ",\n"
        "                           ignore_index=ignore_index)",
        ")")),
    ("causal_lm_loss", "mean_over_all_positions", patch(ASSIGNMENT, "causal_lm_loss", [
        ("    return F.cross_entropy(", "    nll = F.cross_entropy("),
        ("ignore_index=ignore_index)",
         'ignore_index=ignore_index, reduction="sum")\n'
         "    return nll / shift_labels.numel()")])),
    ("causal_lm_loss", "log_of_softmax", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    targets = input_ids[:, 1:]
    keep = targets != ignore_index
    logp = torch.log(torch.softmax(logits[:, :-1], -1))
    tok = logp.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return -(tok * keep).sum() / keep.sum()
"""),
    ("causal_lm_loss", "sum_reduction", patch(ASSIGNMENT, "causal_lm_loss",
        "ignore_index=ignore_index)", 'ignore_index=ignore_index, reduction="sum")')),
    ("causal_lm_loss", "keeps_last_position", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    targets = torch.cat([input_ids[:, 1:], input_ids[:, :1]], dim=1)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=ignore_index)
"""),
    # sft_labels
    ("sft_labels", "off_by_one_inclusive", patch(ASSIGNMENT, "sft_labels",
        "positions < lengths", "positions <= lengths")),
    ("sft_labels", "in_place", patch(ASSIGNMENT, "sft_labels", "input_ids.masked_fill(", "input_ids.masked_fill_(")),
    ("sft_labels", "first_length_for_all", patch(ASSIGNMENT, "sft_labels",
        "positions < lengths", "positions < lengths[0]")),
    ("sft_labels", "response_ignored", patch(ASSIGNMENT, "sft_labels", "positions < lengths", "positions >= lengths")),
    ("sft_labels", "pre_shifted", """
def sft_labels(input_ids, prompt_lengths):
    labels = torch.full_like(input_ids, -100)
    labels[:, :-1] = input_ids[:, 1:]
    for b, p in enumerate(prompt_lengths):
        labels[b, :max(int(p) - 1, 0)] = -100
    return labels
"""),
    ("sft_labels", "negative_slice_for_zero", patch(ASSIGNMENT, "sft_labels",
        "positions < lengths", "positions < lengths.clamp(min=1)")),
    # sequence_logprob
    ("sequence_logprob", "no_shift", patch(ASSIGNMENT, "sequence_logprob", [
        ("labels[:, 1:]", "labels"),
        ("logits[:, :-1, :]", "logits")])),
    ("sequence_logprob", "mean_not_sum", patch(ASSIGNMENT, "sequence_logprob",
        "(token_logp * keep).sum(-1)", "(token_logp * keep).sum(-1) / keep.sum(-1)")),
    # targets is a view: this writes into the caller's labels
    ("sequence_logprob", "labels_modified_in_place", patch(ASSIGNMENT, "sequence_logprob",
        "    safe = torch.where(keep, targets, torch.zeros_like(targets))       # any valid index where ignored\n",
        "    targets[~keep] = 0\n"
        "    safe = targets\n")),
    ("sequence_logprob", "log_of_softmax", patch(ASSIGNMENT, "sequence_logprob",
        "torch.log_softmax(logits[:, :-1, :], dim=-1)", "torch.log(torch.softmax(logits[:, :-1, :], dim=-1))")),
    ("sequence_logprob", "ignored_targets_counted", patch(ASSIGNMENT, "sequence_logprob",
        "(token_logp * keep).sum(-1)", "token_logp.sum(-1)")),
    ("sequence_logprob", "always_float32", patch(ASSIGNMENT, "sequence_logprob",
        "logits[:, :-1, :], dim=-1)", "logits[:, :-1, :].float(), dim=-1)")),
    ("sequence_logprob", "ignore_index_hardcoded", patch(ASSIGNMENT, "sequence_logprob",
        "keep = targets != ignore_index", "keep = targets != -100")),
    # bradley_terry_loss
    ("bradley_terry_loss", "sign_swapped", patch(ASSIGNMENT, "bradley_terry_loss",
        "F.logsigmoid(r_chosen - r_rejected)", "F.logsigmoid(r_rejected - r_chosen)")),
    ("bradley_terry_loss", "log_of_sigmoid", patch(ASSIGNMENT, "bradley_terry_loss",
        "F.logsigmoid(r_chosen - r_rejected)", "torch.log(torch.sigmoid(r_chosen - r_rejected))")),
    ("bradley_terry_loss", "sum_not_mean", patch(ASSIGNMENT, "bradley_terry_loss", ".mean()", ".sum()")),
    ("bradley_terry_loss", "missing_minus", patch(ASSIGNMENT, "bradley_terry_loss",
        "return -F.logsigmoid", "return F.logsigmoid")),
    ("bradley_terry_loss", "detached_float", patch(ASSIGNMENT, "bradley_terry_loss",
        "return -F.logsigmoid(r_chosen - r_rejected).mean()",
        "return torch.tensor(-F.logsigmoid(r_chosen - r_rejected).mean().item(), dtype=r_chosen.dtype)")),
    # dpo_loss
    ("dpo_loss", "beta_outside_sigmoid", patch(ASSIGNMENT, "dpo_loss",
        "-F.logsigmoid(beta * (chosen_logratios - rejected_logratios)).mean()",
        "-beta * F.logsigmoid(chosen_logratios - rejected_logratios).mean()")),
    ("dpo_loss", "rewards_not_detached", patch(ASSIGNMENT, "dpo_loss", [
        ("(beta * chosen_logratios).detach()", "beta * chosen_logratios"),
        ("(beta * rejected_logratios).detach()", "beta * rejected_logratios")])),
    ("dpo_loss", "rewards_without_beta", patch(ASSIGNMENT, "dpo_loss", [
        ("(beta * chosen_logratios).detach()", "chosen_logratios.detach()"),
        ("(beta * rejected_logratios).detach()", "rejected_logratios.detach()")])),
    ("dpo_loss", "reference_sign_flipped", patch(ASSIGNMENT, "dpo_loss",
        "beta * (chosen_logratios - rejected_logratios)",
        "beta * ((policy_chosen_logps - policy_rejected_logps) - (ref_rejected_logps - ref_chosen_logps))")),
    ("dpo_loss", "no_reference", patch(ASSIGNMENT, "dpo_loss",
        "beta * (chosen_logratios - rejected_logratios)", "beta * (policy_chosen_logps - policy_rejected_logps)")),
    ("dpo_loss", "log_of_sigmoid", patch(ASSIGNMENT, "dpo_loss",
        "-F.logsigmoid(beta * (chosen_logratios - rejected_logratios))",
        "-torch.log(torch.sigmoid(beta * (chosen_logratios - rejected_logratios)))")),
    ("dpo_loss", "sum_not_mean", patch(ASSIGNMENT, "dpo_loss",
        "rejected_logratios)).mean()", "rejected_logratios)).sum()")),
    ("dpo_loss", "default_beta_one", patch(ASSIGNMENT, "dpo_loss", "beta=0.1", "beta=1.0")),
    # ppo_clip_loss
    ("ppo_clip_loss", "max_not_min", patch(ASSIGNMENT, "ppo_clip_loss",
        "-torch.min(unclipped, clipped)", "-torch.max(unclipped, clipped)")),
    ("ppo_clip_loss", "min_of_ratios", patch(ASSIGNMENT, "ppo_clip_loss", [
        ("unclipped = ratio * advantages", "unclipped = ratio"),
        ("torch.clamp(ratio, 1.0 - clip, 1.0 + clip) * advantages", "torch.clamp(ratio, 1.0 - clip, 1.0 + clip)"),
        ("-torch.min(unclipped, clipped).mean()", "-(torch.min(unclipped, clipped) * advantages).mean()")])),
    ("ppo_clip_loss", "ratio_inverted", patch(ASSIGNMENT, "ppo_clip_loss",
        "torch.exp(logp_new - logp_old)", "torch.exp(logp_old - logp_new)")),
    ("ppo_clip_loss", "objective_not_negated", patch(ASSIGNMENT, "ppo_clip_loss",
        "return -torch.min", "return torch.min")),
    ("ppo_clip_loss", "ratio_of_logps", patch(ASSIGNMENT, "ppo_clip_loss",
        "torch.exp(logp_new - logp_old)", "logp_new / logp_old")),
    ("ppo_clip_loss", "upper_clip_only", patch(ASSIGNMENT, "ppo_clip_loss",
        "torch.clamp(ratio, 1.0 - clip, 1.0 + clip)", "torch.clamp(ratio, max=1.0 + clip)")),
    ("ppo_clip_loss", "ratio_detached", patch(ASSIGNMENT, "ppo_clip_loss",
        "torch.exp(logp_new - logp_old)", "torch.exp(logp_new - logp_old).detach()")),
    ("ppo_clip_loss", "clip_hardcoded", patch(ASSIGNMENT, "ppo_clip_loss",
        "torch.clamp(ratio, 1.0 - clip, 1.0 + clip)", "torch.clamp(ratio, 0.8, 1.2)")),
    # tree_of_thoughts_bfs
    ("tree_of_thoughts_bfs", "top_b_per_parent", patch(ASSIGNMENT, "tree_of_thoughts_bfs",
        "        children = [child for state in frontier for child in expand(state)]\n"
        "        frontier = sorted(children, key=score, reverse=True)[:breadth]\n",
        "        frontier = [child for state in frontier\n"
        "                    for child in sorted(expand(state), key=score, reverse=True)[:breadth]]\n")),
    ("tree_of_thoughts_bfs", "best_over_all_rounds", patch(ASSIGNMENT, "tree_of_thoughts_bfs", [
        ("    frontier = [root]\n", "    frontier, seen = [root], []\n"),
        ("[:breadth]\n",
         "[:breadth]\n"
         "        seen += frontier\n"),
        ("return max(frontier, key=score)", "return max(seen, key=score) if seen else root")])),
    ("tree_of_thoughts_bfs", "one_round_too_many", patch(ASSIGNMENT, "tree_of_thoughts_bfs",
        "range(depth)", "range(depth + 1)")),
    ("tree_of_thoughts_bfs", "keeps_the_worst", patch(ASSIGNMENT, "tree_of_thoughts_bfs",
        "key=score, reverse=True)", "key=score)")),
    ("tree_of_thoughts_bfs", "returns_worst_kept", patch(ASSIGNMENT, "tree_of_thoughts_bfs", [
        ("sorted(children, key=score, reverse=True)[:breadth]", "sorted(children, key=score)[-breadth:]"),
        ("return max(frontier, key=score)", "return frontier[0]")])),
    ("tree_of_thoughts_bfs", "expands_only_the_best", patch(ASSIGNMENT, "tree_of_thoughts_bfs",
        "[child for state in frontier for child in expand(state)]", "expand(max(frontier, key=score))")),
    ("tree_of_thoughts_bfs", "depth_zero_expands", patch(ASSIGNMENT, "tree_of_thoughts_bfs",
        "range(depth)", "range(max(depth, 1))")),
]

RIGHT = [
    ("mlm_mask", "one_uniform_draw_per_token", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    selected = (torch.rand(input_ids.shape, generator=generator) < mlm_prob) & ~special_mask
    u = torch.rand(input_ids.shape, generator=generator)
    random_ids = torch.randint(0, vocab_size, input_ids.shape, generator=generator)
    inputs = torch.where(selected & (u < 0.8), torch.full_like(input_ids, mask_token_id), input_ids)
    inputs = torch.where(selected & (u >= 0.8) & (u < 0.9), random_ids, inputs)
    labels = torch.where(selected, input_ids, torch.full_like(input_ids, -100))
    return inputs, labels
"""),
    ("mlm_mask", "hf_style_in_place_on_clones", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    inputs, labels = input_ids.clone(), input_ids.clone()
    probability_matrix = torch.full(labels.shape, mlm_prob)
    probability_matrix.masked_fill_(special_mask, value=0.0)
    masked_indices = torch.bernoulli(probability_matrix, generator=generator).bool()
    labels[~masked_indices] = -100
    indices_replaced = torch.bernoulli(torch.full(labels.shape, 0.8), generator=generator).bool() & masked_indices
    inputs[indices_replaced] = mask_token_id
    indices_random = (torch.bernoulli(torch.full(labels.shape, 0.5), generator=generator).bool()
                      & masked_indices & ~indices_replaced)
    random_words = torch.randint(vocab_size, labels.shape, dtype=torch.long, generator=generator)
    inputs[indices_random] = random_words[indices_random]
    return inputs, labels
"""),
    ("mlm_mask", "multinomial_choice", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    selected = torch.bernoulli(torch.full(input_ids.shape, float(mlm_prob)), generator=generator).bool()
    selected &= ~special_mask
    choice = torch.multinomial(torch.tensor([0.8, 0.1, 0.1]), input_ids.numel(), replacement=True,
                               generator=generator).view(input_ids.shape)
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator)
    inputs = input_ids.clone()
    inputs[selected & (choice == 0)] = mask_token_id
    pick = selected & (choice == 1)
    inputs[pick] = random_ids[pick]
    return inputs, torch.where(selected, input_ids, -100)
"""),
    ("causal_lm_loss", "class_dim_second", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    return F.cross_entropy(logits[:, :-1].transpose(1, 2), input_ids[:, 1:], ignore_index=ignore_index)
"""),
    ("causal_lm_loss", "manual_float64", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    targets = input_ids[:, 1:]
    keep = targets != ignore_index
    logp = torch.log_softmax(logits[:, :-1].double(), -1)                       # (B, L-1, V)
    tok = logp.gather(-1, torch.where(keep, targets, 0).unsqueeze(-1)).squeeze(-1)
    return (-(tok * keep).sum() / keep.sum()).to(logits.dtype)
"""),
    ("sft_labels", "python_loop", """
def sft_labels(input_ids, prompt_lengths):
    labels = input_ids.clone()
    for b in range(labels.shape[0]):
        labels[b, :int(prompt_lengths[b])] = -100
    return labels
"""),
    ("sft_labels", "where_broadcast", """
def sft_labels(input_ids, prompt_lengths):
    lengths = torch.tensor([int(p) for p in prompt_lengths])[:, None]
    return torch.where(torch.arange(input_ids.shape[1])[None, :] < lengths, -100, input_ids)
"""),
    ("sequence_logprob", "dpo_reference_code", """
def sequence_logprob(logits, labels, ignore_index=-100):
    labels = labels[:, 1:].clone()
    logits = logits[:, :-1, :]
    loss_mask = labels != ignore_index
    labels[labels == ignore_index] = 0
    per_token_logps = torch.gather(logits.log_softmax(-1), dim=2, index=labels.unsqueeze(2)).squeeze(2)
    return (per_token_logps * loss_mask).sum(-1)
"""),
    ("sequence_logprob", "negated_cross_entropy", """
def sequence_logprob(logits, labels, ignore_index=-100):
    nll = F.cross_entropy(logits[:, :-1].transpose(1, 2), labels[:, 1:], ignore_index=ignore_index, reduction="none")
    return -nll.sum(-1)
"""),
    ("bradley_terry_loss", "softplus", """
def bradley_terry_loss(r_chosen, r_rejected):
    return F.softplus(r_rejected - r_chosen).mean()
"""),
    ("bradley_terry_loss", "bce_with_logits", """
def bradley_terry_loss(r_chosen, r_rejected):
    d = r_chosen - r_rejected
    return F.binary_cross_entropy_with_logits(d, torch.ones_like(d))
"""),
    ("dpo_loss", "logratios_as_in_the_paper_code", """
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    pi_logratios = policy_chosen_logps - policy_rejected_logps
    ref_logratios = ref_chosen_logps - ref_rejected_logps
    losses = -F.logsigmoid(beta * (pi_logratios - ref_logratios))
    chosen_rewards = beta * (policy_chosen_logps - ref_chosen_logps).detach()
    rejected_rewards = beta * (policy_rejected_logps - ref_rejected_logps).detach()
    return losses.mean(), chosen_rewards, rejected_rewards
"""),
    ("dpo_loss", "softplus_with_no_grad_rewards", """
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    margin = (policy_chosen_logps - ref_chosen_logps) - (policy_rejected_logps - ref_rejected_logps)
    loss = F.softplus(-beta * margin).mean()
    with torch.no_grad():
        chosen_rewards = beta * (policy_chosen_logps - ref_chosen_logps)
        rejected_rewards = beta * (policy_rejected_logps - ref_rejected_logps)
    return loss, chosen_rewards, rejected_rewards
"""),
    ("ppo_clip_loss", "max_of_negated", """
def ppo_clip_loss(logp_new, logp_old, advantages, clip=0.2):
    ratio = (logp_new - logp_old).exp()
    pg_losses = -advantages * ratio
    pg_losses2 = -advantages * torch.clamp(ratio, 1.0 - clip, 1.0 + clip)
    return torch.max(pg_losses, pg_losses2).mean()
"""),
    ("ppo_clip_loss", "piecewise_where", """
def ppo_clip_loss(logp_new, logp_old, advantages, clip=0.2):
    ratio = torch.exp(logp_new - logp_old)
    capped = torch.where(advantages >= 0, torch.clamp(ratio, max=1 + clip), torch.clamp(ratio, min=1 - clip))
    return -(capped * advantages).mean()
"""),
    ("tree_of_thoughts_bfs", "heapq_nlargest", """
import heapq

def tree_of_thoughts_bfs(root, expand, score, breadth, depth):
    frontier = [root]
    for _ in range(depth):
        frontier = heapq.nlargest(breadth, (c for s in frontier for c in expand(s)), key=score)
    return frontier[0] if depth > 0 else root
"""),
    ("tree_of_thoughts_bfs", "cached_scores_reversed_ties", """
def tree_of_thoughts_bfs(root, expand, score, breadth, depth):
    frontier = [root]
    for _ in range(depth):
        scored = [(score(c), i, c) for i, c in enumerate(c for s in reversed(frontier) for c in reversed(expand(s)))]
        scored.sort(key=lambda t: (t[0], t[1]))
        frontier = [c for _, _, c in scored[::-1][:breadth]]
    best = max(frontier, key=score)
    return best
"""),
]


# Further variants from a probe of the hidden tests' freedom and plausible mistakes.
WRONG += [
    ("mlm_mask", "random_ids_exclude_zero", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    u = torch.rand(input_ids.shape, generator=generator)
    selected = (u < mlm_prob) & ~special_mask
    labels = torch.where(selected, input_ids, torch.full_like(input_ids, -100))
    inputs = input_ids.clone()
    v = torch.rand(input_ids.shape, generator=generator)
    inputs[selected & (v < 0.8)] = mask_token_id
    to_rand = selected & (v >= 0.8) & (v < 0.9)
    inputs[to_rand] = torch.randint(1, vocab_size - 1, (int(to_rand.sum()),), generator=generator, dtype=input_ids.dtype)
    return inputs, labels
"""),
    ("causal_lm_loss", "mean_per_sequence_then_batch", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    tgt = input_ids[:, 1:]
    per = F.cross_entropy(logits[:, :-1].transpose(1, 2), tgt, ignore_index=ignore_index, reduction="none")
    keep = (tgt != ignore_index).to(per.dtype)
    return ((per * keep).sum(1) / keep.sum(1).clamp(min=1)).mean()
"""),
    ("dpo_loss", "rewards_swapped", patch(ASSIGNMENT, "dpo_loss",
        "return loss, chosen_rewards, rejected_rewards", "return loss, rejected_rewards, chosen_rewards")),
    ("dpo_loss", "ipo_squared_loss", patch(ASSIGNMENT, "dpo_loss",
        "-F.logsigmoid(beta * (chosen_logratios - rejected_logratios)).mean()",
        "((chosen_logratios - rejected_logratios) - 1 / (2 * beta)).pow(2).mean()")),
    ("ppo_clip_loss", "advantages_normalised", patch(ASSIGNMENT, "ppo_clip_loss",
        "    ratio = torch.exp",
        "    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)\n"
        "    ratio = torch.exp")),
    ("bradley_terry_loss", "logsigmoid_of_sum", patch(ASSIGNMENT, "bradley_terry_loss",
        "-F.logsigmoid(r_chosen - r_rejected).mean()",
        "-(F.logsigmoid(r_chosen) + F.logsigmoid(-r_rejected)).mean()")),
]
RIGHT += [
    ("mlm_mask", "rand_thresholds_random_only_where_needed", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    u = torch.rand(input_ids.shape, generator=generator)
    selected = (u < mlm_prob) & ~special_mask
    labels = torch.where(selected, input_ids, torch.full_like(input_ids, -100))
    inputs = input_ids.clone()
    v = torch.rand(input_ids.shape, generator=generator)
    to_mask = selected & (v < 0.8)
    to_rand = selected & (v >= 0.8) & (v < 0.9)
    inputs[to_mask] = mask_token_id
    n = int(to_rand.sum())
    inputs[to_rand] = torch.randint(0, vocab_size, (n,), generator=generator, dtype=input_ids.dtype)
    return inputs, labels
"""),
    ("causal_lm_loss", "loop_nll_float64", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    logp = torch.log_softmax(logits[:, :-1].double(), dim=-1)
    tgt = input_ids[:, 1:]
    total, count = logp.new_zeros(()), 0
    B, L1 = tgt.shape
    for b in range(B):
        for t in range(L1):
            y = int(tgt[b, t])
            if y != ignore_index:
                total = total - logp[b, t, y]
                count += 1
    return (total / count).to(logits.dtype)
"""),
    ("causal_lm_loss", "labels_shift_left_mask_last", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    labels = torch.full_like(input_ids, ignore_index)
    labels[:, :-1] = input_ids[:, 1:]
    return F.cross_entropy(logits.transpose(1, 2), labels, ignore_index=ignore_index)
"""),
    ("sequence_logprob", "clone_labels_set_zero", """
def sequence_logprob(logits, labels, ignore_index=-100):
    labels = labels[:, 1:].clone()
    logits = logits[:, :-1, :]
    loss_mask = labels != ignore_index
    labels[labels == ignore_index] = 0
    per_token = torch.gather(logits.log_softmax(-1), dim=2, index=labels.unsqueeze(2)).squeeze(2)
    return (per_token * loss_mask).sum(-1)
"""),
    ("dpo_loss", "rewards_difference_form", """
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    chosen_rewards = beta * (policy_chosen_logps - ref_chosen_logps)
    rejected_rewards = beta * (policy_rejected_logps - ref_rejected_logps)
    loss = F.softplus(-(chosen_rewards - rejected_rewards)).mean()
    return loss, chosen_rewards.detach(), rejected_rewards.detach()
"""),
    ("dpo_loss", "log_of_sigmoid_float64", """
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    pi = policy_chosen_logps.double() - policy_rejected_logps.double()
    ref = ref_chosen_logps.double() - ref_rejected_logps.double()
    loss = -F.logsigmoid(beta * (pi - ref)).mean().to(policy_chosen_logps.dtype)
    return (loss, (beta * (policy_chosen_logps - ref_chosen_logps)).detach(),
            (beta * (policy_rejected_logps - ref_rejected_logps)).detach())
"""),
    ("ppo_clip_loss", "advantage_sign_cases", """
def ppo_clip_loss(logp_new, logp_old, advantages, clip=0.2):
    ratio = (logp_new - logp_old).exp()
    bound = torch.where(advantages >= 0, torch.clamp(ratio, max=1 + clip), torch.clamp(ratio, min=1 - clip))
    return -(bound * advantages).mean()
"""),
    ("bradley_terry_loss", "log1p_exp_float64", """
def bradley_terry_loss(r_chosen, r_rejected):
    d = (r_chosen - r_rejected).double()
    return (torch.clamp(-d, min=0) + torch.log1p(torch.exp(-d.abs()))).mean().to(r_chosen.dtype)
"""),
    ("sft_labels", "list_lengths_python", """
def sft_labels(input_ids, prompt_lengths):
    labels = input_ids.clone()
    for b, n in enumerate(list(prompt_lengths)):
        labels[b, :int(n)] = -100
    return labels
"""),
    ("tree_of_thoughts_bfs", "scored_tuples", """
def tree_of_thoughts_bfs(root, expand, score, breadth, depth):
    frontier = [root]
    for _ in range(depth):
        scored = [(score(c), i, c) for i, c in enumerate(ch for s in frontier for ch in expand(s))]
        scored.sort(key=lambda t: (-t[0], t[1]))
        frontier = [c for _, _, c in scored[:breadth]]
    best = frontier[0]
    for s in frontier:
        if score(s) > score(best):
            best = s
    return best
"""),
]

# Issue 13: the random id is uniform over all of [0, vocab_size), the original id included (as the SYLLABUS says).
WRONG += [
    # never the original id
    ("mlm_mask", "random_id_avoids_the_original", patch(ASSIGNMENT, "mlm_mask",
        "    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator, dtype=input_ids.dtype)\n",
        "    shift = torch.randint(1, vocab_size, input_ids.shape, generator=generator, dtype=input_ids.dtype)\n"
        "    random_ids = (input_ids + shift) % vocab_size\n")),
]
