"""10_llm_training_alignment: plausible wrong implementations the tests must catch, and correct variants they must accept."""

ASSIGNMENT = "10_llm_training_alignment"

WRONG = [
    # mlm_mask
    ("mlm_mask", "labels_only_where_masked", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    prob = torch.full(input_ids.shape, float(mlm_prob)).masked_fill(special_mask, 0.0)
    selected = torch.bernoulli(prob, generator=generator).bool()
    replaced = torch.bernoulli(torch.full(input_ids.shape, 0.8), generator=generator).bool() & selected
    randomised = torch.bernoulli(torch.full(input_ids.shape, 0.5), generator=generator).bool() & selected & ~replaced
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator)
    inputs = input_ids.masked_fill(replaced, mask_token_id)
    inputs = torch.where(randomised, random_ids, inputs)
    labels = input_ids.masked_fill(~replaced, -100)
    return inputs, labels
"""),
    ("mlm_mask", "special_tokens_selectable", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    prob = torch.full(input_ids.shape, float(mlm_prob))
    selected = torch.bernoulli(prob, generator=generator).bool()
    replaced = torch.bernoulli(torch.full(input_ids.shape, 0.8), generator=generator).bool() & selected
    randomised = torch.bernoulli(torch.full(input_ids.shape, 0.5), generator=generator).bool() & selected & ~replaced
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator)
    inputs = input_ids.masked_fill(replaced, mask_token_id)
    inputs = torch.where(randomised, random_ids, inputs)
    return inputs, input_ids.masked_fill(~selected, -100)
"""),
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
    ("mlm_mask", "split_80_2_18", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    prob = torch.full(input_ids.shape, float(mlm_prob)).masked_fill(special_mask, 0.0)
    selected = torch.bernoulli(prob, generator=generator).bool()
    replaced = torch.bernoulli(torch.full(input_ids.shape, 0.8), generator=generator).bool() & selected
    randomised = torch.bernoulli(torch.full(input_ids.shape, 0.1), generator=generator).bool() & selected & ~replaced
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator)
    inputs = input_ids.masked_fill(replaced, mask_token_id)
    inputs = torch.where(randomised, random_ids, inputs)
    return inputs, input_ids.masked_fill(~selected, -100)
"""),
    ("mlm_mask", "labels_from_corrupted_inputs", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    prob = torch.full(input_ids.shape, float(mlm_prob)).masked_fill(special_mask, 0.0)
    selected = torch.bernoulli(prob, generator=generator).bool()
    replaced = torch.bernoulli(torch.full(input_ids.shape, 0.8), generator=generator).bool() & selected
    randomised = torch.bernoulli(torch.full(input_ids.shape, 0.5), generator=generator).bool() & selected & ~replaced
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator)
    inputs = input_ids.masked_fill(replaced, mask_token_id)
    inputs = torch.where(randomised, random_ids, inputs)
    return inputs, inputs.masked_fill(~selected, -100)
"""),
    ("mlm_mask", "in_place", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    prob = torch.full(input_ids.shape, float(mlm_prob)).masked_fill(special_mask, 0.0)
    selected = torch.bernoulli(prob, generator=generator).bool()
    labels = input_ids.clone()
    labels[~selected] = -100
    replaced = torch.bernoulli(torch.full(input_ids.shape, 0.8), generator=generator).bool() & selected
    input_ids[replaced] = mask_token_id
    randomised = torch.bernoulli(torch.full(input_ids.shape, 0.5), generator=generator).bool() & selected & ~replaced
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator)
    input_ids[randomised] = random_ids[randomised]
    return input_ids, labels
