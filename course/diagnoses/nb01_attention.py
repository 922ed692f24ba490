"""01_attention: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "01_attention"

DIAGNOSES = {
    # softmax
    "softmax_no_shift": (
        "Exponentiates the raw inputs: large values overflow to inf and give NaN. Subtract the maximum along "
        "the softmax dimension first.",
        "直接对原始输入取指数：值很大时溢出为 inf，得到 NaN。应先减去 softmax 所在维度上的最大值。"),
    "softmax_logsumexp_builtin": (
        "Computes softmax through a library log-sum-exp instead of the max shift the exercise asks you to write.",
        "借助库函数 logsumexp 计算，而不是按题目要求自己写减最大值的稳定化。"),
    "softmax_global_shift": (
        "Shifts by one maximum over the whole tensor, not per slice along the softmax dimension: rows far "
        "below the global maximum underflow to 0/0.",
        "减去的是整个张量的全局最大值，而不是沿 softmax 维度逐切片的最大值：远低于全局最大值的行会下溢成 0/0。"),
    "softmax_ignores_dim": (
        "Always normalises over the last dimension, whatever `dim` says.",
        "无论 `dim` 是什么，总是在最后一维上归一化。"),
    "softmax_inf_clamped": (
        "Replaces -inf by a finite number: a fully masked slice then gets uniform weights instead of the "
        "behaviour the spec gives for -inf.",
        "把 -inf 替换成有限数：被完全遮蔽的切片会得到均匀权重，而不是规范中对 -inf 规定的行为。"),
    "softmax_in_place": (
        "Modifies the input tensor in place: the caller's tensor changes after the call.",
        "原地修改了输入张量：调用之后调用者的张量被改变了。"),
    "softmax_mean_shift": (
        "Shifts by the mean instead of the maximum: values far above the mean still overflow.",
        "减去的是均值而不是最大值：远高于均值的数仍会溢出。"),
    # qk_score_variance
    "variance_divide_by_dk": (
        "Scales the scores by d_k instead of sqrt(d_k): the scaled variance becomes 1/d_k, not 1.",
        "用 d_k 而不是 sqrt(d_k) 缩放分数：缩放后的方差变成 1/d_k 而不是 1。"),
    "variance_returns_std": (
        "Returns the standard deviation, not the variance.",
        "返回的是标准差，不是方差。"),
    "variance_wrong_distribution": (
        "Samples q and k from the wrong distribution: the derivation assumes independent standard normal entries.",
        "q 和 k 的采样分布不对：推导假设各分量独立且服从标准正态分布。"),
    "variance_returns_tensor": (
        "Returns a tensor where a Python float is expected.",
        "返回了张量，而要求返回 Python float。"),
    "variance_ignores_generator": (
        "Ignores the `generator` argument: results are not reproducible from the given seed.",
        "忽略了 `generator` 参数：无法用给定的种子复现结果。"),
    "variance_q_dot_q": (
        "Takes the dot product of q with itself instead of with an independent k.",
        "计算的是 q 与自身的点积，而不是与独立的 k 的点积。"),
    # causal_mask / causal_additive_mask / sliding_window_mask
    "mask_transposed": (
        "The mask is transposed: it lets each position see the future instead of the past (check which index is "
        "the query row and which the key column).",
        "掩码转置了：每个位置看到的是未来而不是过去（检查哪个下标是 query 行，哪个是 key 列）。"),
    "mask_diagonal_excluded": (
        "Excludes the diagonal: a position must be allowed to attend to itself.",
        "排除了对角线：每个位置必须能关注到它自己。"),
    "mask_wrong_dtype": (
        "Returns the wrong dtype: a boolean mask where True means allowed is expected.",
        "返回的 dtype 不对：应为布尔掩码，True 表示允许关注。"),
    "additive_mask_finite": (
        "Uses a large negative number instead of -inf for blocked positions.",
        "被屏蔽的位置用了一个很大的负数而不是 -inf。"),
    "additive_mask_ignores_dtype": (
        "Ignores the requested `dtype`: the mask is always float32.",
        "忽略了要求的 `dtype`：掩码总是 float32。"),
    "window_off_by_one": (
        "The window is off by one: each position should see exactly `window` positions, itself included.",
        "窗口差一：每个位置应恰好看到 `window` 个位置（包括自己）。"),
    "window_not_causal": (
        "The window looks both ways: a causal sliding window must not see future positions.",
        "窗口向两侧都看：因果滑动窗口不能看到未来的位置。"),
    # scaled_dot_product_attention
    "sdpa_no_scale": (
        "The scores are not divided by sqrt(d_k).",
        "分数没有除以 sqrt(d_k)。"),
    "sdpa_wrong_scale": (
        "Divides the scores by the square root of the wrong size: the scale is the query/key feature dimension "
        "d_k, not a sequence length or the value dimension.",
        "分数除以了错误尺寸的平方根：缩放因子应是 query/key 的特征维 d_k，而不是序列长度或 value 的维度。"),
    "sdpa_softmax_over_queries": (
        "Normalises the attention weights over the queries instead of over the keys (the last dimension).",
        "在 query 维而不是 key 维（最后一维）上对注意力权重归一化。"),
    "sdpa_mask_inverted": (
        "Uses the mask the wrong way round: True means the position may be attended to.",
        "掩码用反了：True 表示该位置可以被关注。"),
    "sdpa_nan_fully_masked": (
        "A query whose keys are all masked gets NaN weights: such a row must come out as zeros.",
        "所有 key 都被屏蔽的 query 得到 NaN 权重：这样的行应输出全零。"),
    "sdpa_fully_masked_uniform": (
        "Fills masked scores with a finite large negative number: a fully masked row becomes uniform instead "
        "of zeros.",
        "用有限的大负数填充被屏蔽的分数：被完全屏蔽的行变成均匀分布，而不是全零。"),
    "sdpa_mask_after_softmax": (
        "Applies the mask after the softmax without renormalising: the remaining weights no longer sum to 1.",
        "在 softmax 之后才乘掩码且没有重新归一化：剩下的权重之和不再为 1。"),
    # split_heads / merge_heads
    "heads_reshape_no_transpose": (
        "Reshapes straight to the head layout without moving the sequence axis: each head receives a mix of "
        "positions. Split the last dimension first, then swap the sequence and head axes.",
        "直接 reshape 成多头布局而没有移动序列轴：每个头拿到的是混杂的位置。应先拆分最后一维，再交换序列轴与头轴。"),
    "heads_interleaved": (
        "Splits the feature dimension in the wrong order: head h must take a contiguous block of features, not "
        "every H-th feature.",
        "特征维拆分顺序错误：第 h 个头应取一段连续的特征，而不是每隔 H 个取一个。"),
    "split_heads_wrong_layout": (
        "Returns (B, L, H, D): the heads axis must come before the sequence axis, (B, H, L, D).",
        "返回了 (B, L, H, D)：头轴应在序列轴之前，即 (B, H, L, D)。"),
    "merge_heads_wrong_order": (
        "Merges the heads in the wrong axis order: the result must be the exact inverse of split_heads.",
        "合并多头时轴的顺序错了：结果必须恰好是 split_heads 的逆操作。"),
    "merge_heads_view_noncontiguous": (
        "Calls view on a transposed (non-contiguous) tensor, which fails: the memory must be made contiguous "
        "or reshaped.",
        "对转置后（不连续）的张量调用 view 会失败：需要先使内存连续或使用 reshape。"),
    # MultiHeadAttention
    "mha_no_output_projection": (
        "Skips the output projection after merging the heads.",
        "合并多头之后漏掉了输出投影。"),
    "mha_kv_ignored": (
        "Ignores `kv`: in cross-attention, keys and values come from `kv`, queries from `x`.",
        "忽略了 `kv`：交叉注意力中 key 和 value 来自 `kv`，query 来自 `x`。"),
    "mha_cross_sources_swapped": (
        "Takes the queries from `kv` and the keys and values from `x`: the roles are swapped in cross-attention.",
        "query 取自 `kv`、key 和 value 取自 `x`：交叉注意力中的角色弄反了。"),
    "mha_single_head_scale": (
        "Scales the scores by sqrt(d_model) instead of the per-head dimension sqrt(d_model / n_heads).",
        "用 sqrt(d_model) 而不是每个头的维度 sqrt(d_model / n_heads) 缩放分数。"),
    "mha_mask_ignored": (
        "Never passes the mask to the attention.",
        "没有把掩码传给注意力计算。"),
    "mha_mask_inverted": (
        "Inverts the mask before using it (PyTorch's own convention, True = blocked, is the opposite of this "
        "course's: True = allowed).",
        "使用前把掩码取反了（PyTorch 自身约定 True=屏蔽，与本课程 True=允许 相反）。"),
    "mha_bias_ignored": (
        "Ignores `bias=False`: the projections always have a bias.",
        "忽略了 `bias=False`：投影层总是带偏置。"),
    # additive_attention_scores
    "additive_no_tanh": (
        "Leaves out the tanh between the summed projections and the vector v.",
        "在投影之和与向量 v 之间漏掉了 tanh。"),
    "additive_transposed": (
        "Broadcasts queries and keys on the wrong axes: the result is (keys x queries) instead of "
        "(queries x keys).",
        "query 与 key 在错误的轴上广播：结果是 (key x query) 而不是 (query x key)。"),
    "additive_no_v": (
        "Does not project the tanh features onto v: the score is a plain sum or mean.",
        "没有把 tanh 特征投影到 v 上：分数只是简单的求和或平均。"),
    "additive_tanh_per_term": (
        "Applies tanh to each projection separately instead of to their sum.",
        "分别对每个投影取 tanh，而不是对它们的和取 tanh。"),
    # self_attention_flops
    "flops_macs": (
        "Counts multiply-accumulates, not FLOPs: one multiply-add is 2 FLOPs.",
        "数的是乘加次数而不是 FLOPs：一次乘加等于 2 个 FLOP。"),
    "flops_forgets_av": (
        "Forgets one of the two L x L matrix products: the scores QK^T and the weighted sum of V both cost "
        "2 L^2 d.",
        "漏掉了两次 L x L 矩阵乘法之一：分数 QK^T 和对 V 的加权求和各花 2 L^2 d。"),
    "flops_three_projections": (
        "Counts three projections instead of four (Q, K, V and the output), or miscounts the L^2 terms.",
        "只数了三个投影而不是四个（Q、K、V 和输出），或者 L^2 项数错了。"),
    "flops_returns_float": (
        "Returns a float: a FLOP count is an int.",
        "返回了 float：FLOP 计数应是 int。"),
    # topk_attention
    "topk_smallest": (
        "Keeps the smallest scores instead of the largest.",
        "保留的是最小的分数而不是最大的。"),
    "topk_wrong_count": (
        "Keeps the wrong number of keys per query (off by one at the threshold): exactly top_k scores should "
        "survive (ties aside).",
        "每个 query 保留的 key 数量不对（阈值处差一）：应恰好保留 top_k 个分数（并列除外）。"),
    "topk_over_queries": (
        "Selects the top k along the query axis instead of the key axis.",
        "沿 query 轴而不是 key 轴选取 top k。"),
    "topk_zero_fill": (
        "Fills the dropped scores with 0 instead of -inf: they still get weight after the softmax.",
        "被丢弃的分数填成 0 而不是 -inf：softmax 后它们仍有权重。"),
    "topk_k_exceeds_keys": (
        "Fails when top_k is at least the number of keys: then every key should be kept.",
        "当 top_k 不小于 key 的数量时出错：此时应保留全部 key。"),
    "topk_unscaled": (
        "Forgets to divide the scores by sqrt(d_k) before the softmax.",
        "在 softmax 之前忘了把分数除以 sqrt(d_k)。"),
}

VARIANTS = {
    ("softmax", "no_max_shift"): "softmax_no_shift",
    ("softmax", "exp_minus_logsumexp"): "softmax_logsumexp_builtin",
    ("softmax", "global_max_shift"): "softmax_global_shift",
    ("softmax", "ignores_dim"): "softmax_ignores_dim",
    ("softmax", "inf_replaced_by_min"): "softmax_inf_clamped",
    ("softmax", "in_place_shift"): "softmax_in_place",
    ("softmax", "shift_by_mean"): "softmax_mean_shift",
    ("qk_score_variance", "divide_by_dk"): "variance_divide_by_dk",
    ("qk_score_variance", "returns_std"): "variance_returns_std",
    ("qk_score_variance", "uniform_samples"): "variance_wrong_distribution",
    ("qk_score_variance", "returns_tensor"): "variance_returns_tensor",
    ("qk_score_variance", "ignores_generator"): "variance_ignores_generator",
    ("qk_score_variance", "q_dot_q"): "variance_q_dot_q",
    ("causal_mask", "upper_triangle"): "mask_transposed",
    ("causal_mask", "diagonal_excluded"): "mask_diagonal_excluded",
    ("causal_mask", "float_mask"): "mask_wrong_dtype",
    ("causal_additive_mask", "large_negative_not_inf"): "additive_mask_finite",
    ("causal_additive_mask", "transposed"): "mask_transposed",
    ("causal_additive_mask", "ignores_dtype"): "additive_mask_ignores_dtype",
    ("causal_additive_mask", "diagonal_masked"): "mask_diagonal_excluded",
    ("scaled_dot_product_attention", "no_scale"): "sdpa_no_scale",
    ("scaled_dot_product_attention", "scale_by_dv"): "sdpa_wrong_scale",
    ("scaled_dot_product_attention", "scale_by_lk"): "sdpa_wrong_scale",
    ("scaled_dot_product_attention", "scale_by_sqrt_lq"): "sdpa_wrong_scale",
    ("scaled_dot_product_attention", "softmax_over_queries"): "sdpa_softmax_over_queries",
    ("scaled_dot_product_attention", "mask_inverted"): "sdpa_mask_inverted",
    ("scaled_dot_product_attention", "nan_on_fully_masked_row"): "sdpa_nan_fully_masked",
    ("scaled_dot_product_attention", "large_negative_fill_uniform_row"): "sdpa_fully_masked_uniform",
    ("scaled_dot_product_attention", "mask_after_softmax_no_renorm"): "sdpa_mask_after_softmax",
    ("split_heads", "view_without_transpose"): "heads_reshape_no_transpose",
    ("split_heads", "heads_interleaved"): "heads_interleaved",
    ("split_heads", "no_transpose"): "split_heads_wrong_layout",
    ("merge_heads", "reshape_without_transpose"): "heads_reshape_no_transpose",
    ("merge_heads", "wrong_permute"): "merge_heads_wrong_order",
    ("merge_heads", "view_fails_non_contiguous"): "merge_heads_view_noncontiguous",
    ("multi_head_attention", "no_output_projection"): "mha_no_output_projection",
    ("multi_head_attention", "kv_ignored"): "mha_kv_ignored",
    ("multi_head_attention", "k_from_x_in_cross"): "mha_cross_sources_swapped",
    ("multi_head_attention", "single_head_scale"): "mha_single_head_scale",
    ("multi_head_attention", "heads_split_wrong"): "heads_reshape_no_transpose",
    ("multi_head_attention", "mask_ignored"): "mha_mask_ignored",
    ("multi_head_attention", "torch_mask_convention"): "mha_mask_inverted",
    ("multi_head_attention", "bias_always_on"): "mha_bias_ignored",
    ("additive_attention_scores", "no_tanh"): "additive_no_tanh",
    ("additive_attention_scores", "transposed_result"): "additive_transposed",
    ("additive_attention_scores", "sum_instead_of_v"): "additive_no_v",
    ("additive_attention_scores", "sum_over_a_without_v"): "additive_no_v",
    ("additive_attention_scores", "tanh_per_term"): "additive_tanh_per_term",
    ("self_attention_flops", "macs_not_flops"): "flops_macs",
    ("self_attention_flops", "forgets_av"): "flops_forgets_av",
    ("self_attention_flops", "three_projections"): "flops_three_projections",
    ("self_attention_flops", "returns_float"): "flops_returns_float",
    ("sliding_window_mask", "off_by_one_window"): "window_off_by_one",
    ("sliding_window_mask", "window_plus_one"): "window_off_by_one",
    ("sliding_window_mask", "not_causal"): "window_not_causal",
    ("sliding_window_mask", "excludes_self"): "mask_diagonal_excluded",
    ("sliding_window_mask", "transposed"): "mask_transposed",
    ("topk_attention", "keeps_smallest"): "topk_smallest",
    ("topk_attention", "strict_threshold_keeps_k_minus_1"): "topk_wrong_count",
    ("topk_attention", "keeps_top_k_plus_one"): "topk_wrong_count",
    ("topk_attention", "topk_over_queries"): "topk_over_queries",
    ("topk_attention", "zero_fill_not_inf"): "topk_zero_fill",
    ("topk_attention", "fails_when_top_k_exceeds_lk"): "topk_k_exceeds_keys",
    ("topk_attention", "topk_on_unscaled_then_softmax_unscaled"): "topk_unscaled",
}
