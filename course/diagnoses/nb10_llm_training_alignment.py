"""10_llm_training_alignment: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "10_llm_training_alignment"

DIAGNOSES = {
    "in_place": (
        "Modifies the caller's tensor in place: return new tensors and leave the input unchanged.",
        "原地修改了调用者的张量：应返回新张量，不改动输入。"),
    "wrong_dtype": (
        "Changes the dtype: the result keeps the logits' dtype.",
        "改变了 dtype：结果应保持 logits 的 dtype。"),
    "unstable_log": (
        "Takes the log of a softmax or sigmoid computed separately: it underflows to -inf for confident "
        "predictions. Use the fused, stable log-softmax or log-sigmoid.",
        "对单独算出的 softmax 或 sigmoid 取对数：预测很自信时会下溢为 -inf。应使用融合且稳定的 log-softmax 或 log-sigmoid。"),
    "sum_not_mean": (
        "Sums over the batch instead of averaging.",
        "对 batch 求和而不是求平均。"),
    "ignore_index": (
        "Ignores the `ignore_index` argument (always uses -100, or none at all).",
        "忽略了 `ignore_index` 参数（总是用 -100，或完全不用）。"),
    # mlm_mask
    "mlm_labels": (
        "Sets the labels wrongly: every selected position (masked, randomised or kept) gets its original token "
        "as label, every other position -100.",
        "标签设置错误：每个被选中的位置（替换为 [MASK]、随机或保持不变）都以原始 token 作为标签，其他位置为 -100。"),
    "mlm_special": (
        "Lets special tokens be selected or changed: they are never selected.",
        "允许特殊 token 被选中或改动：它们永远不会被选中。"),
    "mlm_selection": (
        "Selects positions the wrong way: each non-special token is selected independently with probability "
        "`mlm_prob`.",
        "选择位置的方式不对：每个非特殊 token 以概率 `mlm_prob` 独立地被选中。"),
    "mlm_split": (
        "Splits the selected tokens wrongly: 80% become [MASK], 10% a random token, 10% stay unchanged, and only "
        "selected tokens change.",
        "被选中 token 的划分不对：80% 变为 [MASK]，10% 变为随机 token，10% 保持不变，且只有被选中的 token 会变化。"),
    "mlm_random_ids": (
        "Draws the random replacement tokens from the wrong set: uniformly from the whole vocabulary.",
        "随机替换 token 的取值集合不对：应在整个词表上均匀抽取。"),
    "mlm_generator": (
        "Ignores the `generator`: the masking is not reproducible from the given seed.",
        "忽略了 `generator`：无法用给定的种子复现掩码。"),
    # causal_lm_loss
    "clm_shift": (
        "Does not shift correctly: the logits at position t predict the token at t + 1 (drop the last logit "
        "and the first token), shifting within each sequence.",
        "移位不正确：位置 t 的 logits 预测 t + 1 处的 token（去掉最后一个 logit 和第一个 token），且在每条序列内部移位。"),
    "clm_average": (
        "Averages over the wrong set: the mean is over all non-ignored target tokens of the batch together.",
        "平均的范围不对：应对整个 batch 中所有未被忽略的目标 token 一起取平均。"),
    # sft_labels
    "sft_prompt_span": (
        "Masks the wrong span: exactly the first prompt_lengths[b] tokens of row b get -100, the response keeps "
        "its tokens (a prompt length of 0 masks nothing).",
        "屏蔽的范围不对：第 b 行恰好前 prompt_lengths[b] 个 token 设为 -100，回复部分保留原 token（提示长度为 0 时不屏蔽）。"),
    "sft_pre_shifted": (
        "Shifts the labels: sft_labels keeps positions aligned with input_ids, the loss does the shift.",
        "对标签做了移位：sft_labels 应与 input_ids 位置对齐，移位由损失函数完成。"),
    # sequence_logprob
    "slp_shift": (
        "Does not shift: the logits at t score the label at t + 1.",
        "没有移位：位置 t 的 logits 给 t + 1 处的标签打分。"),
    "slp_sum": (
        "Averages the token log-probabilities: a sequence's log-probability is their sum.",
        "对 token 对数概率取了平均：序列的对数概率是它们的和。"),
    "slp_ignored": (
        "Counts the ignored positions: they contribute 0.",
        "计入了被忽略的位置：它们的贡献应为 0。"),
    # bradley_terry_loss
    "bt_sign": (
        "Gets a sign wrong: the loss is -log sigmoid(r_chosen - r_rejected), small when chosen scores higher.",
        "符号错了：损失是 -log sigmoid(r_chosen - r_rejected)，被选回答得分更高时损失小。"),
    "bt_detached": (
        "Returns a number cut off from the graph: the loss must stay differentiable.",
        "返回的数值脱离了计算图：损失必须保持可微。"),
    "bt_of_difference": (
        "Applies the log-sigmoid to each reward separately: the model is of the difference of rewards.",
        "对每个奖励分别取 log-sigmoid：模型针对的是奖励之差。"),
    # dpo_loss
    "dpo_beta": (
        "Places beta wrongly: beta scales the difference of log-ratios inside the log-sigmoid, and the implicit "
        "rewards are beta times each log-ratio; the default is 0.1.",
        "beta 位置不对：beta 在 log-sigmoid 内缩放对数比之差，隐式奖励是 beta 乘以各自的对数比；默认值为 0.1。"),
    "dpo_rewards": (
        "Returns the implicit rewards wrongly: beta * (policy - reference) log-ratio for chosen and for rejected, "
        "in that order, detached from the graph.",
        "隐式奖励返回有误：应依次为 chosen 和 rejected 的 beta * (policy - reference) 对数比，并从计算图中分离。"),
    "dpo_reference": (
        "Mishandles the reference model: each log-ratio is the policy's log-probability minus the reference's.",
        "参考模型处理有误：每个对数比是策略模型的对数概率减去参考模型的。"),
    "dpo_objective": (
        "Uses another objective (for example IPO's squared loss): DPO is -log sigmoid of the scaled margin.",
        "用了别的目标（例如 IPO 的平方损失）：DPO 是缩放后边际的 -log sigmoid。"),
    # ppo_clip_loss
    "ppo_min": (
        "Takes the wrong pessimistic bound: the objective is the minimum of the unclipped and clipped "
        "surrogate terms (ratio times advantage), negated.",
        "悲观下界取错了：目标是未裁剪与裁剪后的代理项（比率乘优势）中的较小者，再取负。"),
    "ppo_ratio": (
        "Computes the probability ratio wrongly: exp(logp_new - logp_old), differentiable through logp_new.",
        "概率比计算错误：应为 exp(logp_new - logp_old)，并且可对 logp_new 求导。"),
    "ppo_sign": (
        "Returns the objective instead of the loss: negate it for gradient descent.",
        "返回的是目标而不是损失：梯度下降需要取负。"),
    "ppo_clip_range": (
        "Clips the ratio to the wrong range: [1 - clip, 1 + clip], both sides, with the given `clip`.",
        "比率的裁剪范围不对：应为 [1 - clip, 1 + clip]，两侧都裁剪，并使用给定的 `clip`。"),
    "ppo_advantages": (
        "Normalises the advantages: the function uses them as given.",
        "对优势做了归一化：函数应按给定值使用它们。"),
    # tree_of_thoughts_bfs
    "tot_selection": (
        "Keeps the wrong frontier: at each level expand every state of the frontier and keep the `breadth` "
        "highest-scoring children over all of them.",
        "保留的前沿不对：每层要扩展前沿中的每个状态，并在全部子节点中保留得分最高的 `breadth` 个。"),
    "tot_depth": (
        "Runs the wrong number of levels: exactly `depth` expansions (0 returns the root).",
        "层数不对：恰好扩展 `depth` 次（为 0 时返回根）。"),
    "tot_result": (
        "Returns the wrong state: the highest-scoring state of the last frontier.",
        "返回的状态不对：应是最后一层前沿中得分最高的状态。"),
}

VARIANTS = {
    ("mlm_mask", "labels_only_where_masked"): "mlm_labels",
    ("mlm_mask", "labels_from_corrupted_inputs"): "mlm_labels",
    ("mlm_mask", "special_tokens_selectable"): "mlm_special",
    ("mlm_mask", "fixed_count_per_sequence"): "mlm_selection",
    ("mlm_mask", "ignores_mlm_prob"): "mlm_selection",
    ("mlm_mask", "split_80_2_18"): "mlm_split",
    ("mlm_mask", "mask_not_restricted_to_selected"): "mlm_split",
    ("mlm_mask", "in_place"): "in_place",
    ("mlm_mask", "ignores_generator"): "mlm_generator",
    ("mlm_mask", "random_ids_from_the_batch"): "mlm_random_ids",
    ("mlm_mask", "random_ids_exclude_zero"): "mlm_random_ids",
    ("causal_lm_loss", "no_shift"): "clm_shift",
    ("causal_lm_loss", "shift_reversed"): "clm_shift",
    ("causal_lm_loss", "shift_after_flatten"): "clm_shift",
    ("causal_lm_loss", "keeps_last_position"): "clm_shift",
    ("causal_lm_loss", "ignore_index_not_passed"): "ignore_index",
    ("causal_lm_loss", "mean_over_all_positions"): "clm_average",
    ("causal_lm_loss", "mean_per_sequence_then_batch"): "clm_average",
    ("causal_lm_loss", "sum_reduction"): "clm_average",
    ("causal_lm_loss", "log_of_softmax"): "unstable_log",
    ("sft_labels", "off_by_one_inclusive"): "sft_prompt_span",
    ("sft_labels", "first_length_for_all"): "sft_prompt_span",
    ("sft_labels", "response_ignored"): "sft_prompt_span",
    ("sft_labels", "negative_slice_for_zero"): "sft_prompt_span",
    ("sft_labels", "in_place"): "in_place",
    ("sft_labels", "pre_shifted"): "sft_pre_shifted",
    ("sequence_logprob", "no_shift"): "slp_shift",
    ("sequence_logprob", "mean_not_sum"): "slp_sum",
    ("sequence_logprob", "labels_modified_in_place"): "in_place",
    ("sequence_logprob", "log_of_softmax"): "unstable_log",
    ("sequence_logprob", "ignored_targets_counted"): "slp_ignored",
    ("sequence_logprob", "always_float32"): "wrong_dtype",
    ("sequence_logprob", "ignore_index_hardcoded"): "ignore_index",
    ("bradley_terry_loss", "sign_swapped"): "bt_sign",
    ("bradley_terry_loss", "missing_minus"): "bt_sign",
    ("bradley_terry_loss", "log_of_sigmoid"): "unstable_log",
    ("bradley_terry_loss", "sum_not_mean"): "sum_not_mean",
    ("bradley_terry_loss", "detached_float"): "bt_detached",
    ("bradley_terry_loss", "logsigmoid_of_sum"): "bt_of_difference",
    ("dpo_loss", "beta_outside_sigmoid"): "dpo_beta",
    ("dpo_loss", "rewards_without_beta"): "dpo_beta",
    ("dpo_loss", "default_beta_one"): "dpo_beta",
    ("dpo_loss", "rewards_not_detached"): "dpo_rewards",
    ("dpo_loss", "rewards_swapped"): "dpo_rewards",
    ("dpo_loss", "reference_sign_flipped"): "dpo_reference",
    ("dpo_loss", "no_reference"): "dpo_reference",
    ("dpo_loss", "log_of_sigmoid"): "unstable_log",
    ("dpo_loss", "sum_not_mean"): "sum_not_mean",
    ("dpo_loss", "ipo_squared_loss"): "dpo_objective",
    ("ppo_clip_loss", "max_not_min"): "ppo_min",
    ("ppo_clip_loss", "min_of_ratios"): "ppo_min",
    ("ppo_clip_loss", "ratio_inverted"): "ppo_ratio",
    ("ppo_clip_loss", "ratio_of_logps"): "ppo_ratio",
    ("ppo_clip_loss", "ratio_detached"): "ppo_ratio",
    ("ppo_clip_loss", "objective_not_negated"): "ppo_sign",
    ("ppo_clip_loss", "upper_clip_only"): "ppo_clip_range",
    ("ppo_clip_loss", "clip_hardcoded"): "ppo_clip_range",
    ("ppo_clip_loss", "advantages_normalised"): "ppo_advantages",
    ("tree_of_thoughts_bfs", "top_b_per_parent"): "tot_selection",
    ("tree_of_thoughts_bfs", "keeps_the_worst"): "tot_selection",
    ("tree_of_thoughts_bfs", "expands_only_the_best"): "tot_selection",
    ("tree_of_thoughts_bfs", "one_round_too_many"): "tot_depth",
    ("tree_of_thoughts_bfs", "depth_zero_expands"): "tot_depth",
    ("tree_of_thoughts_bfs", "best_over_all_rounds"): "tot_result",
    ("tree_of_thoughts_bfs", "returns_worst_kept"): "tot_result",
    ("mlm_mask", "random_id_avoids_the_original"): "mlm_random_ids",
}
