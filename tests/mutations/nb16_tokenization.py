"""16_tokenization: plausible wrong implementations the tests must catch, and correct variants they must accept.

Most variants are the reference cell with a small edit (``patch``), so each shows exactly the mistake it makes;
whole cells are genuinely different implementations.
"""

from mutations._patch import patch

ASSIGNMENT = "16_tokenization"

WRONG = [
    ('utf8_encode', 'uses_str_encode', r"""
def utf8_encode(text):
    return list(text.encode('utf-8'))
"""),
    ('utf8_encode', 'bytes_constructor', r"""
def utf8_encode(text):
    return list(bytes(text, 'utf-8'))
"""),
    ('utf8_encode', 'bytearray_constructor', r"""
def utf8_encode(text):
    return [b for b in bytearray(text, encoding='utf-8')]
"""),
    ('utf8_encode', 'le_boundaries', patch(ASSIGNMENT, "utf8_encode", "elif cp < 0x800:", "elif cp <= 0x800:")),
    ('utf8_encode', 'no_continuation_mask', patch(ASSIGNMENT, "utf8_encode",
        "0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3F)", "0xE0 | (cp >> 12), 0x80 | (cp >> 6)")),
    ('utf8_encode', 'utf16_surrogates', patch(ASSIGNMENT, "utf8_encode", [
        ("        elif cp < 0x10000:\n",
         "        else:\n"
         "            if cp >= 0x10000:\n"
         "                cp = 0xFFFD\n"),
        ("        else:\n"
         "            out += [0xF0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3F), 0x80 | ((cp >> 6) & 0x3F), "
         "0x80 | (cp & 0x3F)]\n",
         "")])),
    ('utf8_encode', 'low_bits_first', patch(ASSIGNMENT, "utf8_encode",
        "0xC0 | (cp >> 6), 0x80 | (cp & 0x3F)", "0x80 | (cp & 0x3F), 0xC0 | (cp >> 6)")),
    ('utf8_encode', 'code_points_not_bytes', r"""
def utf8_encode(text):
    return [ord(c) for c in text]
"""),
    ('utf8_encode', 'via_bytes_constructor_codecs', r"""
import codecs
def utf8_encode(text):
    return list(codecs.encode(text, 'utf-8'))
"""),
    ('gpt2_bytes_to_unicode', 'chr_256_plus_b', patch(ASSIGNMENT, "gpt2_bytes_to_unicode",
        "chr(256 + n)", "chr(256 + b)")),
    ('gpt2_bytes_to_unicode', 'identity', r"""
def gpt2_bytes_to_unicode():
    return {b: chr(b) for b in range(256)}
"""),
    ('gpt2_bytes_to_unicode', 'includes_soft_hyphen', patch(ASSIGNMENT, "gpt2_bytes_to_unicode",
        '    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \\\n'
        '        + list(range(ord("®"), ord("ÿ") + 1))\n',
        '    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("ÿ") + 1))\n')),
    ('gpt2_bytes_to_unicode', 'space_printable', patch(ASSIGNMENT, "gpt2_bytes_to_unicode", 'ord("!"),', 'ord(" "),')),
    ('gpt2_bytes_to_unicode', 'n_from_one', patch(ASSIGNMENT, "gpt2_bytes_to_unicode", "    n = 0", "    n = 1")),
    ('gpt2_bytes_to_unicode', 'inverse_map', r"""
def gpt2_bytes_to_unicode():
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}
"""),
    ('load_gpt2_vocab_merges', 'drops_first_line', patch(ASSIGNMENT, "load_gpt2_vocab_merges",
        '(n == 0 and line.startswith("#version"))', "n == 0")),
    ('load_gpt2_vocab_merges', 'utf8_of_key', patch(ASSIGNMENT, "load_gpt2_vocab_merges",
        "bytes(to_byte[c] for c in token)", 'token.encode("utf-8")')),
    ('load_gpt2_vocab_merges', 'merges_as_str', patch(ASSIGNMENT, "load_gpt2_vocab_merges",
        "bytes(to_byte[c] for c in a), bytes(to_byte[c] for c in b)", "a, b")),
    ('load_gpt2_vocab_merges', 'str_keys', patch(ASSIGNMENT, "load_gpt2_vocab_merges", "{int(i):", "{str(i):")),
    ('load_gpt2_vocab_merges', 'keeps_version_line', patch(ASSIGNMENT, "load_gpt2_vocab_merges", [
        ('(n == 0 and line.startswith("#version"))', "False"),
        ('split(" ")', 'split(" ")[:2]')])),
    ('load_gpt2_vocab_merges', 'token_to_id_direction', patch(ASSIGNMENT, "load_gpt2_vocab_merges",
        "int(i): bytes(to_byte[c] for c in token", "bytes(to_byte[c] for c in token): int(i")),
    ('load_gpt2_vocab_merges', 'sorted_merges', patch(ASSIGNMENT, "load_gpt2_vocab_merges",
        "return vocab, merges", "return vocab, sorted(merges)")),
    ('pretokenize', 'no_special_handling', r"""
def pretokenize(text, special_tokens=None):
    return regex.findall(GPT2_PAT, text)
"""),
    ('pretokenize', 'specials_not_sorted', patch(ASSIGNMENT, "pretokenize",
        "sorted(special_tokens, key=len, reverse=True)", "special_tokens")),
    ('pretokenize', 'specials_not_escaped', patch(ASSIGNMENT, "pretokenize", "regex.escape(s)", "s")),
    ('pretokenize', 'stdlib_re_imitation', r'''
import re
def pretokenize(text, special_tokens=None):
    pat = r"""'(?:[sdmt]|ll|ve|re)| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|\s+(?!\S)|\s+"""
    if special_tokens:
        alt = '|'.join(re.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
        parts = re.split(f'({alt})', text)
    else:
        parts = [text]
    out = []
    for i, p in enumerate(parts):
        if i % 2:
            out.append(p)
        elif p:
            out.extend(re.findall(pat, p))
    return out
'''),
    ('pretokenize', 'drops_specials', patch(ASSIGNMENT, "pretokenize", "pieces.append(part)", "pass")),
    # GPT2_PAT without its \s+(?!\S) alternative
    ('pretokenize', 'no_lookahead_whitespace', patch(ASSIGNMENT, "pretokenize",
        "regex.findall(GPT2_PAT, part)",
        "regex.findall(r\"'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+\", part)")),
    ('pretokenize', 'whitespace_split', r"""
def pretokenize(text, special_tokens=None):
    return regex.findall(r'\s*\S+|\s+', text)
"""),
    ('count_pairs', 'once_per_word', patch(ASSIGNMENT, "count_pairs",
        "for pair in zip(word, word[1:])", "for pair in set(zip(word, word[1:]))")),
    ('count_pairs', 'ignores_word_count', patch(ASSIGNMENT, "count_pairs", "counts[pair] += n", "counts[pair] += 1")),
    ('count_pairs', 'non_overlapping', r"""
def count_pairs(word_counts):
    counts = {}
    for word, n in word_counts.items():
        i = 0
        while i + 1 < len(word):
            pair = (word[i], word[i + 1])
            counts[pair] = counts.get(pair, 0) + n
            i += 2 if word[i] == word[i + 1] else 1
    return counts
"""),
    ('count_pairs', 'across_words', r"""
def count_pairs(word_counts):
    counts = Counter()
    flat = [t for word, n in word_counts.items() for _ in range(n) for t in word]
    for pair in zip(flat, flat[1:]):
        counts[pair] += 1
    return dict(counts)
"""),
    ('count_pairs', 'zero_entries', patch(ASSIGNMENT, "count_pairs",
        "            counts[pair] += n\n",
        "            counts[pair] += n\n"
        "    for word in word_counts:\n"
        "        for t in word:\n"
        "            counts.setdefault((t, t), 0)\n")),
    ('count_pairs', 'pops_input', patch(ASSIGNMENT, "count_pairs",
        "    for word, n in word_counts.items():\n",
        "    while word_counts:\n"
        "        word, n = word_counts.popitem()\n")),
    ('merge_pair', 'overlapping', r"""
def merge_pair(word, pair):
    out = []
    for i in range(len(word) - 1):
        if (word[i], word[i + 1]) == tuple(pair):
            out.append(pair[0] + pair[1])
    return tuple(out) if out else tuple(word)
"""),
    ('merge_pair', 'first_only', r"""
def merge_pair(word, pair):
    for i in range(len(word) - 1):
        if word[i] == pair[0] and word[i + 1] == pair[1]:
            return tuple(word[:i]) + (pair[0] + pair[1],) + tuple(word[i + 2:])
    return tuple(word)
"""),
    ('merge_pair', 'right_to_left', r"""
def merge_pair(word, pair):
    out, i = [], len(word) - 1
    while i >= 0:
        if i >= 1 and word[i - 1] == pair[0] and word[i] == pair[1]:
            out.append(pair[0] + pair[1])
            i -= 2
        else:
            out.append(word[i])
            i -= 1
    return tuple(reversed(out))
"""),
    ('merge_pair', 'bytes_replace', r"""
def merge_pair(word, pair):
    joined = b' '.join(word).replace(pair[0] + b' ' + pair[1], pair[0] + pair[1])
    return tuple(t for t in joined.split(b' ')) if word else ()
"""),
    ('merge_pair', 'returns_list', patch(ASSIGNMENT, "merge_pair", "tuple(out)", "out")),
    ('merge_pair', 'byte_level_match', r"""
def merge_pair(word, pair):
    target = pair[0] + pair[1]
    out, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and word[i][-1:] + word[i + 1][:1] == pair[0][-1:] + pair[1][:1] and word[i] + word[i + 1] == target:
            out.append(target)
            i += 2
        elif i + 1 < len(word) and (word[i] + word[i + 1]).endswith(target):
            out.append(word[i] + word[i + 1])
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)
"""),
    ('merge_pair', 'concat_equality', patch(ASSIGNMENT, "merge_pair", [
        ("    out, i = [], 0\n",
         "    target = pair[0] + pair[1]\n"
         "    out, i = [], 0\n"),
        ("word[i] == pair[0] and word[i + 1] == pair[1]", "word[i] + word[i + 1] == target"),
        ("out.append(pair[0] + pair[1])", "out.append(target)")])),
    ('train_bpe', 'ties_smallest_pair', patch(ASSIGNMENT, "train_bpe",
        "max(pairs.items(), key=lambda kv: (kv[1], kv[0]))", "min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))")),
    ('train_bpe', 'ties_first_seen', patch(ASSIGNMENT, "train_bpe",
        "key=lambda kv: (kv[1], kv[0])", "key=lambda kv: kv[1]")),
    ('train_bpe', 'ties_gpt2_strings', patch(ASSIGNMENT, "train_bpe",
        "key=lambda kv: (kv[1], kv[0])",
        'key=lambda kv: (kv[1], tuple("".join(gpt2_bytes_to_unicode()[b] for b in t) for t in kv[0]))')),
    ('train_bpe', 'specials_kept_in_text', patch(ASSIGNMENT, "train_bpe", "regex.split(alternation, text)", "[text]")),
    ('train_bpe', 'no_pretokenization', patch(ASSIGNMENT, "train_bpe",
        "m.group() for m in regex.finditer(GPT2_PAT, segment)", "[segment]")),
    ('train_bpe', 'vocab_size_excludes_specials', patch(ASSIGNMENT, "train_bpe",
        "while len(vocab) < vocab_size", "while len(merges) < vocab_size - 256")),
    ('train_bpe', 'specials_last', patch(ASSIGNMENT, "train_bpe", [
        ("    for s in special_tokens:\n"
         '        vocab[len(vocab)] = s.encode("utf-8")\n',
         ""),
        ("            words[w] = new\n",
         "            words[w] = new\n"
         "    for s in special_tokens:\n"
         '        vocab[len(vocab)] = s.encode("utf-8")\n')])),
    ('train_bpe', 'naive_recount', r"""
def train_bpe(input_path, vocab_size, special_tokens):
    with open(input_path, encoding='utf-8') as f:
        text = f.read()
    segments = [text]
    if special_tokens:
        alt = '|'.join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
        segments = regex.split(alt, text)
    words = Counter()
    for seg in segments:
        for p in regex.findall(GPT2_PAT, seg):
            words[tuple(bytes([b]) for b in p.encode('utf-8'))] += 1
    vocab = {i: bytes([i]) for i in range(256)}
    for s in special_tokens:
        vocab[len(vocab)] = s.encode('utf-8')
    merges = []
    while len(vocab) < vocab_size:
        pairs = count_pairs(words)
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        vocab[len(vocab)] = best[0] + best[1]
        new = Counter()
        for w, n in words.items():
            new[merge_pair(w, best)] += n
        words = new
    return vocab, merges
"""),
    ('bpe_tokenizer', 'leftmost_pair_first', patch(ASSIGNMENT, "bpe_tokenizer",
        "                    rank, pair = min((self.ranks.get(p, len(self.ranks)), p) for p in zip(tokens, "
        "tokens[1:]))\n",
        "                    cands = [p for p in zip(tokens, tokens[1:]) if p in self.ranks]\n"
        "                    rank, pair = (self.ranks[cands[0]], cands[0]) if cands else (len(self.ranks), None)\n")),
    ('bpe_tokenizer', 'greedy_longest_match', patch(ASSIGNMENT, "bpe_tokenizer",
        '                tokens = [bytes([b]) for b in piece.encode("utf-8")]\n'
        "                while len(tokens) > 1:\n"
        "                    rank, pair = min((self.ranks.get(p, len(self.ranks)), p) for p in zip(tokens, "
        "tokens[1:]))\n"
        "                    if rank == len(self.ranks):\n"
        "                        break\n"
        "                    tokens = list(merge_pair(tokens, pair))\n",
        '                data, tokens, i = piece.encode("utf-8"), [], 0\n'
        "                while i < len(data):\n"
        "                    j = len(data)\n"
        "                    while j > i + 1 and data[i:j] not in self.ids:\n"
        "                        j -= 1\n"
        "                    tokens.append(data[i:j])\n"
        "                    i = j\n")),
    ('bpe_tokenizer', 'byte_is_id', patch(ASSIGNMENT, "bpe_tokenizer",
        "[self.ids[t] for t in tokens]", "[t[0] if len(t) == 1 else self.ids[t] for t in tokens]")),
    ('bpe_tokenizer', 'decode_per_token', patch(ASSIGNMENT, "bpe_tokenizer",
        'b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace"',
        '"".join(self.vocab[i].decode("utf-8", errors="replace") for i in ids')),
    ('bpe_tokenizer', 'specials_not_longest_first', patch(ASSIGNMENT, "bpe_tokenizer",
        "in pretokenize(text, self.special_tokens):",
        "in (pretokenize(text, self.special_tokens[:1]) if self.special_tokens else pretokenize(text)):")),
    ('bpe_tokenizer', 'new_special_id_len_vocab', patch(ASSIGNMENT, "bpe_tokenizer",
        "max(self.vocab) + 1", "len(self.vocab)")),
    ('bpe_tokenizer', 'endoftext_always_special', patch(ASSIGNMENT, "bpe_tokenizer",
        "special_tokens or [])", 'special_tokens or ["<|endoftext|>"])')),
    ('bpe_tokenizer', 'encode_iterable_not_lazy', patch(ASSIGNMENT, "bpe_tokenizer",
        "        for chunk in iterable:\n"
        "            yield from self.encode(chunk)\n",
        '        return iter(self.encode("".join(iterable)))\n')),
    ('bpe_tokenizer', 'encode_iterable_joins_then_yields', patch(ASSIGNMENT, "bpe_tokenizer",
        "        for chunk in iterable:\n"
        "            yield from self.encode(chunk)\n",
        '        yield from self.encode("".join(iterable))\n')),
    ('bpe_tokenizer', 'wraps_tiktoken', r"""
class BPETokenizer:
    def __init__(self, vocab, merges, special_tokens=None):
        self.enc = gpt2_tiktoken()
        self.special_tokens = set(special_tokens or [])
    def encode(self, text):
        return self.enc.encode(text, allowed_special=self.special_tokens, disallowed_special=())
    def encode_iterable(self, iterable):
        for chunk in iterable:
            yield from self.encode(chunk)
    def decode(self, ids):
        return self.enc.decode(ids)
"""),
    ('bpe_tokenizer', 'merges_only_first_pass', patch(ASSIGNMENT, "bpe_tokenizer",
        "                while len(tokens) > 1:\n",
        "                for _ in range(1):\n"
        "                    if len(tokens) < 2:\n"
        "                        break\n")),
    ('wordpiece_tokenize', 'no_hash_prefix', patch(ASSIGNMENT, "wordpiece_tokenize",
        '("##" if start > 0 else "") + ', "")),
    ('wordpiece_tokenize', 'hash_on_first', patch(ASSIGNMENT, "wordpiece_tokenize",
        'sub = ("##" if start > 0 else "") + word[start:end]',
        'sub = "##" + word[start:end] if start > 0 or "##" + word[start:end] in vocab else word[start:end]')),
    ('wordpiece_tokenize', 'shortest_match', r"""
def wordpiece_tokenize(word, vocab, unk_token='[UNK]', max_input_chars_per_word=100):
    if len(word) > max_input_chars_per_word:
        return [unk_token]
    out, start = [], 0
    while start < len(word):
        for end in range(start + 1, len(word) + 1):
            sub = ('##' if start else '') + word[start:end]
            if sub in vocab:
                break
        else:
            return [unk_token]
        out.append(sub)
        start = end
    return out
"""),
    ('wordpiece_tokenize', 'unk_only_the_piece', patch(ASSIGNMENT, "wordpiece_tokenize",
        "            return [unk_token]\n",
        "            pieces.append(unk_token)\n"
        "            start += 1\n"
        "            continue\n")),
    ('wordpiece_tokenize', 'max_chars_off_by_one', patch(ASSIGNMENT, "wordpiece_tokenize",
        "> max_input_chars_per_word", ">= max_input_chars_per_word")),
    ('wordpiece_tokenize', 'max_counts_bytes', patch(ASSIGNMENT, "wordpiece_tokenize",
        "if len(word) >", 'if len(word.encode("utf-8")) >')),
    ('wordpiece_tokenize', 'ignores_unk_token_arg', patch(ASSIGNMENT, "wordpiece_tokenize",
        "            return [unk_token]", "            return ['[UNK]']")),
    ('tokens_per_char', 'inverted', patch(ASSIGNMENT, "tokens_per_char",
        "return len(tokenizer.encode(text)) / len(text)", "return len(text) / len(tokenizer.encode(text))")),
    ('tokens_per_char', 'per_byte', patch(ASSIGNMENT, "tokens_per_char",
        ") / len(text)\n", ') / len(text.encode("utf-8"))\n')),
    ('tokens_per_char', 'integer_division', patch(ASSIGNMENT, "tokens_per_char",
        ") / len(text)\n", ") // len(text)\n")),
    ('tokens_per_char', 'per_word', patch(ASSIGNMENT, "tokens_per_char",
        ") / len(text)\n", ") / max(1, len(text.split()))\n")),
    ('tokens_per_char', 'returns_tensor', patch(ASSIGNMENT, "tokens_per_char",
        "return len(tokenizer.encode(text)) / len(text)",
        "return torch.tensor(len(tokenizer.encode(text)) / len(text))")),
    ('tokens_per_char', 'no_spaces_counted', patch(ASSIGNMENT, "tokens_per_char",
        ") / len(text)\n", ') / len(text.replace(" ", ""))\n')),
    ('bytes_per_token', 'chars_not_bytes', patch(ASSIGNMENT, "bytes_per_token",
        'len(text.encode("utf-8"))', "len(text)")),
    ('bytes_per_token', 'inverted', patch(ASSIGNMENT, "bytes_per_token",
        'return len(text.encode("utf-8")) / len(tokenizer.encode(text))',
        'return len(tokenizer.encode(text)) / len(text.encode("utf-8"))')),
    ('bytes_per_token', 'utf16_bytes', patch(ASSIGNMENT, "bytes_per_token", '"utf-8"', '"utf-16-le"')),
    ('bytes_per_token', 'integer_division', patch(ASSIGNMENT, "bytes_per_token",
        "/ len(tokenizer", "// len(tokenizer")),
    ('bytes_per_token', 'fixed_three_for_non_ascii', patch(ASSIGNMENT, "bytes_per_token",
        'len(text.encode("utf-8"))', "sum(1 if ord(c) < 128 else 3 for c in text)")),
    ('embedding_param_count', 'tied_counts_twice', patch(ASSIGNMENT, "embedding_param_count",
        "vocab_size * d_model * (1 if tied else 2)", "2 * vocab_size * d_model")),
    ('embedding_param_count', 'untied_counts_once', patch(ASSIGNMENT, "embedding_param_count",
        " * (1 if tied else 2)", "")),
    ('embedding_param_count', 'head_bias', patch(ASSIGNMENT, "embedding_param_count",
        "(1 if tied else 2)", "(1 if tied else 2) + vocab_size")),
    ('embedding_param_count', 'inverted_flag', patch(ASSIGNMENT, "embedding_param_count",
        "1 if tied else 2", "2 if tied else 1")),
    ('embedding_param_count', 'returns_float', patch(ASSIGNMENT, "embedding_param_count",
        "(1 if tied else 2)", "(1.0 if tied else 2.0)")),
    ('embedding_param_count', 'vocab_plus_d', patch(ASSIGNMENT, "embedding_param_count",
        "vocab_size * d_model", "(vocab_size + d_model)")),
    ('embedding_lm', 'copy_not_tie', patch(ASSIGNMENT, "embedding_lm",
        "self.lm_head.weight = self.embed.weight", "self.lm_head.weight.data.copy_(self.embed.weight.data)")),
    ('embedding_lm', 'share_data_not_parameter', patch(ASSIGNMENT, "embedding_lm",
        "self.lm_head.weight = self.embed.weight", "self.lm_head.weight.data = self.embed.weight.data")),
    ('embedding_lm', 'default_init', patch(ASSIGNMENT, "embedding_lm", [
        ("nn.init.normal_(self.embed.weight, mean=0.0, std=init_std)", "pass"),
        ("nn.init.normal_(self.lm_head.weight, mean=0.0, std=init_std)", "pass")])),
    ('embedding_lm', 'std_as_variance', patch(ASSIGNMENT, "embedding_lm",
        "std=init_std)", "std=init_std ** 0.5)", count=2)),
    ('embedding_lm', 'untied_head_default_init', patch(ASSIGNMENT, "embedding_lm",
        "nn.init.normal_(self.lm_head.weight, mean=0.0, std=init_std)", "pass")),
    ('embedding_lm', 'scale_by_d', patch(ASSIGNMENT, "embedding_lm", "self.d_model ** 0.5", "self.d_model")),
    ('embedding_lm', 'always_scaled', patch(ASSIGNMENT, "embedding_lm",
        "x * self.d_model ** 0.5 if self.scale_embeddings else x", "x * self.d_model ** 0.5")),
    ('embedding_lm', 'always_tied_logits', patch(ASSIGNMENT, "embedding_lm",
        "lm_head(self.embed_tokens(ids))", "embed_tokens(ids) @ self.embed.weight.T")),
    ('embedding_lm', 'head_with_bias', patch(ASSIGNMENT, "embedding_lm", ", bias=False", "")),
]

