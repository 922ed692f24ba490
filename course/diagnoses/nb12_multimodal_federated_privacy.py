"""12_multimodal_federated_privacy: the mistakes its known wrong implementations make (see __init__.py)."""

ASSIGNMENT = "12_multimodal_federated_privacy"

DIAGNOSES = {
    "wrong_dtype": (
        "Changes the dtype: the result keeps the inputs' dtype (compute in higher precision inside if you like).",
        "改变了 dtype：结果应保持输入的 dtype（内部可用更高精度计算）。"),
    "return_type": (
        "Returns the wrong type: check what the docstring promises (a Python float, or a tensor).",
        "返回类型不对：请核对文档字符串的约定（Python float 或张量）。"),
    "in_place": (
        "Modifies the caller's tensors in place: leave the inputs unchanged.",
        "原地修改了调用者的张量：不应改动输入。"),
    "ignores_generator": (
        "Ignores the `generator`: the noise is not reproducible from the given seed.",
        "忽略了 `generator`：无法用给定的种子复现噪声。"),
    # clip_loss
    "clip_normalise": (
        "Normalises wrongly: each embedding (each row) is scaled to unit length, differentiably, before the "
        "dot products.",
        "归一化方式不对：在点积之前应把每个嵌入（每一行）缩放为单位长度，且保持可微。"),
    "clip_temperature": (
        "Applies the temperature wrongly: divide every similarity by it.",
        "温度用法不对：应把每个相似度都除以温度。"),
    "clip_symmetric": (
        "Is not the symmetric loss: average the image-to-text cross-entropy (over rows) and the text-to-image "
        "one (over columns).",
        "不是对称损失：应对图像到文本（按行）与文本到图像（按列）两个交叉熵取平均。"),
    "clip_reduction": (
        "Sums the cross-entropy over the pairs: each direction's loss is a mean over the batch.",
        "对各配对的交叉熵求和：每个方向的损失都是对 batch 取平均。"),
    "clip_objective": (
        "Uses another objective: CLIP's is the softmax cross-entropy with the matching pair on the diagonal.",
        "用了别的目标：CLIP 使用以对角线上的匹配对为目标的 softmax 交叉熵。"),
    # recall_at_k
    "rk_rank": (
        "Counts a hit wrongly: a query hits when its true match is among its k highest-scored items.",
        "命中的判定有误：当真正的匹配在该查询得分最高的 k 个之中时才算命中。"),
    "rk_axis": (
        "Uses the wrong axis: each row is a query, ranked over its columns.",
        "轴用错了：每一行是一个查询，在其各列上排名。"),
    "rk_normalise": (
        "Divides by the wrong count: recall@k is the fraction of queries with a hit.",
        "除以的计数不对：recall@k 是命中的查询所占的比例。"),
    # VisionProjector
    "vp_activation": (
        "Uses the wrong activation or places it wrongly: the exact (erf) GELU, between the two linear layers only.",
        "激活函数用错或位置不对：应使用精确（erf）GELU，且只放在两个线性层之间。"),
    "vp_hidden": (
        "Sizes the hidden layer wrongly: `hidden` when given, else d_model.",
        "隐藏层宽度不对：给定时用 `hidden`，否则用 d_model。"),
    "vp_architecture": (
        "Has the wrong layers: two linear layers with biases around one GELU (the LLaVA-1.5 projector).",
        "层结构不对：应是两个带偏置的线性层，中间一个 GELU（LLaVA-1.5 的投影器）。"),
    "vp_shapes": (
        "Breaks on inputs with other leading dimensions: the projector acts on the last dimension of any shape.",
        "输入有其他前导维度时会出错：投影器应作用于任意形状的最后一维。"),
    # fedavg
    "fedavg_weights": (
        "Weighs the clients wrongly: each client's parameters count in proportion to its number of samples, "
        "and the weights sum to 1.",
        "客户端加权不对：每个客户端的参数按其样本数成比例计入，且权重之和为 1。"),
    "fedavg_fresh": (
        "Returns tensors that alias a client's state: build new tensors for the average.",
        "返回的张量与某个客户端的状态共享内存：平均值应使用新建的张量。"),
    # laplace_mechanism
    "laplace_scale": (
        "Uses the wrong noise scale: b = sensitivity / epsilon.",
        "噪声尺度错了：b = sensitivity / epsilon。"),
    "laplace_distribution": (
        "Draws from the wrong distribution: the noise is Laplace(0, b), symmetric with exponential tails.",
        "采样分布不对：噪声应服从 Laplace(0, b)，对称且尾部为指数衰减。"),
    "laplace_independent": (
        "Draws one noise value for all entries: every entry gets its own independent draw.",
        "所有元素共用一个噪声值：每个元素都应独立采样。"),
    # dp_sgd_step
    "dpsgd_clip": (
        "Clips wrongly: scale each example's whole gradient (its L2 norm over all dimensions) by "
        "min(1, C / norm), before summing; a zero gradient stays zero.",
        "裁剪方式不对：在求和之前，把每个样本的整个梯度（所有维度上的 L2 范数）乘以 min(1, C / 范数)；零梯度保持为零。"),
    "dpsgd_noise": (
        "Adds the wrong noise: one Gaussian draw per coordinate with standard deviation noise_multiplier * C, "
        "added once to the clipped sum.",
        "加的噪声不对：每个坐标一次高斯采样，标准差为 noise_multiplier * C，只加到裁剪后的和上一次。"),
    "dpsgd_average": (
        "Averages wrongly: divide the noisy clipped sum (noise included) by the batch size.",
        "平均方式不对：应把加噪后的裁剪和（包括噪声）除以 batch 大小。"),
}

