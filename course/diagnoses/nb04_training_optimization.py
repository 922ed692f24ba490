"""04_training_optimization: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "04_training_optimization"

DIAGNOSES = {
    "returns_tensor": (
        "Returns a tensor where a Python number is expected.",
        "返回了张量，而要求返回 Python 数值。"),
    "grad_modified": (
        "Modifies the caller's gradient tensor in place (adding the weight decay into it).",
        "原地修改了调用者的梯度张量（把权重衰减加进了梯度里）。"),
    # sgd_step
    "sgd_dampened": (
        "Averages the momentum buffer (an EMA with 1 - momentum on the gradient): PyTorch's SGD buffer is "
        "momentum * buf + grad, undampened.",
        "把动量缓冲做成了滑动平均（梯度乘 1 - momentum）：PyTorch SGD 的缓冲是 momentum * buf + grad，不做衰减。"),
    "sgd_nesterov": (
        "Gets the Nesterov step wrong: it looks ahead with the freshly updated buffer, and must be used when "
        "`nesterov=True`.",
        "Nesterov 步骤写错了：它用刚更新过的缓冲做前瞻，并且在 `nesterov=True` 时必须启用。"),
    "sgd_decay_outside": (
        "Applies weight decay outside the momentum (decoupled): SGD's weight decay is added to the gradient "
        "before the momentum buffer.",
        "在动量之外施加权重衰减（解耦式）：SGD 的权重衰减要在进入动量缓冲之前加到梯度上。"),
    "sgd_buffer_alias": (
        "Stores the gradient tensor itself as the momentum buffer (no copy): later in-place updates corrupt it.",
        "直接把梯度张量本身存为动量缓冲（没有复制）：之后的原地更新会破坏它。"),
    "sgd_lr_in_buffer": (
        "Folds the learning rate into the momentum buffer (the Sutskever form): with a changing lr the steps "
        "differ from PyTorch's SGD, where lr multiplies the buffer at each step.",
        "把学习率并入了动量缓冲（Sutskever 形式）：学习率变化时步长与 PyTorch SGD 不同，后者每步用 lr 乘缓冲。"),
    "sgd_state_not_stored": (
        "Never stores the momentum buffer in `state`: every step starts the momentum afresh.",
        "从未把动量缓冲存入 `state`：每一步动量都重新开始。"),
    # adam_step
    "adam_no_bias_correction": (
        "Skips the bias correction of the first and second moments.",
        "没有对一阶和二阶矩做偏差修正。"),
    "adam_bias_correction_step": (
        "The bias correction uses the wrong step count: the first step is t = 1, counted per parameter in its "
        "own state.",
        "偏差修正用的步数不对：第一步是 t = 1，且按每个参数在其自身 state 中计数。"),
    "adam_eps_placement": (
        "Puts eps in the wrong place: it is added to the square root of the bias-corrected second moment.",
        "eps 位置不对：它应加在偏差修正后的二阶矩的平方根上。"),
    "adam_decay_mode": (
        "Ignores `decoupled`: decoupled (AdamW) decay shrinks the parameter directly, otherwise (Adam with L2) "
        "the decay is added to the gradient.",
        "忽略了 `decoupled`：解耦（AdamW）时直接收缩参数，否则（Adam 加 L2）把衰减加到梯度上。"),
    "adam_decay_scale": (
        "The decoupled decay is not scaled by the current learning rate: the parameter shrinks by lr * weight_decay "
        "at every step.",
        "解耦衰减没有乘当前学习率：每一步参数应收缩 lr * weight_decay。"),
    "adam_second_moment": (
        "Accumulates the square of the first moment instead of the square of the gradient.",
        "累积的是一阶矩的平方，而不是梯度的平方。"),
    "adam_decay_after_update": (
        "Applies the decoupled decay after the Adam update: it uses the parameter's value before the update.",
        "在 Adam 更新之后才施加解耦衰减：衰减应作用于更新前的参数值。"),
    # warmup_cosine_lr
    "lr_warmup_off_by_one": (
        "The warmup is off by one: the rate is max_lr * step / warmup_steps, 0 at step 0.",
        "预热差一：学习率是 max_lr * step / warmup_steps，第 0 步为 0。"),
    "lr_min_not_rescaled": (
        "The cosine does not go from max_lr down to min_lr: its amplitude is max_lr - min_lr.",
        "余弦没有从 max_lr 降到 min_lr：其幅度应为 max_lr - min_lr。"),
    "lr_cosine_progress": (
        "Measures the cosine's progress from step 0 instead of from the end of the warmup.",
        "余弦进度从第 0 步开始计算，而不是从预热结束时开始。"),
    "lr_no_floor": (
        "Keeps following the cosine after total_steps: from then on the rate stays at min_lr.",
        "超过 total_steps 后仍沿余弦变化：此后学习率应保持为 min_lr。"),
    # clip_grad_norm
    "clip_per_tensor": (
        "Clips each tensor by its own norm: clipping uses one global norm over all gradients together.",
        "每个张量按各自的范数裁剪：应使用所有梯度合在一起的全局范数。"),
    "clip_scales_up": (
        "Also scales gradients up when their norm is below max_norm: the coefficient is capped at 1.",
        "范数小于 max_norm 时也把梯度放大了：系数上限应为 1。"),
    "clip_returns_after": (
        "Returns the norm after clipping: the function returns the total norm before clipping.",
        "返回的是裁剪后的范数：应返回裁剪前的总范数。"),
    "clip_eps": (
        "The clipping coefficient lacks the small epsilon PyTorch adds to the total norm.",
        "裁剪系数里缺少 PyTorch 加在总范数上的小 epsilon。"),
    "clip_sum_of_norms": (
        "Adds the per-tensor norms: the global norm is the square root of the sum of squares over all entries.",
        "把各张量的范数直接相加：全局范数应是所有元素平方和的平方根。"),
    "clip_returns_float": (
        "Returns a Python float: the total norm is returned as a tensor.",
        "返回了 Python float：总范数应以张量返回。"),
    "clip_not_in_place": (
        "Builds new scaled tensors instead of scaling the given gradients in place: the caller's gradients are "
        "unchanged.",
        "创建了新的缩放张量，而不是原地缩放传入的梯度：调用者的梯度没有变化。"),
    # accumulate_gradients
    "accum_no_division": (
        "Does not divide each micro-batch loss by n_micro: the accumulated gradient is n_micro times too large.",
        "没有把每个微批次的损失除以 n_micro：累积的梯度大了 n_micro 倍。"),
    "accum_zero_grad": (
        "Zeroes the gradients inside the loop: only the last micro-batch survives.",
        "在循环内清零了梯度：只剩最后一个微批次的梯度。"),
    "accum_split_size": (
        "Splits into chunks of n_micro rows instead of into n_micro chunks.",
        "切分成每块 n_micro 行，而不是切成 n_micro 块。"),
    "accum_divide_by_size": (
        "Divides each micro-batch loss by the micro-batch size instead of by the number of micro-batches.",
        "每个微批次的损失除以了微批次大小，而不是微批次的个数。"),
    "accum_no_micro_batches": (
        "Runs the whole batch in one pass: the exercise is to split it into n_micro micro-batches and accumulate.",
        "整批一次前向：题目要求切成 n_micro 个微批次并累积梯度。"),
    # dynamic_loss_scaler
    "scaler_count_reset": (
        "Mishandles the count of good steps: it restarts at 0 after an overflow and after each growth, and the "
        "scale grows exactly when growth_interval consecutive good steps have been seen.",
        "好步计数处理错误：溢出后和每次增长后都要归零，且恰好在连续 growth_interval 个好步之后增长。"),
    "scaler_found_inf_type": (
        "unscale_ returns a tensor: it must return a Python bool.",
        "unscale_ 返回了张量：应返回 Python bool。"),
    "scaler_misses_nan": (
        "Detects only inf, not NaN: any non-finite gradient counts as an overflow.",
        "只检测了 inf 而没有检测 NaN：任何非有限值的梯度都算溢出。"),
    "scaler_multiplies": (
        "unscale_ multiplies the gradients by the scale instead of dividing.",
        "unscale_ 把梯度乘以了 scale，而不是除以 scale。"),
    "scaler_tensor_scale": (
        "Keeps the scale as a tensor: it is a Python float.",
        "把 scale 存成了张量：它应是 Python float。"),
    "scaler_partial_check": (
        "Decides the overflow from part of the gradients (the last tensor, or stops at the first bad one): "
        "every gradient is unscaled and any non-finite one counts.",
        "只根据部分梯度判断溢出（最后一个张量，或在第一个坏张量处停止）：每个梯度都要反缩放，任何一个非有限都算溢出。"),
    # cross_entropy
    "ce_unstable": (
        "Takes the log of a softmax computed by hand: large logits overflow. Use a stable log-softmax.",
        "对手写的 softmax 取对数：logits 很大时会溢出。应使用数值稳定的 log-softmax。"),
    "ce_smoothing_target": (
        "Spreads the smoothing mass over the other classes only: label smoothing spreads it uniformly over all "
        "C classes, the true one included.",
        "只把平滑质量分给其他类别：标签平滑应均匀分给全部 C 个类别，包括真实类别。"),
    "ce_ignored_in_mean": (
        "Counts ignored targets when averaging: the mean is over the non-ignored positions only (in both the "
        "loss and the smoothing term).",
        "求平均时计入了被忽略的目标：平均只针对未被忽略的位置（损失项和平滑项都是）。"),
    "ce_class_axis": (
        "Takes the classes from the wrong axis: as in PyTorch, the classes are dimension 1 of (N, C, ...) logits.",
        "类别轴取错了：与 PyTorch 一致，类别是 (N, C, ...) logits 的第 1 维。"),
    "ce_ignore_index": (
        "Ignores the `ignore_index` argument (always uses -100).",
        "忽略了 `ignore_index` 参数（总是用 -100）。"),
    "ce_no_smoothing": (
        "Ignores `label_smoothing`.",
        "忽略了 `label_smoothing`。"),
    "ce_flatten_order": (
        "Flattens (N, C, ...) logits without first moving the class axis last: classes and positions get mixed.",
        "没有先把类别轴移到最后就展平 (N, C, ...) logits：类别与位置混在了一起。"),
    # scaled_init_std
    "init_formula": (
        "The scaled initialisation is base_std / sqrt(2 * n_layers): check the factor 2, the square root, and "
        "that it depends on the number of layers, not d_model.",
        "缩放初始化是 base_std / sqrt(2 * n_layers)：检查因子 2、平方根，以及它只依赖层数而不依赖 d_model。"),
    "init_base_hardcoded": (
        "Ignores the `base_std` argument.",
        "忽略了 `base_std` 参数。"),
    # checkpoint_memory
    "ckpt_ceil": (
        "Rounds the segment length wrongly: a segment holds ceil(n_layers / n_segments) layers.",
        "段长的取整方式错了：每段有 ceil(n_layers / n_segments) 层。"),
    "ckpt_terms": (
        "Combines the two costs wrongly: the stored segment inputs and one segment's recomputed activations add up.",
        "两部分开销组合错了：保存的各段输入与一段重算的激活是相加关系。"),
    # save_checkpoint / resume
    "save_not_atomic": (
        "The write is not atomic: a crash mid-save can leave no valid checkpoint at `path`. Write a temporary "
        "file in the same directory, then rename it over `path`.",
        "写入不是原子的：保存中途崩溃可能使 `path` 处没有有效的检查点。应在同一目录写临时文件，再重命名覆盖 `path`。"),
    "save_swallows": (
        "Swallows the error of a failed save: the caller must see it.",
        "吞掉了保存失败的错误：调用者必须能看到它。"),
    "save_other_filesystem": (
        "Writes the temporary file in the system temp folder, maybe another file system: the final move is then "
        "a copy, not an atomic rename.",
        "临时文件写在系统临时目录，可能在另一个文件系统上：最后的移动就成了复制，而不是原子重命名。"),
    "save_error_cleanup": (
        "On failure, leaves the half-written temporary file behind and changes the error's type.",
        "失败时留下了写了一半的临时文件，并改变了错误的类型。"),
    "resume_load": (
        "Loads the checkpoint the wrong way: the saved state holds more than tensors, which the weights-only "
        "loading mode rejects, and it must be read with PyTorch's loader, not raw pickle.",
        "加载检查点的方式不对：保存的状态不只有张量，仅加载权重的模式会拒绝它；并且要用 PyTorch 的加载函数，而不是直接 pickle。"),
    "resume_wrong_file": (
        "Reads the temporary file instead of `path`.",
        "读取的是临时文件而不是 `path`。"),
    "resume_partial": (
        "Returns only part of the saved state: resume returns everything that was saved.",
        "只返回了保存状态的一部分：resume 应返回保存的全部内容。"),
    "accum_graphs_alive": (
        "Runs every micro-batch's forward before the backward passes, so all their graphs are held in memory at once: "
        "accumulation saves memory only when each micro-batch's backward follows its own forward.",
        "先做完所有微批次的前向再反向，所有计算图同时留在内存中：只有每个微批次前向之后紧接着它自己的反向，梯度累积才省内存。"),
}

VARIANTS = {
    ("sgd_step", "dampened_momentum"): "sgd_dampened",
    ("sgd_step", "nesterov_ignored"): "sgd_nesterov",
    ("sgd_step", "nesterov_uses_old_buffer"): "sgd_nesterov",
    ("sgd_step", "decay_decoupled_from_momentum"): "sgd_decay_outside",
    ("sgd_step", "buffer_aliases_grad"): "sgd_buffer_alias",
    ("sgd_step", "lr_inside_buffer"): "sgd_lr_in_buffer",
    ("sgd_step", "grad_modified_in_place"): "grad_modified",
    ("sgd_step", "state_buffer_never_stored"): "sgd_state_not_stored",
    ("adam_step", "no_bias_correction"): "adam_no_bias_correction",
    ("adam_step", "eps_inside_sqrt"): "adam_eps_placement",
    ("adam_step", "eps_before_bias_correction"): "adam_eps_placement",
    ("adam_step", "always_l2"): "adam_decay_mode",
    ("adam_step", "always_decoupled"): "adam_decay_mode",
    ("adam_step", "decoupled_decay_without_lr"): "adam_decay_scale",
    ("adam_step", "decay_lr_frozen"): "adam_decay_scale",
    ("adam_step", "bias_correction_off_by_one"): "adam_bias_correction_step",
    ("adam_step", "step_counter_shared_global"): "adam_bias_correction_step",
    ("adam_step", "grad_modified_in_place"): "grad_modified",
    ("adam_step", "second_moment_of_m"): "adam_second_moment",
    ("adam_step", "decay_after_update"): "adam_decay_after_update",
    ("warmup_cosine_lr", "warmup_off_by_one"): "lr_warmup_off_by_one",
    ("warmup_cosine_lr", "min_lr_not_rescaled"): "lr_min_not_rescaled",
    ("warmup_cosine_lr", "t_over_total_steps"): "lr_cosine_progress",
    ("warmup_cosine_lr", "no_floor_after_total"): "lr_no_floor",
    ("warmup_cosine_lr", "returns_tensor"): "returns_tensor",
    ("clip_grad_norm", "per_tensor_clipping"): "clip_per_tensor",
    ("clip_grad_norm", "scales_small_grads_up"): "clip_scales_up",
    ("clip_grad_norm", "returns_norm_after_clipping"): "clip_returns_after",
    ("clip_grad_norm", "no_eps"): "clip_eps",
    ("clip_grad_norm", "max_norm_no_eps_branch_uses_ge"): "clip_eps",
    ("clip_grad_norm", "sum_of_norms"): "clip_sum_of_norms",
    ("clip_grad_norm", "returns_python_float"): "clip_returns_float",
    ("clip_grad_norm", "not_in_place"): "clip_not_in_place",
    ("accumulate_gradients", "no_division_by_n_micro"): "accum_no_division",
    ("accumulate_gradients", "zero_grad_each_micro_batch"): "accum_zero_grad",
    ("accumulate_gradients", "split_into_chunks_of_n_micro"): "accum_split_size",
    ("accumulate_gradients", "divide_by_micro_batch_size"): "accum_divide_by_size",
    ("accumulate_gradients", "full_batch_no_micro_batches"): "accum_no_micro_batches",
    ("dynamic_loss_scaler", "count_not_reset_on_overflow"): "scaler_count_reset",
    ("dynamic_loss_scaler", "growth_off_by_one"): "scaler_count_reset",
    ("dynamic_loss_scaler", "no_reset_after_growth"): "scaler_count_reset",
    ("dynamic_loss_scaler", "unscale_returns_tensor"): "scaler_found_inf_type",
    ("dynamic_loss_scaler", "unscale_misses_nan"): "scaler_misses_nan",
    ("dynamic_loss_scaler", "unscale_multiplies"): "scaler_multiplies",
    ("dynamic_loss_scaler", "scale_is_a_tensor"): "scaler_tensor_scale",
    ("dynamic_loss_scaler", "found_inf_from_last_tensor_only"): "scaler_partial_check",
    ("dynamic_loss_scaler", "stops_unscaling_at_first_inf"): "scaler_partial_check",
    ("cross_entropy", "log_of_softmax"): "ce_unstable",
    ("cross_entropy", "smoothing_over_other_classes"): "ce_smoothing_target",
    ("cross_entropy", "mean_includes_ignored"): "ce_ignored_in_mean",
    ("cross_entropy", "smoothing_counts_ignored"): "ce_ignored_in_mean",
    ("cross_entropy", "classes_on_last_dim"): "ce_class_axis",
    ("cross_entropy", "ignore_index_hardcoded"): "ce_ignore_index",
    ("cross_entropy", "no_smoothing"): "ce_no_smoothing",
    ("cross_entropy", "reshape_without_movedim"): "ce_flatten_order",
    ("scaled_init_std", "no_factor_two"): "init_formula",
    ("scaled_init_std", "no_sqrt"): "init_formula",
    ("scaled_init_std", "uses_d_model"): "init_formula",
    ("scaled_init_std", "hardcoded_base_std"): "init_base_hardcoded",
    ("scaled_init_std", "returns_tensor"): "returns_tensor",
    ("checkpoint_memory", "floor_division"): "ckpt_ceil",
    ("checkpoint_memory", "no_ceil"): "ckpt_ceil",
    ("checkpoint_memory", "forgets_stored_inputs"): "ckpt_terms",
    ("checkpoint_memory", "product_of_terms"): "ckpt_terms",
    ("save_checkpoint", "save_directly_to_path"): "save_not_atomic",
    ("save_checkpoint", "remove_old_first"): "save_not_atomic",
    ("save_checkpoint", "backup_then_overwrite"): "save_not_atomic",
    ("save_checkpoint", "swallows_errors"): "save_swallows",
    ("save_checkpoint", "temp_file_in_system_tmp"): "save_other_filesystem",
    ("save_checkpoint", "error_rewrapped"): "save_error_cleanup",
    ("resume", "weights_only_default"): "resume_load",
    ("resume", "plain_pickle"): "resume_load",
    ("resume", "reads_temp_path"): "resume_wrong_file",
    ("resume", "returns_only_model"): "resume_partial",
    ("accumulate_gradients", "sum_then_one_backward"): "accum_graphs_alive",
    ("accumulate_gradients", "all_forwards_then_all_backwards"): "accum_graphs_alive",
    ("save_checkpoint", "bytesio_then_write_target"): "save_not_atomic",
    ("save_checkpoint", "temp_then_copyfile"): "save_not_atomic",
    ("save_checkpoint", "temp_then_os_write_target"): "save_not_atomic",
    ("save_checkpoint", "rename_error_swallowed"): "save_swallows",
}
