"""02_positional_encoding: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "02_positional_encoding"

DIAGNOSES = {
    "wrong_dtype": (
        "Returns the wrong dtype: check the dtype the docstring promises.",
        "返回的 dtype 不对：请核对文档字符串承诺的 dtype。"),
    "in_place": (
        "Modifies the input tensor in place: the caller's tensor changes after the call.",
        "原地修改了输入张量：调用之后调用者的张量被改变了。"),
    # sinusoidal_encoding
    "pe_sin_cos_swapped": (
        "Puts cosine on the even columns and sine on the odd ones: even columns are sine, odd are cosine.",
        "偶数列放了余弦、奇数列放了正弦：应是偶数列正弦、奇数列余弦。"),
    "pe_frequency_exponent": (
        "The frequency exponent uses the pair index i over d instead of 2i over d: the wavelengths come out "
        "wrong.",
        "频率指数用了 i/d 而不是 2i/d：波长不对。"),
    "pe_concatenated": (
        "Concatenates all sines then all cosines instead of interleaving them pair by pair.",
        "先拼接全部正弦再拼接全部余弦，而不是按对交错排列。"),
    "pe_positions_from_one": (
        "Positions start at 1: the first position is 0.",
        "位置从 1 开始：第一个位置应是 0。"),
    "pe_odd_d_model": (
        "Mishandles an odd d_model: the frequencies must be those of d_model itself, and the last (sine) column "
        "must be kept.",
        "d_model 为奇数时处理错误：频率应按 d_model 本身计算，并保留最后一列（正弦）。"),
    # relative_shift_matrix
    "shift_rotation_transposed": (
        "The 2x2 rotation blocks are transposed: this rotates by -offset (check the signs from the angle-sum "
        "formulas for sine and cosine).",
        "2x2 旋转块转置了：这相当于旋转 -offset（用正弦、余弦的和角公式核对符号）。"),
    "shift_abs_offset": (
        "Uses the absolute value of the offset: a negative offset must rotate the other way.",
        "使用了偏移量的绝对值：负偏移必须反向旋转。"),
    "shift_pairs_wrong": (
        "Rotates the wrong pairs of dimensions: the encoding pairs column 2i (sine) with 2i+1 (cosine), not "
        "i with i + d/2.",
        "旋转的维度配对错了：编码中第 2i 列（正弦）与第 2i+1 列（余弦）成对，而不是 i 与 i + d/2。"),
    "shift_cos_only": (
        "Keeps only the cosine terms on the diagonal: a shift mixes each sine with its cosine.",
        "对角线上只保留了余弦项：平移会把每个正弦与对应的余弦混合。"),
    # t5_relative_bucket
    "t5_direction_swapped": (
        "Puts keys before the query in the upper half of the buckets: the upper half is for keys after the query "
        "(positive relative positions).",
        "把位于 query 之前的 key 放进了上半部分桶：上半部分应属于 query 之后的 key（相对位置为正）。"),
    "t5_unidirectional_distance": (
        "In the unidirectional case, measures the wrong distance: only keys before the query count, later ones "
        "fall into bucket 0.",
        "单向情况下距离算错了：只有 query 之前的 key 计距离，之后的都落入 0 号桶。"),
    "t5_halving": (
        "Halves the bucket count in the wrong case: only the bidirectional scheme splits the buckets between the "
        "two directions.",
        "在错误的情形下把桶数减半：只有双向方案才把桶分给两个方向。"),
    "t5_cap": (
        "The logarithmic bucket index is not capped at the last bucket of its half: far distances overflow.",
        "对数桶下标没有封顶到该半区的最后一个桶：远距离会越界。"),
    "t5_rounding": (
        "Rounds the logarithmic bucket index instead of truncating it.",
        "对对数桶下标做了四舍五入，而不是截断取整。"),
    "t5_log_ratio": (
        "The logarithmic scale is normalised by the wrong quantity: it spans from max_exact to max_distance.",
        "对数尺度的归一化量错了：它应覆盖从 max_exact 到 max_distance 的范围。"),
    "t5_max_exact": (
        "The exact-bucket threshold max_exact is wrong: it is half of the buckets available to one direction.",
        "精确桶阈值 max_exact 错了：它是一个方向可用桶数的一半。"),
    # apply_rope
    "rope_rotate_half_layout": (
        "Pairs dimension i with i + D/2 (the rotate-half layout) instead of the interleaved pairs (2i, 2i+1) "
        "the spec asks for.",
        "把第 i 维与第 i + D/2 维配对（rotate-half 布局），而不是规范要求的交错对 (2i, 2i+1)。"),
    "rope_negative_angle": (
        "Rotates by the negative angle: check the signs of the sine terms.",
        "按负角度旋转：检查正弦项的符号。"),
    "rope_frequency_exponent": (
        "The frequency exponent uses i over D instead of 2i over D.",
        "频率指数用了 i/D 而不是 2i/D。"),
    "rope_ignores_positions": (
        "Ignores the `positions` argument and always uses 0..L-1.",
        "忽略了 `positions` 参数，总是使用 0..L-1。"),
    "rope_positions_truncated": (
        "Truncates fractional positions to integers: positions may be floats (interpolation).",
        "把小数位置截断为整数：位置可以是浮点数（位置插值）。"),
    "rope_positions_from_one": (
        "The default positions start at 1: they are 0..L-1.",
        "默认位置从 1 开始：应为 0..L-1。"),
    "rope_ignores_base": (
        "Ignores the `base` argument and always uses 10000.",
        "忽略了 `base` 参数，总是使用 10000。"),
    "rope_mixed_layouts": (
        "Mixes two layouts: interleaved pairs with the angles laid out for the rotate-half convention.",
        "混用了两种布局：交错配对，却用了 rotate-half 约定的角度排列。"),
    # alibi_slopes / alibi_bias
    "alibi_non_power_of_two": (
        "Uses the power-of-two slope formula for every head count: when n_heads is not a power of two, the "
        "extra heads take every other slope of the list for twice the nearest lower power of two.",
        "对任意头数都用 2 的幂的斜率公式：当 n_heads 不是 2 的幂时，多出来的头应取“最近的较小 2 的幂的两倍”那组斜率中"
        "隔一个取一个的值。"),
    "alibi_slopes_order": (
        "Returns the slopes in the wrong order: the heads of the power of two come first, then the extra ones.",
        "斜率顺序不对：先是 2 的幂那组的头，再是多出来的头。"),
    "alibi_extra_slopes": (
        "Picks the wrong slopes for the extra heads when n_heads is not a power of two (check the offset and "
        "which list they come from).",
        "n_heads 不是 2 的幂时，多出来的头取错了斜率（检查起始位置和来源列表）。"),
    "alibi_slopes_start": (
        "The geometric sequence starts at 1: the first slope is 2^(-8/n).",
        "等比数列从 1 开始：第一个斜率应是 2^(-8/n)。"),
    "alibi_positive_bias": (
        "The bias has the wrong sign: distant keys must be penalised.",
        "偏置符号错了：距离越远的 key 应受到惩罚。"),
    "alibi_not_causal": (
        "The bias is symmetric with no causal mask: keys after the query must be -inf.",
        "偏置是对称的且没有因果掩码：query 之后的 key 应为 -inf。"),
    "alibi_finite_mask": (
        "Masks future keys with a large finite number instead of -inf.",
        "用很大的有限数而不是 -inf 屏蔽未来的 key。"),
    "alibi_diagonal_masked": (
        "Masks the diagonal too: a query may attend to its own position (bias 0 there).",
        "把对角线也屏蔽了：query 可以关注自己的位置（那里偏置为 0）。"),
    "alibi_key_position": (
        "Uses the key's absolute position (BLOOM's shortcut, equal only after the softmax) instead of the "
        "distance between query and key.",
        "用了 key 的绝对位置（BLOOM 的捷径，只在 softmax 后等价），而不是 query 与 key 之间的距离。"),
    "alibi_transposed": (
        "Swaps the roles of query and key: the bias is transposed.",
        "query 与 key 的角色对调了：偏置被转置了。"),
    # interpolate_positions
    "pi_ratio_inverted": (
        "The ratio is inverted: positions are squeezed by train_len / target_len, not stretched.",
        "比例弄反了：位置应按 train_len / target_len 压缩，而不是拉伸。"),
    "pi_integer_result": (
        "Produces integer positions (floor division, rounding or an integer dtype): interpolated positions are "
        "fractional floats.",
        "得到的是整数位置（整除、取整或整数 dtype）：插值后的位置应是带小数的浮点数。"),
    "pi_unit_interval": (
        "Normalises positions to [0, 1) instead of rescaling them into the trained range.",
        "把位置归一化到 [0, 1)，而不是缩放到训练时的范围内。"),
    # ntk_scaled_base
    "ntk_exponent": (
        "The exponent of the scale is wrong: it is d / (d - 2) with d the head dimension.",
        "缩放因子的指数错了：应为 d / (d - 2)，d 是头维度。"),
    "ntk_linear": (
        "Multiplies the base by the scale: NTK-aware scaling raises the scale to a power first.",
        "直接把 base 乘以 scale：NTK-aware 缩放要先对 scale 取幂。"),
    "ntk_return_type": (
        "Returns the wrong type (a tensor or a rounded int): a Python float is expected.",
        "返回类型不对（张量或取整后的 int）：要求返回 Python float。"),
    "pi_float32_precision": (
        "Does the arithmetic in float32, or returns float32 for a float64 input: large positions lose precision and a "
        "float input must keep its dtype. Compute in higher precision, then return the documented dtype.",
        "用 float32 做运算，或对 float64 输入返回 float32：大位置会丢失精度，且浮点输入必须保持原 dtype。"
        "应以更高精度计算，再返回文档规定的 dtype。"),
}

VARIANTS = {
    ("sinusoidal_encoding", "sin_cos_swapped"): "pe_sin_cos_swapped",
    ("sinusoidal_encoding", "exponent_i_over_d"): "pe_frequency_exponent",
    ("sinusoidal_encoding", "concatenated_sin_then_cos"): "pe_concatenated",
    ("sinusoidal_encoding", "positions_start_at_1"): "pe_positions_from_one",
    ("sinusoidal_encoding", "odd_d_built_for_d_plus_1"): "pe_odd_d_model",
    ("sinusoidal_encoding", "odd_d_stack_flatten_drops_column"): "pe_odd_d_model",
    ("sinusoidal_encoding", "returns_float64"): "wrong_dtype",
    ("relative_shift_matrix", "rotation_transposed"): "shift_rotation_transposed",
    ("relative_shift_matrix", "abs_offset"): "shift_abs_offset",
    ("relative_shift_matrix", "exponent_i_over_d"): "pe_frequency_exponent",
    ("relative_shift_matrix", "returns_float64"): "wrong_dtype",
    ("relative_shift_matrix", "rotate_half_pairs_i_and_i_plus_half"): "shift_pairs_wrong",
    ("relative_shift_matrix", "cos_only_diagonal"): "shift_cos_only",
    ("t5_relative_bucket", "upper_half_for_keys_before_query"): "t5_direction_swapped",
    ("t5_relative_bucket", "unidirectional_uses_abs"): "t5_unidirectional_distance",
    ("t5_relative_bucket", "unidirectional_counts_future_keys"): "t5_unidirectional_distance",
    ("t5_relative_bucket", "no_halving_when_bidirectional"): "t5_halving",
    ("t5_relative_bucket", "halves_when_unidirectional"): "t5_halving",
    ("t5_relative_bucket", "no_cap"): "t5_cap",
    ("t5_relative_bucket", "cap_at_num_buckets"): "t5_cap",
    ("t5_relative_bucket", "rounds_instead_of_truncating"): "t5_rounding",
    ("t5_relative_bucket", "log_of_max_distance_only"): "t5_log_ratio",
    ("t5_relative_bucket", "max_exact_is_a_quarter"): "t5_max_exact",
    ("t5_relative_bucket", "max_exact_before_halving"): "t5_max_exact",
    ("apply_rope", "rotate_half_layout"): "rope_rotate_half_layout",
    ("apply_rope", "negative_angle"): "rope_negative_angle",
    ("apply_rope", "exponent_i_over_D"): "rope_frequency_exponent",
    ("apply_rope", "ignores_positions"): "rope_ignores_positions",
    ("apply_rope", "positions_truncated_to_int"): "rope_positions_truncated",
    ("apply_rope", "default_positions_start_at_1"): "rope_positions_from_one",
    ("apply_rope", "float64_input_returned_as_float32"): "wrong_dtype",
    ("apply_rope", "modifies_input_in_place"): "in_place",
    ("apply_rope", "ignores_base"): "rope_ignores_base",
    ("apply_rope", "interleaved_pairs_with_rotate_half_frequencies"): "rope_mixed_layouts",
    ("alibi_slopes", "power_of_two_rule_for_every_n"): "alibi_non_power_of_two",
    ("alibi_slopes", "next_power_of_two_truncated"): "alibi_non_power_of_two",
    ("alibi_slopes", "sorted_descending"): "alibi_slopes_order",
    ("alibi_slopes", "even_positions_of_2c_list"): "alibi_extra_slopes",
    ("alibi_slopes", "extra_from_2n_list"): "alibi_extra_slopes",
    ("alibi_slopes", "starts_at_slope_1"): "alibi_slopes_start",
    ("alibi_slopes", "returns_float64"): "wrong_dtype",
    ("alibi_bias", "positive_bias"): "alibi_positive_bias",
    ("alibi_bias", "symmetric_no_causal_mask"): "alibi_not_causal",
    ("alibi_bias", "mask_minus_1e9"): "alibi_finite_mask",
    ("alibi_bias", "diagonal_masked"): "alibi_diagonal_masked",
    ("alibi_bias", "bloom_style_key_position"): "alibi_key_position",
    ("alibi_bias", "transposed_query_key"): "alibi_transposed",
    ("alibi_bias", "power_of_two_slopes_for_every_n"): "alibi_non_power_of_two",
    ("interpolate_positions", "inverted_ratio"): "pi_ratio_inverted",
    ("interpolate_positions", "floor_division"): "pi_integer_result",
    ("interpolate_positions", "keeps_integer_dtype"): "pi_integer_result",
    ("interpolate_positions", "rounded_to_integers"): "pi_integer_result",
    ("interpolate_positions", "normalised_to_unit_interval"): "pi_unit_interval",
    ("interpolate_positions", "in_place_on_float_input"): "in_place",
    ("ntk_scaled_base", "exponent_inverted"): "ntk_exponent",
    ("ntk_scaled_base", "half_dim_in_exponent"): "ntk_exponent",
    ("ntk_scaled_base", "linear_in_scale"): "ntk_linear",
    ("ntk_scaled_base", "returns_tensor"): "ntk_return_type",
    ("ntk_scaled_base", "integer_result_for_int_arguments"): "ntk_return_type",
    ("interpolate_positions", "ratio_first"): "pi_float32_precision",
    ("interpolate_positions", "float32_always"): "pi_float32_precision",
    ("interpolate_positions", "always_float32"): "pi_float32_precision",
    ("interpolate_positions", "float32_round_trip_for_float64"): "pi_float32_precision",
}