VARIANTS = {
    ("clip_loss", "no_normalisation"): "clip_normalise",
    ("clip_loss", "normalise_wrong_axis"): "clip_normalise",
    ("clip_loss", "detached_norms"): "clip_normalise",
    ("clip_loss", "in_place_normalisation"): "in_place",
    ("clip_loss", "times_temperature"): "clip_temperature",
    ("clip_loss", "temperature_only_image_side"): "clip_temperature",
    ("clip_loss", "image_to_text_only"): "clip_symmetric",
    ("clip_loss", "sum_of_directions"): "clip_symmetric",
    ("clip_loss", "both_directions_on_rows"): "clip_symmetric",
    ("clip_loss", "summed_cross_entropy"): "clip_reduction",
    ("clip_loss", "bce_on_diagonal"): "clip_objective",
    ("clip_loss", "float32_cast"): "wrong_dtype",
    ("recall_at_k", "columns_as_queries"): "rk_axis",
    ("recall_at_k", "topk_over_queries"): "rk_axis",
    ("recall_at_k", "off_by_one"): "rk_rank",
    ("recall_at_k", "smallest_scores"): "rk_rank",
    ("recall_at_k", "precision_at_k"): "rk_normalise",
    ("recall_at_k", "divides_by_gallery_size"): "rk_normalise",
    ("recall_at_k", "returns_tensor"): "return_type",
    ("vision_projector", "relu"): "vp_activation",
    ("vision_projector", "gelu_tanh"): "vp_activation",
    ("vision_projector", "gelu_after_output"): "vp_activation",
    ("vision_projector", "hidden_defaults_to_d_vision"): "vp_hidden",
    ("vision_projector", "twice_the_width"): "vp_hidden",
    ("vision_projector", "hidden_ignored"): "vp_hidden",
    ("vision_projector", "single_linear_llava1"): "vp_architecture",
    ("vision_projector", "no_bias"): "vp_architecture",
    ("vision_projector", "flattens_batch_dims"): "vp_shapes",
    ("fedavg", "unweighted_mean"): "fedavg_weights",
    ("fedavg", "not_normalised"): "fedavg_weights",
    ("fedavg", "integer_weights"): "fedavg_weights",
    ("fedavg", "divides_by_clients_again"): "fedavg_weights",
    ("fedavg", "accumulates_into_first_client"): "in_place",
    ("fedavg", "float32_everything"): "wrong_dtype",
    ("fedavg", "single_client_shortcut"): "fedavg_fresh",
    ("laplace_mechanism", "scale_inverted"): "laplace_scale",
    ("laplace_mechanism", "variance_scale"): "laplace_scale",
    ("laplace_mechanism", "gaussian_std_b"): "laplace_distribution",
    ("laplace_mechanism", "gaussian_same_variance"): "laplace_distribution",
    ("laplace_mechanism", "one_sided_exponential"): "laplace_distribution",
    ("laplace_mechanism", "one_draw_for_all_entries"): "laplace_independent",
    ("laplace_mechanism", "ignores_generator"): "ignores_generator",
    ("laplace_mechanism", "returns_python_float_for_numbers"): "return_type",
    ("dp_sgd_step", "always_scale_to_C"): "dpsgd_clip",
    ("dp_sgd_step", "clips_the_batch_mean"): "dpsgd_clip",
    ("dp_sgd_step", "norm_over_last_dim"): "dpsgd_clip",
    ("dp_sgd_step", "nan_on_zero_gradient"): "dpsgd_clip",
    ("dp_sgd_step", "noise_without_clip_norm"): "dpsgd_noise",
    ("dp_sgd_step", "noise_per_example"): "dpsgd_noise",
    ("dp_sgd_step", "one_noise_scalar"): "dpsgd_noise",
    ("dp_sgd_step", "noise_variance_not_std"): "dpsgd_noise",
    ("dp_sgd_step", "no_divide_by_batch"): "dpsgd_average",
    ("dp_sgd_step", "noise_not_divided_by_batch"): "dpsgd_average",
    ("dp_sgd_step", "ignores_generator"): "ignores_generator",
    ("dp_sgd_step", "clips_in_place"): "in_place",
}
