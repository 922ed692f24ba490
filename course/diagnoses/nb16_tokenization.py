"""16_tokenization: the mistakes the known wrong implementations make (see course/diagnoses/__init__.py)."""

ASSIGNMENT = "16_tokenization"

DIAGNOSES = {
    "return_type": (
        "Returns the wrong type: check what the docstring promises (a Python float or int, a tuple, a dict with "
        "int keys).",
        "返回类型不对：请核对文档字符串的约定（Python float 或 int、元组、以 int 为键的字典）。"),
    "in_place": (
        "Consumes or modifies the caller's input: leave it unchanged.",
        "消耗或修改了调用者的输入：不应改动它。"),
    # utf8_encode
    "utf8_builtin": (
        "Uses a built-in encoder: the exercise builds the UTF-8 bytes by hand from each code point.",
        "使用了内置编码器：题目要求根据每个码点手动构造 UTF-8 字节。"),
    "utf8_ranges": (
        "Puts the length boundaries in the wrong place: 1 byte below 0x80, 2 below 0x800, 3 below 0x10000, "
        "4 above.",
        "长度分界放错了：小于 0x80 为 1 字节，小于 0x800 为 2 字节，小于 0x10000 为 3 字节，以上为 4 字节。"),
    "utf8_bits": (
        "Lays out the bits wrongly: the lead byte carries the high bits, each continuation byte 10xxxxxx carries "
        "6 bits (masked), most significant first.",
        "比特排布不对：首字节携带高位，每个续字节 10xxxxxx 携带 6 位（需掩码），高位在前。"),
    "utf8_astral": (
        "Mishandles code points above U+FFFF: they take 4 bytes in UTF-8 (no surrogates, no replacement).",
        "U+FFFF 以上的码点处理错误：它们在 UTF-8 中占 4 个字节（不用代理对，也不替换）。"),
    "utf8_code_points": (
        "Returns code points, not bytes: every value must be in 0..255.",
        "返回的是码点而不是字节：每个值都必须在 0..255 之内。"),
    # gpt2_bytes_to_unicode
    "b2u_mapping": (
        "Maps the bytes wrongly: printable bytes ('!'..'~', U+00A1..U+00AC, U+00AE..U+00FF) map to themselves, "
        "the others, in order, to chr(256), chr(257), ...",
        "字节映射不对：可打印字节（'!'..'~'、U+00A1..U+00AC、U+00AE..U+00FF）映射到自身，其余的按顺序映射到 chr(256)、"
        "chr(257)……"),
    "b2u_direction": (
        "Returns the inverse map: the keys are the bytes 0..255.",
        "返回了逆映射：键应是字节 0..255。"),
    # load_gpt2_vocab_merges
    "load_header": (
        "Handles the header of the merges file wrongly: skip the first line only when it is a #version line.",
        "merges 文件头处理有误：只有当第一行是 #version 行时才跳过。"),
    "load_bytes": (
        "Does not map the tokens back to bytes through the GPT-2 byte-to-unicode table.",
        "没有通过 GPT-2 的字节到 unicode 映射表把 token 还原为字节。"),
    "load_structure": (
        "Returns the wrong structure: vocab {int id: bytes} and the merges as (bytes, bytes) in file order.",
        "返回的结构不对：vocab 为 {int id: bytes}，merges 为按文件顺序的 (bytes, bytes)。"),
    # pretokenize
    "pre_specials": (
        "Handles special tokens wrongly: split them out first, each as one piece, matching literally (escaped) "
        "and longest first, and keep them in the output.",
        "特殊 token 处理有误：应先把它们切出来，每个作为一段，按字面（转义）且最长优先匹配，并保留在输出中。"),
    "pre_pattern": (
        "Does not use GPT-2's pre-tokenization pattern (Unicode classes and the whitespace lookahead) through "
        "the `regex` module.",
        "没有通过 `regex` 模块使用 GPT-2 的预分词模式（Unicode 类别与空白前瞻）。"),
    # count_pairs
    "cp_counting": (
        "Counts the pairs wrongly: every adjacent pair inside each word, every occurrence, weighted by the "
        "word's count, never across words, and no zero entries.",
        "配对计数有误：统计每个词内部的每个相邻对的每次出现，按词频加权，不跨词，也没有零计数项。"),
    # merge_pair
    "mp_scan": (
        "Merges wrongly: scan left to right and replace every non-overlapping occurrence of the pair (token "
        "equality, not byte concatenation).",
        "合并方式不对：从左到右扫描，替换该对的每次不重叠出现（按 token 相等判断，而不是字节拼接）。"),
    # train_bpe
    "bpe_ties": (
        "Breaks ties wrongly: among equally frequent pairs, take the lexicographically greatest pair of bytes.",
        "平局处理错误：在频数相同的配对中，取字节序字典序最大的那一对。"),
    "bpe_specials": (
        "Handles special tokens wrongly: remove them from the training text (they split it), and give them ids "
        "right after the 256 bytes.",
        "特殊 token 处理有误：应把它们从训练文本中去掉（它们切分文本），并把 id 紧接在 256 个字节之后分配。"),
    "bpe_pretokenize": (
        "Skips pre-tokenization: merges never cross pre-token boundaries.",
        "跳过了预分词：合并永远不跨越预分词边界。"),
    "bpe_size": (
        "Stops at the wrong size: vocab_size counts the bytes, the special tokens and the merges.",
        "停止时的大小不对：vocab_size 包括字节、特殊 token 和合并产生的 token。"),
    "bpe_slow": (
        "Recounts every pair after each merge: far too slow. Update only the counts of the words holding the "
        "merged pair.",
        "每次合并后都重新统计所有配对：太慢。只更新包含被合并配对的那些词的计数。"),
    # BPETokenizer
    "tok_merge_order": (
        "Applies merges in the wrong order: repeatedly merge the pair with the lowest merge rank until none "
        "applies.",
        "合并顺序不对：应反复合并 merge 排名最低的那一对，直到没有可合并的为止。"),
    "tok_ids": (
        "Maps tokens to the wrong ids: look up each token's bytes in the vocab.",
        "token 到 id 的映射不对：应在 vocab 中查找每个 token 的字节。"),
    "tok_decode": (
        "Decodes each token separately: join all the bytes first, a character can span tokens.",
        "逐个 token 解码：应先拼接所有字节，一个字符可能跨越多个 token。"),
    "tok_specials": (
        "Handles special tokens wrongly: match them longest first, add only those given, with new ids after the "
        "largest existing one.",
        "特殊 token 处理有误：应最长优先匹配，只添加给定的那些，新 id 从现有最大 id 之后开始。"),
    "tok_lazy": (
        "encode_iterable is not lazy: yield ids chunk by chunk without reading the whole iterable first.",
        "encode_iterable 不是惰性的：应逐块产出 id，而不是先读完整个可迭代对象。"),
    "tok_builtin": (
        "Wraps a library tokenizer: the exercise implements the BPE encoder.",
        "包装了库里的分词器：题目要求自己实现 BPE 编码器。"),
    # wordpiece_tokenize
    "wp_prefix": (
        "Uses the ## prefix wrongly: every piece after the first of a word, and only those, carries it.",
        "## 前缀用法不对：一个词的第一个片段之后的每个片段都要带它，且只有这些片段带。"),
    "wp_longest": (
        "Is not greedy longest-match-first: at each position take the longest piece in the vocabulary.",
        "不是贪心最长匹配：每个位置应取词表中最长的片段。"),
    "wp_unk": (
        "Handles unknown words wrongly: if any position has no match, the whole word becomes the given unk_token.",
        "未知词处理有误：只要有一个位置匹配不到，整个词就变为给定的 unk_token。"),
    "wp_max_chars": (
        "Applies the length limit wrongly: only words longer than max_input_chars_per_word characters become "
        "unk_token.",
        "长度上限用法不对：只有长度超过 max_input_chars_per_word 个字符的词才变为 unk_token。"),
    # tokens_per_char / bytes_per_token
    "ratio_definition": (
        "Computes another ratio: check the numerator and denominator (tokens, characters of the text, UTF-8 "
        "bytes) and use true division.",
        "计算的是另一个比值：检查分子和分母（token 数、文本字符数、UTF-8 字节数），并使用真除法。"),
    # embedding_param_count
    "epc_formula": (
        "The count is wrong: vocab_size x d_model once when tied, twice when not, no bias.",
        "计数错了：绑定时为 vocab_size x d_model 一份，不绑定时两份，没有偏置。"),
    # EmbeddingLM
    "elm_tie": (
        "Ties wrongly: the head must share the embedding's Parameter object, not copy its values or share only "
        "its data.",
        "权重绑定方式不对：输出头必须共享嵌入层的同一个 Parameter 对象，而不是复制数值或只共享 data。"),
    "elm_init": (
        "Initialises wrongly: every weight (the untied head too) is N(0, init_std^2), init_std being a standard "
        "deviation.",
        "初始化有误：每个权重（包括未绑定的输出头）都服从 N(0, init_std^2)，init_std 是标准差。"),
    "elm_scale": (
        "Scales the embeddings wrongly: multiply by sqrt(d_model), and only when scale_embeddings is set.",
        "嵌入缩放有误：应乘以 sqrt(d_model)，且仅在 scale_embeddings 为真时。"),
    "elm_head": (
        "The output head is wrong: a bias-free linear layer, tied only when tie_weights is set.",
        "输出头错了：应是无偏置的线性层，仅在 tie_weights 为真时绑定。"),
}

