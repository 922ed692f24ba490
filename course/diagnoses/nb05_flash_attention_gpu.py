"""05_flash_attention_gpu: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "05_flash_attention_gpu"

DIAGNOSES = {
    "wrong_dtype": (
        "Changes the dtype: the result must keep the input's dtype.",
        "改变了 dtype：结果必须保持输入的 dtype。"),
    "returns_tensor": (
        "Returns a tensor where a Python int is expected.",
        "返回了张量，而要求返回 Python int。"),
    # online_softmax
    "online_sum_not_rescaled": (
        "Does not rescale the running sum when the running maximum changes: earlier terms keep the old shift.",
        "运行最大值变化时没有重新缩放累计和：之前的项仍沿用旧的平移量。"),
    "online_rescale_direction": (
        "Rescales the running sum by the wrong factor: when the maximum rises from m to m', the old sum is "
        "multiplied by exp(m - m'), which is at most 1.",
        "累计和的缩放因子错了：最大值从 m 升到 m' 时，旧的和应乘以 exp(m - m')，它不大于 1。"),
    "online_not_one_pass": (
        "Does not compute the softmax online: it calls a built-in softmax, or takes the global maximum in a first "
        "pass. The exercise is one pass over the blocks with a running maximum and sum.",
        "没有在线计算 softmax：调用了内置 softmax，或先遍历一遍求全局最大值。题目要求对各块只遍历一次，维护运行最大值和累计和。"),
    "online_all_masked_block": (
        "Gives NaN when a whole block is -inf (exp(-inf - (-inf))): skip the rescaling while the running maximum "
        "is still -inf.",
        "整块都是 -inf 时得到 NaN（exp(-inf - (-inf))）：运行最大值仍为 -inf 时应跳过缩放。"),
    "online_drops_last_block": (
        "Drops the last, shorter block when the length is not a multiple of the block size.",
        "长度不是块大小的整数倍时，丢掉了最后那个较短的块。"),
    "online_no_shift": (
        "Exponentiates without subtracting a running maximum: large inputs overflow.",
        "取指数前没有减去运行最大值：输入很大时会溢出。"),
    # flash_attention_forward
    "flash_not_tiled": (
        "Does not tile: it builds the full score matrix (or a full stripe of it), or calls a fused attention "
        "kernel. The exercise is the blockwise loop over query and key tiles with an online softmax.",
        "没有分块：构造了完整的分数矩阵（或其整条带），或调用了融合注意力内核。题目要求对 query 和 key 分块循环并使用在线 softmax。"),
    "flash_acc_not_rescaled": (
        "Does not rescale the output accumulator when the running maximum changes.",
        "运行最大值变化时没有重新缩放输出累加器。"),
    "flash_sum_not_rescaled": (
        "Does not rescale the running softmax denominator when the running maximum changes.",
        "运行最大值变化时没有重新缩放 softmax 分母的累计和。"),
    "flash_scale": (
        "Scales the scores wrongly: divide by the square root of the query/key head dimension.",
        "分数缩放错误：应除以 query/key 头维度的平方根。"),
    "flash_causal_alignment": (
        "Aligns the causal mask to the bottom-right corner: here query i sees keys 0..i (top-left alignment).",
        "因果掩码按右下角对齐了：这里第 i 个 query 看到 key 0..i（左上角对齐）。"),
    "flash_causal_diagonal": (
        "Masks the diagonal: a query may attend to the key at its own position.",
        "屏蔽了对角线：query 可以关注与它同位置的 key。"),
    "flash_causal_local": (
        "Builds the causal mask from indices local to the tile: compare global query and key positions.",
        "用块内的局部下标构造因果掩码：应比较 query 与 key 的全局位置。"),
    "flash_lse": (
        "Returns a wrong log-sum-exp: it is the running maximum plus the log of the running sum, over all key "
        "tiles, of the scaled scores.",
        "返回的 log-sum-exp 不对：它应是运行最大值加运行和的对数，覆盖全部 key 块，并基于缩放后的分数。"),
    "flash_short_tiles": (
        "Drops the last, shorter tile when a length is not a multiple of the block size.",
        "长度不是块大小的整数倍时，丢掉了最后那个较短的块。"),
    # attention_hbm_bytes
    "hbm_block_rounding": (
        "Rounds the block size or the number of blocks the wrong way: both are ceilings.",
        "块大小或块数的取整方向错了：两者都应向上取整。"),
    "hbm_sram_units": (
        "Uses the SRAM size in bytes where the block size needs it in elements.",
        "计算块大小时用了以字节计的 SRAM 大小，而应换算成元素个数。"),
    "hbm_standard_count": (
        "Miscounts standard attention's traffic: the score and probability matrices each make a round trip to HBM.",
        "标准注意力的访存量数错了：分数矩阵和概率矩阵都各自往返 HBM 一次。"),
    "hbm_flash_count": (
        "Miscounts FlashAttention's traffic: K and V are read once overall; Q, O and the softmax statistics "
        "move once per pass of the outer loop over key blocks.",
        "FlashAttention 的访存量数错了：K 和 V 总共只读一次；Q、O 和 softmax 统计量在外层（按 key 块）循环的每一趟各搬运一次。"),
    "hbm_int_results": (
        "Returns floats: byte counts are ints.",
        "返回了浮点数：字节数应是 int。"),
    "hbm_bytes_per_el": (
        "Ignores the `bytes_per_el` argument.",
        "忽略了 `bytes_per_el` 参数。"),
    # tiled_matmul
    "tile_not_tiled": (
        "Does not tile the reduction: it multiplies whole matrices or whole stripes at once. Loop over tiles of the "
        "shared dimension too.",
        "没有对归约维分块：一次乘整个矩阵或整条带。共享维也要按块循环。"),
    "tile_partial": (
        "Drops the partial tiles at the edges when a size is not a multiple of the tile.",
        "尺寸不是块大小的整数倍时，丢掉了边缘不完整的块。"),
    "tile_overwrite": (
        "Overwrites the tile's result at each step of the reduction instead of accumulating it.",
        "在归约的每一步覆盖了块结果，而不是累加。"),
    "tile_b_index": (
        "Takes the tile of b at the wrong column: it must follow the output tile's column.",
        "b 的块取错了列：应跟随输出块的列。"),
    # matmul_arithmetic_intensity
    "ai_flops": (
        "Counts a multiply-add as one FLOP: a matmul does 2mnk FLOPs.",
        "把一次乘加算作一个 FLOP：矩阵乘法做 2mnk 个 FLOP。"),
    "ai_bytes": (
        "Miscounts the bytes: read A and B once and write C once, each element bytes_per_el bytes.",
        "字节数数错了：A 和 B 各读一次、C 写一次，每个元素 bytes_per_el 字节。"),
    "ai_float": (
        "Uses integer division: the intensity is a float.",
        "用了整数除法：算术强度应是浮点数。"),
    # roofline
    "roofline_bound": (
        "Combines the two times wrongly: with overlap the time is the larger of compute time and memory time.",
        "两种时间组合错了：可重叠时，耗时是计算时间与访存时间中的较大者。"),
    "roofline_label": (
        "Names the wrong bound: the kernel is bound by whichever time (compute or memory) is larger.",
        "瓶颈标签错了：计算时间与访存时间哪个大，就受哪个限制。"),
    "roofline_units": (
        "Returns the time in the wrong unit: seconds.",
        "时间单位不对：应为秒。"),
    # bank_conflicts
    "bank_same_word": (
        "Counts accesses to the same word as conflicts: threads reading the same 4-byte word are served by a "
        "broadcast. Count distinct words per bank.",
        "把访问同一个字的情况算成冲突：读同一个 4 字节字的线程由广播服务。应按每个 bank 中不同的字计数。"),
    "bank_from_bytes": (
        "Computes the bank from the byte address: the bank is the word index (address / bank_bytes) modulo the "
        "number of banks.",
        "用字节地址计算 bank：bank 是字下标（地址 / bank_bytes）对 bank 数取模。"),
    "bank_extra_passes": (
        "Returns the number of extra passes: the function returns the conflict degree (the most distinct words "
        "in one bank).",
        "返回的是额外的访问趟数：应返回冲突度（单个 bank 中不同字的最大数目）。"),
    # coalesced_transactions
    "coalesce_count": (
        "Counts the wrong thing: the number of transactions is the number of distinct aligned segments touched.",
        "数错了对象：事务数是被访问到的不同对齐段的数目。"),
    "coalesce_segment_size": (
        "Ignores `segment_bytes`.",
        "忽略了 `segment_bytes`。"),
    # bitonic_sort
    "bitonic_builtin": (
        "Sorts with a built-in (sort, sorted, topk): the exercise is the bitonic network of compare-exchange "
        "stages.",
        "用了内置排序（sort、sorted、topk）：题目要求实现由比较交换阶段组成的双调排序网络。"),
    "bitonic_direction": (
        "Chooses the direction of each compare-exchange wrongly: within a merge of size s, blocks alternate "
        "ascending and descending according to the index bit of s.",
        "比较交换的方向选错了：在规模为 s 的合并中，各块按下标中 s 那一位交替升序与降序。"),
    "bitonic_stages": (
        "Skips stages of the network: every merge size up to n, and every distance down to 1.",
        "跳过了网络的某些阶段：合并规模要一直到 n，距离要一直减到 1。"),
    "bitonic_descending": (
        "Sorts in descending order: ascending is expected.",
        "按降序排列：要求升序。"),
    "bitonic_in_place": (
        "Sorts the input tensor in place: the caller's tensor is modified.",
        "原地对输入张量排序：调用者的张量被修改了。"),
    "bitonic_python_loop": (
        "Loops over elements in Python: each stage should be one vectorised compare-exchange over all pairs.",
        "在 Python 中逐元素循环：每个阶段应是对所有配对的一次向量化比较交换。"),
    "flash_two_sweeps": (
        "Sweeps the key tiles twice per query tile (first for the row maximum, then for the sums): FlashAttention "
        "reads each key tile once, keeping a running maximum and rescaling the sum and accumulator.",
        "对每个 query 块把 key 块扫了两遍（先求行最大值，再求和）：FlashAttention 每个 key 块只读一次，维"
        "护运行最大值，并重新缩放累计和与累加器。"),
    "bitonic_not_a_network": (
        "Sorts by another method (ranking over all pairs, or odd-even transposition with N stages): the exercise is "
        "the bitonic network, log2(N)(log2(N)+1)/2 compare-exchange stages.",
        "用了别的排序方法（对所有配对计算排名，或 N 个阶段的奇偶换位排序）：题目要求双调排序网络，共 log2(N)(log2(N)+"
        "1)/2 个比较交换阶段。"),
}

VARIANTS = {
    ("online_softmax", "sum_not_rescaled"): "online_sum_not_rescaled",
    ("online_softmax", "rescaled_the_wrong_way"): "online_rescale_direction",
    ("online_softmax", "calls_torch_softmax"): "online_not_one_pass",
    ("online_softmax", "two_pass_global_max"): "online_not_one_pass",
    ("online_softmax", "nan_when_a_block_is_all_masked"): "online_all_masked_block",
    ("online_softmax", "drops_the_last_short_block"): "online_drops_last_block",
    ("online_softmax", "no_max_shift"): "online_no_shift",
    ("online_softmax", "float32_result_for_float64"): "wrong_dtype",
    ("flash_attention_forward", "full_score_matrix"): "flash_not_tiled",
    ("flash_attention_forward", "sdpa_and_rowwise_lse"): "flash_not_tiled",
    ("flash_attention_forward", "fused_cpu_kernel"): "flash_not_tiled",
    ("flash_attention_forward", "query_block_against_all_keys"): "flash_not_tiled",
    ("flash_attention_forward", "key_block_against_all_queries"): "flash_not_tiled",
    ("flash_attention_forward", "accumulator_not_rescaled"): "flash_acc_not_rescaled",
    ("flash_attention_forward", "sum_not_rescaled"): "flash_sum_not_rescaled",
    ("flash_attention_forward", "scale_by_value_dim"): "flash_scale",
    ("flash_attention_forward", "no_scale"): "flash_scale",
    ("flash_attention_forward", "causal_bottom_right"): "flash_causal_alignment",
    ("flash_attention_forward", "causal_strict_diagonal"): "flash_causal_diagonal",
    ("flash_attention_forward", "causal_tile_local_indices"): "flash_causal_local",
    ("flash_attention_forward", "lse_without_max"): "flash_lse",
    ("flash_attention_forward", "lse_of_unscaled_scores"): "flash_lse",
    ("flash_attention_forward", "lse_from_last_tile_only"): "flash_lse",
    ("flash_attention_forward", "drops_short_last_key_block"): "flash_short_tiles",
    ("flash_attention_forward", "drops_short_last_query_block"): "flash_short_tiles",
    ("flash_attention_forward", "float32_output_always"): "wrong_dtype",
    ("attention_hbm_bytes", "floor_block_c"): "hbm_block_rounding",
    ("attention_hbm_bytes", "floor_t_c"): "hbm_block_rounding",
    ("attention_hbm_bytes", "sram_in_bytes_not_elements"): "hbm_sram_units",
    ("attention_hbm_bytes", "standard_without_p_round_trip"): "hbm_standard_count",
    ("attention_hbm_bytes", "kv_read_every_step"): "hbm_flash_count",
    ("attention_hbm_bytes", "float_results"): "hbm_int_results",
    ("attention_hbm_bytes", "bytes_per_el_ignored"): "hbm_bytes_per_el",
    ("tiled_matmul", "plain_matmul"): "tile_not_tiled",
    ("tiled_matmul", "row_stripes_untiled_k"): "tile_not_tiled",
    ("tiled_matmul", "broadcast_multiply_over_all_k"): "tile_not_tiled",
    ("tiled_matmul", "drops_partial_tiles"): "tile_partial",
    ("tiled_matmul", "overwrites_instead_of_accumulating"): "tile_overwrite",
    ("tiled_matmul", "wrong_b_tile_index"): "tile_b_index",
    ("tiled_matmul", "float32_result_always"): "wrong_dtype",
    ("matmul_arithmetic_intensity", "multiply_add_as_one_flop"): "ai_flops",
    ("matmul_arithmetic_intensity", "c_not_counted"): "ai_bytes",
    ("matmul_arithmetic_intensity", "c_read_and_written"): "ai_bytes",
    ("matmul_arithmetic_intensity", "bytes_per_el_ignored"): "ai_bytes",
    ("matmul_arithmetic_intensity", "integer_division"): "ai_float",
    ("roofline", "min_instead_of_max"): "roofline_bound",
    ("roofline", "no_overlap_sum"): "roofline_bound",
    ("roofline", "labels_swapped"): "roofline_label",
    ("roofline", "compares_flops_with_bytes"): "roofline_label",
    ("roofline", "milliseconds"): "roofline_units",
    ("bank_conflicts", "threads_not_words"): "bank_same_word",
    ("bank_conflicts", "distinct_addresses_not_words"): "bank_same_word",
    ("bank_conflicts", "bank_from_byte_address"): "bank_from_bytes",
    ("bank_conflicts", "returns_extra_passes"): "bank_extra_passes",
    ("bank_conflicts", "returns_a_tensor"): "returns_tensor",
    ("coalesced_transactions", "distinct_addresses"): "coalesce_count",
    ("coalesced_transactions", "span_of_the_warp"): "coalesce_count",
    ("coalesced_transactions", "bytes_over_segment"): "coalesce_count",
    ("coalesced_transactions", "returns_a_tensor"): "returns_tensor",
    ("coalesced_transactions", "segments_of_32_bytes"): "coalesce_segment_size",
    ("bitonic_sort", "torch_sort"): "bitonic_builtin",
    ("bitonic_sort", "python_sorted"): "bitonic_builtin",
    ("bitonic_sort", "python_sorted_on_tensor"): "bitonic_builtin",
    ("bitonic_sort", "topk"): "bitonic_builtin",
    ("bitonic_sort", "all_runs_ascending"): "bitonic_direction",
    ("bitonic_sort", "direction_from_distance"): "bitonic_direction",
    ("bitonic_sort", "single_merge_pass"): "bitonic_stages",
    ("bitonic_sort", "skips_the_distance_1_stage"): "bitonic_stages",
    ("bitonic_sort", "skips_the_final_merge"): "bitonic_stages",
    ("bitonic_sort", "descending"): "bitonic_descending",
    ("bitonic_sort", "sorts_x_in_place"): "bitonic_in_place",
    ("bitonic_sort", "loop_over_elements"): "bitonic_python_loop",
    ("online_softmax", "two_pass_blockwise_max_then_sums"): "online_not_one_pass",
    ("flash_attention_forward", "two_sweeps_over_key_tiles"): "flash_two_sweeps",
    ("bitonic_sort", "rank_sort_all_pairs"): "bitonic_not_a_network",
    ("bitonic_sort", "odd_even_transposition_fits_budget_at_512"): "bitonic_not_a_network",
}
