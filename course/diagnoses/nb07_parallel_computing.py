"""07_parallel_computing: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "07_parallel_computing"

DIAGNOSES = {
    "return_type": (
        "Returns the wrong type (a tensor, an int, or an integer-divided value): a Python float is expected.",
        "返回类型不对（张量、int 或整除结果）：要求返回 Python float。"),
    "no_communication": (
        "Computes the result centrally (summing or concatenating every rank's data in one place) instead of "
        "exchanging messages between ranks through the cluster.",
        "集中计算了结果（在一处汇总或拼接所有 rank 的数据），而不是通过 cluster 在 rank 之间交换消息。"),
    "modifies_inputs": (
        "Accumulates into the callers' tensors (views or in-place additions): every rank's input must be left "
        "unchanged.",
        "累加进了调用者的张量（视图或原地加法）：每个 rank 的输入都必须保持不变。"),
    "chunking": (
        "Splits into chunks differently from the spec: use torch.tensor_split semantics (N chunks, the first ones "
        "one element longer), with no padding.",
        "切块方式与规范不同：应使用 torch.tensor_split 的语义（N 块，前几块多一个元素），不做填充。"),
    # amdahl / gustafson
    "amdahl_formula": (
        "Amdahl's law is wrong: only the parallel fraction is divided by n, the serial fraction stays.",
        "Amdahl 定律写错了：只有可并行部分除以 n，串行部分保持不变。"),
    "gustafson_formula": (
        "Gustafson's law is wrong: the scaled speedup is the serial fraction plus the parallel fraction times n.",
        "Gustafson 定律写错了：扩展加速比是串行比例加上并行比例乘以 n。"),
    "speedup_laws_swapped": (
        "Uses the other scaling law: Amdahl is fixed problem size, Gustafson is problem size growing with n.",
        "用了另一条定律：Amdahl 对应固定问题规模，Gustafson 对应问题规模随 n 增长。"),
    # ring_reduce_scatter / ring_all_gather / ring_all_reduce
    "rs_chunk_ownership": (
        "Each rank ends with the wrong fully reduced chunk: rank r must own chunk r.",
        "每个 rank 最后拿到的完全归约的块不对：rank r 应持有第 r 块。"),
    "not_a_ring": (
        "Does not follow the ring: in each of the N - 1 rounds every rank sends one chunk to its right neighbour "
        "only (no direct all-to-all, no whole tensors).",
        "没有按环进行：在 N - 1 轮中的每一轮，每个 rank 只向右邻居发送一个块（不直接全互发，也不发整个张量）。"),
    "ag_order": (
        "Concatenates the gathered chunks in the wrong order: the result is chunk 0, 1, ..., N-1 on every rank.",
        "收集到的块拼接顺序不对：每个 rank 上的结果都应是第 0, 1, ..., N-1 块。"),
    "ag_rounds": (
        "Runs the wrong number of rounds: a ring all-gather takes N - 1 rounds.",
        "轮数不对：环形 all-gather 需要 N - 1 轮。"),
    "ar_no_gather": (
        "Skips the all-gather phase: after the reduce-scatter each rank holds one reduced chunk and must "
        "receive the others through the ring.",
        "跳过了 all-gather 阶段：reduce-scatter 之后每个 rank 只有一个归约块，其余的必须经由环接收。"),
    # naive_all_reduce
    "naive_broadcast": (
        "Broadcasts the total wrongly: rank 0 sends the total to every other rank in one round, and every rank "
        "returns what it received.",
        "总和广播有误：rank 0 应在一轮中把总和发给其他所有 rank，每个 rank 返回它收到的值。"),
    "naive_not_gather": (
        "Is not the naive gather-to-rank-0-then-broadcast scheme: every rank sends to every other.",
        "不是朴素的“汇总到 rank 0 再广播”方案：每个 rank 都向其他所有 rank 发送了数据。"),
    # recursive doubling
    "rd_partner": (
        "Exchanges with the wrong partner: at distance 2^k, rank r pairs with r XOR 2^k.",
        "交换对象错了：距离为 2^k 时，rank r 的伙伴是 r XOR 2^k。"),
    "rd_partial": (
        "Sends or keeps the original input instead of the running partial sum.",
        "发送或保留的是原始输入，而不是累计的部分和。"),
    "rd_power_of_two": (
        "Accepts a world size that is not a power of two: raise a ValueError.",
        "接受了不是 2 的幂的 world size：应抛出 ValueError。"),
    # allreduce_time
    "time_ring": (
        "The ring's bandwidth term is wrong: each rank sends 2(n - 1)/n of the data.",
        "环形算法的带宽项错了：每个 rank 发送数据量的 2(n - 1)/n。"),
    "time_rd": (
        "The recursive-doubling time is wrong: log2(n) rounds, each paying latency alpha plus the whole message.",
        "递归倍增的时间错了：log2(n) 轮，每轮都付出延迟 alpha 加上整个消息的传输时间。"),
    "time_naive": (
        "The naive time is wrong: two rounds of latency, and rank 0 moves 2(n - 1) messages.",
        "朴素算法的时间错了：两轮延迟，rank 0 收发 2(n - 1) 条消息。"),
    "time_cases": (
        "Mishandles the special cases: one rank costs 0 for every algorithm, and an unknown algorithm name "
        "raises a ValueError.",
        "特殊情况处理错误：只有一个 rank 时任何算法耗时都为 0，未知算法名应抛出 ValueError。"),
    # bus_bandwidth
    "busbw_factor": (
        "The bus-bandwidth factor is wrong: an all-reduce moves 2(n - 1)/n times the data per rank.",
        "总线带宽因子错了：all-reduce 每个 rank 搬运数据量的 2(n - 1)/n 倍。"),
    # dist_ring_all_reduce
    "dist_builtin": (
        "Calls the library all-reduce: the exercise is the ring with point-to-point sends and receives.",
        "调用了库里的 all-reduce：题目要求用点对点收发实现环形算法。"),
    "dist_ag_not_stored": (
        "Receives the chunks in the all-gather phase but never writes them into the result.",
        "在 all-gather 阶段收到了块，但从未写入结果。"),
    # data_parallel_gradients
    "dp_average": (
        "Does not average the gradients correctly: sum over ranks with the all-reduce, then divide by the number "
        "of ranks.",
        "梯度平均不正确：先用 all-reduce 在各 rank 间求和，再除以 rank 数。"),
    "dp_no_all_reduce": (
        "Skips the all-reduce: each rank keeps its local gradient.",
        "跳过了 all-reduce：每个 rank 保留的是自己的局部梯度。"),
    "dp_buckets": (
        "Runs one all-reduce per parameter: flatten all gradients into one bucket per rank and reduce once.",
        "每个参数做一次 all-reduce：应把所有梯度展平成每个 rank 一个桶，只归约一次。"),
    # column_parallel_linear / row_parallel_linear
    "col_split_axis": (
        "Splits the wrong axis: a column-parallel linear splits the output features (the weight's rows), and "
        "every rank sees the whole input.",
        "切分的轴不对：列并行线性层切分输出特征（权重的行），每个 rank 都看到完整的输入。"),
    "col_bias": (
        "Handles the bias wrongly: each rank adds only its own slice of the bias, and `bias=None` must work.",
        "偏置处理错误：每个 rank 只加自己那一段偏置，并且 `bias=None` 必须可用。"),
    "row_bias": (
        "Adds the bias before the all-reduce: it is then counted once per rank. Add it once, after the sum.",
        "在 all-reduce 之前加了偏置：这样会被每个 rank 各加一次。应在求和之后只加一次。"),
    "row_no_all_reduce": (
        "Skips the all-reduce: each rank returns only its partial product.",
        "跳过了 all-reduce：每个 rank 只返回自己的部分积。"),
    "row_average": (
        "Averages the partial products: a row-parallel linear sums them.",
        "对部分积取了平均：行并行线性层应对它们求和。"),
    "row_many_all_reduce": (
        "Runs one all-reduce per row: reduce the whole partial output in one all-reduce.",
        "每一行做一次 all-reduce：应对整个部分输出只做一次 all-reduce。"),
    # pipeline_bubble_fraction / pipeline_schedule
    "bubble_formula": (
        "The bubble fraction is wrong: (p - 1) / (m + p - 1), the same for GPipe and 1F1B (1F1B saves memory, "
        "not bubble).",
        "气泡比例错了：(p - 1) / (m + p - 1)，GPipe 和 1F1B 相同（1F1B 节省的是显存，不是气泡）。"),
    "bubble_float": (
        "Uses integer division: the fraction is a float.",
        "用了整数除法：比例应是浮点数。"),
    "sched_dependencies": (
        "Ignores a dependency between stages: a backward needs the next stage's backward of the same "
        "micro-batch, finished in an earlier step.",
        "忽略了阶段间的依赖：一次反向需要下一阶段同一微批次的反向，且须在更早的步骤中完成。"),
    "sched_1f1b": (
        "The 1F1B order is wrong: stage s runs p - s - 1 warm-up forwards, then alternates one forward and one "
        "backward.",
        "1F1B 顺序错了：第 s 阶段先做 p - s - 1 次预热前向，然后一前向一反向交替。"),
    "sched_labels": (
        "Numbers the micro-batches from 1: they are numbered from 0.",
        "微批次从 1 开始编号：应从 0 开始。"),
    "dist_side_channel": (
        "Moves the data through another channel (an object collective, the rendezvous store) while the ring's "
        "point-to-point messages carry placeholders: the data itself must travel around the ring.",
        "数据经由别的通道传递（对象集合通信、rendezvous store），而环上的点对点消息只是占位：数据本身必须沿环传递。"),
}

VARIANTS = {
    ("amdahl_speedup", "fractions_swapped"): "amdahl_formula",
    ("amdahl_speedup", "serial_part_divided_by_n"): "amdahl_formula",
    ("amdahl_speedup", "gustafson_formula"): "speedup_laws_swapped",
    ("amdahl_speedup", "returns_tensor"): "return_type",
    ("gustafson_speedup", "amdahl_formula"): "speedup_laws_swapped",
    ("gustafson_speedup", "fractions_swapped"): "gustafson_formula",
    ("gustafson_speedup", "no_serial_part"): "gustafson_formula",
    ("gustafson_speedup", "int_for_int_inputs"): "return_type",
    ("ring_reduce_scatter", "local_sum_no_communication"): "no_communication",
    ("ring_reduce_scatter", "rank_ends_with_next_chunk"): "rs_chunk_ownership",
    ("ring_reduce_scatter", "torch_chunk"): "chunking",
    ("ring_reduce_scatter", "padded_chunks"): "chunking",
    ("ring_reduce_scatter", "accumulates_into_inputs"): "modifies_inputs",
    ("ring_reduce_scatter", "direct_one_round"): "not_a_ring",
    ("ring_reduce_scatter", "sends_whole_tensor_each_round"): "not_a_ring",
    ("ring_all_gather", "local_concat"): "no_communication",
    ("ring_all_gather", "arrival_order"): "ag_order",
    ("ring_all_gather", "own_chunk_not_first_sent"): "ag_order",
    ("ring_all_gather", "n_rounds"): "ag_rounds",
    ("ring_all_gather", "all_to_all_one_round"): "not_a_ring",
    ("ring_all_reduce", "local_sum_no_communication"): "no_communication",
    ("ring_all_reduce", "whole_tensors_around_ring"): "not_a_ring",
    ("ring_all_reduce", "no_all_gather_phase"): "ar_no_gather",
    ("ring_all_reduce", "padded_to_multiple_of_n"): "chunking",
    ("ring_all_reduce", "accumulates_into_inputs"): "modifies_inputs",
    ("naive_all_reduce", "broadcast_one_round_per_rank"): "naive_broadcast",
    ("naive_all_reduce", "others_keep_their_input"): "naive_broadcast",
    ("naive_all_reduce", "all_to_all"): "naive_not_gather",
    ("naive_all_reduce", "accumulates_into_rank0_input"): "modifies_inputs",
    ("recursive_doubling_all_reduce", "partner_r_plus_2k"): "rd_partner",
    ("recursive_doubling_all_reduce", "sends_input_not_partial"): "rd_partial",
    ("recursive_doubling_all_reduce", "forgets_partial_sum"): "rd_partial",
    ("recursive_doubling_all_reduce", "accumulates_into_inputs"): "modifies_inputs",
    ("recursive_doubling_all_reduce", "no_value_error_for_non_power_of_two"): "rd_power_of_two",
    ("allreduce_time", "ring_without_over_n"): "time_ring",
    ("allreduce_time", "natural_log"): "time_rd",
    ("allreduce_time", "recursive_doubling_ceil_log"): "time_rd",
    ("allreduce_time", "naive_one_alpha"): "time_naive",
    ("allreduce_time", "unknown_name_is_naive"): "time_cases",
    ("allreduce_time", "naive_n1_not_zero"): "time_cases",
    ("bus_bandwidth", "n_minus_1_over_n"): "busbw_factor",
    ("bus_bandwidth", "no_division_by_n"): "busbw_factor",
    ("bus_bandwidth", "inverted"): "busbw_factor",
    ("bus_bandwidth", "floor_division"): "return_type",
    ("dist_ring_all_reduce", "calls_dist_all_reduce"): "dist_builtin",
    ("dist_ring_all_reduce", "modifies_input"): "modifies_inputs",
    ("dist_ring_all_reduce", "whole_tensors_around_ring"): "not_a_ring",
    ("dist_ring_all_reduce", "torch_chunk"): "chunking",
    ("dist_ring_all_reduce", "all_gather_not_stored"): "dist_ag_not_stored",
    ("data_parallel_gradients", "sum_not_average"): "dp_average",
    ("data_parallel_gradients", "divide_by_batch"): "dp_average",
    ("data_parallel_gradients", "no_all_reduce"): "dp_no_all_reduce",
    ("data_parallel_gradients", "one_all_reduce_per_parameter"): "dp_buckets",
    ("column_parallel_linear", "splits_input_features"): "col_split_axis",
    ("column_parallel_linear", "torch_chunk"): "chunking",
    ("column_parallel_linear", "full_bias_on_each_rank"): "col_bias",
    ("column_parallel_linear", "bias_none_fails"): "col_bias",
    ("row_parallel_linear", "bias_before_all_reduce"): "row_bias",
    ("row_parallel_linear", "no_all_reduce"): "row_no_all_reduce",
    ("row_parallel_linear", "average_not_sum"): "row_average",
    ("row_parallel_linear", "one_all_reduce_per_row"): "row_many_all_reduce",
    ("pipeline_bubble_fraction", "over_m"): "bubble_formula",
    ("pipeline_bubble_fraction", "over_m_plus_p"): "bubble_formula",
    ("pipeline_bubble_fraction", "1f1b_halves_bubble"): "bubble_formula",
    ("pipeline_bubble_fraction", "integer_division"): "bubble_float",
    ("pipeline_schedule", "backward_ignores_next_stage"): "sched_dependencies",
    ("pipeline_schedule", "dependency_in_same_step"): "sched_dependencies",
    ("pipeline_schedule", "1f1b_same_as_gpipe"): "sched_1f1b",
    ("pipeline_schedule", "1f1b_one_extra_warmup_forward"): "sched_1f1b",
    ("pipeline_schedule", "one_based_micro_batches"): "sched_labels",
    ("ring_reduce_scatter", "central_sum_zeros_travel"): "no_communication",
    ("ring_reduce_scatter", "central_partial_sums_travel"): "no_communication",
    ("ring_all_gather", "central_concat_zeros_travel"): "no_communication",
    ("ring_all_reduce", "central_sum_zeros_travel"): "no_communication",
    ("naive_all_reduce", "central_sum_placeholders"): "no_communication",
    ("recursive_doubling_all_reduce", "central_sum_placeholders"): "no_communication",
    ("data_parallel_gradients", "full_batch_gradient_zeros_travel"): "no_communication",
    ("row_parallel_linear", "central_linear_zeros_travel"): "no_communication",
    ("dist_ring_all_reduce", "c10d_module_all_reduce_placeholder_traffic"): "dist_builtin",
    ("dist_ring_all_reduce", "process_group_method_placeholder_traffic"): "dist_builtin",
    ("dist_ring_all_reduce", "object_collective_placeholder_traffic"): "dist_side_channel",
    ("dist_ring_all_reduce", "store_side_channel_placeholder_traffic"): "dist_side_channel",
}

# the generic tier (course/diagnoses/generic.py) says nothing on these: the specification leaves their results open
GENERIC_OFF = {
    "pipeline_schedule": "the order of backward passes within a GPipe step is left free",
}