VARIANTS = {
    ("utf8_encode", "uses_str_encode"): "utf8_builtin",
    ("utf8_encode", "via_bytes_constructor_codecs"): "utf8_builtin",
    ("utf8_encode", "le_boundaries"): "utf8_ranges",
    ("utf8_encode", "no_continuation_mask"): "utf8_bits",
    ("utf8_encode", "low_bits_first"): "utf8_bits",
    ("utf8_encode", "utf16_surrogates"): "utf8_astral",
    ("utf8_encode", "code_points_not_bytes"): "utf8_code_points",
    ("gpt2_bytes_to_unicode", "chr_256_plus_b"): "b2u_mapping",
    ("gpt2_bytes_to_unicode", "identity"): "b2u_mapping",
    ("gpt2_bytes_to_unicode", "includes_soft_hyphen"): "b2u_mapping",
    ("gpt2_bytes_to_unicode", "space_printable"): "b2u_mapping",
    ("gpt2_bytes_to_unicode", "n_from_one"): "b2u_mapping",
    ("gpt2_bytes_to_unicode", "inverse_map"): "b2u_direction",
    ("load_gpt2_vocab_merges", "drops_first_line"): "load_header",
    ("load_gpt2_vocab_merges", "keeps_version_line"): "load_header",
    ("load_gpt2_vocab_merges", "utf8_of_key"): "load_bytes",
    ("load_gpt2_vocab_merges", "merges_as_str"): "load_bytes",
    ("load_gpt2_vocab_merges", "str_keys"): "load_structure",
    ("load_gpt2_vocab_merges", "token_to_id_direction"): "load_structure",
    ("load_gpt2_vocab_merges", "sorted_merges"): "load_structure",
    ("pretokenize", "no_special_handling"): "pre_specials",
    ("pretokenize", "specials_not_sorted"): "pre_specials",
    ("pretokenize", "specials_not_escaped"): "pre_specials",
    ("pretokenize", "drops_specials"): "pre_specials",
    ("pretokenize", "stdlib_re_imitation"): "pre_pattern",
    ("pretokenize", "no_lookahead_whitespace"): "pre_pattern",
    ("pretokenize", "whitespace_split"): "pre_pattern",
    ("count_pairs", "once_per_word"): "cp_counting",
    ("count_pairs", "ignores_word_count"): "cp_counting",
    ("count_pairs", "non_overlapping"): "cp_counting",
    ("count_pairs", "across_words"): "cp_counting",
    ("count_pairs", "zero_entries"): "cp_counting",
    ("count_pairs", "pops_input"): "in_place",
    ("merge_pair", "overlapping"): "mp_scan",
    ("merge_pair", "first_only"): "mp_scan",
    ("merge_pair", "right_to_left"): "mp_scan",
    ("merge_pair", "bytes_replace"): "mp_scan",
    ("merge_pair", "byte_level_match"): "mp_scan",
    ("merge_pair", "concat_equality"): "mp_scan",
    ("merge_pair", "returns_list"): "return_type",
    ("train_bpe", "ties_smallest_pair"): "bpe_ties",
    ("train_bpe", "ties_first_seen"): "bpe_ties",
    ("train_bpe", "ties_gpt2_strings"): "bpe_ties",
    ("train_bpe", "specials_kept_in_text"): "bpe_specials",
    ("train_bpe", "specials_last"): "bpe_specials",
    ("train_bpe", "no_pretokenization"): "bpe_pretokenize",
    ("train_bpe", "vocab_size_excludes_specials"): "bpe_size",
    ("train_bpe", "naive_recount"): "bpe_slow",
    ("bpe_tokenizer", "leftmost_pair_first"): "tok_merge_order",
    ("bpe_tokenizer", "greedy_longest_match"): "tok_merge_order",
    ("bpe_tokenizer", "merges_only_first_pass"): "tok_merge_order",
    ("bpe_tokenizer", "byte_is_id"): "tok_ids",
    ("bpe_tokenizer", "decode_per_token"): "tok_decode",
    ("bpe_tokenizer", "specials_not_longest_first"): "tok_specials",
    ("bpe_tokenizer", "new_special_id_len_vocab"): "tok_specials",
    ("bpe_tokenizer", "endoftext_always_special"): "tok_specials",
    ("bpe_tokenizer", "encode_iterable_not_lazy"): "tok_lazy",
    ("bpe_tokenizer", "encode_iterable_joins_then_yields"): "tok_lazy",
    ("bpe_tokenizer", "wraps_tiktoken"): "tok_builtin",
    ("wordpiece_tokenize", "no_hash_prefix"): "wp_prefix",
    ("wordpiece_tokenize", "hash_on_first"): "wp_prefix",
    ("wordpiece_tokenize", "shortest_match"): "wp_longest",
    ("wordpiece_tokenize", "unk_only_the_piece"): "wp_unk",
    ("wordpiece_tokenize", "ignores_unk_token_arg"): "wp_unk",
    ("wordpiece_tokenize", "max_chars_off_by_one"): "wp_max_chars",
    ("wordpiece_tokenize", "max_counts_bytes"): "wp_max_chars",
    ("tokens_per_char", "inverted"): "ratio_definition",
    ("tokens_per_char", "per_byte"): "ratio_definition",
    ("tokens_per_char", "integer_division"): "ratio_definition",
    ("tokens_per_char", "per_word"): "ratio_definition",
    ("tokens_per_char", "no_spaces_counted"): "ratio_definition",
    ("tokens_per_char", "returns_tensor"): "return_type",
    ("bytes_per_token", "chars_not_bytes"): "ratio_definition",
    ("bytes_per_token", "inverted"): "ratio_definition",
    ("bytes_per_token", "utf16_bytes"): "ratio_definition",
    ("bytes_per_token", "integer_division"): "ratio_definition",
    ("bytes_per_token", "fixed_three_for_non_ascii"): "ratio_definition",
    ("embedding_param_count", "tied_counts_twice"): "epc_formula",
    ("embedding_param_count", "untied_counts_once"): "epc_formula",
    ("embedding_param_count", "head_bias"): "epc_formula",
    ("embedding_param_count", "inverted_flag"): "epc_formula",
    ("embedding_param_count", "vocab_plus_d"): "epc_formula",
    ("embedding_param_count", "returns_float"): "return_type",
    ("embedding_lm", "copy_not_tie"): "elm_tie",
    ("embedding_lm", "share_data_not_parameter"): "elm_tie",
    ("embedding_lm", "default_init"): "elm_init",
    ("embedding_lm", "std_as_variance"): "elm_init",
    ("embedding_lm", "untied_head_default_init"): "elm_init",
    ("embedding_lm", "scale_by_d"): "elm_scale",
    ("embedding_lm", "always_scaled"): "elm_scale",
    ("embedding_lm", "always_tied_logits"): "elm_head",
    ("embedding_lm", "head_with_bias"): "elm_head",
    ("utf8_encode", "bytes_constructor"): "utf8_builtin",
    ("utf8_encode", "bytearray_constructor"): "utf8_builtin",
}
