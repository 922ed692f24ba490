"""06_efficient_inference: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "06_efficient_inference"

DIAGNOSES = {
    "in_place": (
        "Modifies the caller's input in place: return a new object and leave the argument unchanged.",
        "原地修改了调用者的输入：应返回新对象，不改动传入的参数。"),
    # KVCache
    "kv_shared_layers": (
        "Keeps one cache for all layers (or on the class, shared by every instance): each layer of each cache "
        "object needs its own keys and values.",
        "所有层共用一个缓存（或存在类属性上被所有实例共享）：每个缓存对象的每一层都需要自己的 key 和 value。"),
    "kv_order": (
        "Puts the new tokens before the cached ones: append them after, along the sequence axis.",
        "把新 token 放在了已缓存的之前：应沿序列轴追加在后面。"),
    "kv_overwrite": (
        "Replaces the cache with the new tokens instead of appending them.",
        "用新 token 替换了缓存，而不是追加。"),
    "kv_axis": (
        "Concatenates along the wrong axis: the sequence axis is -2 of (B, H, L, D).",
        "拼接的轴不对：序列轴是 (B, H, L, D) 的第 -2 维。"),
    "kv_values": (
        "Returns the keys in place of the values.",
        "把 key 当作 value 返回了。"),
    "kv_returns_old": (
        "Returns the cache as it was before this update: return it with the new tokens included.",
        "返回的是本次更新之前的缓存：应返回包含新 token 的缓存。"),
    "kv_dtype": (
        "Changes the dtype of the cached tensors: keep the dtype of the keys and values given.",
        "改变了缓存张量的 dtype：应保持传入的 key 和 value 的 dtype。"),
    # kv_cache_bytes
    "kvb_formula": (
        "Leaves a factor out of the cache size: 2 (keys and values) x layers x KV heads x head dim x sequence "
        "length x batch x bytes per element.",
        "缓存大小漏掉了某个因子：2（key 和 value）x 层数 x KV 头数 x 头维度 x 序列长度 x batch x 每元素字节数。"),
    "kvb_type": (
        "Returns the wrong unit or type: the size is a number of bytes (not GiB), exact, as a Python int for "
        "integer inputs.",
        "返回的单位或类型不对：大小是精确的字节数（不是 GiB），整数输入时为 Python int。"),
    "kvb_default": (
        "The default bytes per element is wrong: the default is 16-bit (2 bytes).",
        "每元素字节数的默认值不对：默认是 16 位（2 字节）。"),
    "kvb_fractional": (
        "Truncates a fractional bytes-per-element (for example 4-bit quantisation, 0.5 byte) to an integer.",
        "把带小数的每元素字节数（例如 4 位量化的 0.5 字节）截断成了整数。"),
    # RollingKVCache
    "roll_not_bounded": (
        "Keeps more than `window` tokens: the cache holds at most the last `window` tokens.",
        "保留了多于 `window` 个 token：缓存最多只保留最近 `window` 个。"),
    "roll_window_size": (
        "Keeps the wrong number of tokens: exactly the last `window` ones once that many were seen.",
        "保留的 token 数不对：见过足够多 token 后，应恰好保留最近 `window` 个。"),
    "roll_order": (
        "Returns the window in the wrong order: oldest first, as they appear in the sequence (unroll the ring "
        "buffer from its oldest slot).",
        "窗口顺序不对：应按序列中的先后，最旧的在前（从环形缓冲最旧的槽位开始展开）。"),
    "roll_which_tokens": (
        "Keeps the wrong tokens: after an update the window holds the most recent tokens, including when one "
        "chunk is longer than the window.",
        "保留的 token 不对：更新后窗口应保存最近的 token，包括一次传入的块比窗口还长时。"),
    "roll_unfilled": (
        "Returns empty slots before the window is full: return only the tokens seen so far.",
        "窗口未满时返回了空槽位：只应返回目前已见过的 token。"),
    # PagedKVAllocator
    "paged_fork_copies": (
        "fork copies the blocks: a fork shares the parent's physical blocks and only counts the extra reference.",
        "fork 复制了块：fork 应共享父序列的物理块，只增加引用计数。"),
    "paged_no_cow": (
        "Appends into a shared last block without copying it first: writing to a block another sequence "
        "references needs copy-on-write.",
        "向共享的最后一个块追加时没有先复制：写入其他序列也引用的块需要写时复制。"),
    "paged_cow_scope": (
        "Copy-on-write is wrong: copy only the shared last block when writing into it, and release the reference "
        "to the old block.",
        "写时复制有误：只在写入共享的最后一个块时复制它，并释放对旧块的引用。"),
    "paged_free_sharing": (
        "free ignores sharing: a block returns to the free list only when its last reference is released.",
        "free 忽略了共享：只有最后一个引用释放时，块才回到空闲列表。"),
    "paged_atomic_error": (
        "Changes the allocator's state before failing: when there are not enough blocks, raise and leave "
        "everything as it was.",
        "失败前已修改了分配器状态：块不够时应抛出错误并保持一切不变。"),
    "paged_block_count": (
        "Computes the number of blocks wrongly: n tokens need ceil(n / block_size) blocks, and a new block is "
        "taken only when the last one is full.",
        "块数计算错误：n 个 token 需要 ceil(n / block_size) 个块，且只有最后一块满了才取新块。"),
    "paged_error_type": (
        "Fails with the wrong exception when out of blocks: raise a RuntimeError.",
        "块用尽时抛出的异常类型不对：应抛出 RuntimeError。"),
    # padding_waste
    "pad_denominator": (
        "Divides by the wrong total: the waste is padding slots over all slots (real tokens plus padding).",
        "分母不对：浪费率是填充槽位数除以全部槽位数（真实 token 加填充）。"),
    "pad_per_batch": (
        "Pads to the wrong length: each batch is padded to its own longest sequence, and holds only the "
        "sequences it has.",
        "填充到的长度不对：每个 batch 填充到其自身最长的序列，并且只包含它实际拥有的序列。"),
    "pad_returns_utilisation": (
        "Returns the utilisation (real tokens over slots) instead of the waste.",
        "返回的是利用率（真实 token 除以槽位数），而不是浪费率。"),
    "pad_sort_order": (
        "Sorts in the wrong order: sort_by_length sorts ascending.",
        "排序方向不对：sort_by_length 按升序排序。"),
    # simulate_static_batching
    "static_batch_time": (
        "A batch lasts the wrong time: it runs until its longest request is done, and the next batch starts then.",
        "一个 batch 的耗时不对：它一直运行到最长的请求完成，下一个 batch 在那时开始。"),
    "static_finish": (
        "Reports the wrong finish step: a request finishes when its own last token is produced (steps count "
        "from 1), counted from the start of its batch.",
        "完成步数不对：请求在产生自己最后一个 token 时完成（步数从 1 开始），从其所在 batch 的开始计。"),
    "static_order": (
        "Reorders the requests: they are served in arrival order.",
        "调换了请求顺序：应按到达顺序服务。"),
    # simulate_continuous_batching
    "cont_refill": (
        "Refills free slots too late: a finished request's slot is taken by the next waiting request at the very "
        "next step.",
        "空出的槽位补充得太晚：请求完成后，等待中的下一个请求应在紧接着的下一步占用该槽位。"),
    "cont_order": (
        "Serves the queue in the wrong order: first come, first served.",
        "队列服务顺序不对：应先来先服务。"),
    "cont_capacity": (
        "Admits more than max_batch requests at once.",
        "同时接纳的请求超过了 max_batch。"),
    "cont_finish": (
        "Finishes each request one step late: a request of n tokens admitted at step s finishes at step s + n - 1.",
        "每个请求都晚一步完成：在第 s 步接纳、长度为 n 的请求应在第 s + n - 1 步完成。"),
    # top_k_filter
    "topk_count": (
        "Keeps the wrong number of logits: exactly k survive (the k largest).",
        "保留的 logits 数量不对：应恰好保留最大的 k 个。"),
    "topk_fill": (
        "Fills the removed logits with 0 instead of -inf: they keep probability after the softmax.",
        "被移除的 logits 填成 0 而不是 -inf：softmax 后它们仍有概率。"),
    "topk_vocab": (
        "Fails or misbehaves when k is at least the vocabulary size: then nothing is removed.",
        "当 k 不小于词表大小时出错：此时不应移除任何 logit。"),
    "topk_smallest": (
        "Keeps the smallest logits instead of the largest.",
        "保留的是最小的 logits 而不是最大的。"),
    "topk_positions": (
        "Moves logits out of their vocabulary positions (returns them sorted): each kept logit stays at its "
        "token's index.",
        "改变了 logits 在词表中的位置（返回了排序后的值）：每个保留的 logit 应留在其 token 的下标处。"),
    "topk_per_row": (
        "Selects the top k over the whole batch instead of per row (along the last dimension).",
        "在整个 batch 上而不是逐行（沿最后一维）选取 top k。"),
    # top_p_filter
    "topp_crossing": (
        "Drops the token that crosses p: keep the smallest set of most probable tokens whose mass reaches p, the "
        "crossing token included.",
        "丢掉了跨过 p 的那个 token：应保留概率质量达到 p 的最小高概率 token 集合，包括跨过阈值的那个。"),
    "topp_probs": (
        "Accumulates something other than probabilities (raw logits or unnormalised exponentials): apply the "
        "softmax first.",
        "累加的不是概率（原始 logits 或未归一化的指数）：应先做 softmax。"),
    "topp_scatter": (
        "Applies the mask computed in sorted order to the logits in vocabulary order: map it back first.",
        "把按排序顺序算出的掩码直接用到词表顺序的 logits 上：应先映射回原顺序。"),
    "topp_least": (
        "Sorts ascending: the nucleus is made of the most probable tokens.",
        "按升序排序了：核心集合应由概率最高的 token 组成。"),
    # sample
    "sample_temperature": (
        "Applies the temperature wrongly: divide the logits by it, before any filtering.",
        "温度用法不对：应在任何过滤之前把 logits 除以温度。"),
    "sample_filter_order": (
        "Applies the filters in the wrong order or skips one: top-k first, then top-p, each when given.",
        "过滤顺序错了或漏掉了一个：先 top-k 再 top-p，给定哪个就用哪个。"),
    "sample_generator": (
        "Ignores the `generator`: sampling is not reproducible from the given seed.",
        "忽略了 `generator`：无法用给定的种子复现采样。"),
    "sample_shape": (
        "Returns the wrong shape: one token id per row, shape logits.shape[:-1], for any number of batch "
        "dimensions.",
        "返回的形状不对：每行一个 token id，形状为 logits.shape[:-1]，适用于任意多个 batch 维度。"),
    "sample_greedy": (
        "Has no greedy case: temperature 0 returns the argmax.",
        "没有处理贪心情形：温度为 0 时应返回 argmax。"),
    "roll_returns_extra": (
        "Returns more than `window` keys and values after a multi-token update: `update` returns the last min(window, "
        "seen) tokens, whatever the chunk length.",
        "多 token 更新后返回了多于 `window` 个 key/value：无论块多长，`update` 都只返回最近 min("
        "window, seen) 个 token。"),
}

VARIANTS = {
    ("kv_cache", "shared_across_layers"): "kv_shared_layers",
    ("kv_cache", "class_level_storage"): "kv_shared_layers",
    ("kv_cache", "prepends_new_tokens"): "kv_order",
    ("kv_cache", "overwrites_instead_of_append"): "kv_overwrite",
    ("kv_cache", "cat_on_last_dim"): "kv_axis",
    ("kv_cache", "keys_returned_as_values"): "kv_values",
    ("kv_cache", "returns_cache_before_append"): "kv_returns_old",
    ("kv_cache", "float32_buffer"): "kv_dtype",
    ("kv_cache_bytes", "forgets_k_and_v"): "kvb_formula",
    ("kv_cache_bytes", "forgets_batch"): "kvb_formula",
    ("kv_cache_bytes", "float_result"): "kvb_type",
    ("kv_cache_bytes", "gib_not_bytes"): "kvb_type",
    ("kv_cache_bytes", "fp32_default"): "kvb_default",
    ("kv_cache_bytes", "int_truncates_fractional_bytes"): "kvb_fractional",
    ("rolling_kv_cache", "keeps_whole_history"): "roll_not_bounded",
    ("rolling_kv_cache", "window_minus_one"): "roll_window_size",
    ("rolling_kv_cache", "newest_first"): "roll_order",
    ("rolling_kv_cache", "ring_order_not_rotated"): "roll_order",
    ("rolling_kv_cache", "long_chunk_keeps_its_head"): "roll_which_tokens",
    ("rolling_kv_cache", "oldest_window"): "roll_which_tokens",
    ("rolling_kv_cache", "returns_unfilled_slots"): "roll_unfilled",
    ("paged_kv_allocator", "fork_copies_blocks"): "paged_fork_copies",
    ("paged_kv_allocator", "no_copy_on_write"): "paged_no_cow",
    ("paged_kv_allocator", "copy_on_write_leaks_old_block"): "paged_cow_scope",
    ("paged_kv_allocator", "copies_shared_full_blocks_too"): "paged_cow_scope",
    ("paged_kv_allocator", "free_ignores_sharing"): "paged_free_sharing",
    ("paged_kv_allocator", "allocate_partial_on_error"): "paged_atomic_error",
    ("paged_kv_allocator", "append_counts_token_before_error"): "paged_atomic_error",
    ("paged_kv_allocator", "floor_division"): "paged_block_count",
    ("paged_kv_allocator", "new_block_one_token_early"): "paged_block_count",
    ("paged_kv_allocator", "index_error_when_empty"): "paged_error_type",
    ("padding_waste", "divides_by_real_tokens"): "pad_denominator",
    ("padding_waste", "global_max"): "pad_per_batch",
    ("padding_waste", "last_batch_padded_to_full_size"): "pad_per_batch",
    ("padding_waste", "pads_to_mean"): "pad_per_batch",
    ("padding_waste", "returns_utilisation"): "pad_returns_utilisation",
    ("padding_waste", "sorts_in_place"): "in_place",
    ("padding_waste", "sorts_descending"): "pad_sort_order",
    ("simulate_static_batching", "batch_time_is_sum"): "static_batch_time",
    ("simulate_static_batching", "everyone_finishes_at_batch_end"): "static_finish",
    ("simulate_static_batching", "finish_relative_to_batch"): "static_finish",
    ("simulate_static_batching", "zero_based_steps"): "static_finish",
    ("simulate_static_batching", "sorts_requests_by_length"): "static_order",
    ("simulate_continuous_batching", "refills_only_when_batch_empty"): "cont_refill",
    ("simulate_continuous_batching", "one_idle_step_before_refill"): "cont_refill",
    ("simulate_continuous_batching", "lifo_queue"): "cont_order",
    ("simulate_continuous_batching", "shortest_job_first"): "cont_order",
    ("simulate_continuous_batching", "admits_one_too_many"): "cont_capacity",
    ("simulate_continuous_batching", "finish_one_step_late"): "cont_finish",
    ("top_k_filter", "keeps_k_minus_1"): "topk_count",
    ("top_k_filter", "zero_instead_of_minus_inf"): "topk_fill",
    ("top_k_filter", "modifies_input"): "in_place",
    ("top_k_filter", "no_k_ge_vocab_case"): "topk_vocab",
    ("top_k_filter", "keeps_smallest"): "topk_smallest",
    ("top_k_filter", "returns_sorted_values"): "topk_positions",
    ("top_k_filter", "flattens_batch_dims"): "topk_per_row",
    ("top_p_filter", "drops_crossing_token"): "topp_crossing",
    ("top_p_filter", "cumsum_of_raw_logits"): "topp_probs",
    ("top_p_filter", "unnormalised_exp"): "topp_probs",
    ("top_p_filter", "not_scattered_back"): "topp_scatter",
    ("top_p_filter", "keeps_the_least_probable"): "topp_least",
    ("top_p_filter", "modifies_input"): "in_place",
    ("sample", "multiplies_by_temperature"): "sample_temperature",
    ("sample", "temperature_after_filters"): "sample_temperature",
    ("sample", "top_p_before_top_k"): "sample_filter_order",
    ("sample", "top_p_ignored_with_top_k"): "sample_filter_order",
    ("sample", "ignores_generator"): "sample_generator",
    ("sample", "keeps_trailing_dim"): "sample_shape",
    ("sample", "no_flatten_for_batch_dims"): "sample_shape",
    ("sample", "no_greedy_case"): "sample_greedy",
    ("rolling_kv_cache", "keeps_what_the_whole_chunk_needs"): "roll_returns_extra",
}

# the generic tier (course/diagnoses/generic.py) says nothing on these: the specification leaves their results open
GENERIC_OFF = {
    "paged_kv_allocator": "block ids are opaque: any numbering the allocator keeps consistent is right",
}
