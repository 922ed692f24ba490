"""09_compression_deployment: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "09_compression_deployment"

DIAGNOSES = {
    "wrong_dtype": (
        "Returns the wrong dtype: check the dtypes the docstring promises (codes, scales, results).",
        "返回的 dtype 不对：请核对文档字符串承诺的 dtype（编码、缩放因子、结果）。"),
    "in_place": (
        "Modifies the module or tensor it was given: build and return a new one, leaving the input unchanged.",
        "修改了传入的模块或张量：应新建并返回一个新对象，不改动输入。"),
    # quantize_absmax / group_quantize
    "q_range": (
        "Uses the wrong code range: b-bit symmetric quantization uses codes -(2^(b-1) - 1) .. 2^(b-1) - 1, "
        "the same on both sides, for every b.",
        "编码范围不对：b 位对称量化的编码范围是 -(2^(b-1) - 1) .. 2^(b-1) - 1，两侧对称，对任意 b 都如此。"),
    "q_rounding": (
        "Truncates or floors instead of rounding to the nearest code.",
        "截断或向下取整，而不是四舍五入到最近的编码。"),
    "q_absmax": (
        "Takes the maximum instead of the maximum absolute value: large negative values then clip.",
        "取的是最大值而不是最大绝对值：较大的负值会被截断。"),
    "q_scale_shape": (
        "Returns the scale in the wrong shape: 0-dim for one scale, keepdim (size 1 along `dim`) per channel.",
        "缩放因子的形状不对：单一缩放因子为 0 维；按通道时保留维度（在 `dim` 上大小为 1）。"),
    "q_dim_meaning": (
        "Reads `dim` the wrong way round: it is the axis reduced to find each absmax.",
        "`dim` 的含义用反了：它是为求各个 absmax 而被归约的轴。"),
    "q_zero_slice": (
        "An all-zero slice gives a NaN or inf: its codes must be 0.",
        "全零切片得到了 NaN 或 inf：其编码应为 0。"),
    # dequantize
    "dq_overflow": (
        "Subtracts the zero point in the codes' own integer type: uint8 wraps around. Widen the type first.",
        "在编码自身的整数类型里减零点：uint8 会回绕。应先扩大类型。"),
    "dq_zero_point": (
        "Handles the zero point wrongly: dequantization is (q - zero_point) * scale.",
        "零点处理错误：反量化是 (q - zero_point) * scale。"),
    "dq_divides": (
        "Divides by the scale: dequantization multiplies by it.",
        "除以了缩放因子：反量化应乘以它。"),
    # quantize_zeropoint
    "zp_range": (
        "The range must include 0 (min clamped to at most 0, max to at least 0), so that 0 is exactly "
        "representable.",
        "范围必须包含 0（最小值截到不大于 0，最大值截到不小于 0），使 0 能被精确表示。"),
    "zp_scale": (
        "Divides the range by 2^bits: there are 2^bits - 1 steps between the lowest and highest code.",
        "把范围除以了 2^bits：最低与最高编码之间只有 2^bits - 1 个步长。"),
    "zp_zero_point": (
        "Computes the zero point wrongly: it is round(-min / scale), an integer, added to the rounded codes.",
        "零点计算错误：它是 round(-min / scale)，为整数，加到取整后的编码上。"),
    "zp_codes": (
        "Produces the wrong codes: unsigned codes 0 .. 2^bits - 1, computed as round(x / scale) plus the "
        "zero point.",
        "编码不对：应是无符号编码 0 .. 2^bits - 1，由 round(x / scale) 加零点得到。"),
    # group_quantize
    "gq_groups": (
        "Groups the wrong entries: each scale covers `group_size` consecutive entries of the last dimension.",
        "分组的元素不对：每个缩放因子覆盖最后一维上连续的 `group_size` 个元素。"),
    "gq_shapes": (
        "Returns the wrong shape: codes in w's shape, scales (..., n // group_size).",
        "返回的形状不对：编码与 w 同形，缩放因子为 (..., n // group_size)。"),
    # pack / unpack int4
    "int4_nibble_order": (
        "Puts the nibbles in the wrong order: element 2i goes in the low nibble, element 2i+1 in the high one.",
        "半字节顺序不对：第 2i 个元素放低半字节，第 2i+1 个放高半字节。"),
    "int4_encoding": (
        "Encodes negative values wrongly: each nibble holds the 4-bit two's complement of its code (mask it to "
        "4 bits).",
        "负数编码错误：每个半字节存其编码的 4 位二进制补码（要掩码到 4 位）。"),
    "int4_pairing": (
        "Pairs the wrong elements: neighbours (2i, 2i+1) share a byte, not the two halves of the row.",
        "配对的元素不对：相邻的 (2i, 2i+1) 共享一个字节，而不是行的前后两半。"),
    "int4_sign": (
        "Sign-extends wrongly: nibbles 8..15 stand for -8..-1.",
        "符号扩展错误：半字节 8..15 表示 -8..-1。"),
    "int4_interleave": (
        "Concatenates the low and high nibbles instead of interleaving them back into their positions.",
        "把低、高半字节拼接起来，而不是交错放回原来的位置。"),
    # smoothquant_scales
    "sq_formula": (
        "The smoothing factor is wrong: s_j = act_absmax_j^alpha / weight_absmax_j^(1 - alpha).",
        "平滑因子错了：s_j = act_absmax_j^alpha / weight_absmax_j^(1 - alpha)。"),
    # magnitude_prune / prune_n_m
    "prune_which": (
        "Removes the wrong entries: pruning drops the smallest magnitudes |w| and keeps the largest.",
        "移除的元素不对：剪枝应去掉绝对值 |w| 最小的，保留最大的。"),
    "prune_count": (
        "Prunes the wrong number of entries: round(sparsity * numel) of them, exactly.",
        "剪掉的数量不对：应恰好剪掉 round(sparsity * numel) 个。"),
    "prune_scope": (
        "Ranks the magnitudes in the wrong scope: magnitude pruning ranks the whole tensor at once.",
        "排序范围不对：幅值剪枝要对整个张量统一排序。"),
    "prune_mask_type": (
        "Returns a float mask: a boolean mask (True = keep) is expected.",
        "返回了浮点掩码：要求布尔掩码（True 表示保留）。"),
    "nm_groups": (
        "Forms the wrong groups: N:M sparsity keeps the n largest |w| within every m consecutive entries of the "
        "last dimension.",
        "分组不对：N:M 稀疏在最后一维每 m 个连续元素中保留 |w| 最大的 n 个。"),
    "nm_hardcoded": (
        "Ignores `n` and `m` (always 2:4).",
        "忽略了 `n` 和 `m`（总是 2:4）。"),
    # distillation_loss
    "kd_t_squared": (
        "Scales the distillation term wrongly: multiply the KL term by T^2 so its gradients keep their size "
        "as T changes.",
        "蒸馏项的缩放不对：KL 项要乘以 T^2，使梯度大小不随 T 变化。"),
    "kd_direction": (
        "Computes the KL divergence the wrong way round: it is KL(teacher || student).",
        "KL 散度方向反了：应为 KL(teacher || student)。"),
    "kd_reduction": (
        "Averages the KL over the wrong thing: sum over classes, mean over the batch (batchmean).",
        "KL 的平均方式不对：对类别求和，对 batch 求平均（batchmean）。"),
    "kd_ce": (
        "Computes the hard-label cross-entropy on softened logits: it uses the student's logits at T = 1.",
        "在软化后的 logits 上计算硬标签交叉熵：它应使用 T = 1 的学生 logits。"),
    "kd_kl_inputs": (
        "Feeds the KL the wrong inputs: both distributions in log space, computed stably with log-softmax.",
        "KL 的输入不对：两个分布都应在对数空间，并用 log-softmax 稳定计算。"),
    "kd_alpha": (
        "Puts alpha on the wrong term: alpha weighs the distillation term, 1 - alpha the cross-entropy.",
        "alpha 放错了项：alpha 加权蒸馏项，1 - alpha 加权交叉熵。"),
    "kd_softening": (
        "Does not divide both the student's and the teacher's logits by T in the distillation term.",
        "在蒸馏项中没有把学生和教师的 logits 都除以 T。"),
    # LoRALinear
    "lora_scaling": (
        "Uses the wrong scaling: the low-rank update is multiplied by alpha / r, in forward and in merge.",
        "缩放因子不对：低秩更新要乘以 alpha / r，前向和合并时都是。"),
    "lora_init": (
        "Initialises the wrong factor to zero: B starts at zero and A random, so the update starts at 0 and both "
        "factors still get gradients.",
        "置零的因子错了：B 初始为零、A 随机，这样更新从 0 开始且两个因子都能得到梯度。"),
    "lora_frozen": (
        "Leaves the base layer trainable: its parameters must be frozen.",
        "基础层仍可训练：其参数必须冻结。"),
    "lora_merge": (
        "Merges wrongly: the merged layer's weight is W + scaling * B A, and it keeps the base's bias.",
        "合并有误：合并后的权重是 W + scaling * B A，并保留基础层的偏置。"),
    # low_rank_approx
    "svd_truncation": (
        "Truncates the SVD wrongly: keep the r largest singular values with their singular vectors, each "
        "vector pair scaled by its singular value.",
        "SVD 截断有误：保留最大的 r 个奇异值及其奇异向量，每对向量乘以对应的奇异值。"),
    "svd_v_layout": (
        "Uses the rows of V where the right singular vectors are its columns (torch.svd returns V, not V^T).",
        "右奇异向量是 V 的列，却取了 V 的行（torch.svd 返回 V，而不是 V^T）。"),
    # fold_batchnorm
    "fold_scale": (
        "Folds the wrong factor: each output row is scaled by gamma / sqrt(running_var + eps).",
        "折叠的因子不对：每个输出行应乘以 gamma / sqrt(running_var + eps)。"),
    "fold_axis": (
        "Scales the input columns: BatchNorm acts on the outputs, so scale the weight's rows.",
        "缩放了输入列：BatchNorm 作用于输出，应缩放权重的行。"),
    "fold_bias": (
        "Folds the bias wrongly: new bias = k * (b - running_mean) + beta, with b = 0 when the linear layer "
        "has none (the fused layer always has a bias).",
        "偏置折叠有误：新偏置 = k * (b - running_mean) + beta，线性层无偏置时 b = 0（融合后的层总有偏置）。"),
    "fold_non_affine": (
        "Fails for a BatchNorm without affine parameters (the library helper needs them): treat gamma as 1 and "
        "beta as 0.",
        "遇到没有仿射参数的 BatchNorm 就失败（库函数需要它们）：此时把 gamma 视为 1、beta 视为 0。"),
}

VARIANTS = {
    ("quantize_absmax", "qmax_is_2_pow_bits_minus_1"): "q_range",
    ("quantize_absmax", "qmax_128_asymmetric_clamp"): "q_range",
    ("quantize_absmax", "qmax_2_pow_bits_minus_2_below_8_bits"): "q_range",
    ("quantize_absmax", "truncates_instead_of_rounding"): "q_rounding",
    ("quantize_absmax", "max_not_absmax"): "q_absmax",
    ("quantize_absmax", "no_keepdim"): "q_scale_shape",
    ("quantize_absmax", "per_tensor_scale_shape_1"): "q_scale_shape",
    ("quantize_absmax", "dim_is_the_kept_axis"): "q_dim_meaning",
    ("quantize_absmax", "scale_always_float32"): "wrong_dtype",
    ("quantize_absmax", "zero_slice_gets_nan_scale"): "q_zero_slice",
    ("dequantize", "uint8_wraps_around"): "dq_overflow",
    ("dequantize", "ignores_zero_point"): "dq_zero_point",
    ("dequantize", "adds_zero_point"): "dq_zero_point",
    ("dequantize", "divides_by_scale"): "dq_divides",
    ("dequantize", "always_float32"): "wrong_dtype",
    ("quantize_zeropoint", "range_excludes_zero"): "zp_range",
    ("quantize_zeropoint", "divides_by_2_pow_bits"): "zp_scale",
    ("quantize_zeropoint", "zero_point_truncated"): "zp_zero_point",
    ("quantize_zeropoint", "zero_point_sign_flipped"): "zp_zero_point",
    ("quantize_zeropoint", "codes_from_x_minus_lo_without_zero_point_rounding"): "zp_zero_point",
    ("quantize_zeropoint", "float_zero_point"): "wrong_dtype",
    ("quantize_zeropoint", "signed_int8_codes"): "zp_codes",
    ("quantize_zeropoint", "floor_codes"): "q_rounding",
    ("group_quantize", "one_scale_per_row"): "gq_groups",
    ("group_quantize", "strided_groups"): "gq_groups",
    ("group_quantize", "scale_keeps_trailing_1"): "gq_shapes",
    ("group_quantize", "q_in_group_shape"): "gq_shapes",
    ("group_quantize", "unsigned_range_15"): "q_range",
    ("group_quantize", "qmax_from_8_bits"): "q_range",
    ("pack_int4", "nibbles_swapped"): "int4_nibble_order",
    ("pack_int4", "offset_binary"): "int4_encoding",
    ("pack_int4", "low_nibble_not_masked"): "int4_encoding",
    ("pack_int4", "halves_not_neighbours"): "int4_pairing",
    ("pack_int4", "returns_int8"): "wrong_dtype",
    ("unpack_int4", "no_sign_extension"): "int4_sign",
    ("unpack_int4", "sign_threshold_off_by_one"): "int4_sign",
    ("unpack_int4", "nibbles_swapped"): "int4_nibble_order",
    ("unpack_int4", "concatenates_not_interleaves"): "int4_interleave",
    ("unpack_int4", "returns_int16"): "wrong_dtype",
    ("smoothquant_scales", "exponents_swapped"): "sq_formula",
    ("smoothquant_scales", "ratio_to_the_alpha"): "sq_formula",
    ("smoothquant_scales", "inverted"): "sq_formula",
    ("smoothquant_scales", "product_not_ratio"): "sq_formula",
    ("smoothquant_scales", "always_float32"): "wrong_dtype",
    ("magnitude_prune", "prunes_largest"): "prune_which",
    ("magnitude_prune", "signed_not_magnitude"): "prune_which",
    ("magnitude_prune", "floor_count"): "prune_count",
    ("magnitude_prune", "threshold_off_by_one"): "prune_count",
    ("magnitude_prune", "per_row"): "prune_scope",
    ("magnitude_prune", "float_mask"): "prune_mask_type",
    ("prune_n_m", "keeps_smallest"): "prune_which",
    ("prune_n_m", "signed_values"): "prune_which",
    ("prune_n_m", "strided_groups"): "nm_groups",
    ("prune_n_m", "global_threshold_half"): "nm_groups",
    ("prune_n_m", "hardcoded_2_of_4"): "nm_hardcoded",
    ("distillation_loss", "no_t_squared"): "kd_t_squared",
    ("distillation_loss", "t_not_t_squared"): "kd_t_squared",
    ("distillation_loss", "kl_reversed"): "kd_direction",
    ("distillation_loss", "reduction_mean_over_classes"): "kd_reduction",
    ("distillation_loss", "ce_on_softened_logits"): "kd_ce",
    ("distillation_loss", "probabilities_as_kl_input"): "kd_kl_inputs",
    ("distillation_loss", "log_of_softmax"): "kd_kl_inputs",
    ("distillation_loss", "alpha_on_the_wrong_term"): "kd_alpha",
    ("distillation_loss", "student_not_softened"): "kd_softening",
    ("distillation_loss", "teacher_not_softened"): "kd_softening",
    ("lora_linear", "scaling_r_over_alpha"): "lora_scaling",
    ("lora_linear", "rslora_scaling"): "lora_scaling",
    ("lora_linear", "forward_without_scaling"): "lora_scaling",
    ("lora_linear", "b_random_a_zero"): "lora_init",
    ("lora_linear", "base_not_frozen"): "lora_frozen",
    ("lora_linear", "merge_in_place"): "in_place",
    ("lora_linear", "merge_without_scaling"): "lora_merge",
    ("lora_linear", "merge_drops_bias"): "lora_merge",
    ("lora_linear", "merge_transposed_product"): "lora_merge",
    ("lora_linear", "params_always_float32"): "wrong_dtype",
    ("low_rank_approx", "no_singular_values"): "svd_truncation",
    ("low_rank_approx", "smallest_singular_values"): "svd_truncation",
    ("low_rank_approx", "rank_off_by_one"): "svd_truncation",
    ("low_rank_approx", "torch_svd_v_rows"): "svd_v_layout",
    ("low_rank_approx", "always_float32"): "wrong_dtype",
    ("fold_batchnorm", "forgets_eps"): "fold_scale",
    ("fold_batchnorm", "divides_by_variance"): "fold_scale",
    ("fold_batchnorm", "scales_input_columns"): "fold_axis",
    ("fold_batchnorm", "bias_not_scaled"): "fold_bias",
    ("fold_batchnorm", "forgets_beta"): "fold_bias",
    ("fold_batchnorm", "bias_only_if_linear_had_one"): "fold_bias",
    ("fold_batchnorm", "torch_helper_needs_affine"): "fold_non_affine",
    ("fold_batchnorm", "modifies_linear_in_place"): "in_place",
}
