"""13_ml_applications: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "13_ml_applications"

DIAGNOSES = {
    "wrong_dtype": (
        "Returns the wrong dtype: check the dtype the docstring promises.",
        "返回的 dtype 不对：请核对文档字符串承诺的 dtype。"),
    "return_type": (
        "Returns the wrong type: check what the docstring promises (a Python number, a list, the model).",
        "返回类型不对：请核对文档字符串的约定（Python 数值、列表、模型本身）。"),
    "in_place": (
        "Modifies the caller's tensor in place: leave the inputs unchanged.",
        "原地修改了调用者的张量：不应改动输入。"),
    "sum_not_mean": (
        "Sums instead of averaging over the batch.",
        "对 batch 求和而不是求平均。"),
    "unstable_log": (
        "Takes the log of a sigmoid computed separately: it underflows for confident logits. Use a stable "
        "log-sigmoid (softplus).",
        "对单独算出的 sigmoid 取对数：logits 很自信时会下溢。应使用稳定的 log-sigmoid（softplus）。"),
    # discounted_returns
    "ret_direction": (
        "Accumulates in the wrong direction: G_t = r_t + gamma * G_{t+1}, computed backwards from the end.",
        "累积方向不对：G_t = r_t + gamma * G_{t+1}，应从末尾向前计算。"),
    "ret_discount": (
        "Discounts wrongly: the current reward is not discounted, the next return is discounted once by gamma.",
        "折扣方式不对：当前奖励不打折，下一步的回报乘一次 gamma。"),
    "ret_dones": (
        "Handles episode ends wrongly: when dones[t] is set, the return at t is r_t alone (nothing flows back "
        "across the boundary), and the reward itself is kept.",
        "回合结束处理有误：dones[t] 为真时，t 处的回报就是 r_t 本身（不跨越边界回传），奖励本身保留。"),
    # reinforce_loss
    "pg_sign": (
        "Returns the objective instead of the loss: minimise -log pi(a) * advantage.",
        "返回的是目标而不是损失：应最小化 -log pi(a) * 优势。"),
    "pg_logprob": (
        "Uses the wrong quantity for the action: the log-probability from a log-softmax of the logits.",
        "动作对应的量用错了：应是对 logits 做 log-softmax 得到的对数概率。"),
    "pg_baseline": (
        "Mishandles the baseline: subtract it from the returns.",
        "基线处理有误：应从回报中减去基线。"),
    "pg_detach": (
        "Lets gradients flow through the returns or baseline: they are constants (detach them).",
        "让梯度流经了回报或基线：它们是常数（应 detach）。"),
    "pg_normalise": (
        "Normalises the advantages: the function uses returns minus baseline as given.",
        "对优势做了归一化：函数应直接使用回报减基线。"),
    # potential_shaping
    "shaping_formula": (
        "The shaping term is wrong: F = gamma * phi(s') - phi(s), added to the reward.",
        "塑形项错了：F = gamma * phi(s') - phi(s)，加到奖励上。"),
    "shaping_terminal": (
        "Handles terminal transitions wrongly: the next state's potential is 0 after a done, and the rest of "
        "the shaping still applies.",
        "终止转移处理有误：done 之后下一状态的势为 0，其余塑形项照常计算。"),
    # gcn_conv
    "gcn_self_loops": (
        "Leaves out the self-loops: GCN normalises A + I.",
        "漏掉了自环：GCN 对 A + I 做归一化。"),
    "gcn_direction": (
        "Aggregates in the wrong direction: messages flow from edge_index[0] (source) to edge_index[1] "
        "(target), and degrees are in-degrees.",
        "聚合方向错了：消息从 edge_index[0]（源）流向 edge_index[1]（目标），度数是入度。"),
    "gcn_normalisation": (
        "Normalises wrongly: the symmetric D^-1/2 (A + I) D^-1/2.",
        "归一化方式不对：应是对称的 D^-1/2 (A + I) D^-1/2。"),
    "gcn_edges": (
        "Changes the graph: duplicate edges each count, and edges are directed as given.",
        "改变了图：重复的边各自计数，边按给定方向是有向的。"),
    "gcn_bias": (
        "Adds the bias before aggregating: add it once, after.",
        "在聚合之前加偏置：应在聚合之后加一次。"),
    "gcn_nodes": (
        "Takes the number of nodes from the edges: isolated nodes exist, use the rows of x.",
        "从边推断节点数：可能存在孤立节点，应使用 x 的行数。"),
    # als_update
    "als_observed": (
        "Uses unobserved entries: each row's least-squares problem involves only its observed ratings.",
        "用到了未观测的条目：每行的最小二乘问题只涉及其已观测的评分。"),
    "als_regulariser": (
        "The regulariser is wrong: add lambda * I to each row's Gram matrix, unscaled.",
        "正则项错了：给每行的 Gram 矩阵加上 lambda * I，不做缩放。"),
    # masked_rmse
    "rmse_formula": (
        "Computes another error: the root of the mean squared error over the observed entries only.",
        "计算的是别的误差：应是只在已观测条目上的均方误差再开方。"),
    # uncertainty_weighted_loss
    "uw_formula": (
        "The weighting is wrong: sum over tasks of exp(-s_i) * L_i + s_i, with s_i the log-variance.",
        "加权方式不对：对各任务求和 exp(-s_i) * L_i + s_i，s_i 是对数方差。"),
    "uw_detached": (
        "Detaches the log-variances: they are learned through this loss.",
        "把对数方差 detach 了：它们要通过这个损失来学习。"),
    # MMoE
    "mmoe_gates": (
        "Gets the gates wrong: one gate per task, a bias-free linear layer with a softmax over the experts.",
        "门控写错了：每个任务一个门，是不带偏置的线性层，并在专家维上做 softmax。"),
    "mmoe_mixing": (
        "Mixes the wrong thing: each task mixes the experts' activated outputs with its own gate weights.",
        "混合的对象不对：每个任务用自己的门权重混合各专家激活后的输出。"),
    "mmoe_output": (
        "Returns a stacked tensor: forward returns a list with one output per task.",
        "返回了堆叠后的张量：forward 应返回列表，每个任务一个输出。"),
    # logit_adjusted_cross_entropy
    "la_adjustment": (
        "Adjusts the logits wrongly: add tau * log(prior) to every class's logit before the cross-entropy.",
        "logit 调整有误：在交叉熵之前给每个类别的 logit 加上 tau * log(prior)。"),
    # resampling_weights
    "rs_formula": (
        "The sampling weights are wrong: class c is drawn with probability proportional to n_c^q, shared "
        "equally among its n_c examples, over the classes present.",
        "采样权重错了：类别 c 被抽到的概率与 n_c^q 成正比，并在其 n_c 个样本间平均分配，只计出现过的类别。"),
    # gumbel_softmax
    "gumbel_noise": (
        "Draws the wrong noise: Gumbel(0, 1) is -log of an Exp(1) draw (or -log(-log U)), from the given "
        "generator.",
        "噪声采样不对：Gumbel(0, 1) 是 Exp(1) 样本取 -log（或 -log(-log U)），并使用给定的生成器。"),
    "gumbel_temperature": (
        "Applies the temperature to the logits only: divide the noisy logits (logits + noise) by tau.",
        "温度只作用于 logits：应把加噪后的 logits（logits + 噪声）整体除以 tau。"),
    "gumbel_hard": (
        "The hard sample is wrong: one-hot of the argmax of the soft sample, with the straight-through "
        "gradient of the soft one (hard value forward, soft gradient backward).",
        "硬样本有误：应是软样本 argmax 的 one-hot，并带软样本的直通梯度（前向取硬值，反向走软梯度）。"),
    "gumbel_dim": (
        "Ignores `dim`.",
        "忽略了 `dim`。"),
    # gan_losses
    "gan_generator": (
        "Uses the wrong generator loss: the non-saturating loss -log D(G(z)) (the fakes labelled real).",
        "生成器损失用错了：应是非饱和损失 -log D(G(z))（把假样本标为真）。"),
    "gan_discriminator": (
        "The discriminator loss is wrong: BCE with real labelled 1 and fake 0, the mean over reals plus the "
        "mean over fakes, differentiable through both.",
        "判别器损失错了：真样本标 1、假样本标 0 的 BCE，真样本均值加假样本均值，且对两者都可导。"),
    # freeze
    "freeze_match": (
        "Matches parameter names wrongly: a parameter is trainable when its name equals an entry or starts with "
        "the entry followed by a dot.",
        "参数名匹配有误：参数名等于某项，或以该项加一个点开头时，才可训练。"),
    "freeze_reset": (
        "Keeps earlier choices: every parameter not matched is frozen, on every call.",
        "保留了之前的设置：每次调用时，所有未匹配的参数都要冻结。"),
    "freeze_mode": (
        "Switches the model to eval mode: freezing changes requires_grad only.",
        "把模型切换到了 eval 模式：冻结只改变 requires_grad。"),
    "freeze_copy": (
        "Freezes a copy: the model passed in must be changed in place (and returned).",
        "冻结的是一个副本：应原地修改传入的模型（并返回它）。"),
    # count_trainable_parameters
    "count_which": (
        "Counts the wrong tensors: trainable parameters only, each shared parameter once, no buffers.",
        "统计的张量不对：只统计可训练参数，共享参数只算一次，不含 buffer。"),
}

VARIANTS = {
    ("discounted_returns", "forward_cumsum"): "ret_direction",
    ("discounted_returns", "discount_from_episode_start"): "ret_direction",
    ("discounted_returns", "discounts_current_reward"): "ret_discount",
    ("discounted_returns", "done_applied_one_step_late"): "ret_dones",
    ("discounted_returns", "ignores_dones"): "ret_dones",
    ("discounted_returns", "dones_zero_the_reward"): "ret_dones",
    ("discounted_returns", "float32_always"): "wrong_dtype",
    ("reinforce_loss", "no_minus_sign"): "pg_sign",
    ("reinforce_loss", "probabilities_not_log"): "pg_logprob",
    ("reinforce_loss", "raw_logits_as_log_probs"): "pg_logprob",
    ("reinforce_loss", "baseline_added"): "pg_baseline",
    ("reinforce_loss", "not_detached"): "pg_detach",
    ("reinforce_loss", "sum_not_mean"): "sum_not_mean",
    ("reinforce_loss", "normalised_advantages"): "pg_normalise",
    ("potential_shaping", "sign_flipped"): "shaping_formula",
    ("potential_shaping", "no_gamma"): "shaping_formula",
    ("potential_shaping", "gamma_on_both"): "shaping_formula",
    ("potential_shaping", "closer_bonus"): "shaping_formula",
    ("potential_shaping", "ignores_dones"): "shaping_terminal",
    ("potential_shaping", "no_shaping_at_terminal"): "shaping_terminal",
    ("gcn_conv", "no_self_loops"): "gcn_self_loops",
    ("gcn_conv", "source_target_swapped"): "gcn_direction",
    ("gcn_conv", "out_degree"): "gcn_direction",
    ("gcn_conv", "row_normalised"): "gcn_normalisation",
    ("gcn_conv", "duplicates_collapsed"): "gcn_edges",
    ("gcn_conv", "symmetrised"): "gcn_edges",
    ("gcn_conv", "bias_before_aggregation"): "gcn_bias",
    ("gcn_conv", "nodes_from_edge_index"): "gcn_nodes",
    ("als_update", "zero_filled"): "als_observed",
    ("als_update", "unobserved_values_used"): "als_observed",
    ("als_update", "als_wr_lambda"): "als_regulariser",
    ("als_update", "no_regulariser"): "als_regulariser",
    ("als_update", "lambda_halved"): "als_regulariser",
    ("als_update", "returns_float64"): "wrong_dtype",
    ("als_update", "zeroes_ratings_in_place"): "in_place",
    ("masked_rmse", "mse_no_root"): "rmse_formula",
    ("masked_rmse", "mean_over_all_entries"): "rmse_formula",
    ("masked_rmse", "root_of_sum"): "rmse_formula",
    ("masked_rmse", "mean_absolute_error"): "rmse_formula",
    ("masked_rmse", "ignores_mask"): "rmse_formula",
    ("masked_rmse", "returns_tensor"): "return_type",
    ("uncertainty_weighted_loss", "kendall_half"): "uw_formula",
    ("uncertainty_weighted_loss", "no_regulariser"): "uw_formula",
    ("uncertainty_weighted_loss", "mean_over_tasks"): "uw_formula",
    ("uncertainty_weighted_loss", "log_sigma_parametrisation"): "uw_formula",
    ("uncertainty_weighted_loss", "softplus_regulariser"): "uw_formula",
    ("uncertainty_weighted_loss", "detached_log_vars"): "uw_detached",
    ("mmoe", "softmax_over_batch"): "mmoe_gates",
    ("mmoe", "one_shared_gate"): "mmoe_gates",
    ("mmoe", "gates_with_bias"): "mmoe_gates",
    ("mmoe", "sigmoid_gates"): "mmoe_gates",
    ("mmoe", "mix_before_relu"): "mmoe_mixing",
    ("mmoe", "shared_bottom_mean"): "mmoe_mixing",
    ("mmoe", "returns_stacked_tensor"): "mmoe_output",
    ("logit_adjusted_cross_entropy", "subtracts_log_prior"): "la_adjustment",
    ("logit_adjusted_cross_entropy", "prior_not_logged"): "la_adjustment",
    ("logit_adjusted_cross_entropy", "ignores_tau"): "la_adjustment",
    ("logit_adjusted_cross_entropy", "inverse_prior_weights"): "la_adjustment",
    ("logit_adjusted_cross_entropy", "target_logit_only"): "la_adjustment",
    ("logit_adjusted_cross_entropy", "sum_reduction"): "sum_not_mean",
    ("logit_adjusted_cross_entropy", "prior_normalised_in_place"): "in_place",
    ("resampling_weights", "ignores_q"): "rs_formula",
    ("resampling_weights", "class_probability_not_split"): "rs_formula",
    ("resampling_weights", "absent_classes_counted"): "rs_formula",
    ("resampling_weights", "negative_exponent"): "rs_formula",
    ("resampling_weights", "not_normalised"): "rs_formula",
    ("resampling_weights", "returns_float64"): "wrong_dtype",
    ("gumbel_softmax", "torch_builtin_ignores_generator"): "gumbel_noise",
    ("gumbel_softmax", "single_log_noise"): "gumbel_noise",
    ("gumbel_softmax", "gaussian_noise"): "gumbel_noise",
    ("gumbel_softmax", "noise_after_temperature"): "gumbel_temperature",
    ("gumbel_softmax", "hard_without_straight_through"): "gumbel_hard",
    ("gumbel_softmax", "hard_argmax_of_logits"): "gumbel_hard",
    ("gumbel_softmax", "straight_through_sign_flipped"): "gumbel_hard",
    ("gumbel_softmax", "ignores_dim"): "gumbel_dim",
    ("gan_losses", "minimax_generator"): "gan_generator",
    ("gan_losses", "generator_target_zero"): "gan_generator",
    ("gan_losses", "log_of_sigmoid"): "unstable_log",
    ("gan_losses", "d_loss_halved"): "gan_discriminator",
    ("gan_losses", "fakes_detached_inside"): "gan_discriminator",
    ("gan_losses", "one_mean_over_all"): "gan_discriminator",
    ("gan_losses", "labels_swapped"): "gan_discriminator",
    ("freeze", "prefix_without_dot"): "freeze_match",
    ("freeze", "exact_names_only"): "freeze_match",
    ("freeze", "substring_match"): "freeze_match",
    ("freeze", "module_names_only"): "freeze_match",
    ("freeze", "keeps_earlier_choices"): "freeze_reset",
    ("freeze", "switches_to_eval"): "freeze_mode",
    ("freeze", "returns_a_copy"): "freeze_copy",
    ("freeze", "returns_none"): "return_type",
    ("count_trainable_parameters", "shared_counted_twice"): "count_which",
    ("count_trainable_parameters", "includes_buffers"): "count_which",
    ("count_trainable_parameters", "ignores_requires_grad"): "count_which",
    ("count_trainable_parameters", "counts_frozen"): "count_which",
    ("count_trainable_parameters", "recursive_double_count"): "count_which",
    ("count_trainable_parameters", "returns_tensor"): "return_type",
}