"""),
    ("mlm_mask", "mask_not_restricted_to_selected", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    prob = torch.full(input_ids.shape, float(mlm_prob)).masked_fill(special_mask, 0.0)
    selected = torch.bernoulli(prob, generator=generator).bool()
    replaced = torch.bernoulli(torch.full(input_ids.shape, 0.8), generator=generator).bool() & ~special_mask
    randomised = torch.bernoulli(torch.full(input_ids.shape, 0.5), generator=generator).bool() & selected & ~replaced
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator)
    inputs = input_ids.masked_fill(replaced, mask_token_id)
    inputs = torch.where(randomised, random_ids, inputs)
    return inputs, input_ids.masked_fill(~selected, -100)
"""),
    ("mlm_mask", "ignores_generator", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    prob = torch.full(input_ids.shape, float(mlm_prob)).masked_fill(special_mask, 0.0)
    selected = torch.bernoulli(prob).bool()
    replaced = torch.bernoulli(torch.full(input_ids.shape, 0.8)).bool() & selected
    randomised = torch.bernoulli(torch.full(input_ids.shape, 0.5)).bool() & selected & ~replaced
    random_ids = torch.randint(vocab_size, input_ids.shape)
    inputs = input_ids.masked_fill(replaced, mask_token_id)
    inputs = torch.where(randomised, random_ids, inputs)
    return inputs, input_ids.masked_fill(~selected, -100)
"""),
    ("mlm_mask", "random_ids_from_the_batch", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    prob = torch.full(input_ids.shape, float(mlm_prob)).masked_fill(special_mask, 0.0)
    selected = torch.bernoulli(prob, generator=generator).bool()
    replaced = torch.bernoulli(torch.full(input_ids.shape, 0.8), generator=generator).bool() & selected
    randomised = torch.bernoulli(torch.full(input_ids.shape, 0.5), generator=generator).bool() & selected & ~replaced
    pool = input_ids[~special_mask]
    random_ids = pool[torch.randint(pool.numel(), input_ids.shape, generator=generator)]
    inputs = input_ids.masked_fill(replaced, mask_token_id)
    inputs = torch.where(randomised, random_ids, inputs)
    return inputs, input_ids.masked_fill(~selected, -100)
"""),
    ("mlm_mask", "ignores_mlm_prob", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    prob = torch.full(input_ids.shape, 0.15).masked_fill(special_mask, 0.0)
    selected = torch.bernoulli(prob, generator=generator).bool()
    replaced = torch.bernoulli(torch.full(input_ids.shape, 0.8), generator=generator).bool() & selected
    randomised = torch.bernoulli(torch.full(input_ids.shape, 0.5), generator=generator).bool() & selected & ~replaced
    random_ids = torch.randint(vocab_size, input_ids.shape, generator=generator)
    inputs = input_ids.masked_fill(replaced, mask_token_id)
    inputs = torch.where(randomised, random_ids, inputs)
    return inputs, input_ids.masked_fill(~selected, -100)
"""),
    # causal_lm_loss
    ("causal_lm_loss", "no_shift", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), input_ids.reshape(-1), ignore_index=ignore_index)
"""),
    ("causal_lm_loss", "shift_reversed", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    return F.cross_entropy(logits[:, 1:].reshape(-1, logits.shape[-1]), input_ids[:, :-1].reshape(-1),
                           ignore_index=ignore_index)
"""),
    ("causal_lm_loss", "shift_after_flatten", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    flat_logits = logits.reshape(-1, logits.shape[-1])
    flat_ids = input_ids.reshape(-1)
    return F.cross_entropy(flat_logits[:-1], flat_ids[1:], ignore_index=ignore_index)
"""),
    ("causal_lm_loss", "ignore_index_not_passed", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), input_ids[:, 1:].reshape(-1))
