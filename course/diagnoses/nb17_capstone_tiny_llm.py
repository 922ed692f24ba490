"""17_capstone_tiny_llm: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "17_capstone_tiny_llm"

DIAGNOSES = {
    "count_kv_heads": (
        "Sizes the key and value projections by the number of query heads: with grouped-query attention they have "
        "n_kv_heads heads.",
        "按 query 头数计算了 key 和 value 投影的大小：分组查询注意力中它们只有 n_kv_heads 个头。"),
    "count_tied_twice": (
        "Counts the output head even when it is tied to the token embedding: tied weights are one parameter, counted "
        "once.",
        "输出头与词嵌入共享权重时仍单独计数了：共享的权重是同一个参数，只算一次。"),
    "count_norms": (
        "Leaves out RMSNorm weights: each layer has two norms (before attention and before the FFN) and the model one "
        "final norm, d_model weights each.",
        "漏算了 RMSNorm 的权重：每层有两个归一化（注意力前和 FFN 前），模型末尾还有一个，每个 d_model 个权重。"),
    "count_swiglu": (
        "Counts two FFN matrices: a SwiGLU feed-forward has three (gate, up and down projections).",
        "FFN 只算了两个矩阵：SwiGLU 前馈层有三个（gate、up 和 down 投影）。"),
    "count_biases": (
        "Counts biases: Llama's linear layers have none.",
        "计入了偏置：Llama 的线性层没有偏置。"),
    "flops_forward_only": (
        "Counts only the forward pass (2 FLOPs per parameter per token): training adds a backward pass that costs "
        "about twice the forward.",
        "只算了前向（每个参数每个 token 2 FLOPs）：训练还有反向传播，代价约为前向的两倍。"),
    "flops_backward_equal": (
        "Counts the backward pass as costly as the forward: it computes gradients for both activations and weights, "
        "about twice the forward.",
        "把反向传播的代价算成与前向相同：反向要同时计算对激活和对权重的梯度，约为前向的两倍。"),
    "flops_multiply_add": (
        "Counts a multiply-add as one FLOP: it is two (a multiplication and an addition).",
        "把一次乘加算成 1 FLOP：它是 2 次运算（一次乘法加一次加法）。"),
    "flops_recompute": (
        "Adds the cost of recomputing activations (8 FLOPs per parameter per token): the plain training cost the "
        "exercise asks for has no recomputation.",
        "加上了激活重计算的代价（每参数每 token 8 FLOPs）：题目要的普通训练代价不含重计算。"),
    "return_type": (
        "Returns the wrong Python type: check the type the docstring promises (float or int).",
        "返回的 Python 类型不对：请核对文档字符串承诺的类型（float 或 int）。"),
    "infer_no_attention": (
        "Leaves out the attention over the cached context: besides 2 FLOPs per parameter, each layer's scores and "
        "weighted sum grow with the context length.",
        "漏掉了对缓存上下文的注意力计算：除了每参数 2 FLOPs 外，每层的打分和加权求和随上下文长度增长。"),
    "infer_attention_half": (
        "Counts only half of the attention term: both the scores (q against every key) and the weighted sum of the "
        "values cost 2 FLOPs per layer, dimension and position.",
        "注意力项只算了一半：打分（q 与每个 key）和对 value 的加权求和，每层每维每位置各 2 FLOPs。"),
    "infer_training_cost": (
        "Uses the training cost per parameter (forward and backward): generating a token runs the forward pass only.",
        "用了训练时每个参数的代价（前向加反向）：生成一个 token 只做前向。"),
    "infer_context_scaling": (
        "Makes the attention term grow with the square of the context: with a KV cache one new token attends to each "
        "cached position once, so it grows linearly.",
        "注意力项随上下文长度平方增长：有 KV 缓存时一个新 token 只对每个缓存位置计算一次，应线性增长。"),
    "infer_layers": (
        "Counts the attention term for one layer only: every layer attends over the context.",
        "注意力项只算了一层：每一层都要对上下文做注意力。"),
    "mem_master_copy": (
        "Leaves out the fp32 master copy of the weights that mixed-precision training keeps for the optimizer.",
        "漏掉了混合精度训练为优化器保留的 fp32 主权重副本。"),
    "mem_grad_bytes": (
        "Stores gradients in fp32 under mixed precision: they have the half-precision weights' size, 2 bytes each.",
        "混合精度下把梯度按 fp32 计算：梯度与半精度权重同大小，每个 2 字节。"),
    "mem_optimizer_states": (
        "Sizes the optimizer states wrongly: AdamW keeps two fp32 buffers per parameter (first and second moments), "
        "SGD with momentum one.",
        "优化器状态大小不对：AdamW 每个参数保存两个 fp32 缓冲（一阶和二阶矩），带动量的 SGD 只有一个。"),
    "mem_no_value_error": (
        "Accepts an unknown precision or optimizer name silently: it must raise ValueError.",
        "对未知的精度或优化器名称默默接受：应抛出 ValueError。"),
    "ckpt_constant": (
        "The constant under the square root is wrong: Young's interval is the root of twice the checkpoint cost times "
        "the MTBF.",
        "平方根下的常数不对：Young 的最优间隔是检查点耗时乘以 MTBF 再乘 2 后开平方。"),
    "ckpt_units": (
        "Returns the interval in minutes: the inputs and the result are in seconds.",
        "以分钟返回间隔：输入和结果都以秒为单位。"),
    "ckpt_daly": (
        "Applies Daly's higher-order correction: the exercise asks for Young's first-order interval.",
        "用了 Daly 的高阶修正：题目要求的是 Young 的一阶近似间隔。"),
    "ckpt_exponent": (
        "Takes the wrong root: the optimal interval grows with the square root of checkpoint cost times MTBF.",
        "开方次数不对：最优间隔随检查点耗时与 MTBF 之积的平方根增长。"),
    "rope_layout": (
        "Uses the interleaved RoPE layout (rotating adjacent pairs of dimensions, or interleaving the frequencies): "
        "this model uses the rotate-half layout, where dimension i pairs with i + D/2.",
        "用了交错布局的 RoPE（旋转相邻维度对，或交错排列频率）：本模型用 rotate-half 布局，第 i 维与第 i + D/"
        "2 维配对。"),
    "rope_sign": (
        "The sign of the rotated half is flipped: the rotation turns each pair counter-clockwise by its angle, so the "
        "negated half is the second one.",
        "旋转的那一半符号反了：每对维度按其角度逆时针旋转，取负的应是后一半。"),
    "rope_theta": (
        "Ignores the `theta` argument and always uses the default base.",
        "忽略了 `theta` 参数，总是用默认底数。"),
    "rope_positions": (
        "Ignores the `positions` argument: tokens at later positions (after a cache, for instance) must be rotated by "
        "their own positions.",
        "忽略了 `positions` 参数：位置靠后的 token（例如有缓存时）必须按它们自己的位置旋转。"),
    "rope_frequencies": (
        "The frequency exponent is divided by D/2 instead of the head dimension D: the frequencies fall too fast.",
        "频率指数除以了 D/2 而不是头维度 D：频率衰减得太快。"),
    "rope_dtype": (
        "Returns float32 whatever the input dtype: the output keeps x's dtype.",
        "无论输入 dtype 如何都返回 float32：输出应保持 x 的 dtype。"),
    "cache_concat_dim": (
        "Concatenates along the heads dimension: new keys and values extend the sequence dimension.",
        "在头维度上拼接：新的 key 和 value 应接在序列维度上。"),
    "cache_shared_storage": (
        "Keys and values share one storage, so one overwrites the other: each layer needs its own key entry and its "
        "own value entry.",
        "key 和 value 共用同一个存储，一个会覆盖另一个：每层需要各自独立的 key 和 value。"),
    "cache_returns_new": (
        "Returns only the new keys and values: `update` returns everything cached for the layer so far.",
        "只返回了新的 key 和 value：`update` 应返回该层到目前为止缓存的全部内容。"),
    "cache_order": (
        "Puts the new tokens before the cached ones: the cache is in position order, oldest first.",
        "把新 token 放在了已缓存的前面：缓存按位置排序，最早的在前。"),
    "cache_truncated": (
        "Truncates the cache to a fixed window: this cache keeps every token seen.",
        "把缓存截断成固定窗口：这个缓存应保留见过的所有 token。"),
    "gqa_repeat_order": (
        "Repeats the key/value heads in the wrong order for grouped-query attention: each key/value head serves a "
        "consecutive group of query heads.",
        "分组查询注意力中 key/value 头的复制顺序不对：每个 key/value 头服务连续的一组 query 头。"),
    "rmsnorm_eps": (
        "RMSNorm adds eps outside the square root: it belongs inside, added to the mean of squares.",
        "RMSNorm 把 eps 加在平方根外面：eps 应加在平方均值上，在根号里面。"),
    "causal_alignment": (
        "The causal mask is aligned top-left when the queries are fewer than the keys (a chunk after a cache): query "
        "i sits at absolute position start_pos + i and sees every key up to it.",
        "query 少于 key 时（缓存之后的一段）因果掩码按左上角对齐了：第 i 个 query 位于绝对位置 start_pos "
        "+ i，能看到它之前（含）的所有 key。"),
    "rope_after_cache": (
        "Rotates the keys after reading the cache: keys are rotated at their own positions before they are stored, as "
        "in Meta's and HF's Llama.",
        "从缓存取出后才旋转 key：key 应在存入缓存前按自己的位置旋转，与 Meta 和 HF 的 Llama 一致。"),
    "positions_start_pos": (
        "Numbers the new tokens from 0 when a cache is in use: their positions start at `start_pos`.",
        "使用缓存时新 token 的位置从 0 开始编号：它们的位置应从 `start_pos` 开始。"),
    "swiglu_gate": (
        "Applies SiLU to the wrong branch of the SwiGLU: the gate projection (w1) goes through SiLU, the up "
        "projection (w3) does not.",
        "SiLU 用在了 SwiGLU 的错误分支上：gate 投影（w1）经过 SiLU，up 投影（w3）不经过。"),
    "post_norm": (
        "Normalises after the residual addition (post-norm): Llama normalises each sublayer's input and adds the raw "
        "sublayer output to the residual stream (pre-norm).",
        "在残差相加之后归一化（post-norm）：Llama 对每个子层的输入归一化，再把子层输出直接加回残差流（pre-norm）。"),
    "init_std": (
        "Keeps PyTorch's default initialisation of the weight matrices: the spec initialises them from a normal "
        "distribution with std 0.02.",
        "保留了 PyTorch 对权重矩阵的默认初始化：规范要求用标准差 0.02 的正态分布初始化。"),
    "attention_scale": (
        "Scales the scores by the square root of d_model: the scale is the square root of the head dimension.",
        "用 d_model 的平方根缩放分数：缩放应用头维度的平方根。"),
    "cache_after_repeat": (
        "Caches the keys and values after repeating them for grouped-query attention: the cache should hold only the "
        "n_kv_heads heads, the memory GQA exists to save.",
        "在为分组查询注意力复制之后才写入缓存：缓存只应保存 n_kv_heads 个头，这正是 GQA 要省下的内存。"),
    "untied_copy": (
        "Copies the embedding into the output layer instead of tying them: tied weights are one shared parameter, so "
        "they stay equal during training.",
        "把词嵌入复制到输出层而不是绑定：绑定的权重是同一个共享参数，训练中始终相同。"),
    "convert_ffn_names": (
        "Maps the FFN projections wrongly: HF's gate_proj is Meta's w1 (inside SiLU), up_proj is w3 and down_proj is "
        "w2.",
        "FFN 投影的对应关系错了：HF 的 gate_proj 对应 Meta 的 w1（在 SiLU 内），up_proj 对应 w"
        "3，down_proj 对应 w2。"),
    "convert_norm_names": (
        "Maps the two norms of a layer wrongly: HF's input_layernorm precedes attention (attention_norm), "
        "post_attention_layernorm precedes the FFN (ffn_norm).",
        "每层两个归一化的对应关系错了：HF 的 input_layernorm 在注意力前（attention_norm），post_a"
        "ttention_layernorm 在 FFN 前（ffn_norm）。"),
    "convert_keeps_rotary": (
        "Keeps the rotary-embedding buffers: they are not weights of the model and must be dropped.",
        "保留了旋转位置编码的缓冲：它们不是模型权重，应丢弃。"),
    "convert_permutes": (
        "Permutes the query weights: HF's checkpoint already uses the rotate-half layout this model uses, so the "
        "values are copied unchanged.",
        "对 query 权重做了重排：HF 检查点已经是本模型所用的 rotate-half 布局，数值应原样复制。"),
    "modifies_input": (
        "Modifies the input dictionary: the caller's state dict must be left unchanged.",
        "修改了输入字典：调用者的 state dict 必须保持不变。"),
    "convert_lm_head": (
        "Drops or misnames the language-model head: HF's lm_head becomes the model's output layer.",
        "丢掉或改错了语言模型头：HF 的 lm_head 应对应模型的 output 层。"),
    "top_p_boundary": (
        "Top-p drops the token whose probability crosses the threshold: the nucleus is the smallest set whose "
        "probability reaches top_p, so that token is kept.",
        "top-p 丢掉了使累计概率越过阈值的那个 token：核是累计概率达到 top_p 的最小集合，这个 token 应保留。"),
    "sampling_order": (
        "Filters with top-k/top-p before applying the temperature: the logits are divided by the temperature first, "
        "then filtered (as in HF).",
        "在施加温度之前做 top-k/top-p 过滤：应先把 logits 除以温度，再过滤（与 HF 一致）。"),
    "temperature_multiplies": (
        "Multiplies the logits by the temperature: they are divided by it (a high temperature flattens the "
        "distribution).",
        "把 logits 乘以温度：应除以温度（温度高时分布变平）。"),
    "generate_start_pos": (
        "Passes the wrong `start_pos` for the new token on a cached step: it is that token's absolute position in the "
        "sequence.",
        "有缓存的步骤中给新 token 传入的 `start_pos` 不对：它应是该 token 在序列中的绝对位置。"),
    "generate_no_reuse": (
        "Reruns the whole sequence at every step with a fresh cache: with `use_cache` each step after the prompt "
        "feeds only the newest token and reuses the cache.",
        "每一步都用新缓存重跑整个序列：`use_cache` 时，提示之后的每一步只输入最新的 token 并复用缓存。"),
    "generate_first_greedy": (
        "Picks the first new token greedily even when sampling: every step samples when the temperature is positive.",
        "即使在采样时第一个新 token 也用贪心选取：温度为正时每一步都应采样。"),
    "top_k_count": (
        "Top-k keeps the wrong number of tokens: exactly the k largest logits survive (ties at the k-th aside).",
        "top-k 保留的 token 数不对：恰好保留最大的 k 个 logits（与第 k 个相等的除外）。"),
    "ignores_generator": (
        "Ignores the `generator` argument (draws from the global random state): results are not reproducible from the "
        "given seed.",
        "忽略了 `generator` 参数（从全局随机状态抽样）：无法用给定种子复现结果。"),
    "batch_not_shifted": (
        "The targets are not shifted: y is x moved one token ahead, so each position predicts the next token.",
        "目标没有错位：y 是 x 向后移一个 token，每个位置预测下一个 token。"),
    "batch_start_range": (
        "The range of start positions is too small: the last window whose target still fits in the data can never be "
        "drawn.",
        "起点范围小了：最后一个目标仍在数据内的窗口永远抽不到。"),
    "batch_rng_stream": (
        "Draws the start positions another way (another sampler, or extra draws from the generator): the starts are "
        "one uniform draw with replacement from the generator, so a seed gives the same batches as the reference.",
        "起点的抽取方式不同（换了采样方法，或从 generator 多抽了随机数）：起点应是从 generator 一次有放回的均匀抽取"
        "，这样同一种子得到与参考相同的批次。"),
    "decay_groups": (
        "Applies weight decay to every parameter: only the 2-D weight matrices are decayed, not norms or other 1-D "
        "parameters.",
        "对所有参数施加权重衰减：只衰减二维权重矩阵，不衰减归一化等一维参数。"),
    "adam_betas": (
        "Uses PyTorch's default betas: the spec asks for (0.9, 0.95), the usual choice for LLM pre-training.",
        "用了 PyTorch 默认的 betas：规范要求 (0.9, 0.95)，这是大模型预训练的常用取值。"),
    "warmup_schedule": (
        "The warmup is off by one step: the learning rate rises linearly from 0 at the first step.",
        "预热差了一步：学习率应从第一步的 0 开始线性上升。"),
    "cosine_floor": (
        "The cosine decays to zero: it ends at the minimum learning rate, min_lr_ratio times the peak.",
        "余弦衰减到了 0：应衰减到最小学习率，即峰值乘以 min_lr_ratio。"),
    "clip_global": (
        "Clips each parameter's gradient norm separately: clipping uses one global norm over all gradients.",
        "逐个参数裁剪梯度范数：裁剪应基于所有梯度合起来的一个全局范数。"),
    "clip_order": (
        "Clips the gradients after the optimizer step: clipping must happen between backward and step to have any "
        "effect.",
        "在优化器 step 之后才裁剪梯度：裁剪必须在反向传播与 step 之间进行才起作用。"),
    "adam_l2": (
        "Uses Adam with L2 regularisation: the spec asks for AdamW's decoupled weight decay.",
        "用了带 L2 正则的 Adam：规范要求 AdamW 的解耦权重衰减。"),
}

VARIANTS = {
    ("llama_param_count", "kv_heads_ignored"): "count_kv_heads",
    ("llama_param_count", "tied_counted_twice"): "count_tied_twice",
    ("llama_param_count", "no_norms"): "count_norms",
    ("llama_param_count", "no_final_norm"): "count_norms",
    ("llama_param_count", "two_ffn_matrices"): "count_swiglu",
    ("llama_param_count", "biases_counted"): "count_biases",
    ("training_flops", "forward_only"): "flops_forward_only",
    ("training_flops", "forward_plus_equal_backward"): "flops_backward_equal",
    ("training_flops", "multiply_add_as_one"): "flops_multiply_add",
    ("training_flops", "eight_n"): "flops_recompute",
    ("training_flops", "returns_int"): "return_type",
    ("training_memory_bytes", "float_values"): "return_type",
    ("inference_flops_per_token", "no_attention_term"): "infer_no_attention",
    ("inference_flops_per_token", "qk_only"): "infer_attention_half",
    ("inference_flops_per_token", "training_cost"): "infer_training_cost",
    ("inference_flops_per_token", "quadratic_context"): "infer_context_scaling",
    ("inference_flops_per_token", "one_layer"): "infer_layers",
    ("training_memory_bytes", "no_master_copy"): "mem_master_copy",
    ("training_memory_bytes", "fp32_grads_in_mixed"): "mem_grad_bytes",
    ("training_memory_bytes", "adam_states_fp16"): "mem_optimizer_states",
    ("training_memory_bytes", "momentum_two_buffers"): "mem_optimizer_states",
    ("training_memory_bytes", "no_value_error"): "mem_no_value_error",
    ("optimal_checkpoint_interval", "no_factor_two"): "ckpt_constant",
    ("optimal_checkpoint_interval", "daly_full_loss"): "ckpt_constant",
    ("optimal_checkpoint_interval", "in_minutes"): "ckpt_units",
    ("optimal_checkpoint_interval", "daly_higher_order"): "ckpt_daly",
    ("optimal_checkpoint_interval", "fourth_root"): "ckpt_exponent",
    ("apply_rotary_half", "interleaved_layout"): "rope_layout",
    ("apply_rotary_half", "freqs_interleaved"): "rope_layout",
    ("tiny_llama", "interleaved_rope_inside"): "rope_layout",
    ("apply_rotary_half", "rotate_half_sign_flipped"): "rope_sign",
    ("apply_rotary_half", "theta_ignored"): "rope_theta",
    ("apply_rotary_half", "positions_ignored"): "rope_positions",
    ("apply_rotary_half", "exponent_over_half_d"): "rope_frequencies",
    ("apply_rotary_half", "float32_output"): "rope_dtype",
    ("kv_cache", "concat_on_heads"): "cache_concat_dim",
    ("kv_cache", "shared_across_layers"): "cache_shared_storage",
    ("kv_cache", "returns_new_only"): "cache_returns_new",
    ("kv_cache", "prepends"): "cache_order",
    ("kv_cache", "window_of_six"): "cache_truncated",
    ("tiny_llama", "repeat_not_interleave"): "gqa_repeat_order",
    ("tiny_llama", "eps_outside_root"): "rmsnorm_eps",
    ("tiny_llama", "sdpa_is_causal_top_left"): "causal_alignment",
    ("tiny_llama", "rope_after_cache"): "rope_after_cache",
    ("tiny_llama", "relative_positions_in_cache"): "positions_start_pos",
    ("tiny_llama", "swiglu_gate_on_up"): "swiglu_gate",
    ("tiny_llama", "post_norm"): "post_norm",
    ("tiny_llama", "default_linear_init"): "init_std",
    ("tiny_llama", "scale_by_d_model"): "attention_scale",
    ("tiny_llama", "cache_after_repeat"): "cache_after_repeat",
    ("tiny_llama", "untied_copy"): "untied_copy",
    ("convert_hf_state_dict", "gate_up_swapped"): "convert_ffn_names",
    ("convert_hf_state_dict", "norms_swapped"): "convert_norm_names",
    ("convert_hf_state_dict", "keeps_rotary"): "convert_keeps_rotary",
    ("convert_hf_state_dict", "permutes_wq"): "convert_permutes",
    ("convert_hf_state_dict", "modifies_input"): "modifies_input",
    ("convert_hf_state_dict", "drops_lm_head"): "convert_lm_head",
    ("generate", "top_p_excludes_crossing"): "top_p_boundary",
    ("generate", "top_p_before_temperature"): "sampling_order",
    ("generate", "temperature_multiplies"): "temperature_multiplies",
    ("generate", "start_pos_off_by_one"): "generate_start_pos",
    ("generate", "feeds_whole_sequence_with_cache"): "generate_no_reuse",
    ("generate", "first_token_greedy_always"): "generate_first_greedy",
    ("generate", "top_k_off_by_one"): "top_k_count",
    ("generate", "no_generator"): "ignores_generator",
    ("get_batch", "global_rng"): "ignores_generator",
    ("get_batch", "y_not_shifted"): "batch_not_shifted",
    ("get_batch", "last_start_unreachable"): "batch_start_range",
    ("get_batch", "two_rng_calls"): "batch_rng_stream",
    ("get_batch", "randperm_starts"): "batch_rng_stream",
    ("train", "decay_on_everything"): "decay_groups",
    ("train", "default_betas"): "adam_betas",
    ("train", "warmup_off_by_one"): "warmup_schedule",
    ("train", "cosine_to_zero"): "cosine_floor",
    ("train", "clip_per_parameter"): "clip_global",
    ("train", "clip_after_step"): "clip_order",
    ("train", "plain_adam_l2"): "adam_l2",
}
