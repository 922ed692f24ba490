"""14_rlhf_grpo: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "14_rlhf_grpo"

DIAGNOSES = {
    "wrong_dtype": (
        "Returns the wrong dtype: check the dtype the docstring promises.",
        "返回的 dtype 不对：请核对文档字符串承诺的 dtype。"),
    "return_type": (
        "Returns the wrong type: a Python float is expected.",
        "返回类型不对：要求返回 Python float。"),
    "in_place": (
        "Modifies the caller's tensor in place: leave the inputs unchanged.",
        "原地修改了调用者的张量：不应改动输入。"),
    "unstable_log": (
        "Takes the log of a softmax or sigmoid computed separately: it underflows for confident predictions. "
        "Use the stable log-softmax or log-sigmoid.",
        "对单独算出的 softmax 或 sigmoid 取对数：预测很自信时会下溢。应使用稳定的 log-softmax 或 log-sigmoid。"),
    # last_token_scores
    "lts_position": (
        "Reads the wrong position: each row's score is at its last non-pad token, wherever the padding is.",
        "读取的位置不对：每行的分数在其最后一个非填充 token 处，无论填充在哪一侧。"),
    "lts_shape": (
        "Returns the wrong shape: one score per row, shape (B,).",
        "返回的形状不对：每行一个分数，形状为 (B,)。"),
    "lts_mean": (
        "Averages over the tokens: a reward model reads the score at the last token.",
        "对 token 求了平均：奖励模型读取最后一个 token 处的分数。"),
    # ranking_loss
    "rank_pairs": (
        "Uses the wrong pairs: every pair (i, j) with i ranked above j contributes, K(K-1)/2 per prompt.",
        "用的配对不对：每个 i 排在 j 之前的配对 (i, j) 都要计入，每个提示有 K(K-1)/2 对。"),
    "rank_order": (
        "Reads the ranking the wrong way round: column 0 is the best response.",
        "排名方向读反了：第 0 列是最好的回答。"),
    "rank_average": (
        "Averages wrongly: the mean over all pairs of all prompts.",
        "平均方式不对：应对所有提示的所有配对取平均。"),
    # kl_penalized_rewards
    "klr_score_position": (
        "Adds the score at the wrong position: at each row's last real (unmasked) token.",
        "分数加错了位置：应加在每行最后一个真实（未被掩码）token 上。"),
    "klr_estimator": (
        "The KL estimate is wrong: k1 = log(pi / pi_ref), k3 = r - 1 - log r with r = pi_ref / pi; penalise with "
        "-beta * KL.",
        "KL 估计错了：k1 = log(pi / pi_ref)，k3 = r - 1 - log r，其中 r = pi_ref / pi；惩罚为 -beta * KL。"),
    "klr_padding": (
        "Leaves rewards on padding positions: they must be 0.",
        "填充位置上留下了奖励：它们必须为 0。"),
    "klr_unknown": (
        "Accepts an unknown kl_estimator: raise a ValueError.",
        "接受了未知的 kl_estimator：应抛出 ValueError。"),
    "klr_beta": (
        "Scales the score by beta: beta multiplies only the KL penalty.",
        "用 beta 缩放了分数：beta 只乘 KL 惩罚项。"),
    # gae
    "gae_recursion": (
        "The GAE recursion is wrong: delta_t = r_t + gamma V_{t+1} - V_t, A_t = delta_t + gamma lambda A_{t+1}, "
        "computed backwards, with no value read beyond the last real token.",
        "GAE 递推错了：delta_t = r_t + gamma V_{t+1} - V_t，A_t = delta_t + gamma lambda A_{t+1}，从后向前计算，"
        "且不读取最后一个真实 token 之后的价值。"),
    "gae_returns": (
        "Computes the returns wrongly: returns = advantages + values (the masked values).",
        "回报计算错误：returns = advantages + values（掩码后的价值）。"),
    "gae_whitened": (
        "Whitens the advantages: gae returns them raw.",
        "对优势做了白化：gae 应返回原始值。"),
    # masked_whiten
    "mw_statistics": (
        "Computes the statistics over the wrong set: one mean and one unbiased variance over all unmasked "
        "entries of the whole batch.",
        "统计量的范围不对：在整个 batch 所有未被掩码的元素上计算一个均值和一个无偏方差。"),
    "mw_eps": (
        "Puts eps in the wrong place: it is added to the variance under the square root.",
        "eps 位置不对：它应加在平方根内的方差上。"),
    "mw_shift_mean": (
        "Mishandles shift_mean=False: scale the centred values, then add the mean back.",
        "shift_mean=False 处理有误：先对中心化后的值缩放，再把均值加回去。"),
    "mw_padding": (
        "Leaves non-zero values on padding: masked positions come out 0.",
        "填充位置留下了非零值：被掩码的位置应输出 0。"),
    # clipped_value_loss
    "cvl_form": (
        "The clipped value loss is wrong: 0.5 * max((V - R)^2, (V_clipped - R)^2), with V clipped to "
        "old_values +- clip.",
        "裁剪价值损失错了：0.5 * max((V - R)^2, (V_clipped - R)^2)，其中 V 裁剪到 old_values +- clip。"),
    "cvl_mask": (
        "Averages over padding: the mean is over the unmasked tokens only.",
        "对填充也取了平均：只应在未被掩码的 token 上取平均。"),
    "cvl_detached": (
        "Detaches the values: the loss must be differentiable with respect to them.",
        "把价值 detach 了：损失必须能对它们求导。"),
    # kl_estimates
    "kle_formulas": (
        "An estimator is wrong: with log r = log(pi_ref / pi), k1 = -log r, k2 = (log r)^2 / 2, "
        "k3 = (r - 1) - log r.",
        "某个估计量错了：令 log r = log(pi_ref / pi)，则 k1 = -log r，k2 = (log r)^2 / 2，k3 = (r - 1) - log r。"),
    # grpo_advantages
    "ga_groups": (
        "Normalises over the wrong set: each group is group_size consecutive rewards (one prompt's samples).",
        "归一化的集合不对：每组是 group_size 个连续的奖励（同一提示的多个采样）。"),
    "ga_std": (
        "Scales wrongly: divide by the group's unbiased standard deviation plus eps (outside the root), only "
        "when `scale`.",
        "缩放方式不对：仅在 `scale` 为真时，除以组内无偏标准差加 eps（eps 在根号外）。"),
    "ga_eps": (
        "Mishandles eps: use the given `eps`; a group of equal rewards gets advantages 0, not NaN.",
        "eps 处理有误：应使用给定的 `eps`；奖励全部相同的组优势为 0，而不是 NaN。"),
    # grpo_loss
    "gl_kl": (
        "The KL penalty is wrong: k3 between the current policy and the reference, added with weight beta.",
        "KL 惩罚错了：应是当前策略与参考策略之间的 k3，并以权重 beta 相加。"),
    "gl_surrogate": (
        "The clipped surrogate is wrong: min(ratio * A, clip(ratio, 1 - clip, 1 + clip) * A), with the ratio "
        "differentiable.",
        "裁剪代理目标错了：min(ratio * A, clip(ratio, 1 - clip, 1 + clip) * A)，且比率可求导。"),
    "gl_normalisation": (
        "Normalises the loss wrongly for this loss_type: grpo averages each sequence over its tokens then over "
        "sequences, dapo over all tokens, dr_grpo by a constant (batch x max length); padding never counts.",
        "该 loss_type 的归一化不对：grpo 先对每条序列按其 token 平均再对序列平均，dapo 对所有 token 平均，dr_grpo 除以常数"
        "（batch x 最大长度）；填充从不计入。"),
    "gl_unknown": (
        "Accepts an unknown loss_type: raise a ValueError.",
        "接受了未知的 loss_type：应抛出 ValueError。"),
    # dpo_loss_from_logits
    "dpol_logps": (
        "Computes the sequence log-probabilities wrongly: shift by one, sum (not average) the log-softmax of "
        "the labels, and skip the -100 positions entirely.",
        "序列对数概率计算有误：移位一格，对标签的 log-softmax 求和（不是平均），并完全跳过 -100 的位置。"),
    "dpol_pairs": (
        "Pairs the rows wrongly: the first half of the batch is chosen, the second half rejected.",
        "行的配对不对：batch 前一半是 chosen，后一半是 rejected。"),
    "dpol_frozen": (
        "Lets gradients reach the reference model, or returns rewards attached to the graph: the reference is "
        "frozen and the rewards are detached.",
        "让梯度流向参考模型，或返回的奖励仍在计算图中：参考模型要冻结，奖励要 detach。"),
    "dpol_beta": (
        "Places beta wrongly: it scales the margin inside the log-sigmoid.",
        "beta 位置不对：它应在 log-sigmoid 内缩放边际。"),
    # best_of_n
    "bon_index": (
        "Returns the wrong indices: for each prompt's block of n consecutive samples, the flat index of the "
        "highest reward.",
        "返回的下标不对：对每个提示的 n 个连续样本，返回奖励最高者在整体中的下标。"),
    "bon_values": (
        "Returns the best rewards instead of their indices.",
        "返回的是最佳奖励值而不是它们的下标。"),
    "bon_kl": (
        "The best-of-n KL is wrong: log n - (n - 1) / n, in nats.",
        "best-of-n 的 KL 错了：log n - (n - 1) / n，单位为 nat。"),
}

VARIANTS = {
    ("last_token_scores", "count_minus_one"): "lts_position",
    ("last_token_scores", "always_last_position"): "lts_position",
    ("last_token_scores", "first_non_pad"): "lts_position",
    ("last_token_scores", "one_past_the_end"): "lts_position",
    ("last_token_scores", "keeps_dim"): "lts_shape",
    ("last_token_scores", "mean_over_real_tokens"): "lts_mean",
    ("ranking_loss", "adjacent_pairs_only"): "rank_pairs",
    ("ranking_loss", "best_against_rest"): "rank_pairs",
    ("ranking_loss", "listwise_softmax"): "rank_pairs",
    ("ranking_loss", "reversed_order"): "rank_order",
    ("ranking_loss", "log_of_sigmoid"): "unstable_log",
    ("ranking_loss", "sum_over_pairs"): "rank_average",
    ("ranking_loss", "divide_by_k"): "rank_average",
    ("kl_penalized_rewards", "score_at_last_column"): "klr_score_position",
    ("kl_penalized_rewards", "score_one_step_late"): "klr_score_position",
    ("kl_penalized_rewards", "kl_sign_flipped"): "klr_estimator",
    ("kl_penalized_rewards", "k3_ratio_inverted"): "klr_estimator",
    ("kl_penalized_rewards", "padding_not_zeroed"): "klr_padding",
    ("kl_penalized_rewards", "unknown_estimator_is_k1"): "klr_unknown",
    ("kl_penalized_rewards", "beta_scales_score"): "klr_beta",
    ("kl_penalized_rewards", "in_place_on_logprobs"): "in_place",
    ("gae", "bootstraps_from_padding"): "gae_recursion",
    ("gae", "lambda_without_gamma"): "gae_recursion",
    ("gae", "delta_without_gamma"): "gae_recursion",
    ("gae", "left_to_right"): "gae_recursion",
    ("gae", "returns_are_reward_to_go"): "gae_returns",
    ("gae", "returns_use_raw_values"): "gae_returns",
    ("gae", "whitened"): "gae_whitened",
    ("masked_whiten", "biased_variance"): "mw_statistics",
    ("masked_whiten", "per_row_statistics"): "mw_statistics",
    ("masked_whiten", "padding_in_statistics"): "mw_statistics",
    ("masked_whiten", "eps_outside_sqrt"): "mw_eps",
    ("masked_whiten", "ignores_shift_mean"): "mw_shift_mean",
    ("masked_whiten", "shift_mean_false_no_centering"): "mw_shift_mean",
    ("masked_whiten", "padding_kept"): "mw_padding",
    ("clipped_value_loss", "min_not_max"): "cvl_form",
    ("clipped_value_loss", "no_half"): "cvl_form",
    ("clipped_value_loss", "clip_around_returns"): "cvl_form",
    ("clipped_value_loss", "clipped_term_only"): "cvl_form",
    ("clipped_value_loss", "clip_argument_ignored"): "cvl_form",
    ("clipped_value_loss", "relative_clip"): "cvl_form",
    ("clipped_value_loss", "mean_over_padding"): "cvl_mask",
    ("clipped_value_loss", "detached"): "cvl_detached",
    ("kl_estimates", "log_ratio_reversed"): "kle_formulas",
    ("kl_estimates", "k2_without_half"): "kle_formulas",
    ("kl_estimates", "k3_plus_log"): "kle_formulas",
    ("kl_estimates", "k1_is_log_r"): "kle_formulas",
    ("kl_estimates", "k3_of_inverse_ratio"): "kle_formulas",
    ("kl_estimates", "k1_absolute"): "kle_formulas",
    ("kl_estimates", "float32_inside"): "wrong_dtype",
    ("grpo_advantages", "strided_groups"): "ga_groups",
    ("grpo_advantages", "batch_statistics"): "ga_groups",
    ("grpo_advantages", "population_std"): "ga_std",
    ("grpo_advantages", "eps_inside_sqrt"): "ga_std",
    ("grpo_advantages", "always_scaled"): "ga_std",
    ("grpo_advantages", "no_eps_nan_on_equal_groups"): "ga_eps",
    ("grpo_advantages", "eps_hardcoded_1e8"): "ga_eps",
    ("grpo_loss", "kl_to_old_policy"): "gl_kl",
    ("grpo_loss", "k1_penalty"): "gl_kl",
    ("grpo_loss", "kl_subtracted"): "gl_kl",
    ("grpo_loss", "no_clip"): "gl_surrogate",
    ("grpo_loss", "max_not_min"): "gl_surrogate",
    ("grpo_loss", "ratio_detached"): "gl_surrogate",
    ("grpo_loss", "grpo_is_token_mean"): "gl_normalisation",
    ("grpo_loss", "dr_grpo_divides_by_tokens_per_row"): "gl_normalisation",
    ("grpo_loss", "padding_counted"): "gl_normalisation",
    ("grpo_loss", "no_value_error"): "gl_unknown",
    ("dpo_loss_from_logits", "no_shift"): "dpol_logps",
    ("dpo_loss_from_logits", "average_log_prob"): "dpol_logps",
    ("dpo_loss_from_logits", "ignored_labels_read_as_token_0"): "dpol_logps",
    ("dpo_loss_from_logits", "log_of_softmax"): "unstable_log",
    ("dpo_loss_from_logits", "interleaved_pairs"): "dpol_pairs",
    ("dpo_loss_from_logits", "reference_not_frozen"): "dpol_frozen",
    ("dpo_loss_from_logits", "rewards_not_detached"): "dpol_frozen",
    ("dpo_loss_from_logits", "beta_outside_sigmoid"): "dpol_beta",
    ("best_of_n", "index_within_group"): "bon_index",
    ("best_of_n", "strided_groups"): "bon_index",
    ("best_of_n", "argmin"): "bon_index",
    ("best_of_n", "global_top_p"): "bon_index",
    ("best_of_n", "returns_best_rewards"): "bon_values",
    ("best_of_n", "int32_indices"): "wrong_dtype",
    ("best_of_n_kl", "log_n_only"): "bon_kl",
    ("best_of_n_kl", "log_n_minus_one"): "bon_kl",
    ("best_of_n_kl", "sign_flipped"): "bon_kl",
    ("best_of_n_kl", "log2"): "bon_kl",
    ("best_of_n_kl", "one_over_n"): "bon_kl",
    ("best_of_n_kl", "returns_tensor"): "return_type",
}