RIGHT = [
    ('utf8_encode', 'bytearray_and_table', r"""
def utf8_encode(text):
    out = bytearray()
    for ch in text:
        cp = ord(ch)
        n = 1 if cp < 0x80 else 2 if cp < 0x800 else 3 if cp < 0x10000 else 4
        if n == 1:
            out.append(cp)
            continue
        lead = {2: 0xC0, 3: 0xE0, 4: 0xF0}[n]
        out.append(lead | (cp >> (6 * (n - 1))))
        for k in range(n - 2, -1, -1):
            out.append(0x80 | ((cp >> (6 * k)) & 0x3F))
    return list(out)
"""),
    ('gpt2_bytes_to_unicode', 'openai_original', r"""
def gpt2_bytes_to_unicode():
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b)
            cs.append(2**8 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))
"""),
    ('load_gpt2_vocab_merges', 'split_whitespace_and_read_text', r"""
def load_gpt2_vocab_merges(vocab_path, merges_path):
    dec = {v: k for k, v in gpt2_bytes_to_unicode().items()}
    with open(vocab_path, encoding='utf-8') as f:
        enc = json.load(f)
    vocab = {i: bytes([dec[c] for c in s]) for s, i in enc.items()}
    with open(merges_path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    if lines and lines[0].startswith('#version'):
        lines = lines[1:]
    merges = [tuple(bytes([dec[c] for c in t]) for t in l.split()) for l in lines if l.strip()]
    return vocab, merges
"""),
    ('pretokenize', 'finditer_and_manual_scan', r"""
def pretokenize(text, special_tokens=None):
    specials = sorted(special_tokens or [], key=len, reverse=True)
    out, start, i = [], 0, 0
    while i < len(text):
        hit = next((s for s in specials if text.startswith(s, i)), None)
        if hit is None:
            i += 1
            continue
        out += [m.group() for m in regex.finditer(GPT2_PAT, text[start:i])]
        out.append(hit)
        i += len(hit)
        start = i
    out += [m.group() for m in regex.finditer(GPT2_PAT, text[start:])]
    return out
"""),
    ('count_pairs', 'plain_dict_indices', r"""
def count_pairs(word_counts):
    out = {}
    for w, n in word_counts.items():
        for i in range(len(w) - 1):
            out[w[i], w[i + 1]] = out.get((w[i], w[i + 1]), 0) + n
    return out
"""),
    ('count_pairs', 'returns_counter', r"""
def count_pairs(word_counts):
    c = Counter()
    for w, n in word_counts.items():
        c.update({p: 0 for p in []})
        for p in zip(w, w[1:]):
            c[p] += n
    return c
"""),
    ('merge_pair', 'index_loop', r"""
def merge_pair(word, pair):
    a, b = pair
    out = []
    skip = False
    for i, t in enumerate(word):
        if skip:
            skip = False
            continue
        if t == a and i + 1 < len(word) and word[i + 1] == b:
            out.append(a + b)
            skip = True
        else:
            out.append(t)
    return tuple(out)
"""),
    ('train_bpe', 'heap_free_recount_changed_words', r"""
def train_bpe(input_path, vocab_size, special_tokens):
    text = open(input_path, encoding='utf-8').read()
    for s in special_tokens:
        text = text.replace(s, '\x00SPLIT\x00')
    words = Counter()
    for seg in text.split('\x00SPLIT\x00'):
        for p in regex.findall(GPT2_PAT, seg):
            words[tuple(bytes([b]) for b in p.encode('utf-8'))] += 1
    words = dict(words)
    pairs = Counter(count_pairs(words))
    vocab = {i: bytes([i]) for i in range(256)}
    for s in special_tokens:
        vocab[len(vocab)] = s.encode('utf-8')
    merges = []
    while len(vocab) < vocab_size and pairs:
        count, best = max((c, p) for p, c in pairs.items())
        merges.append(best)
        vocab[len(vocab)] = best[0] + best[1]
        changed = {w: n for w, n in words.items() if any(p == best for p in zip(w, w[1:]))}
        pairs.subtract(Counter(count_pairs(changed)))
        for w, n in changed.items():
            del words[w]
            nw = merge_pair(w, best)
            words[nw] = words.get(nw, 0) + n
            pairs.update(Counter(count_pairs({nw: n})))
        pairs = Counter({p: c for p, c in pairs.items() if c > 0})
    return vocab, merges
"""),
    ('bpe_tokenizer', 'first_occurrence_repeat_and_no_cache', patch(ASSIGNMENT, "bpe_tokenizer", [
        ("                continue\n",
         "                continue\n"
         "            self.cache = {}\n"),
        ("                    tokens = list(merge_pair(tokens, pair))\n",
         "                    i = next(k for k in range(len(tokens) - 1) if (tokens[k], tokens[k + 1]) == pair)\n"
         "                    tokens = tokens[:i] + [pair[0] + pair[1]] + tokens[i + 2:]\n")])),
    ('bpe_tokenizer', 'buffered_stream', patch(ASSIGNMENT, "bpe_tokenizer", [
        ('        """Yield the ids of each chunk (e.g. each line of an open file) lazily."""\n',
         '        """Yield the ids of each chunk (e.g. each line of an open file) lazily."""\n'
         "        buf = []\n"),
        ("            yield from self.encode(chunk)\n",
         "            buf.append(chunk)\n"
         "            if len(buf) == 64:\n"
         '                yield from self.encode("".join(buf))\n'
         "                buf = []\n"
         "        if buf:\n"
         '            yield from self.encode("".join(buf))\n')])),
    ('wordpiece_tokenize', 'recursive', r"""
def wordpiece_tokenize(word, vocab, unk_token='[UNK]', max_input_chars_per_word=100):
    if len(word) > max_input_chars_per_word:
        return [unk_token]
    def go(start):
        if start == len(word):
            return []
        for end in range(len(word), start, -1):
            sub = ('##' if start else '') + word[start:end]
            if sub in vocab:
                rest = go(end)
                return None if rest is None else [sub] + rest
        return None
    out = go(0)
    return [unk_token] if out is None else out
"""),
    ('tokens_per_char', 'float_cast', r"""
def tokens_per_char(tokenizer, text):
    n = sum(1 for _ in tokenizer.encode(text))
    return float(n) / float(len(text))
"""),
    ('bytes_per_token', 'utf8_encode_helper', r"""
def bytes_per_token(tokenizer, text):
    return float(len(bytes(text, 'utf-8'))) / len(list(tokenizer.encode(text)))
"""),
    ('embedding_param_count', 'modules', r"""
def embedding_param_count(vocab_size, d_model, tied=True):
    return vocab_size * d_model + (0 if tied else d_model * vocab_size)
"""),
    ('embedding_lm', 'tie_the_other_way', r'''
class EmbeddingLM(nn.Module):
    """Token embedding + LM head, optionally tied; weights N(0, init_std^2)."""

    def __init__(self, vocab_size, d_model, tie_weights=True, init_std=0.02, scale_embeddings=False):
        super().__init__()
        self.d_model = d_model
        self.scale_embeddings = scale_embeddings
        self.embed = nn.Embedding(vocab_size, d_model)
        self.lm_head = nn.Linear(d_model, vocab_size, bias=False)
        nn.init.normal_(self.lm_head.weight, mean=0.0, std=init_std)
        if tie_weights:
            self.embed.weight = self.lm_head.weight
        else:
            nn.init.normal_(self.embed.weight, mean=0.0, std=init_std)

    def embed_tokens(self, ids):
        """ids (..., L) int64 -> (..., L, d_model)."""
        x = self.embed(ids)                                   # (..., L, d)
        return x * self.d_model ** 0.5 if self.scale_embeddings else x

    def forward(self, ids):
        """ids (..., L) -> logits (..., L, vocab_size)."""
        return nn.functional.linear(self.embed_tokens(ids), self.lm_head.weight)           # (..., L, V)
'''),
]
