"""03_ffn_normalization: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "03_ffn_normalization"

DIAGNOSES = {
    "wrong_dtype": (
        "Changes the dtype: the output must keep the input's dtype.",
        "改变了 dtype：输出必须保持输入的 dtype。"),
    # gelu
    "gelu_erf_scale": (
        "The exact GELU divides x by sqrt(2) inside the error function (the standard normal CDF).",
        "精确 GELU 在误差函数里要把 x 除以 sqrt(2)（标准正态分布的累积分布函数）。"),
    "gelu_tanh_constants": (
        "A constant of the tanh approximation is wrong: check the sqrt(2/pi) factor, the 0.044715 coefficient "
        "and the cubic power.",
        "tanh 近似中的常数写错了：检查 sqrt(2/pi) 因子、0.044715 系数以及三次方。"),
    "gelu_approximate_ignored": (
        "Ignores `approximate`: the tanh approximation must be used when it is requested.",
        "忽略了 `approximate`：要求时必须使用 tanh 近似。"),
    "gelu_sigmoid_approx": (
        "Uses the sigmoid approximation x * sigmoid(1.702 x) where the tanh approximation is asked for.",
        "要求 tanh 近似时却用了 sigmoid 近似 x * sigmoid(1.702 x)。"),
    # feed_forward
    "ffn_tanh_gelu": (
        "Uses the tanh-approximated GELU: the block uses the exact GELU.",
        "使用了 tanh 近似的 GELU：这个模块应使用精确 GELU。"),
    "ffn_default_width": (
        "The default hidden width is wrong: the classic FFN expands to 4 * d_model.",
        "默认隐藏层宽度不对：经典 FFN 扩展到 4 * d_model。"),
    "ffn_activation_ignored": (
        "Ignores the `activation` argument.",
        "忽略了 `activation` 参数。"),
    "ffn_dropout": (
        "Adds dropout the spec does not have: the output is random in training mode.",
        "加了规范里没有的 dropout：训练模式下输出是随机的。"),
    "ffn_no_bias": (
        "The linear layers have no bias: the classic FFN has biases.",
        "线性层没有偏置：经典 FFN 带偏置。"),
    "ffn_activation_twice": (
        "Applies the activation after the second linear layer too: only the hidden layer is activated.",
        "在第二个线性层之后也加了激活：只有隐藏层需要激活。"),
    # swiglu_hidden_dim
    "swiglu_dim_rounding": (
        "Rounds the hidden width wrongly: take 2/3 of 4 * d_model (truncated to an int), then round up to the "
        "next multiple of `multiple_of` (unchanged if already a multiple).",
        "隐藏层宽度的取整方式错了：取 4 * d_model 的 2/3（截断为整数），再向上取整到 `multiple_of` 的倍数"
        "（已是倍数则不变）。"),
    "swiglu_dim_type": (
        "Returns a float (numpy) where a Python int is expected.",
        "返回了（numpy）浮点数，而要求 Python int。"),
    "swiglu_dim_multiple_ignored": (
        "Ignores the `multiple_of` argument.",
        "忽略了 `multiple_of` 参数。"),
    # SwiGLU
    "swiglu_gate_branch": (
        "Applies SiLU to the wrong branch: the gate w1 goes through SiLU, the value w3 stays linear.",
        "SiLU 用在了错误的分支上：门控分支 w1 经过 SiLU，值分支 w3 保持线性。"),
    "swiglu_gate_function": (
        "Uses the wrong gate activation: SwiGLU gates with SiLU (Swish), not sigmoid or GELU.",
        "门控激活函数用错了：SwiGLU 使用 SiLU（Swish），不是 sigmoid 或 GELU。"),
    "swiglu_default_width": (
        "The default hidden width is 4 * d_model: SwiGLU uses the smaller width from swiglu_hidden_dim.",
        "默认隐藏层宽度用了 4 * d_model：SwiGLU 应使用 swiglu_hidden_dim 给出的较小宽度。"),
    "swiglu_bias": (
        "Ignores the `bias` argument of the linear layers.",
        "线性层忽略了 `bias` 参数。"),
    "swiglu_silu_after_product": (
        "Applies SiLU to the product of both branches instead of to the gate branch alone.",
        "对两个分支的乘积取 SiLU，而不是只对门控分支取。"),
    # layer_norm / rms_norm / batch_norm
    "norm_unbiased_variance": (
        "Uses the unbiased variance (divides by n - 1): normalisation uses the population variance (divide by n).",
        "使用了无偏方差（除以 n - 1）：归一化应使用总体方差（除以 n）。"),
    "norm_eps_placement": (
        "Puts eps in the wrong place: it is added to the variance inside the square root.",
        "eps 位置不对：它应加在平方根内的方差上。"),
    "norm_no_eps": (
        "Leaves out eps: a constant input divides by zero.",
        "漏掉了 eps：输入为常数时会除以零。"),
    "norm_wrong_axis": (
        "Computes the statistics over the wrong axis: LayerNorm and RMSNorm normalise each vector over its last "
        "(feature) dimension, not over the batch or the whole tensor.",
        "统计量的轴取错了：LayerNorm 和 RMSNorm 对每个向量在最后一维（特征维）上归一化，而不是在 batch 维或整个张量上。"),
    "ln_affine_order": (
        "Adds the bias before scaling by the weight: scale first, then shift.",
        "先加偏置再乘权重：应先缩放再平移。"),
    "ln_std_under_sqrt": (
        "Takes the square root twice (divides by the root of the standard deviation).",
        "开了两次平方根（除以了标准差的平方根）。"),
    "rms_subtracts_mean": (
        "Subtracts the mean: RMSNorm does not centre, it only divides by the root mean square.",
        "减去了均值：RMSNorm 不做中心化，只除以均方根。"),
    "rms_sum_not_mean": (
        "Sums the squares instead of averaging them.",
        "对平方求和而不是求平均。"),
    "rms_default_eps": (
        "The default eps is wrong: check the signature's default.",
        "默认 eps 不对：请核对函数签名中的默认值。"),
    # layer_norm_backward
    "lnb_missing_term": (
        "The input gradient misses one of the two correction terms (the mean of the upstream gradient, or the "
        "projection on the normalised input): differentiate through both the mean and the variance.",
        "输入梯度漏掉了两个修正项之一（上游梯度的均值，或在归一化输入上的投影）：要对均值和方差都求导。"),
    "lnb_weight_missing": (
        "Forgets to multiply the upstream gradient by the weight before back-propagating into x (in every term).",
        "反向传播到 x 之前忘了把上游梯度乘以权重（每一项都要）。"),
    "lnb_no_eps": (
        "Leaves eps out of the backward pass: it must use the same standard deviation as the forward pass.",
        "反向传播中漏掉了 eps：必须使用与前向相同的标准差。"),
    "lnb_param_grad_dims": (
        "Sums the weight and bias gradients over the wrong dimensions: sum over every leading dimension, for "
        "inputs of any rank.",
        "权重和偏置的梯度求和的维度不对：对任意维数的输入，都应对所有前导维求和。"),
    "lnb_dbias_mean": (
        "Averages the bias gradient over the rows instead of summing it.",
        "偏置梯度对各行取了平均而不是求和。"),
    "lnb_autograd": (
        "Uses autograd: the exercise asks for the backward pass derived by hand.",
        "使用了 autograd：题目要求手动推导反向传播。"),
    "lnb_dweight_raw_x": (
        "The weight gradient uses the raw input instead of the normalised one.",
        "权重梯度用了原始输入而不是归一化后的输入。"),
    # batch_norm
    "bn_running_var_biased": (
        "Updates the running variance with the biased batch variance: the running estimate uses the unbiased one "
        "(n - 1), while the batch is normalised with the biased one.",
        "用有偏的批方差更新滑动方差：滑动估计应用无偏方差（n - 1），而批内归一化用有偏方差。"),
    "bn_normalise_unbiased": (
        "Normalises the batch with the unbiased variance: training-mode normalisation uses the biased one.",
        "用无偏方差归一化本批数据：训练模式下的归一化应用有偏方差。"),
    "bn_momentum_reversed": (
        "The momentum weights the wrong side: the new statistic gets weight `momentum`, the old one "
        "1 - momentum.",
        "momentum 权重放反了：新统计量的权重是 `momentum`，旧值的权重是 1 - momentum。"),
    "bn_not_in_place": (
        "Rebinds the running statistics to new tensors instead of updating the given tensors in place: the "
        "caller never sees the update.",
        "把滑动统计量重新绑定为新张量，而不是原地更新传入的张量：调用者看不到更新。"),
    "bn_eval_batch_stats": (
        "Uses batch statistics in evaluation mode: eval must use the running mean and variance.",
        "评估模式下使用了批统计量：评估应使用滑动均值和方差。"),
    "bn_wrong_axis": (
        "Computes the statistics over the features instead of over the batch: BatchNorm averages each feature "
        "across the batch.",
        "在特征维而不是 batch 维上统计：BatchNorm 对每个特征在 batch 上求平均。"),
    "bn_train_uses_running": (
        "Normalises with the running statistics in training mode: training normalises with the batch's own.",
        "训练模式下用滑动统计量归一化：训练时应使用本批自身的统计量。"),
    "bn_eval_updates_stats": (
        "Updates the running statistics in evaluation mode: only training updates them.",
        "评估模式下也更新了滑动统计量：只有训练时才更新。"),
    # pre_ln_block / post_ln_block
    "preln_is_postln": (
        "Implements the Post-LN order: Pre-LN normalises the sublayer's input and adds the raw residual.",
        "实现成了 Post-LN 顺序：Pre-LN 对子层输入做归一化，并加上未归一化的残差。"),
    "postln_is_preln": (
        "Implements the Pre-LN order: Post-LN adds the residual first, then normalises the sum.",
        "实现成了 Pre-LN 顺序：Post-LN 先加残差，再对和做归一化。"),
    "block_no_residual": (
        "Drops the residual connection.",
        "丢掉了残差连接。"),
    "block_residual_normed": (
        "Adds the normalised input as the residual: the residual stream must carry the raw input.",
        "把归一化后的输入作为残差相加：残差流必须携带原始输入。"),
    "block_norm_on_branch": (
        "Normalises the sublayer's output instead of where the block's order puts the norm.",
        "对子层输出做了归一化，而不是在该结构规定的位置做归一化。"),
    "block_in_place": (
        "Adds the residual in place: the caller's input tensor is modified (and autograd may fail).",
        "原地加残差：调用者的输入张量被修改了（autograd 也可能出错）。"),
    # layer_grad_norms
    "lgn_order": (
        "Returns the norms in the wrong order: the first entry is the bottom (first) layer.",
        "范数的顺序不对：第一个元素应对应最底层（第一层）。"),
    "lgn_final_norm_ignored": (
        "Ignores `final_norm`: when given, it is applied to the output before the loss.",
        "忽略了 `final_norm`：给定时，应在计算损失前作用于输出。"),
    "lgn_sum_loss": (
        "Uses a summed loss: the gradients must come from the mean squared error.",
        "使用了求和的损失：梯度应来自均方误差（取平均）。"),
    "lgn_which_parameters": (
        "Measures the wrong set of parameters: take every parameter of the sublayer (weights and biases), and "
        "only the sublayer's.",
        "统计的参数集合不对：应包括子层的全部参数（权重和偏置），且只包括子层的。"),
    "lgn_norm_definition": (
        "Combines the gradients wrongly: a layer's norm is the L2 norm of all its parameter gradients together "
        "(the square root of the summed squares), not a sum, mean or square of per-parameter norms.",
        "梯度合并方式错了：一层的范数是其全部参数梯度合在一起的 L2 范数（平方和再开方），而不是各参数范数的和、均值或平方。"),
    "lgn_returns_tensors": (
        "Returns tensors: a list of Python floats is expected.",
        "返回了张量：要求返回 Python float 的列表。"),
    "lgn_flag_inverted": (
        "Uses `pre_ln` the wrong way round.",
        "`pre_ln` 的含义用反了。"),
    "lgn_activation_grads": (
        "Measures gradients of the activations instead of the gradients of the sublayers' parameters.",
        "测的是激活值的梯度，而不是子层参数的梯度。"),
    # deepnorm_alpha_beta
    "deepnorm_constants": (
        "The DeepNorm constants are wrong: for a decoder-only model alpha = (2N)^(1/4) and beta = (8N)^(-1/4) "
        "(check parentheses, signs of exponents and the root).",
        "DeepNorm 常数写错了：仅解码器模型中 alpha = (2N)^(1/4)，beta = (8N)^(-1/4)（检查括号、指数符号和根次）。"),
    "deepnorm_swapped": (
        "Returns alpha and beta swapped.",
        "返回的 alpha 和 beta 顺序颠倒了。"),
    "deepnorm_tensors": (
        "Returns tensors: Python floats are expected.",
        "返回了张量：要求返回 Python float。"),
    "torch_builtin": (
        "Calls PyTorch's own implementation (a functional or an nn module) of the very operation the exercise asks "
        "you to write from elementary tensor operations.",
        "调用了 PyTorch 自带的实现（functional 函数或 nn 模块），而题目要求用基本张量运算自己写出这个操作。"),
}

VARIANTS = {
    ("gelu", "erf_without_sqrt2"): "gelu_erf_scale",
    ("gelu", "tanh_constant_sqrt_pi_over_2"): "gelu_tanh_constants",
    ("gelu", "tanh_coefficient_typo"): "gelu_tanh_constants",
    ("gelu", "tanh_x_squared"): "gelu_tanh_constants",
    ("gelu", "approximate_ignored"): "gelu_approximate_ignored",
    ("gelu", "sigmoid_1702_for_tanh"): "gelu_sigmoid_approx",
    ("gelu", "float32_inside"): "wrong_dtype",
    ("feed_forward", "tanh_gelu"): "ffn_tanh_gelu",
    ("feed_forward", "default_d_ff_is_d_model"): "ffn_default_width",
    ("feed_forward", "activation_argument_ignored"): "ffn_activation_ignored",
    ("feed_forward", "dropout_in_forward"): "ffn_dropout",
    ("feed_forward", "no_biases"): "ffn_no_bias",
    ("feed_forward", "activation_after_fc2_too"): "ffn_activation_twice",
    ("swiglu_hidden_dim", "no_rounding"): "swiglu_dim_rounding",
    ("swiglu_hidden_dim", "rounds_down"): "swiglu_dim_rounding",
    ("swiglu_hidden_dim", "round_instead_of_int"): "swiglu_dim_rounding",
    ("swiglu_hidden_dim", "always_adds_a_multiple"): "swiglu_dim_rounding",
    ("swiglu_hidden_dim", "numpy_float_result"): "swiglu_dim_type",
    ("swiglu_hidden_dim", "multiple_of_hardcoded"): "swiglu_dim_multiple_ignored",
    ("swiglu", "silu_on_value_branch"): "swiglu_gate_branch",
    ("swiglu", "w2_w3_swapped_roles"): "swiglu_gate_branch",
    ("swiglu", "sigmoid_gate"): "swiglu_gate_function",
    ("swiglu", "gelu_gate"): "swiglu_gate_function",
    ("swiglu", "default_d_ff_4d"): "swiglu_default_width",
    ("swiglu", "bias_argument_ignored"): "swiglu_bias",
    ("swiglu", "nn_linear_default_bias"): "swiglu_bias",
    ("swiglu", "silu_after_product"): "swiglu_silu_after_product",
    ("layer_norm", "unbiased_variance"): "norm_unbiased_variance",
    ("layer_norm", "eps_outside_sqrt"): "norm_eps_placement",
    ("layer_norm", "no_eps"): "norm_no_eps",
    ("layer_norm", "mean_over_batch_axis"): "norm_wrong_axis",
    ("layer_norm", "stats_over_all_elements"): "norm_wrong_axis",
    ("layer_norm", "bias_before_weight"): "ln_affine_order",
    ("layer_norm", "std_not_var_under_eps"): "ln_std_under_sqrt",
    ("layer_norm_backward", "missing_xhat_term"): "lnb_missing_term",
    ("layer_norm_backward", "missing_mean_term"): "lnb_missing_term",
    ("layer_norm_backward", "weight_missing_in_dx"): "lnb_weight_missing",
    ("layer_norm_backward", "mean_term_without_weight"): "lnb_weight_missing",
    ("layer_norm_backward", "no_eps_in_backward"): "lnb_no_eps",
    ("layer_norm_backward", "sums_over_dim0_only"): "lnb_param_grad_dims",
    ("layer_norm_backward", "sum_over_empty_dims"): "lnb_param_grad_dims",
    ("layer_norm_backward", "dbias_mean_not_sum"): "lnb_dbias_mean",
    ("layer_norm_backward", "uses_autograd"): "lnb_autograd",
    ("layer_norm_backward", "unbiased_variance"): "norm_unbiased_variance",
    ("layer_norm_backward", "dweight_uses_x_not_xhat"): "lnb_dweight_raw_x",
    ("rms_norm", "eps_outside_sqrt"): "norm_eps_placement",
    ("rms_norm", "subtracts_mean"): "rms_subtracts_mean",
    ("rms_norm", "sum_not_mean"): "rms_sum_not_mean",
    ("rms_norm", "unbiased_std"): "rms_subtracts_mean",
    ("rms_norm", "default_eps_1e5"): "rms_default_eps",
    ("rms_norm", "mean_over_batch_axis"): "norm_wrong_axis",
    ("batch_norm", "biased_running_var"): "bn_running_var_biased",
    ("batch_norm", "unbiased_var_to_normalise"): "bn_normalise_unbiased",
    ("batch_norm", "momentum_reversed"): "bn_momentum_reversed",
    ("batch_norm", "running_stats_rebound_not_in_place"): "bn_not_in_place",
    ("batch_norm", "eval_uses_batch_stats"): "bn_eval_batch_stats",
    ("batch_norm", "eval_normalises_with_batch_var"): "bn_eval_batch_stats",
    ("batch_norm", "stats_over_channels"): "bn_wrong_axis",
    ("batch_norm", "eps_outside_sqrt"): "norm_eps_placement",
    ("batch_norm", "normalises_with_updated_running_stats"): "bn_train_uses_running",
    ("batch_norm", "updates_stats_in_eval"): "bn_eval_updates_stats",
    ("pre_ln_block", "post_order"): "preln_is_postln",
    ("pre_ln_block", "no_residual"): "block_no_residual",
    ("pre_ln_block", "residual_from_normed_x"): "block_residual_normed",
    ("pre_ln_block", "norm_on_branch_output"): "block_norm_on_branch",
    ("pre_ln_block", "in_place_residual_add"): "block_in_place",
    ("post_ln_block", "pre_order"): "postln_is_preln",
    ("post_ln_block", "norm_on_branch_only"): "block_norm_on_branch",
    ("post_ln_block", "residual_after_norm"): "block_norm_on_branch",
    ("post_ln_block", "no_residual"): "block_no_residual",
    ("post_ln_block", "in_place_residual_add"): "block_in_place",
    ("layer_grad_norms", "top_to_bottom"): "lgn_order",
    ("layer_grad_norms", "final_norm_ignored"): "lgn_final_norm_ignored",
    ("layer_grad_norms", "sum_reduced_loss"): "lgn_sum_loss",
    ("layer_grad_norms", "weights_only"): "lgn_which_parameters",
    ("layer_grad_norms", "includes_norm_parameters"): "lgn_which_parameters",
    ("layer_grad_norms", "squared_norms"): "lgn_norm_definition",
    ("layer_grad_norms", "sum_of_per_parameter_norms"): "lgn_norm_definition",
    ("layer_grad_norms", "mean_of_param_norms"): "lgn_norm_definition",
    ("layer_grad_norms", "returns_tensors"): "lgn_returns_tensors",
    ("layer_grad_norms", "pre_ln_flag_inverted"): "lgn_flag_inverted",
    ("layer_grad_norms", "activation_grad_norms"): "lgn_activation_grads",
    ("deepnorm_alpha_beta", "precedence_error"): "deepnorm_constants",
    ("deepnorm_alpha_beta", "encoder_decoder_constants"): "deepnorm_constants",
    ("deepnorm_alpha_beta", "beta_positive_exponent"): "deepnorm_constants",
    ("deepnorm_alpha_beta", "square_root_not_fourth_root"): "deepnorm_constants",
    ("deepnorm_alpha_beta", "swapped"): "deepnorm_swapped",
    ("deepnorm_alpha_beta", "returns_tensors"): "deepnorm_tensors",
    ("gelu", "torch_builtin"): "torch_builtin",
    ("batch_norm", "torch_builtin"): "torch_builtin",
    ("rms_norm", "torch_builtin"): "torch_builtin",
    ("layer_norm", "torch_builtin"): "torch_builtin",
    ("layer_norm", "nn_layernorm_module"): "torch_builtin",
    ("gelu", "torch_builtin_via_module"): "torch_builtin",
    ("batch_norm", "module_functional_call"): "torch_builtin",
    ("layer_norm_backward", "autograd_bound_at_definition"): "lnb_autograd",
}