"""),
    ("causal_lm_loss", "mean_over_all_positions", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    nll = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), input_ids[:, 1:].reshape(-1),
                          ignore_index=ignore_index, reduction="sum")
    return nll / input_ids[:, 1:].numel()
"""),
    ("causal_lm_loss", "log_of_softmax", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    targets = input_ids[:, 1:]
    keep = targets != ignore_index
    logp = torch.log(torch.softmax(logits[:, :-1], -1))
    tok = logp.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return -(tok * keep).sum() / keep.sum()
"""),
    ("causal_lm_loss", "sum_reduction", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), input_ids[:, 1:].reshape(-1),
                           ignore_index=ignore_index, reduction="sum")
"""),
    ("causal_lm_loss", "keeps_last_position", """
def causal_lm_loss(logits, input_ids, ignore_index=-100):
    targets = torch.cat([input_ids[:, 1:], input_ids[:, :1]], dim=1)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=ignore_index)
"""),
    # sft_labels
    ("sft_labels", "off_by_one_inclusive", """
def sft_labels(input_ids, prompt_lengths):
    labels = input_ids.clone()
    for b, p in enumerate(prompt_lengths):
        labels[b, :int(p) + 1] = -100
    return labels
"""),
    ("sft_labels", "in_place", """
def sft_labels(input_ids, prompt_lengths):
    for b, p in enumerate(prompt_lengths):
        input_ids[b, :int(p)] = -100
    return input_ids
"""),
    ("sft_labels", "first_length_for_all", """
def sft_labels(input_ids, prompt_lengths):
    labels = input_ids.clone()
    labels[:, :int(prompt_lengths[0])] = -100
    return labels
"""),
    ("sft_labels", "response_ignored", """
def sft_labels(input_ids, prompt_lengths):
    labels = input_ids.clone()
    for b, p in enumerate(prompt_lengths):
        labels[b, int(p):] = -100
    return labels
"""),
    ("sft_labels", "pre_shifted", """
def sft_labels(input_ids, prompt_lengths):
    labels = torch.full_like(input_ids, -100)
    labels[:, :-1] = input_ids[:, 1:]
    for b, p in enumerate(prompt_lengths):
        labels[b, :max(int(p) - 1, 0)] = -100
    return labels
"""),
    ("sft_labels", "negative_slice_for_zero", """
def sft_labels(input_ids, prompt_lengths):
    labels = input_ids.clone()
    for b, p in enumerate(prompt_lengths):
        labels[b, :int(p) or 1] = -100
    return labels
"""),
    # sequence_logprob
    ("sequence_logprob", "no_shift", """
def sequence_logprob(logits, labels, ignore_index=-100):
    keep = labels != ignore_index
    logp = torch.log_softmax(logits, -1)
    tok = logp.gather(-1, torch.where(keep, labels, 0).unsqueeze(-1)).squeeze(-1)
    return (tok * keep).sum(-1)
"""),
    ("sequence_logprob", "mean_not_sum", """
def sequence_logprob(logits, labels, ignore_index=-100):
    targets = labels[:, 1:]
    keep = targets != ignore_index
    logp = torch.log_softmax(logits[:, :-1], -1)
    tok = logp.gather(-1, torch.where(keep, targets, 0).unsqueeze(-1)).squeeze(-1)
    return (tok * keep).sum(-1) / keep.sum(-1)
"""),
    ("sequence_logprob", "labels_modified_in_place", """
def sequence_logprob(logits, labels, ignore_index=-100):
    keep = labels != ignore_index
    labels[~keep] = 0
    logp = torch.log_softmax(logits[:, :-1], -1)
    tok = logp.gather(-1, labels[:, 1:].unsqueeze(-1)).squeeze(-1)
    return (tok * keep[:, 1:]).sum(-1)
"""),
    ("sequence_logprob", "log_of_softmax", """
def sequence_logprob(logits, labels, ignore_index=-100):
    targets = labels[:, 1:]
    keep = targets != ignore_index
    logp = torch.log(torch.softmax(logits[:, :-1], -1))
    tok = logp.gather(-1, torch.where(keep, targets, 0).unsqueeze(-1)).squeeze(-1)
    return torch.where(keep, tok, torch.zeros_like(tok)).sum(-1)
"""),
    ("sequence_logprob", "ignored_targets_counted", """
def sequence_logprob(logits, labels, ignore_index=-100):
    targets = labels[:, 1:]
    logp = torch.log_softmax(logits[:, :-1], -1)
    tok = logp.gather(-1, torch.where(targets != ignore_index, targets, 0).unsqueeze(-1)).squeeze(-1)
    return tok.sum(-1)
"""),
    ("sequence_logprob", "always_float32", """
def sequence_logprob(logits, labels, ignore_index=-100):
    targets = labels[:, 1:]
    keep = targets != ignore_index
    logp = torch.log_softmax(logits[:, :-1].float(), -1)
    tok = logp.gather(-1, torch.where(keep, targets, 0).unsqueeze(-1)).squeeze(-1)
    return (tok * keep).sum(-1)
"""),
    ("sequence_logprob", "ignore_index_hardcoded", """
def sequence_logprob(logits, labels, ignore_index=-100):
    targets = labels[:, 1:]
    keep = targets != -100
    logp = torch.log_softmax(logits[:, :-1], -1)
    tok = logp.gather(-1, torch.where(keep, targets, 0).unsqueeze(-1)).squeeze(-1)
    return (tok * keep).sum(-1)
"""),
    # bradley_terry_loss
    ("bradley_terry_loss", "sign_swapped", """
def bradley_terry_loss(r_chosen, r_rejected):
    return -F.logsigmoid(r_rejected - r_chosen).mean()
"""),
    ("bradley_terry_loss", "log_of_sigmoid", """
def bradley_terry_loss(r_chosen, r_rejected):
    return -torch.log(torch.sigmoid(r_chosen - r_rejected)).mean()
"""),
    ("bradley_terry_loss", "sum_not_mean", """
def bradley_terry_loss(r_chosen, r_rejected):
    return -F.logsigmoid(r_chosen - r_rejected).sum()
"""),
    ("bradley_terry_loss", "missing_minus", """
def bradley_terry_loss(r_chosen, r_rejected):
    return F.logsigmoid(r_chosen - r_rejected).mean()
"""),
    ("bradley_terry_loss", "detached_float", """
def bradley_terry_loss(r_chosen, r_rejected):
    return torch.tensor(-F.logsigmoid(r_chosen - r_rejected).mean().item(), dtype=r_chosen.dtype)
"""),
    # dpo_loss
    ("dpo_loss", "beta_outside_sigmoid", """
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    c = policy_chosen_logps - ref_chosen_logps
    r = policy_rejected_logps - ref_rejected_logps
    return -beta * F.logsigmoid(c - r).mean(), (beta * c).detach(), (beta * r).detach()
"""),
    ("dpo_loss", "rewards_not_detached", """
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    c = policy_chosen_logps - ref_chosen_logps
    r = policy_rejected_logps - ref_rejected_logps
    return -F.logsigmoid(beta * (c - r)).mean(), beta * c, beta * r
"""),
    ("dpo_loss", "rewards_without_beta", """
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    c = policy_chosen_logps - ref_chosen_logps
    r = policy_rejected_logps - ref_rejected_logps
    return -F.logsigmoid(beta * (c - r)).mean(), c.detach(), r.detach()
"""),
    ("dpo_loss", "reference_sign_flipped", """
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    pi = policy_chosen_logps - policy_rejected_logps
    ref = ref_rejected_logps - ref_chosen_logps
    loss = -F.logsigmoid(beta * (pi - ref)).mean()
    return loss, (beta * (policy_chosen_logps - ref_chosen_logps)).detach(), \\
        (beta * (policy_rejected_logps - ref_rejected_logps)).detach()
"""),
    ("dpo_loss", "no_reference", """
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    loss = -F.logsigmoid(beta * (policy_chosen_logps - policy_rejected_logps)).mean()
    return loss, (beta * (policy_chosen_logps - ref_chosen_logps)).detach(), \\
        (beta * (policy_rejected_logps - ref_rejected_logps)).detach()
"""),
    ("dpo_loss", "log_of_sigmoid", """
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    c = policy_chosen_logps - ref_chosen_logps
    r = policy_rejected_logps - ref_rejected_logps
    return -torch.log(torch.sigmoid(beta * (c - r))).mean(), (beta * c).detach(), (beta * r).detach()
"""),
    ("dpo_loss", "sum_not_mean", """
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    c = policy_chosen_logps - ref_chosen_logps
    r = policy_rejected_logps - ref_rejected_logps
    return -F.logsigmoid(beta * (c - r)).sum(), (beta * c).detach(), (beta * r).detach()
"""),
    ("dpo_loss", "default_beta_one", """
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=1.0):
    c = policy_chosen_logps - ref_chosen_logps
    r = policy_rejected_logps - ref_rejected_logps
    return -F.logsigmoid(beta * (c - r)).mean(), (beta * c).detach(), (beta * r).detach()
"""),
    # ppo_clip_loss
    ("ppo_clip_loss", "max_not_min", """
def ppo_clip_loss(logp_new, logp_old, advantages, clip=0.2):
    ratio = torch.exp(logp_new - logp_old)
    return -torch.max(ratio * advantages, torch.clamp(ratio, 1 - clip, 1 + clip) * advantages).mean()
"""),
    ("ppo_clip_loss", "min_of_ratios", """
def ppo_clip_loss(logp_new, logp_old, advantages, clip=0.2):
    ratio = torch.exp(logp_new - logp_old)
    return -(torch.min(ratio, torch.clamp(ratio, 1 - clip, 1 + clip)) * advantages).mean()
"""),
    ("ppo_clip_loss", "ratio_inverted", """
def ppo_clip_loss(logp_new, logp_old, advantages, clip=0.2):
    ratio = torch.exp(logp_old - logp_new)
    return -torch.min(ratio * advantages, torch.clamp(ratio, 1 - clip, 1 + clip) * advantages).mean()
"""),
    ("ppo_clip_loss", "objective_not_negated", """
def ppo_clip_loss(logp_new, logp_old, advantages, clip=0.2):
    ratio = torch.exp(logp_new - logp_old)
    return torch.min(ratio * advantages, torch.clamp(ratio, 1 - clip, 1 + clip) * advantages).mean()
"""),
    ("ppo_clip_loss", "ratio_of_logps", """
def ppo_clip_loss(logp_new, logp_old, advantages, clip=0.2):
    ratio = logp_new / logp_old
    return -torch.min(ratio * advantages, torch.clamp(ratio, 1 - clip, 1 + clip) * advantages).mean()
"""),
    ("ppo_clip_loss", "upper_clip_only", """
def ppo_clip_loss(logp_new, logp_old, advantages, clip=0.2):
    ratio = torch.exp(logp_new - logp_old)
    return -torch.min(ratio * advantages, torch.clamp(ratio, max=1 + clip) * advantages).mean()
"""),
    ("ppo_clip_loss", "ratio_detached", """
def ppo_clip_loss(logp_new, logp_old, advantages, clip=0.2):
    ratio = torch.exp(logp_new - logp_old).detach()
    return -torch.min(ratio * advantages, torch.clamp(ratio, 1 - clip, 1 + clip) * advantages).mean()
"""),
    ("ppo_clip_loss", "clip_hardcoded", """
def ppo_clip_loss(logp_new, logp_old, advantages, clip=0.2):
    ratio = torch.exp(logp_new - logp_old)
    return -torch.min(ratio * advantages, torch.clamp(ratio, 0.8, 1.2) * advantages).mean()
"""),
    # tree_of_thoughts_bfs
    ("tree_of_thoughts_bfs", "top_b_per_parent", """
def tree_of_thoughts_bfs(root, expand, score, breadth, depth):
    frontier = [root]
    for _ in range(depth):
        frontier = [c for s in frontier for c in sorted(expand(s), key=score, reverse=True)[:breadth]]
    return max(frontier, key=score)
"""),
    ("tree_of_thoughts_bfs", "best_over_all_rounds", """
def tree_of_thoughts_bfs(root, expand, score, breadth, depth):
    frontier, seen = [root], []
    for _ in range(depth):
        children = [c for s in frontier for c in expand(s)]
        frontier = sorted(children, key=score, reverse=True)[:breadth]
        seen += frontier
    return max(seen, key=score) if seen else root
"""),
    ("tree_of_thoughts_bfs", "one_round_too_many", """
def tree_of_thoughts_bfs(root, expand, score, breadth, depth):
    frontier = [root]
    for _ in range(depth + 1):
        children = [c for s in frontier for c in expand(s)]
        frontier = sorted(children, key=score, reverse=True)[:breadth]
    return max(frontier, key=score)
"""),
    ("tree_of_thoughts_bfs", "keeps_the_worst", """
def tree_of_thoughts_bfs(root, expand, score, breadth, depth):
    frontier = [root]
    for _ in range(depth):
        children = [c for s in frontier for c in expand(s)]
        frontier = sorted(children, key=score)[:breadth]
    return max(frontier, key=score)
"""),
    ("tree_of_thoughts_bfs", "returns_worst_kept", """
def tree_of_thoughts_bfs(root, expand, score, breadth, depth):
    frontier = [root]
    for _ in range(depth):
        children = [c for s in frontier for c in expand(s)]
        frontier = sorted(children, key=score)[-breadth:]
    return frontier[0]
"""),
    ("tree_of_thoughts_bfs", "expands_only_the_best", """
def tree_of_thoughts_bfs(root, expand, score, breadth, depth):
    frontier = [root]
    for _ in range(depth):
        best = max(frontier, key=score)
        frontier = sorted(expand(best), key=score, reverse=True)[:breadth]
    return max(frontier, key=score)
"""),
    ("tree_of_thoughts_bfs", "depth_zero_expands", """
def tree_of_thoughts_bfs(root, expand, score, breadth, depth):
    frontier = [root]
    for _ in range(max(depth, 1)):
        children = [c for s in frontier for c in expand(s)]
        frontier = sorted(children, key=score, reverse=True)[:breadth]
    return max(frontier, key=score)
"""),
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
    ("dpo_loss", "rewards_swapped", """
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    c = policy_chosen_logps - ref_chosen_logps
    r = policy_rejected_logps - ref_rejected_logps
    loss = -F.logsigmoid(beta * (c - r)).mean()
    return loss, (beta * r).detach(), (beta * c).detach()
"""),
    ("dpo_loss", "ipo_squared_loss", """
def dpo_loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    c = policy_chosen_logps - ref_chosen_logps
    r = policy_rejected_logps - ref_rejected_logps
    loss = ((c - r) - 1 / (2 * beta)).pow(2).mean()
    return loss, (beta * c).detach(), (beta * r).detach()
"""),
    ("ppo_clip_loss", "advantages_normalised", """
def ppo_clip_loss(logp_new, logp_old, advantages, clip=0.2):
    adv = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
    ratio = torch.exp(logp_new - logp_old)
    return -torch.min(ratio * adv, ratio.clamp(1 - clip, 1 + clip) * adv).mean()
"""),
    ("bradley_terry_loss", "logsigmoid_of_sum", """
def bradley_terry_loss(r_chosen, r_rejected):
    return -(F.logsigmoid(r_chosen) + F.logsigmoid(-r_rejected)).mean()
"""),
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
    ("mlm_mask", "random_id_avoids_the_original", """
def mlm_mask(input_ids, vocab_size, mask_token_id, special_mask, mlm_prob=0.15, generator=None):
    prob = torch.full(input_ids.shape, float(mlm_prob)).masked_fill(special_mask, 0.0)
    selected = torch.bernoulli(prob, generator=generator).bool()
    labels = input_ids.masked_fill(~selected, -100)
    replaced = torch.bernoulli(torch.full(input_ids.shape, 0.8), generator=generator).bool() & selected
    randomised = torch.bernoulli(torch.full(input_ids.shape, 0.5), generator=generator).bool() & selected & ~replaced
    shift = torch.randint(1, vocab_size, input_ids.shape, generator=generator, dtype=input_ids.dtype)
    random_ids = (input_ids + shift) % vocab_size               # never the original id
    inputs = input_ids.masked_fill(replaced, mask_token_id)
    return torch.where(randomised, random_ids, inputs), labels
"""),
]
