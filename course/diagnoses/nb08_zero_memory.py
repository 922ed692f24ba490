"""08_zero_memory: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "08_zero_memory"

DIAGNOSES = {
    "units": (
        "Returns the wrong unit or type: a number of bytes (not GB or GiB), as a Python float.",
        "返回的单位或类型不对：应是字节数（不是 GB 或 GiB），类型为 Python float。"),
    # zero_model_state_bytes
    "zms_k_ignored": (
        "Ignores `k`, the optimizer-state bytes per parameter.",
        "忽略了 `k`（每个参数的优化器状态字节数）。"),
    "zms_what_is_sharded": (
        "Shards the wrong parts at some stage: stage 1 shards the optimizer states, stage 2 also the gradients, "
        "stage 3 also the fp16 parameters.",
        "某个阶段切分的部分不对：stage 1 切分优化器状态，stage 2 再切分梯度，stage 3 再切分 fp16 参数。"),
    "zms_fp32_copy": (
        "Counts the fp32 parameter copy separately: it is already part of the k optimizer-state bytes.",
        "把 fp32 参数副本单独计算了：它已包含在 k 个优化器状态字节中。"),
    # zero_comm_volume
    "zcv_ring_factor": (
        "Leaves out the ring factor (n - 1)/n: each collective moves (n - 1)/n of the parameters per rank.",
        "漏掉了环形因子 (n - 1)/n：每次集合通信每个 rank 搬运参数量的 (n - 1)/n。"),
    "zcv_collectives": (
        "Counts the wrong number of collectives: stages 0-2 cost one all-reduce (a reduce-scatter plus an "
        "all-gather), stage 3 one more all-gather.",
        "集合通信的次数数错了：stage 0-2 相当于一次 all-reduce（一次 reduce-scatter 加一次 all-gather），stage 3 再多一次 "
        "all-gather。"),
    "zcv_elements": (
        "Counts bytes instead of elements, or uses integer division: the volume is a float number of elements.",
        "计算的是字节而不是元素个数，或用了整数除法：通信量是以元素计的浮点数。"),
    # max_params_that_fit
    "mpf_rounding": (
        "Rounds the wrong way or returns a float: the largest model that fits is the floor, as an int.",
        "取整方向不对或返回了浮点数：能放下的最大模型应向下取整，返回 int。"),
    # activation_bytes_per_layer
    "act_tp_split": (
        "Divides the wrong terms by the tensor-parallel degree: with sequence parallelism every stored activation "
        "is split across the t ranks, except under full recomputation (only the layer input, 2sbh, is kept).",
        "除以张量并行度的项不对：使用序列并行时，每个保存的激活都在 t 个 rank 间切分；完全重算时只保存层输入 2sbh。"),
    "act_attention_term": (
        "The attention term is wrong: 5as/h per sbh, quadratic in the sequence length.",
        "注意力项错了：每 sbh 为 5as/h，随序列长度二次增长。"),
    "act_selective": (
        "Selective recomputation keeps part of the attention scores: it drops the whole 5as/h term.",
        "选择性重算保留了部分注意力分数：它应去掉整个 5as/h 项。"),
    "act_bytes": (
        "Counts elements instead of bytes: the 34 and 5as/h coefficients are bytes in 16-bit precision.",
        "数的是元素个数而不是字节：34 与 5as/h 这些系数是 16 位精度下的字节数。"),
    # shard_flat
    "shard_padding": (
        "Pads wrongly: add the fewest zeros (0 to N - 1) that make the length a multiple of N, at the end of the "
        "flat vector, in its dtype, and return that count as an int.",
        "填充方式不对：应在展平向量末尾补最少的零（0 到 N - 1 个）使长度成为 N 的倍数，保持其 dtype，并以 int 返回补零个数。"),
    "shard_layout": (
        "Cuts the shards wrongly: shard r is the r-th contiguous block of equal length of the padded vector.",
        "切分方式不对：第 r 个分片是填充后向量的第 r 个等长连续块。"),
    # ZeroAdamW
    "zadam_mean": (
        "Gets the gradient average wrong: sum the gradients over ranks once with the reduce-scatter, then divide "
        "once by the number of ranks.",
        "梯度平均不正确：用 reduce-scatter 在各 rank 间求和一次，再除以 rank 数一次。"),
    "zadam_l2": (
        "Adds the weight decay to the gradient (L2): AdamW decays the parameters directly, decoupled from the "
        "moments.",
        "把权重衰减加到梯度上（L2）：AdamW 直接衰减参数，与矩估计解耦。"),
    "zadam_bias_correction": (
        "Gets the bias correction wrong: correct both moments by 1 - beta^t, with t counting the steps taken.",
        "偏差修正有误：两个矩都要除以 1 - beta^t，t 为已执行的步数。"),
    "zadam_eps": (
        "Puts eps in the wrong place: it is added to the square root of the bias-corrected second moment.",
        "eps 位置不对：它应加在偏差修正后的二阶矩的平方根上。"),
    "zadam_decay_order": (
        "Applies the weight decay after the Adam update: it uses the parameters before the update.",
        "在 Adam 更新之后才施加权重衰减：衰减应作用于更新前的参数。"),
    "zadam_communication": (
        "Communicates the wrong way: gradients go through a ring reduce-scatter (each rank receives only its "
        "shard's sum) and updated shards through a ring all-gather, not through a central sum, an all-reduce or "
        "a one-round exchange.",
        "通信方式不对：梯度应经由环形 reduce-scatter（每个 rank 只收到自己分片的和），更新后的分片经由环形 all-gather，"
        "而不是集中求和、all-reduce 或一轮交换。"),
    "zadam_sharding": (
        "Shards the state wrongly: each rank keeps optimizer state for its own padded shard only, of equal length "
        "on every rank.",
        "状态切分有误：每个 rank 只为自己那份填充后的分片保存优化器状态，各 rank 长度相同。"),
    "zadam_params": (
        "Returns or updates parameters wrongly: params(rank) gives that rank's full, unpadded parameters, as new "
        "tensors that leave the caller's originals untouched.",
        "参数的返回或更新方式不对：params(rank) 应给出该 rank 完整的、去掉填充的参数，并作为新张量，不改动调用者的原始张量。"),
    "zadam_central": (
        "Computes the update centrally (every rank's gradients averaged in one place, one full optimizer) and sends "
        "only placeholder messages: each rank must update its own shard from the data it receives.",
        "集中计算了更新（在一处平均所有 rank 的梯度，用一个完整的优化器），只发送占位消息：每个 rank 必须用收到的数据更新自己"
        "的分片。"),
}

VARIANTS = {
    ("zero_model_state_bytes", "hard_coded_k12"): "zms_k_ignored",
    ("zero_model_state_bytes", "stage1_also_shards_grads"): "zms_what_is_sharded",
    ("zero_model_state_bytes", "stage3_keeps_fp16_params"): "zms_what_is_sharded",
    ("zero_model_state_bytes", "stage2_keeps_grads_whole"): "zms_what_is_sharded",
    ("zero_model_state_bytes", "returns_gigabytes"): "units",
    ("zero_model_state_bytes", "gib_instead_of_bytes"): "units",
    ("zero_model_state_bytes", "int_for_int_inputs"): "units",
    ("zero_model_state_bytes", "fp32_params_counted"): "zms_fp32_copy",
    ("zero_comm_volume", "no_ring_factor"): "zcv_ring_factor",
    ("zero_comm_volume", "stage3_same_as_ddp"): "zcv_collectives",
    ("zero_comm_volume", "stage2_pays_extra"): "zcv_collectives",
    ("zero_comm_volume", "sharded_stages_only_reduce_scatter"): "zcv_collectives",
    ("zero_comm_volume", "stage3_two_allgathers_no_ring_factor_on_extra"): "zcv_collectives",
    ("zero_comm_volume", "bytes_in_fp16"): "zcv_elements",
    ("zero_comm_volume", "int_division"): "zcv_elements",
    ("max_params_that_fit", "round_to_nearest"): "mpf_rounding",
    ("max_params_that_fit", "ceil"): "mpf_rounding",
    ("max_params_that_fit", "returns_float"): "mpf_rounding",
    ("max_params_that_fit", "ignores_k"): "zms_k_ignored",
    ("max_params_that_fit", "stage2_same_as_stage1"): "zms_what_is_sharded",
    ("activation_bytes_per_layer", "full_divided_by_t"): "act_tp_split",
    ("activation_bytes_per_layer", "selective_not_divided_by_t"): "act_tp_split",
    ("activation_bytes_per_layer", "tensor_parallel_without_sequence_parallel"): "act_tp_split",
    ("activation_bytes_per_layer", "attention_term_not_split_by_t"): "act_tp_split",
    ("activation_bytes_per_layer", "attention_term_linear_in_s"): "act_attention_term",
    ("activation_bytes_per_layer", "selective_keeps_half_attention"): "act_selective",
    ("activation_bytes_per_layer", "counts_elements_not_bytes"): "act_bytes",
    ("shard_flat", "pad_at_front"): "shard_padding",
    ("shard_flat", "pad_n_minus_remainder"): "shard_padding",
    ("shard_flat", "tensor_split_without_padding"): "shard_padding",
    ("shard_flat", "padding_in_float32"): "shard_padding",
    ("shard_flat", "pad_as_tensor"): "shard_padding",
    ("shard_flat", "pad_in_the_middle_per_param"): "shard_padding",
    ("shard_flat", "round_robin_elements"): "shard_layout",
    ("zero_adam_w", "sum_not_mean"): "zadam_mean",
    ("zero_adam_w", "divides_by_n_twice"): "zadam_mean",
    ("zero_adam_w", "adam_l2_not_decoupled"): "zadam_l2",
    ("zero_adam_w", "no_bias_correction"): "zadam_bias_correction",
    ("zero_adam_w", "step_counter_frozen"): "zadam_bias_correction",
    ("zero_adam_w", "eps_inside_sqrt"): "zadam_eps",
    ("zero_adam_w", "bias_correction_after_eps"): "zadam_eps",
    ("zero_adam_w", "weight_decay_after_update"): "zadam_decay_order",
    ("zero_adam_w", "local_mean_no_communication"): "zadam_communication",
    ("zero_adam_w", "all_reduce_grads_then_gather"): "zadam_communication",
    ("zero_adam_w", "one_round_all_gather"): "zadam_communication",
    ("zero_adam_w", "unpadded_tensor_split_chunks"): "zadam_sharding",
    ("zero_adam_w", "full_state_on_every_rank"): "zadam_sharding",
    ("zero_adam_w", "state_counts_unpadded_elements"): "zadam_sharding",
    ("zero_adam_w", "params_returns_own_shard"): "zadam_params",
    ("zero_adam_w", "params_modified_in_place"): "zadam_params",
    ("zero_adam_w", "full_torch_adamw_on_mean_grad_placeholder_traffic"): "zadam_central",
    ("zero_adam_w", "ddp_full_adamw_state_on_every_rank"): "zadam_sharding",
}
