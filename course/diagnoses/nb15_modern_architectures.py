"""15_modern_architectures: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "15_modern_architectures"

DIAGNOSES = {
    "wrong_dtype": (
        "Returns the wrong dtype: check the dtype the docstring promises.",
        "返回的 dtype 不对：请核对文档字符串承诺的 dtype。"),
    "return_type": (
        "Returns the wrong type: check what the docstring promises (a Python int or float).",
        "返回类型不对：请核对文档字符串的约定（Python int 或 float）。"),
    # repeat_kv
    "rkv_order": (
        "Repeats the heads in the wrong order: each KV head is repeated n_rep times in a row, so query head h "
        "uses KV head h // n_rep.",
        "头的重复顺序不对：每个 KV 头连续重复 n_rep 次，因此第 h 个 query 头使用第 h // n_rep 个 KV 头。"),
    "rkv_axis": (
        "Repeats along the wrong axis: the heads axis (1) of (B, H_kv, L, D).",
        "重复的轴不对：应是 (B, H_kv, L, D) 的头轴（第 1 维）。"),
    "rkv_identity": (
        "Does not return the input unchanged when n_rep is 1.",
        "n_rep 为 1 时没有原样返回输入。"),
    # GroupedQueryAttention
    "gqa_grouping": (
        "Groups the heads wrongly: consecutive query heads share a KV head, and K and V project to n_kv_heads "
        "heads only, each head a contiguous block of features.",
        "头的分组不对：相邻的 query 头共享一个 KV 头，K 和 V 只投影到 n_kv_heads 个头，每个头是一段连续的特征。"),
    "gqa_scale": (
        "Scales by the wrong size: divide the scores by the square root of the head dimension.",
        "缩放尺寸不对：分数应除以头维度的平方根。"),
    "gqa_mask": (
        "Mishandles the mask: True means the position may be attended to, and it must be applied.",
        "掩码处理有误：True 表示可以关注该位置，并且必须应用掩码。"),
    "gqa_validation": (
        "Accepts sizes that do not divide: raise a ValueError when n_heads does not divide d_model or n_kv_heads "
        "does not divide n_heads.",
        "接受了不能整除的尺寸：n_heads 不整除 d_model 或 n_kv_heads 不整除 n_heads 时应抛出 ValueError。"),
    # MultiHeadLatentAttention
    "mla_cache": (
        "Mishandles the latent cache: prepend `past_c_kv` to the new latents, attend over all of them, and "
        "return the full latent sequence.",
        "潜变量缓存处理有误：应把 `past_c_kv` 放在新潜变量之前，在全部潜变量上做注意力，并返回完整的潜变量序列。"),
    "mla_scale": (
        "Scales by the wrong size: divide by the square root of the head dimension, not the latent size.",
        "缩放尺寸不对：应除以头维度的平方根，而不是潜变量维度。"),
    "mla_projections": (
        "Uses the wrong projection: keys come from W^UK, values from W^UV, the latent from a bias-free W^DKV, "
        "with head size `d_head` when given.",
        "投影用错了：key 来自 W^UK，value 来自 W^UV，潜变量来自无偏置的 W^DKV；给定 `d_head` 时使用它作为头维度。"),
    # mla_absorbed_attention
    "mlaa_absorb": (
        "Does not absorb the up-projections: fold W^UK into the queries and apply W^UV after mixing the "
        "latents, never forming per-token keys and values.",
        "没有吸收上投影矩阵：应把 W^UK 并入 query，在混合潜变量之后再乘 W^UV，始终不构造逐 token 的 key 和 value。"),
    "mlaa_heads": (
        "Slices the heads out of W^UK / W^UV wrongly: head h owns rows h*D .. (h+1)*D - 1.",
        "从 W^UK / W^UV 中切出各头的方式不对：第 h 个头拥有第 h*D .. (h+1)*D - 1 行。"),
    "mlaa_values": (
        "Maps the mixed latents back through W^UK: values use W^UV.",
        "把混合后的潜变量经 W^UK 映射回去：value 应使用 W^UV。"),
    "mlaa_mask": (
        "Ignores the mask.",
        "忽略了掩码。"),
    # mla_kv_cache_bytes
    "mlab_formula": (
        "The cache size is wrong: layers x (d_latent + d_rope) x sequence length x batch x bytes per element "
        "(one latent per token, no separate K and V).",
        "缓存大小错了：层数 x (d_latent + d_rope) x 序列长度 x batch x 每元素字节数（每个 token 一个潜变量，K 和 V 不分开存）。"),
    "mlab_default": (
        "The default bytes per element is wrong: 16-bit (2 bytes).",
        "每元素字节数的默认值不对：16 位（2 字节）。"),
    # topk_router
    "router_renormalize": (
        "Follows `renormalize` wrongly: renormalise the top-k probabilities to sum to 1 exactly when it is True.",
        "`renormalize` 用法不对：恰好在其为 True 时，把 top-k 概率重新归一化使和为 1。"),
    "router_selection": (
        "Selects or orders the experts wrongly: the k most probable, in descending order of probability.",
        "专家的选择或排序不对：应选概率最高的 k 个，并按概率降序排列。"),
    "router_weights": (
        "Uses the wrong weights: the softmax probabilities over all experts, taken at the chosen experts.",
        "权重用错了：应取全部专家上的 softmax 概率在所选专家处的值。"),
    # load_balancing_loss
    "lb_formula": (
        "The auxiliary loss is wrong: E * sum_e f_e * P_e, with f_e the fraction of the T * k routing choices "
        "that went to expert e and P_e the mean router probability.",
        "辅助损失错了：E * sum_e f_e * P_e，其中 f_e 是 T * k 次路由选择中分给专家 e 的比例，P_e 是路由概率的均值。"),
    "lb_gradient": (
        "Lets the gradient flow through the wrong factor: f is a count (no gradient), P carries the gradient.",
        "梯度流经了错误的因子：f 是计数（无梯度），梯度应经由 P。"),
    "lb_tokens": (
        "Averages over the wrong tokens: flatten every leading dimension into one token axis.",
        "平均所用的 token 不对：应把所有前导维展平成一个 token 轴。"),
    # MoELayer
    "moe_expert": (
        "The expert is not the SwiGLU: SiLU on the w1 branch, times the w3 branch, projected by w2.",
        "专家不是 SwiGLU：w1 分支经 SiLU，乘以 w3 分支，再经 w2 投影。"),
    "moe_weights": (
        "Combines the experts with the wrong weights: the renormalised top-k router weights, left as they are "
        "when tokens are dropped.",
        "专家组合权重不对：应使用重新归一化的 top-k 路由权重，有 token 被丢弃时也保持不变。"),
    "moe_capacity": (
        "Computes the capacity wrongly: ceil(top_k * T * capacity_factor / E) slots per expert, filled in token "
        "order.",
        "容量计算错误：每个专家 ceil(top_k * T * capacity_factor / E) 个槽位，按 token 顺序填充。"),
    "moe_dropped": (
        "Passes dropped tokens through: a token no expert serves contributes 0 (the residual is the caller's).",
        "让被丢弃的 token 直接通过：没有专家处理的 token 贡献为 0（残差由调用者负责）。"),
    "moe_router_output": (
        "Returns router probabilities: the layer returns the raw router logits.",
        "返回了路由概率：该层应返回原始路由 logits。"),
    # moe_all_to_all_bytes
    "a2a_formula": (
        "The all-to-all volume is wrong: dispatch plus combine (2x) of tokens x top_k x d_model x bytes, times "
        "the (ep - 1)/ep share that leaves the rank, for one forward pass.",
        "all-to-all 通信量错了：分发加合并（2 倍）的 token 数 x top_k x d_model x 字节数，乘以离开本 rank 的比例 "
        "(ep - 1)/ep，只算一次前向。"),
    # speculative_accept
    "spec_accept": (
        "Accepts wrongly: accept draft token x with probability min(1, p(x) / q(x)), using the given generator.",
        "接受规则有误：以概率 min(1, p(x) / q(x)) 接受草稿 token x，并使用给定的生成器。"),
    "spec_residual": (
        "Resamples from the wrong distribution after a rejection: sample from the normalised max(0, p - q).",
        "拒绝后重采样的分布不对：应从归一化后的 max(0, p - q) 中采样。"),
    "spec_stop": (
        "Keeps going after a rejection: stop at the first rejected token, after its replacement.",
        "拒绝后仍继续：应在第一个被拒绝的 token（及其替换 token）处停止。"),
    "spec_bonus": (
        "Gets the bonus token wrong: when all k drafts are accepted, sample one more token from p[k].",
        "额外 token 处理有误：k 个草稿全部被接受时，应再从 p[k] 采样一个 token。"),
    # expected_tokens_per_step
    "ets_formula": (
        "The expected count is wrong: (1 - alpha^(k+1)) / (1 - alpha) tokens per step, the bonus token included, "
        "and k + 1 when alpha = 1.",
        "期望值错了：每步 (1 - alpha^(k+1)) / (1 - alpha) 个 token（含额外 token），alpha = 1 时为 k + 1。"),
    # attention_sink_positions
    "sink_positions": (
        "Gets the cache positions wrong: inside the cache, RoPE positions are 0..n-1 by slot, not the tokens' "
        "positions in the text.",
        "缓存位置错了：在缓存内，RoPE 位置按槽位是 0..n-1，而不是 token 在文本中的位置。"),
    "sink_kept": (
        "Keeps the wrong tokens: the first n_sink and the last `window` tokens, in order, each once (all tokens "
        "while they fit).",
        "保留的 token 不对：前 n_sink 个和最后 `window` 个 token，按顺序且各一次（放得下时保留全部）。"),
}

VARIANTS = {
    ("repeat_kv", "tiles_with_repeat"): "rkv_order",
    ("repeat_kv", "index_h_mod_hkv"): "rkv_order",
    ("repeat_kv", "expand_on_the_wrong_side"): "rkv_order",
    ("repeat_kv", "interleaves_the_sequence"): "rkv_axis",
    ("repeat_kv", "float32_output"): "wrong_dtype",
    ("repeat_kv", "n_rep_one_returns_a_copy_of_head_zero"): "rkv_identity",
    ("grouped_query_attention", "tiled_kv_heads"): "gqa_grouping",
    ("grouped_query_attention", "heads_interleaved_in_features"): "gqa_grouping",
    ("grouped_query_attention", "full_size_kv_projections"): "gqa_grouping",
    ("grouped_query_attention", "scale_by_sqrt_d_model"): "gqa_scale",
    ("grouped_query_attention", "mask_means_blocked"): "gqa_mask",
    ("grouped_query_attention", "ignores_mask"): "gqa_mask",
    ("grouped_query_attention", "no_value_error"): "gqa_validation",
    ("multi_head_latent_attention", "ignores_the_past"): "mla_cache",
    ("multi_head_latent_attention", "returns_only_the_new_latents"): "mla_cache",
    ("multi_head_latent_attention", "past_appended_after"): "mla_cache",
    ("multi_head_latent_attention", "scale_by_sqrt_d_latent"): "mla_scale",
    ("multi_head_latent_attention", "values_from_w_uk"): "mla_projections",
    ("multi_head_latent_attention", "ignores_d_head"): "mla_projections",
    ("multi_head_latent_attention", "latent_with_bias"): "mla_projections",
    ("mla_absorbed_attention", "forms_keys_and_values"): "mlaa_absorb",
    ("mla_absorbed_attention", "keys_per_head_by_einsum"): "mlaa_absorb",
    ("mla_absorbed_attention", "scale_by_sqrt_d_c"): "mla_scale",
    ("mla_absorbed_attention", "head_blocks_as_columns"): "mlaa_heads",
    ("mla_absorbed_attention", "values_through_w_uk"): "mlaa_values",
    ("mla_absorbed_attention", "mask_ignored"): "mlaa_mask",
    ("mla_absorbed_attention", "float32_inside"): "wrong_dtype",
    ("mla_kv_cache_bytes", "factor_two_for_k_and_v"): "mlab_formula",
    ("mla_kv_cache_bytes", "ignores_rope"): "mlab_formula",
    ("mla_kv_cache_bytes", "ignores_batch"): "mlab_formula",
    ("mla_kv_cache_bytes", "rope_once_not_per_layer"): "mlab_formula",
    ("mla_kv_cache_bytes", "float_result"): "return_type",
    ("mla_kv_cache_bytes", "fp32_default"): "mlab_default",
    ("topk_router", "never_renormalises"): "router_renormalize",
    ("topk_router", "always_renormalises"): "router_renormalize",
    ("topk_router", "indices_sorted_ascending"): "router_selection",
    ("topk_router", "least_probable_experts"): "router_selection",
    ("topk_router", "raw_weights_from_chosen_logits"): "router_weights",
    ("topk_router", "weights_in_float32"): "wrong_dtype",
    ("load_balancing_loss", "hf_value_without_one_over_k"): "lb_formula",
    ("load_balancing_loss", "first_choice_only"): "lb_formula",
    ("load_balancing_loss", "no_factor_e"): "lb_formula",
    ("load_balancing_loss", "soft_f"): "lb_gradient",
    ("load_balancing_loss", "gradient_through_the_top_k_probabilities"): "lb_gradient",
    ("load_balancing_loss", "mean_over_the_last_leading_dim_only"): "lb_tokens",
    ("load_balancing_loss", "float32_result"): "wrong_dtype",
    ("moe_layer", "w1_and_w3_swapped"): "moe_expert",
    ("moe_layer", "gelu_experts"): "moe_expert",
    ("moe_layer", "raw_router_weights"): "moe_weights",
    ("moe_layer", "renormalises_kept_weights"): "moe_weights",
    ("moe_layer", "capacity_floor"): "moe_capacity",
    ("moe_layer", "capacity_without_top_k"): "moe_capacity",
    ("moe_layer", "gshard_first_choices_first"): "moe_capacity",
    ("moe_layer", "dropped_tokens_pass_through"): "moe_dropped",
    ("moe_layer", "probabilities_instead_of_logits"): "moe_router_output",
    ("moe_all_to_all_bytes", "dispatch_only"): "a2a_formula",
    ("moe_all_to_all_bytes", "local_copies_sent_too"): "a2a_formula",
    ("moe_all_to_all_bytes", "forward_and_backward"): "a2a_formula",
    ("moe_all_to_all_bytes", "ignores_top_k"): "a2a_formula",
    ("moe_all_to_all_bytes", "counts_the_local_share"): "a2a_formula",
    ("moe_all_to_all_bytes", "int_result"): "return_type",
    ("speculative_accept", "inverted_ratio"): "spec_accept",
    ("speculative_accept", "greedy_accept"): "spec_accept",
    ("speculative_accept", "global_rng"): "spec_accept",
    ("speculative_accept", "resample_from_p"): "spec_residual",
    ("speculative_accept", "residual_q_minus_p"): "spec_residual",
    ("speculative_accept", "argmax_of_the_residual"): "spec_residual",
    ("speculative_accept", "keeps_going_after_a_rejection"): "spec_stop",
    ("speculative_accept", "no_bonus_token"): "spec_bonus",
    ("speculative_accept", "bonus_from_last_draft_row"): "spec_bonus",
    ("expected_tokens_per_step", "exponent_k"): "ets_formula",
    ("expected_tokens_per_step", "no_bonus_token"): "ets_formula",
    ("expected_tokens_per_step", "divides_by_zero_at_one"): "ets_formula",
    ("expected_tokens_per_step", "linear_in_k"): "ets_formula",
    ("expected_tokens_per_step", "speedup_with_a_hidden_cost"): "ets_formula",
    ("expected_tokens_per_step", "int_at_one"): "return_type",
    ("attention_sink_positions", "text_positions_for_rope"): "sink_positions",
    ("attention_sink_positions", "window_includes_the_sinks"): "sink_kept",
    ("attention_sink_positions", "off_by_one_window"): "sink_kept",
    ("attention_sink_positions", "newest_first"): "sink_kept",
    ("attention_sink_positions", "duplicates_before_the_cache_fills"): "sink_kept",
    ("attention_sink_positions", "int32"): "wrong_dtype",
}
