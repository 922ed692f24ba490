"""16_tokenization: plausible wrong implementations the tests must catch, and correct variants they must accept."""

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
    ('utf8_encode', 'le_boundaries', r'''
def utf8_encode(text):
    """The UTF-8 bytes of `text` as a list of ints in 0..255, by hand from ord(); "" -> []."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp < 0x80:
            out.append(cp)
        elif cp <= 0x800:
            out += [0xC0 | (cp >> 6), 0x80 | (cp & 0x3F)]
        elif cp < 0x10000:
            out += [0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)]
        else:
            out += [0xF0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3F), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)]
    return out
'''),
    ('utf8_encode', 'no_continuation_mask', r'''
def utf8_encode(text):
    """The UTF-8 bytes of `text` as a list of ints in 0..255, by hand from ord(); "" -> []."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp < 0x80:
            out.append(cp)
        elif cp < 0x800:
            out += [0xC0 | (cp >> 6), 0x80 | (cp & 0x3F)]
        elif cp < 0x10000:
            out += [0xE0 | (cp >> 12), 0x80 | (cp >> 6), 0x80 | (cp & 0x3F)]
        else:
            out += [0xF0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3F), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)]
    return out
'''),
    ('utf8_encode', 'utf16_surrogates', r"""
def utf8_encode(text):
    out = []
    for ch in text:
        cp = ord(ch)
        if cp < 0x80:
            out.append(cp)
        elif cp < 0x800:
            out += [0xC0 | (cp >> 6), 0x80 | (cp & 0x3F)]
        else:
            if cp >= 0x10000:
                cp = 0xFFFD
            out += [0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)]
    return out
"""),
    ('utf8_encode', 'low_bits_first', r'''
def utf8_encode(text):
    """The UTF-8 bytes of `text` as a list of ints in 0..255, by hand from ord(); "" -> []."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp < 0x80:
            out.append(cp)
        elif cp < 0x800:
            out += [0x80 | (cp & 0x3F), 0xC0 | (cp >> 6)]
        elif cp < 0x10000:
            out += [0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)]
        else:
            out += [0xF0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3F), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)]
    return out
'''),
    ('utf8_encode', 'code_points_not_bytes', r"""
def utf8_encode(text):
    return [ord(c) for c in text]
"""),
    ('utf8_encode', 'via_bytes_constructor_codecs', r"""
import codecs
def utf8_encode(text):
    return list(codecs.encode(text, 'utf-8'))
"""),
    ('gpt2_bytes_to_unicode', 'chr_256_plus_b', r'''
def gpt2_bytes_to_unicode():
    """GPT-2's map byte (0..255) -> one printable character."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    mapping = {b: chr(b) for b in printable}
    n = 0
    for b in range(256):
        if b not in mapping:
            mapping[b] = chr(256 + b)
            n += 1
    return dict(sorted(mapping.items()))
'''),
    ('gpt2_bytes_to_unicode', 'identity', r"""
def gpt2_bytes_to_unicode():
    return {b: chr(b) for b in range(256)}
"""),
    ('gpt2_bytes_to_unicode', 'includes_soft_hyphen', r'''
def gpt2_bytes_to_unicode():
    """GPT-2's map byte (0..255) -> one printable character."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("ÿ") + 1))
    mapping = {b: chr(b) for b in printable}
    n = 0
    for b in range(256):
        if b not in mapping:
            mapping[b] = chr(256 + n)
            n += 1
    return dict(sorted(mapping.items()))
'''),
    ('gpt2_bytes_to_unicode', 'space_printable', r'''
def gpt2_bytes_to_unicode():
    """GPT-2's map byte (0..255) -> one printable character."""
    printable = list(range(ord(" "), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    mapping = {b: chr(b) for b in printable}
    n = 0
    for b in range(256):
        if b not in mapping:
            mapping[b] = chr(256 + n)
            n += 1
    return dict(sorted(mapping.items()))
'''),
    ('gpt2_bytes_to_unicode', 'n_from_one', r'''
def gpt2_bytes_to_unicode():
    """GPT-2's map byte (0..255) -> one printable character."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    mapping = {b: chr(b) for b in printable}
    n = 1
    for b in range(256):
        if b not in mapping:
            mapping[b] = chr(256 + n)
            n += 1
    return dict(sorted(mapping.items()))
'''),
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
    ('load_gpt2_vocab_merges', 'drops_first_line', r'''
def load_gpt2_vocab_merges(vocab_path, merges_path):
    """GPT-2's encoder.json / vocab.bpe -> (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]])."""
    to_byte = {c: b for b, c in gpt2_bytes_to_unicode().items()}
    with open(vocab_path, encoding="utf-8") as f:
        encoder = json.load(f)
    vocab = {int(i): bytes(to_byte[c] for c in token) for token, i in encoder.items()}
    merges = []
    with open(merges_path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            line = line.rstrip("\n")
            if not line.strip() or n == 0:
                continue
            a, b = line.split(" ")
            merges.append((bytes(to_byte[c] for c in a), bytes(to_byte[c] for c in b)))
    return vocab, merges
'''),
    ('load_gpt2_vocab_merges', 'utf8_of_key', r'''
def load_gpt2_vocab_merges(vocab_path, merges_path):
    """GPT-2's encoder.json / vocab.bpe -> (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]])."""
    to_byte = {c: b for b, c in gpt2_bytes_to_unicode().items()}
    with open(vocab_path, encoding="utf-8") as f:
        encoder = json.load(f)
    vocab = {int(i): token.encode('utf-8') for token, i in encoder.items()}
    merges = []
    with open(merges_path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            line = line.rstrip("\n")
            if not line.strip() or (n == 0 and line.startswith("#version")):
                continue
            a, b = line.split(" ")
            merges.append((bytes(to_byte[c] for c in a), bytes(to_byte[c] for c in b)))
    return vocab, merges
'''),
    ('load_gpt2_vocab_merges', 'merges_as_str', r'''
def load_gpt2_vocab_merges(vocab_path, merges_path):
    """GPT-2's encoder.json / vocab.bpe -> (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]])."""
    to_byte = {c: b for b, c in gpt2_bytes_to_unicode().items()}
    with open(vocab_path, encoding="utf-8") as f:
        encoder = json.load(f)
    vocab = {int(i): bytes(to_byte[c] for c in token) for token, i in encoder.items()}
    merges = []
    with open(merges_path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            line = line.rstrip("\n")
            if not line.strip() or (n == 0 and line.startswith("#version")):
                continue
            a, b = line.split(" ")
            merges.append((a, b))
    return vocab, merges
'''),
    ('load_gpt2_vocab_merges', 'str_keys', r'''
def load_gpt2_vocab_merges(vocab_path, merges_path):
    """GPT-2's encoder.json / vocab.bpe -> (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]])."""
    to_byte = {c: b for b, c in gpt2_bytes_to_unicode().items()}
    with open(vocab_path, encoding="utf-8") as f:
        encoder = json.load(f)
    vocab = {str(i): bytes(to_byte[c] for c in token) for token, i in encoder.items()}
    merges = []
    with open(merges_path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            line = line.rstrip("\n")
            if not line.strip() or (n == 0 and line.startswith("#version")):
                continue
            a, b = line.split(" ")
            merges.append((bytes(to_byte[c] for c in a), bytes(to_byte[c] for c in b)))
    return vocab, merges
'''),
    ('load_gpt2_vocab_merges', 'keeps_version_line', r'''
def load_gpt2_vocab_merges(vocab_path, merges_path):
    """GPT-2's encoder.json / vocab.bpe -> (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]])."""
    to_byte = {c: b for b, c in gpt2_bytes_to_unicode().items()}
    with open(vocab_path, encoding="utf-8") as f:
        encoder = json.load(f)
    vocab = {int(i): bytes(to_byte[c] for c in token) for token, i in encoder.items()}
    merges = []
    with open(merges_path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            line = line.rstrip("\n")
            if not line.strip() or False:
                continue
            a, b = line.split(" ")[:2]
            merges.append((bytes(to_byte[c] for c in a), bytes(to_byte[c] for c in b)))
    return vocab, merges
'''),
    ('load_gpt2_vocab_merges', 'token_to_id_direction', r'''
def load_gpt2_vocab_merges(vocab_path, merges_path):
    """GPT-2's encoder.json / vocab.bpe -> (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]])."""
    to_byte = {c: b for b, c in gpt2_bytes_to_unicode().items()}
    with open(vocab_path, encoding="utf-8") as f:
        encoder = json.load(f)
    vocab = {bytes(to_byte[c] for c in token): int(i) for token, i in encoder.items()}
    merges = []
    with open(merges_path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            line = line.rstrip("\n")
            if not line.strip() or (n == 0 and line.startswith("#version")):
                continue
            a, b = line.split(" ")
            merges.append((bytes(to_byte[c] for c in a), bytes(to_byte[c] for c in b)))
    return vocab, merges
'''),
    ('load_gpt2_vocab_merges', 'sorted_merges', r'''
def load_gpt2_vocab_merges(vocab_path, merges_path):
    """GPT-2's encoder.json / vocab.bpe -> (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]])."""
    to_byte = {c: b for b, c in gpt2_bytes_to_unicode().items()}
    with open(vocab_path, encoding="utf-8") as f:
        encoder = json.load(f)
    vocab = {int(i): bytes(to_byte[c] for c in token) for token, i in encoder.items()}
    merges = []
    with open(merges_path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            line = line.rstrip("\n")
            if not line.strip() or (n == 0 and line.startswith("#version")):
                continue
            a, b = line.split(" ")
            merges.append((bytes(to_byte[c] for c in a), bytes(to_byte[c] for c in b)))
    return vocab, sorted(merges)
'''),
    ('pretokenize', 'no_special_handling', r"""
def pretokenize(text, special_tokens=None):
    return regex.findall(GPT2_PAT, text)
"""),
    ('pretokenize', 'specials_not_sorted', r'''
def pretokenize(text, special_tokens=None):
    """Cut `text` into pre-tokens: special tokens first (each one piece, longest first), then GPT2_PAT."""
    if special_tokens:
        alternation = "|".join(regex.escape(s) for s in special_tokens)
        parts = regex.split(f"({alternation})", text)
    else:
        parts = [text]
    pieces = []
    for i, part in enumerate(parts):
        if i % 2 == 1:          # a captured special token
            pieces.append(part)
        elif part:
            pieces.extend(regex.findall(GPT2_PAT, part))
    return pieces
'''),
    ('pretokenize', 'specials_not_escaped', r'''
def pretokenize(text, special_tokens=None):
    """Cut `text` into pre-tokens: special tokens first (each one piece, longest first), then GPT2_PAT."""
    if special_tokens:
        alternation = "|".join(s for s in sorted(special_tokens, key=len, reverse=True))
        parts = regex.split(f"({alternation})", text)
    else:
        parts = [text]
    pieces = []
    for i, part in enumerate(parts):
        if i % 2 == 1:          # a captured special token
            pieces.append(part)
        elif part:
            pieces.extend(regex.findall(GPT2_PAT, part))
    return pieces
'''),
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
    ('pretokenize', 'drops_specials', r'''
def pretokenize(text, special_tokens=None):
    """Cut `text` into pre-tokens: special tokens first (each one piece, longest first), then GPT2_PAT."""
    if special_tokens:
        alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
        parts = regex.split(f"({alternation})", text)
    else:
        parts = [text]
    pieces = []
    for i, part in enumerate(parts):
        if i % 2 == 1:          # a captured special token
            pass
        elif part:
            pieces.extend(regex.findall(GPT2_PAT, part))
    return pieces
'''),
    ('pretokenize', 'no_lookahead_whitespace', r'''
def pretokenize(text, special_tokens=None):
    """Cut `text` into pre-tokens: special tokens first (each one piece, longest first), then GPT2_PAT."""
    if special_tokens:
        alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
        parts = regex.split(f"({alternation})", text)
    else:
        parts = [text]
    pieces = []
    for i, part in enumerate(parts):
        if i % 2 == 1:          # a captured special token
            pieces.append(part)
        elif part:
            pieces.extend(regex.findall(r\"\"\"'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+\"\"\", part))
    return pieces
'''),
    ('pretokenize', 'whitespace_split', r"""
def pretokenize(text, special_tokens=None):
    return regex.findall(r'\s*\S+|\s+', text)
"""),
    ('count_pairs', 'once_per_word', r'''
def count_pairs(word_counts):
    """{word (tuple of bytes tokens): count} -> {(left, right): weighted count of adjacent occurrences}."""
    counts = Counter()
    for word, n in word_counts.items():
        for pair in set(zip(word, word[1:])):
            counts[pair] += n
    return dict(counts)
'''),
    ('count_pairs', 'ignores_word_count', r'''
def count_pairs(word_counts):
    """{word (tuple of bytes tokens): count} -> {(left, right): weighted count of adjacent occurrences}."""
    counts = Counter()
    for word, n in word_counts.items():
        for pair in zip(word, word[1:]):
            counts[pair] += 1
    return dict(counts)
'''),
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
    ('count_pairs', 'zero_entries', r'''
def count_pairs(word_counts):
    """{word (tuple of bytes tokens): count} -> {(left, right): weighted count of adjacent occurrences}."""
    counts = Counter()
    for word, n in word_counts.items():
        for pair in zip(word, word[1:]):
            counts[pair] += n
    for word in word_counts:
        for t in word:
            counts.setdefault((t, t), 0)
    return dict(counts)
'''),
    ('count_pairs', 'pops_input', r"""
def count_pairs(word_counts):
    counts = Counter()
    while word_counts:
        word, n = word_counts.popitem()
        for pair in zip(word, word[1:]):
            counts[pair] += n
    return dict(counts)
"""),
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
    ('merge_pair', 'returns_list', r'''
def merge_pair(word, pair):
    """word: tuple of bytes tokens; returns a new tuple with each (pair[0], pair[1]) replaced by their concatenation."""
    out, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and word[i] == pair[0] and word[i + 1] == pair[1]:
            out.append(pair[0] + pair[1])
            i += 2
        else:
            out.append(word[i])
            i += 1
    return out
'''),
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
    ('merge_pair', 'concat_equality', r"""
def merge_pair(word, pair):
    target = pair[0] + pair[1]
    out, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and word[i] + word[i + 1] == target:
            out.append(target)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)
"""),
    ('train_bpe', 'ties_smallest_pair', r'''
def train_bpe(input_path, vocab_size, special_tokens):
    """Byte-level BPE training (CS336 §2.4-2.5) -> (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]])."""
    with open(input_path, encoding="utf-8") as f:
        text = f.read()
    segments = [text]
    if special_tokens:
        alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
        segments = regex.split(alternation, text)        # the special tokens are dropped
    piece_counts = Counter()
    for segment in segments:
        piece_counts.update(m.group() for m in regex.finditer(GPT2_PAT, segment))
    words = [tuple(bytes([b]) for b in piece.encode("utf-8")) for piece in piece_counts]
    counts = list(piece_counts.values())
    vocab = {i: bytes([i]) for i in range(256)}
    for s in special_tokens:
        vocab[len(vocab)] = s.encode("utf-8")
    pairs, where = Counter(), {}                         # pair -> count; pair -> indices of words holding it
    for w, (word, n) in enumerate(zip(words, counts)):
        for pair in zip(word, word[1:]):
            pairs[pair] += n
            where.setdefault(pair, set()).add(w)
    merges = []
    while len(vocab) < vocab_size and pairs:
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        vocab[len(vocab)] = best[0] + best[1]
        for w in where.pop(best):
            old, n = words[w], counts[w]
            new = merge_pair(old, best)
            for pair in zip(old, old[1:]):
                pairs[pair] -= n
                if pairs[pair] == 0:
                    del pairs[pair]
            for pair in zip(new, new[1:]):
                pairs[pair] += n
                where.setdefault(pair, set()).add(w)
            words[w] = new
    return vocab, merges
'''),
    ('train_bpe', 'ties_first_seen', r'''
def train_bpe(input_path, vocab_size, special_tokens):
    """Byte-level BPE training (CS336 §2.4-2.5) -> (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]])."""
    with open(input_path, encoding="utf-8") as f:
        text = f.read()
    segments = [text]
    if special_tokens:
        alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
        segments = regex.split(alternation, text)        # the special tokens are dropped
    piece_counts = Counter()
    for segment in segments:
        piece_counts.update(m.group() for m in regex.finditer(GPT2_PAT, segment))
    words = [tuple(bytes([b]) for b in piece.encode("utf-8")) for piece in piece_counts]
    counts = list(piece_counts.values())
    vocab = {i: bytes([i]) for i in range(256)}
    for s in special_tokens:
        vocab[len(vocab)] = s.encode("utf-8")
    pairs, where = Counter(), {}                         # pair -> count; pair -> indices of words holding it
    for w, (word, n) in enumerate(zip(words, counts)):
        for pair in zip(word, word[1:]):
            pairs[pair] += n
            where.setdefault(pair, set()).add(w)
    merges = []
    while len(vocab) < vocab_size and pairs:
        best = max(pairs.items(), key=lambda kv: kv[1])[0]
        merges.append(best)
        vocab[len(vocab)] = best[0] + best[1]
        for w in where.pop(best):
            old, n = words[w], counts[w]
            new = merge_pair(old, best)
            for pair in zip(old, old[1:]):
                pairs[pair] -= n
                if pairs[pair] == 0:
                    del pairs[pair]
            for pair in zip(new, new[1:]):
                pairs[pair] += n
                where.setdefault(pair, set()).add(w)
            words[w] = new
    return vocab, merges
'''),
    ('train_bpe', 'ties_gpt2_strings', r'''
def train_bpe(input_path, vocab_size, special_tokens):
    """Byte-level BPE training (CS336 §2.4-2.5) -> (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]])."""
    with open(input_path, encoding="utf-8") as f:
        text = f.read()
    segments = [text]
    if special_tokens:
        alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
        segments = regex.split(alternation, text)        # the special tokens are dropped
    piece_counts = Counter()
    for segment in segments:
        piece_counts.update(m.group() for m in regex.finditer(GPT2_PAT, segment))
    words = [tuple(bytes([b]) for b in piece.encode("utf-8")) for piece in piece_counts]
    counts = list(piece_counts.values())
    vocab = {i: bytes([i]) for i in range(256)}
    for s in special_tokens:
        vocab[len(vocab)] = s.encode("utf-8")
    pairs, where = Counter(), {}                         # pair -> count; pair -> indices of words holding it
    for w, (word, n) in enumerate(zip(words, counts)):
        for pair in zip(word, word[1:]):
            pairs[pair] += n
            where.setdefault(pair, set()).add(w)
    merges = []
    while len(vocab) < vocab_size and pairs:
        best = max(pairs.items(), key=lambda kv: (kv[1], tuple(''.join(gpt2_bytes_to_unicode()[b] for b in t) for t in kv[0])))[0]
        merges.append(best)
        vocab[len(vocab)] = best[0] + best[1]
        for w in where.pop(best):
            old, n = words[w], counts[w]
            new = merge_pair(old, best)
            for pair in zip(old, old[1:]):
                pairs[pair] -= n
                if pairs[pair] == 0:
                    del pairs[pair]
            for pair in zip(new, new[1:]):
                pairs[pair] += n
                where.setdefault(pair, set()).add(w)
            words[w] = new
    return vocab, merges
'''),
    ('train_bpe', 'specials_kept_in_text', r'''
def train_bpe(input_path, vocab_size, special_tokens):
    """Byte-level BPE training (CS336 §2.4-2.5) -> (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]])."""
    with open(input_path, encoding="utf-8") as f:
        text = f.read()
    segments = [text]
    if special_tokens:
        alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
        segments = [text]
    piece_counts = Counter()
    for segment in segments:
        piece_counts.update(m.group() for m in regex.finditer(GPT2_PAT, segment))
    words = [tuple(bytes([b]) for b in piece.encode("utf-8")) for piece in piece_counts]
    counts = list(piece_counts.values())
    vocab = {i: bytes([i]) for i in range(256)}
    for s in special_tokens:
        vocab[len(vocab)] = s.encode("utf-8")
    pairs, where = Counter(), {}                         # pair -> count; pair -> indices of words holding it
    for w, (word, n) in enumerate(zip(words, counts)):
        for pair in zip(word, word[1:]):
            pairs[pair] += n
            where.setdefault(pair, set()).add(w)
    merges = []
    while len(vocab) < vocab_size and pairs:
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        vocab[len(vocab)] = best[0] + best[1]
        for w in where.pop(best):
            old, n = words[w], counts[w]
            new = merge_pair(old, best)
            for pair in zip(old, old[1:]):
                pairs[pair] -= n
                if pairs[pair] == 0:
                    del pairs[pair]
            for pair in zip(new, new[1:]):
                pairs[pair] += n
                where.setdefault(pair, set()).add(w)
            words[w] = new
    return vocab, merges
'''),
    ('train_bpe', 'no_pretokenization', r'''
def train_bpe(input_path, vocab_size, special_tokens):
    """Byte-level BPE training (CS336 §2.4-2.5) -> (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]])."""
    with open(input_path, encoding="utf-8") as f:
        text = f.read()
    segments = [text]
    if special_tokens:
        alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
        segments = regex.split(alternation, text)        # the special tokens are dropped
    piece_counts = Counter()
    for segment in segments:
        piece_counts.update([segment])
    words = [tuple(bytes([b]) for b in piece.encode("utf-8")) for piece in piece_counts]
    counts = list(piece_counts.values())
    vocab = {i: bytes([i]) for i in range(256)}
    for s in special_tokens:
        vocab[len(vocab)] = s.encode("utf-8")
    pairs, where = Counter(), {}                         # pair -> count; pair -> indices of words holding it
    for w, (word, n) in enumerate(zip(words, counts)):
        for pair in zip(word, word[1:]):
            pairs[pair] += n
            where.setdefault(pair, set()).add(w)
    merges = []
    while len(vocab) < vocab_size and pairs:
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        vocab[len(vocab)] = best[0] + best[1]
        for w in where.pop(best):
            old, n = words[w], counts[w]
            new = merge_pair(old, best)
            for pair in zip(old, old[1:]):
                pairs[pair] -= n
                if pairs[pair] == 0:
                    del pairs[pair]
            for pair in zip(new, new[1:]):
                pairs[pair] += n
                where.setdefault(pair, set()).add(w)
            words[w] = new
    return vocab, merges
'''),
    ('train_bpe', 'vocab_size_excludes_specials', r'''
def train_bpe(input_path, vocab_size, special_tokens):
    """Byte-level BPE training (CS336 §2.4-2.5) -> (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]])."""
    with open(input_path, encoding="utf-8") as f:
        text = f.read()
    segments = [text]
    if special_tokens:
        alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
        segments = regex.split(alternation, text)        # the special tokens are dropped
    piece_counts = Counter()
    for segment in segments:
        piece_counts.update(m.group() for m in regex.finditer(GPT2_PAT, segment))
    words = [tuple(bytes([b]) for b in piece.encode("utf-8")) for piece in piece_counts]
    counts = list(piece_counts.values())
    vocab = {i: bytes([i]) for i in range(256)}
    for s in special_tokens:
        vocab[len(vocab)] = s.encode("utf-8")
    pairs, where = Counter(), {}                         # pair -> count; pair -> indices of words holding it
    for w, (word, n) in enumerate(zip(words, counts)):
        for pair in zip(word, word[1:]):
            pairs[pair] += n
            where.setdefault(pair, set()).add(w)
    merges = []
    while len(merges) < vocab_size - 256 and pairs:
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        vocab[len(vocab)] = best[0] + best[1]
        for w in where.pop(best):
            old, n = words[w], counts[w]
            new = merge_pair(old, best)
            for pair in zip(old, old[1:]):
                pairs[pair] -= n
                if pairs[pair] == 0:
                    del pairs[pair]
            for pair in zip(new, new[1:]):
                pairs[pair] += n
                where.setdefault(pair, set()).add(w)
            words[w] = new
    return vocab, merges
'''),
    ('train_bpe', 'specials_last', r'''
def train_bpe(input_path, vocab_size, special_tokens):
    """Byte-level BPE training (CS336 §2.4-2.5) -> (vocab: dict[int, bytes], merges: list[tuple[bytes, bytes]])."""
    with open(input_path, encoding="utf-8") as f:
        text = f.read()
    segments = [text]
    if special_tokens:
        alternation = "|".join(regex.escape(s) for s in sorted(special_tokens, key=len, reverse=True))
        segments = regex.split(alternation, text)        # the special tokens are dropped
    piece_counts = Counter()
    for segment in segments:
        piece_counts.update(m.group() for m in regex.finditer(GPT2_PAT, segment))
    words = [tuple(bytes([b]) for b in piece.encode("utf-8")) for piece in piece_counts]
    counts = list(piece_counts.values())
    vocab = {i: bytes([i]) for i in range(256)}
    pairs, where = Counter(), {}                         # pair -> count; pair -> indices of words holding it
    for w, (word, n) in enumerate(zip(words, counts)):
        for pair in zip(word, word[1:]):
            pairs[pair] += n
            where.setdefault(pair, set()).add(w)
    merges = []
    while len(vocab) < vocab_size and pairs:
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        vocab[len(vocab)] = best[0] + best[1]
        for w in where.pop(best):
            old, n = words[w], counts[w]
            new = merge_pair(old, best)
            for pair in zip(old, old[1:]):
                pairs[pair] -= n
                if pairs[pair] == 0:
                    del pairs[pair]
            for pair in zip(new, new[1:]):
                pairs[pair] += n
                where.setdefault(pair, set()).add(w)
            words[w] = new
    for s in special_tokens:
        vocab[len(vocab)] = s.encode('utf-8')
    return vocab, merges
'''),
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
    ('bpe_tokenizer', 'leftmost_pair_first', r'''
class BPETokenizer:
    """Byte-level BPE tokenizer (CS336's Tokenizer): vocab {id: bytes}, merges [(bytes, bytes)], special tokens."""

    def __init__(self, vocab, merges, special_tokens=None):
        self.vocab = dict(vocab)
        self.special_tokens = list(special_tokens or [])
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.ids = {token: i for i, token in self.vocab.items()}
        next_id = max(self.vocab) + 1
        for s in self.special_tokens:
            if s.encode("utf-8") not in self.ids:
                self.vocab[next_id] = s.encode("utf-8")
                self.ids[s.encode("utf-8")] = next_id
                next_id += 1
        self.cache = {}

    def encode(self, text):
        """str -> list[int]."""
        ids = []
        specials = set(self.special_tokens)
        for piece in pretokenize(text, self.special_tokens):
            if piece in specials:
                ids.append(self.ids[piece.encode("utf-8")])
                continue
            if piece not in self.cache:
                tokens = [bytes([b]) for b in piece.encode("utf-8")]
                while len(tokens) > 1:
                    cands = [p for p in zip(tokens, tokens[1:]) if p in self.ranks]
                    rank, pair = (self.ranks[cands[0]], cands[0]) if cands else (len(self.ranks), None)
                    if rank == len(self.ranks):
                        break
                    tokens = list(merge_pair(tokens, pair))
                self.cache[piece] = [self.ids[t] for t in tokens]
            ids.extend(self.cache[piece])
        return ids

    def encode_iterable(self, iterable):
        """Yield the ids of each chunk (e.g. each line of an open file) lazily."""
        for chunk in iterable:
            yield from self.encode(chunk)

    def decode(self, ids):
        """list[int] -> str; invalid UTF-8 becomes U+FFFD."""
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")
'''),
    ('bpe_tokenizer', 'greedy_longest_match', r'''
class BPETokenizer:
    """Byte-level BPE tokenizer (CS336's Tokenizer): vocab {id: bytes}, merges [(bytes, bytes)], special tokens."""

    def __init__(self, vocab, merges, special_tokens=None):
        self.vocab = dict(vocab)
        self.special_tokens = list(special_tokens or [])
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.ids = {token: i for i, token in self.vocab.items()}
        next_id = max(self.vocab) + 1
        for s in self.special_tokens:
            if s.encode("utf-8") not in self.ids:
                self.vocab[next_id] = s.encode("utf-8")
                self.ids[s.encode("utf-8")] = next_id
                next_id += 1
        self.cache = {}

    def encode(self, text):
        """str -> list[int]."""
        ids = []
        specials = set(self.special_tokens)
        for piece in pretokenize(text, self.special_tokens):
            if piece in specials:
                ids.append(self.ids[piece.encode("utf-8")])
                continue
            if piece not in self.cache:
                data, tokens, i = piece.encode("utf-8"), [], 0
                while i < len(data):
                    j = len(data)
                    while j > i + 1 and data[i:j] not in self.ids:
                        j -= 1
                    tokens.append(data[i:j])
                    i = j
                self.cache[piece] = [self.ids[t] for t in tokens]
            ids.extend(self.cache[piece])
        return ids

    def encode_iterable(self, iterable):
        """Yield the ids of each chunk (e.g. each line of an open file) lazily."""
        for chunk in iterable:
            yield from self.encode(chunk)

    def decode(self, ids):
        """list[int] -> str; invalid UTF-8 becomes U+FFFD."""
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")
'''),
    ('bpe_tokenizer', 'byte_is_id', r'''
class BPETokenizer:
    """Byte-level BPE tokenizer (CS336's Tokenizer): vocab {id: bytes}, merges [(bytes, bytes)], special tokens."""

    def __init__(self, vocab, merges, special_tokens=None):
        self.vocab = dict(vocab)
        self.special_tokens = list(special_tokens or [])
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.ids = {token: i for i, token in self.vocab.items()}
        next_id = max(self.vocab) + 1
        for s in self.special_tokens:
            if s.encode("utf-8") not in self.ids:
                self.vocab[next_id] = s.encode("utf-8")
                self.ids[s.encode("utf-8")] = next_id
                next_id += 1
        self.cache = {}

    def encode(self, text):
        """str -> list[int]."""
        ids = []
        specials = set(self.special_tokens)
        for piece in pretokenize(text, self.special_tokens):
            if piece in specials:
                ids.append(self.ids[piece.encode("utf-8")])
                continue
            if piece not in self.cache:
                tokens = [bytes([b]) for b in piece.encode("utf-8")]
                while len(tokens) > 1:
                    rank, pair = min((self.ranks.get(p, len(self.ranks)), p) for p in zip(tokens, tokens[1:]))
                    if rank == len(self.ranks):
                        break
                    tokens = list(merge_pair(tokens, pair))
                self.cache[piece] = [t[0] if len(t) == 1 else self.ids[t] for t in tokens]
            ids.extend(self.cache[piece])
        return ids

    def encode_iterable(self, iterable):
        """Yield the ids of each chunk (e.g. each line of an open file) lazily."""
        for chunk in iterable:
            yield from self.encode(chunk)

    def decode(self, ids):
        """list[int] -> str; invalid UTF-8 becomes U+FFFD."""
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")
'''),
    ('bpe_tokenizer', 'decode_per_token', r'''
class BPETokenizer:
    """Byte-level BPE tokenizer (CS336's Tokenizer): vocab {id: bytes}, merges [(bytes, bytes)], special tokens."""

    def __init__(self, vocab, merges, special_tokens=None):
        self.vocab = dict(vocab)
        self.special_tokens = list(special_tokens or [])
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.ids = {token: i for i, token in self.vocab.items()}
        next_id = max(self.vocab) + 1
        for s in self.special_tokens:
            if s.encode("utf-8") not in self.ids:
                self.vocab[next_id] = s.encode("utf-8")
                self.ids[s.encode("utf-8")] = next_id
                next_id += 1
        self.cache = {}

    def encode(self, text):
        """str -> list[int]."""
        ids = []
        specials = set(self.special_tokens)
        for piece in pretokenize(text, self.special_tokens):
            if piece in specials:
                ids.append(self.ids[piece.encode("utf-8")])
                continue
            if piece not in self.cache:
                tokens = [bytes([b]) for b in piece.encode("utf-8")]
                while len(tokens) > 1:
                    rank, pair = min((self.ranks.get(p, len(self.ranks)), p) for p in zip(tokens, tokens[1:]))
                    if rank == len(self.ranks):
                        break
                    tokens = list(merge_pair(tokens, pair))
                self.cache[piece] = [self.ids[t] for t in tokens]
            ids.extend(self.cache[piece])
        return ids

    def encode_iterable(self, iterable):
        """Yield the ids of each chunk (e.g. each line of an open file) lazily."""
        for chunk in iterable:
            yield from self.encode(chunk)

    def decode(self, ids):
        """list[int] -> str; invalid UTF-8 becomes U+FFFD."""
        return "".join(self.vocab[i].decode("utf-8", errors="replace") for i in ids)
'''),
    ('bpe_tokenizer', 'specials_not_longest_first', r'''
class BPETokenizer:
    """Byte-level BPE tokenizer (CS336's Tokenizer): vocab {id: bytes}, merges [(bytes, bytes)], special tokens."""

    def __init__(self, vocab, merges, special_tokens=None):
        self.vocab = dict(vocab)
        self.special_tokens = list(special_tokens or [])
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.ids = {token: i for i, token in self.vocab.items()}
        next_id = max(self.vocab) + 1
        for s in self.special_tokens:
            if s.encode("utf-8") not in self.ids:
                self.vocab[next_id] = s.encode("utf-8")
                self.ids[s.encode("utf-8")] = next_id
                next_id += 1
        self.cache = {}

    def encode(self, text):
        """str -> list[int]."""
        ids = []
        specials = set(self.special_tokens)
        for piece in (pretokenize(text, self.special_tokens[:1]) if self.special_tokens else pretokenize(text)):
            if piece in specials:
                ids.append(self.ids[piece.encode("utf-8")])
                continue
            if piece not in self.cache:
                tokens = [bytes([b]) for b in piece.encode("utf-8")]
                while len(tokens) > 1:
                    rank, pair = min((self.ranks.get(p, len(self.ranks)), p) for p in zip(tokens, tokens[1:]))
                    if rank == len(self.ranks):
                        break
                    tokens = list(merge_pair(tokens, pair))
                self.cache[piece] = [self.ids[t] for t in tokens]
            ids.extend(self.cache[piece])
        return ids

    def encode_iterable(self, iterable):
        """Yield the ids of each chunk (e.g. each line of an open file) lazily."""
        for chunk in iterable:
            yield from self.encode(chunk)

    def decode(self, ids):
        """list[int] -> str; invalid UTF-8 becomes U+FFFD."""
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")
'''),
    ('bpe_tokenizer', 'new_special_id_len_vocab', r'''
class BPETokenizer:
    """Byte-level BPE tokenizer (CS336's Tokenizer): vocab {id: bytes}, merges [(bytes, bytes)], special tokens."""

    def __init__(self, vocab, merges, special_tokens=None):
        self.vocab = dict(vocab)
        self.special_tokens = list(special_tokens or [])
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.ids = {token: i for i, token in self.vocab.items()}
        next_id = len(self.vocab)
        for s in self.special_tokens:
            if s.encode("utf-8") not in self.ids:
                self.vocab[next_id] = s.encode("utf-8")
                self.ids[s.encode("utf-8")] = next_id
                next_id += 1
        self.cache = {}

    def encode(self, text):
        """str -> list[int]."""
        ids = []
        specials = set(self.special_tokens)
        for piece in pretokenize(text, self.special_tokens):
            if piece in specials:
                ids.append(self.ids[piece.encode("utf-8")])
                continue
            if piece not in self.cache:
                tokens = [bytes([b]) for b in piece.encode("utf-8")]
                while len(tokens) > 1:
                    rank, pair = min((self.ranks.get(p, len(self.ranks)), p) for p in zip(tokens, tokens[1:]))
                    if rank == len(self.ranks):
                        break
                    tokens = list(merge_pair(tokens, pair))
                self.cache[piece] = [self.ids[t] for t in tokens]
            ids.extend(self.cache[piece])
        return ids

    def encode_iterable(self, iterable):
        """Yield the ids of each chunk (e.g. each line of an open file) lazily."""
        for chunk in iterable:
            yield from self.encode(chunk)

    def decode(self, ids):
        """list[int] -> str; invalid UTF-8 becomes U+FFFD."""
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")
'''),
    ('bpe_tokenizer', 'endoftext_always_special', r'''
class BPETokenizer:
    """Byte-level BPE tokenizer (CS336's Tokenizer): vocab {id: bytes}, merges [(bytes, bytes)], special tokens."""

    def __init__(self, vocab, merges, special_tokens=None):
        self.vocab = dict(vocab)
        self.special_tokens = list(special_tokens or ['<|endoftext|>'])
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.ids = {token: i for i, token in self.vocab.items()}
        next_id = max(self.vocab) + 1
        for s in self.special_tokens:
            if s.encode("utf-8") not in self.ids:
                self.vocab[next_id] = s.encode("utf-8")
                self.ids[s.encode("utf-8")] = next_id
                next_id += 1
        self.cache = {}

    def encode(self, text):
        """str -> list[int]."""
        ids = []
        specials = set(self.special_tokens)
        for piece in pretokenize(text, self.special_tokens):
            if piece in specials:
                ids.append(self.ids[piece.encode("utf-8")])
                continue
            if piece not in self.cache:
                tokens = [bytes([b]) for b in piece.encode("utf-8")]
                while len(tokens) > 1:
                    rank, pair = min((self.ranks.get(p, len(self.ranks)), p) for p in zip(tokens, tokens[1:]))
                    if rank == len(self.ranks):
                        break
                    tokens = list(merge_pair(tokens, pair))
                self.cache[piece] = [self.ids[t] for t in tokens]
            ids.extend(self.cache[piece])
        return ids

    def encode_iterable(self, iterable):
        """Yield the ids of each chunk (e.g. each line of an open file) lazily."""
        for chunk in iterable:
            yield from self.encode(chunk)

    def decode(self, ids):
        """list[int] -> str; invalid UTF-8 becomes U+FFFD."""
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")
'''),
    ('bpe_tokenizer', 'encode_iterable_not_lazy', r'''
class BPETokenizer:
    """Byte-level BPE tokenizer (CS336's Tokenizer): vocab {id: bytes}, merges [(bytes, bytes)], special tokens."""

    def __init__(self, vocab, merges, special_tokens=None):
        self.vocab = dict(vocab)
        self.special_tokens = list(special_tokens or [])
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.ids = {token: i for i, token in self.vocab.items()}
        next_id = max(self.vocab) + 1
        for s in self.special_tokens:
            if s.encode("utf-8") not in self.ids:
                self.vocab[next_id] = s.encode("utf-8")
                self.ids[s.encode("utf-8")] = next_id
                next_id += 1
        self.cache = {}

    def encode(self, text):
        """str -> list[int]."""
        ids = []
        specials = set(self.special_tokens)
        for piece in pretokenize(text, self.special_tokens):
            if piece in specials:
                ids.append(self.ids[piece.encode("utf-8")])
                continue
            if piece not in self.cache:
                tokens = [bytes([b]) for b in piece.encode("utf-8")]
                while len(tokens) > 1:
                    rank, pair = min((self.ranks.get(p, len(self.ranks)), p) for p in zip(tokens, tokens[1:]))
                    if rank == len(self.ranks):
                        break
                    tokens = list(merge_pair(tokens, pair))
                self.cache[piece] = [self.ids[t] for t in tokens]
            ids.extend(self.cache[piece])
        return ids

    def encode_iterable(self, iterable):
        """Yield the ids of each chunk (e.g. each line of an open file) lazily."""
        return iter(self.encode("".join(iterable)))

    def decode(self, ids):
        """list[int] -> str; invalid UTF-8 becomes U+FFFD."""
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")
'''),
    ('bpe_tokenizer', 'encode_iterable_joins_then_yields', r'''
class BPETokenizer:
    """Byte-level BPE tokenizer (CS336's Tokenizer): vocab {id: bytes}, merges [(bytes, bytes)], special tokens."""

    def __init__(self, vocab, merges, special_tokens=None):
        self.vocab = dict(vocab)
        self.special_tokens = list(special_tokens or [])
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.ids = {token: i for i, token in self.vocab.items()}
        next_id = max(self.vocab) + 1
        for s in self.special_tokens:
            if s.encode("utf-8") not in self.ids:
                self.vocab[next_id] = s.encode("utf-8")
                self.ids[s.encode("utf-8")] = next_id
                next_id += 1
        self.cache = {}

    def encode(self, text):
        """str -> list[int]."""
        ids = []
        specials = set(self.special_tokens)
        for piece in pretokenize(text, self.special_tokens):
            if piece in specials:
                ids.append(self.ids[piece.encode("utf-8")])
                continue
            if piece not in self.cache:
                tokens = [bytes([b]) for b in piece.encode("utf-8")]
                while len(tokens) > 1:
                    rank, pair = min((self.ranks.get(p, len(self.ranks)), p) for p in zip(tokens, tokens[1:]))
                    if rank == len(self.ranks):
                        break
                    tokens = list(merge_pair(tokens, pair))
                self.cache[piece] = [self.ids[t] for t in tokens]
            ids.extend(self.cache[piece])
        return ids

    def encode_iterable(self, iterable):
        """Yield the ids of each chunk (e.g. each line of an open file) lazily."""
        yield from self.encode("".join(iterable))

    def decode(self, ids):
        """list[int] -> str; invalid UTF-8 becomes U+FFFD."""
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")
'''),
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
    ('bpe_tokenizer', 'merges_only_first_pass', r'''
class BPETokenizer:
    """Byte-level BPE tokenizer (CS336's Tokenizer): vocab {id: bytes}, merges [(bytes, bytes)], special tokens."""

    def __init__(self, vocab, merges, special_tokens=None):
        self.vocab = dict(vocab)
        self.special_tokens = list(special_tokens or [])
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.ids = {token: i for i, token in self.vocab.items()}
        next_id = max(self.vocab) + 1
        for s in self.special_tokens:
            if s.encode("utf-8") not in self.ids:
                self.vocab[next_id] = s.encode("utf-8")
                self.ids[s.encode("utf-8")] = next_id
                next_id += 1
        self.cache = {}

    def encode(self, text):
        """str -> list[int]."""
        ids = []
        specials = set(self.special_tokens)
        for piece in pretokenize(text, self.special_tokens):
            if piece in specials:
                ids.append(self.ids[piece.encode("utf-8")])
                continue
            if piece not in self.cache:
                tokens = [bytes([b]) for b in piece.encode("utf-8")]
                for _ in range(1):
                    if len(tokens) < 2:
                        break
                    rank, pair = min((self.ranks.get(p, len(self.ranks)), p) for p in zip(tokens, tokens[1:]))
                    if rank == len(self.ranks):
                        break
                    tokens = list(merge_pair(tokens, pair))
                self.cache[piece] = [self.ids[t] for t in tokens]
            ids.extend(self.cache[piece])
        return ids

    def encode_iterable(self, iterable):
        """Yield the ids of each chunk (e.g. each line of an open file) lazily."""
        for chunk in iterable:
            yield from self.encode(chunk)

    def decode(self, ids):
        """list[int] -> str; invalid UTF-8 becomes U+FFFD."""
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")
'''),
    ('wordpiece_tokenize', 'no_hash_prefix', r'''
def wordpiece_tokenize(word, vocab, unk_token="[UNK]", max_input_chars_per_word=100):
    """BERT's greedy longest-match-first WordPiece for one word -> list of pieces ("##" marks a continuation)."""
    if len(word) > max_input_chars_per_word:
        return [unk_token]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            sub = word[start:end]
            if sub in vocab:
                found = sub
                break
            end -= 1
        if found is None:
            return [unk_token]
        pieces.append(found)
        start = end
    return pieces
'''),
    ('wordpiece_tokenize', 'hash_on_first', r'''
def wordpiece_tokenize(word, vocab, unk_token="[UNK]", max_input_chars_per_word=100):
    """BERT's greedy longest-match-first WordPiece for one word -> list of pieces ("##" marks a continuation)."""
    if len(word) > max_input_chars_per_word:
        return [unk_token]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            sub = "##" + word[start:end] if start > 0 or "##" + word[start:end] in vocab else word[start:end]
            if sub in vocab:
                found = sub
                break
            end -= 1
        if found is None:
            return [unk_token]
        pieces.append(found)
        start = end
    return pieces
'''),
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
    ('wordpiece_tokenize', 'unk_only_the_piece', r'''
def wordpiece_tokenize(word, vocab, unk_token="[UNK]", max_input_chars_per_word=100):
    """BERT's greedy longest-match-first WordPiece for one word -> list of pieces ("##" marks a continuation)."""
    if len(word) > max_input_chars_per_word:
        return [unk_token]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            sub = ("##" if start > 0 else "") + word[start:end]
            if sub in vocab:
                found = sub
                break
            end -= 1
        if found is None:
            pieces.append(unk_token)
            start += 1
            continue
        pieces.append(found)
        start = end
    return pieces
'''),
    ('wordpiece_tokenize', 'max_chars_off_by_one', r'''
def wordpiece_tokenize(word, vocab, unk_token="[UNK]", max_input_chars_per_word=100):
    """BERT's greedy longest-match-first WordPiece for one word -> list of pieces ("##" marks a continuation)."""
    if len(word) >= max_input_chars_per_word:
        return [unk_token]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            sub = ("##" if start > 0 else "") + word[start:end]
            if sub in vocab:
                found = sub
                break
            end -= 1
        if found is None:
            return [unk_token]
        pieces.append(found)
        start = end
    return pieces
'''),
    ('wordpiece_tokenize', 'max_counts_bytes', r'''
def wordpiece_tokenize(word, vocab, unk_token="[UNK]", max_input_chars_per_word=100):
    """BERT's greedy longest-match-first WordPiece for one word -> list of pieces ("##" marks a continuation)."""
    if len(word.encode('utf-8')) > max_input_chars_per_word:
        return [unk_token]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            sub = ("##" if start > 0 else "") + word[start:end]
            if sub in vocab:
                found = sub
                break
            end -= 1
        if found is None:
            return [unk_token]
        pieces.append(found)
        start = end
    return pieces
'''),
    ('wordpiece_tokenize', 'ignores_unk_token_arg', r'''
def wordpiece_tokenize(word, vocab, unk_token="[UNK]", max_input_chars_per_word=100):
    """BERT's greedy longest-match-first WordPiece for one word -> list of pieces ("##" marks a continuation)."""
    if len(word) > max_input_chars_per_word:
        return [unk_token]
    pieces, start = [], 0
    while start < len(word):
        end, found = len(word), None
        while start < end:
            sub = ("##" if start > 0 else "") + word[start:end]
            if sub in vocab:
                found = sub
                break
            end -= 1
        if found is None:
            return ['[UNK]']
        pieces.append(found)
        start = end
    return pieces
'''),
    ('tokens_per_char', 'inverted', r"""
def tokens_per_char(tokenizer, text):
    return len(text) / len(tokenizer.encode(text))
"""),
    ('tokens_per_char', 'per_byte', r"""
def tokens_per_char(tokenizer, text):
    return len(tokenizer.encode(text)) / len(text.encode('utf-8'))
"""),
    ('tokens_per_char', 'integer_division', r"""
def tokens_per_char(tokenizer, text):
    return len(tokenizer.encode(text)) // len(text)
"""),
    ('tokens_per_char', 'per_word', r"""
def tokens_per_char(tokenizer, text):
    return len(tokenizer.encode(text)) / max(1, len(text.split()))
"""),
    ('tokens_per_char', 'returns_tensor', r"""
def tokens_per_char(tokenizer, text):
    return torch.tensor(len(tokenizer.encode(text)) / len(text))
"""),
    ('tokens_per_char', 'no_spaces_counted', r"""
def tokens_per_char(tokenizer, text):
    return len(tokenizer.encode(text)) / len(text.replace(' ', ''))
"""),
    ('bytes_per_token', 'chars_not_bytes', r"""
def bytes_per_token(tokenizer, text):
    return len(text) / len(tokenizer.encode(text))
"""),
    ('bytes_per_token', 'inverted', r"""
def bytes_per_token(tokenizer, text):
    return len(tokenizer.encode(text)) / len(text.encode('utf-8'))
"""),
    ('bytes_per_token', 'utf16_bytes', r"""
def bytes_per_token(tokenizer, text):
    return len(text.encode('utf-16-le')) / len(tokenizer.encode(text))
"""),
    ('bytes_per_token', 'integer_division', r"""
def bytes_per_token(tokenizer, text):
    return len(text.encode('utf-8')) // len(tokenizer.encode(text))
"""),
    ('bytes_per_token', 'fixed_three_for_non_ascii', r"""
def bytes_per_token(tokenizer, text):
    return sum(1 if ord(c) < 128 else 3 for c in text) / len(tokenizer.encode(text))
"""),
    ('embedding_param_count', 'tied_counts_twice', r"""
def embedding_param_count(vocab_size, d_model, tied=True):
    return 2 * vocab_size * d_model
"""),
    ('embedding_param_count', 'untied_counts_once', r"""
def embedding_param_count(vocab_size, d_model, tied=True):
    return vocab_size * d_model
"""),
    ('embedding_param_count', 'head_bias', r"""
def embedding_param_count(vocab_size, d_model, tied=True):
    return vocab_size * d_model * (1 if tied else 2) + vocab_size
"""),
    ('embedding_param_count', 'inverted_flag', r"""
def embedding_param_count(vocab_size, d_model, tied=True):
    return vocab_size * d_model * (2 if tied else 1)
"""),
    ('embedding_param_count', 'returns_float', r"""
def embedding_param_count(vocab_size, d_model, tied=True):
    return vocab_size * d_model * (1.0 if tied else 2.0)
"""),
    ('embedding_param_count', 'vocab_plus_d', r"""
def embedding_param_count(vocab_size, d_model, tied=True):
    return (vocab_size + d_model) * (1 if tied else 2)
"""),
    ('embedding_lm', 'copy_not_tie', r'''
class EmbeddingLM(nn.Module):
    """Token embedding + LM head, optionally tied; weights N(0, init_std^2)."""

    def __init__(self, vocab_size, d_model, tie_weights=True, init_std=0.02, scale_embeddings=False):
        super().__init__()
        self.d_model = d_model
        self.scale_embeddings = scale_embeddings
        self.embed = nn.Embedding(vocab_size, d_model)
        self.lm_head = nn.Linear(d_model, vocab_size, bias=False)
        nn.init.normal_(self.embed.weight, mean=0.0, std=init_std)
        if tie_weights:
            self.lm_head.weight.data.copy_(self.embed.weight.data)
        else:
            nn.init.normal_(self.lm_head.weight, mean=0.0, std=init_std)

    def embed_tokens(self, ids):
        """ids (..., L) int64 -> (..., L, d_model)."""
        x = self.embed(ids)                                   # (..., L, d)
        return x * self.d_model ** 0.5 if self.scale_embeddings else x

    def forward(self, ids):
        """ids (..., L) -> logits (..., L, vocab_size)."""
        return self.lm_head(self.embed_tokens(ids))           # (..., L, V)
'''),
    ('embedding_lm', 'share_data_not_parameter', r'''
class EmbeddingLM(nn.Module):
    """Token embedding + LM head, optionally tied; weights N(0, init_std^2)."""

    def __init__(self, vocab_size, d_model, tie_weights=True, init_std=0.02, scale_embeddings=False):
        super().__init__()
        self.d_model = d_model
        self.scale_embeddings = scale_embeddings
        self.embed = nn.Embedding(vocab_size, d_model)
        self.lm_head = nn.Linear(d_model, vocab_size, bias=False)
        nn.init.normal_(self.embed.weight, mean=0.0, std=init_std)
        if tie_weights:
            self.lm_head.weight.data = self.embed.weight.data
        else:
            nn.init.normal_(self.lm_head.weight, mean=0.0, std=init_std)

    def embed_tokens(self, ids):
        """ids (..., L) int64 -> (..., L, d_model)."""
        x = self.embed(ids)                                   # (..., L, d)
        return x * self.d_model ** 0.5 if self.scale_embeddings else x

    def forward(self, ids):
        """ids (..., L) -> logits (..., L, vocab_size)."""
        return self.lm_head(self.embed_tokens(ids))           # (..., L, V)
'''),
    ('embedding_lm', 'default_init', r'''
class EmbeddingLM(nn.Module):
    """Token embedding + LM head, optionally tied; weights N(0, init_std^2)."""

    def __init__(self, vocab_size, d_model, tie_weights=True, init_std=0.02, scale_embeddings=False):
        super().__init__()
        self.d_model = d_model
        self.scale_embeddings = scale_embeddings
        self.embed = nn.Embedding(vocab_size, d_model)
        self.lm_head = nn.Linear(d_model, vocab_size, bias=False)
        pass
        if tie_weights:
            self.lm_head.weight = self.embed.weight
        else:
            pass

    def embed_tokens(self, ids):
        """ids (..., L) int64 -> (..., L, d_model)."""
        x = self.embed(ids)                                   # (..., L, d)
        return x * self.d_model ** 0.5 if self.scale_embeddings else x

    def forward(self, ids):
        """ids (..., L) -> logits (..., L, vocab_size)."""
        return self.lm_head(self.embed_tokens(ids))           # (..., L, V)
'''),
    ('embedding_lm', 'std_as_variance', r'''
class EmbeddingLM(nn.Module):
    """Token embedding + LM head, optionally tied; weights N(0, init_std^2)."""

    def __init__(self, vocab_size, d_model, tie_weights=True, init_std=0.02, scale_embeddings=False):
        super().__init__()
        self.d_model = d_model
        self.scale_embeddings = scale_embeddings
        self.embed = nn.Embedding(vocab_size, d_model)
        self.lm_head = nn.Linear(d_model, vocab_size, bias=False)
        nn.init.normal_(self.embed.weight, mean=0.0, std=init_std ** 0.5)
        if tie_weights:
            self.lm_head.weight = self.embed.weight
        else:
            nn.init.normal_(self.lm_head.weight, mean=0.0, std=init_std ** 0.5)

    def embed_tokens(self, ids):
        """ids (..., L) int64 -> (..., L, d_model)."""
        x = self.embed(ids)                                   # (..., L, d)
        return x * self.d_model ** 0.5 if self.scale_embeddings else x

    def forward(self, ids):
        """ids (..., L) -> logits (..., L, vocab_size)."""
        return self.lm_head(self.embed_tokens(ids))           # (..., L, V)
'''),
    ('embedding_lm', 'untied_head_default_init', r'''
class EmbeddingLM(nn.Module):
    """Token embedding + LM head, optionally tied; weights N(0, init_std^2)."""

    def __init__(self, vocab_size, d_model, tie_weights=True, init_std=0.02, scale_embeddings=False):
        super().__init__()
        self.d_model = d_model
        self.scale_embeddings = scale_embeddings
        self.embed = nn.Embedding(vocab_size, d_model)
        self.lm_head = nn.Linear(d_model, vocab_size, bias=False)
        nn.init.normal_(self.embed.weight, mean=0.0, std=init_std)
        if tie_weights:
            self.lm_head.weight = self.embed.weight
        else:
            pass

    def embed_tokens(self, ids):
        """ids (..., L) int64 -> (..., L, d_model)."""
        x = self.embed(ids)                                   # (..., L, d)
        return x * self.d_model ** 0.5 if self.scale_embeddings else x

    def forward(self, ids):
        """ids (..., L) -> logits (..., L, vocab_size)."""
        return self.lm_head(self.embed_tokens(ids))           # (..., L, V)
'''),
    ('embedding_lm', 'scale_by_d', r'''
class EmbeddingLM(nn.Module):
    """Token embedding + LM head, optionally tied; weights N(0, init_std^2)."""

    def __init__(self, vocab_size, d_model, tie_weights=True, init_std=0.02, scale_embeddings=False):
        super().__init__()
        self.d_model = d_model
        self.scale_embeddings = scale_embeddings
        self.embed = nn.Embedding(vocab_size, d_model)
        self.lm_head = nn.Linear(d_model, vocab_size, bias=False)
        nn.init.normal_(self.embed.weight, mean=0.0, std=init_std)
        if tie_weights:
            self.lm_head.weight = self.embed.weight
        else:
            nn.init.normal_(self.lm_head.weight, mean=0.0, std=init_std)

    def embed_tokens(self, ids):
        """ids (..., L) int64 -> (..., L, d_model)."""
        x = self.embed(ids)                                   # (..., L, d)
        return x * self.d_model if self.scale_embeddings else x

    def forward(self, ids):
        """ids (..., L) -> logits (..., L, vocab_size)."""
        return self.lm_head(self.embed_tokens(ids))           # (..., L, V)
'''),
    ('embedding_lm', 'always_scaled', r'''
class EmbeddingLM(nn.Module):
    """Token embedding + LM head, optionally tied; weights N(0, init_std^2)."""

    def __init__(self, vocab_size, d_model, tie_weights=True, init_std=0.02, scale_embeddings=False):
        super().__init__()
        self.d_model = d_model
        self.scale_embeddings = scale_embeddings
        self.embed = nn.Embedding(vocab_size, d_model)
        self.lm_head = nn.Linear(d_model, vocab_size, bias=False)
        nn.init.normal_(self.embed.weight, mean=0.0, std=init_std)
        if tie_weights:
            self.lm_head.weight = self.embed.weight
        else:
            nn.init.normal_(self.lm_head.weight, mean=0.0, std=init_std)

    def embed_tokens(self, ids):
        """ids (..., L) int64 -> (..., L, d_model)."""
        x = self.embed(ids)                                   # (..., L, d)
        return x * self.d_model ** 0.5

    def forward(self, ids):
        """ids (..., L) -> logits (..., L, vocab_size)."""
        return self.lm_head(self.embed_tokens(ids))           # (..., L, V)
'''),
    ('embedding_lm', 'always_tied_logits', r'''
class EmbeddingLM(nn.Module):
    """Token embedding + LM head, optionally tied; weights N(0, init_std^2)."""

    def __init__(self, vocab_size, d_model, tie_weights=True, init_std=0.02, scale_embeddings=False):
        super().__init__()
        self.d_model = d_model
        self.scale_embeddings = scale_embeddings
        self.embed = nn.Embedding(vocab_size, d_model)
        self.lm_head = nn.Linear(d_model, vocab_size, bias=False)
        nn.init.normal_(self.embed.weight, mean=0.0, std=init_std)
        if tie_weights:
            self.lm_head.weight = self.embed.weight
        else:
            nn.init.normal_(self.lm_head.weight, mean=0.0, std=init_std)

    def embed_tokens(self, ids):
        """ids (..., L) int64 -> (..., L, d_model)."""
        x = self.embed(ids)                                   # (..., L, d)
        return x * self.d_model ** 0.5 if self.scale_embeddings else x

    def forward(self, ids):
        """ids (..., L) -> logits (..., L, vocab_size)."""
        return self.embed_tokens(ids) @ self.embed.weight.T           # (..., L, V)
'''),
    ('embedding_lm', 'head_with_bias', r'''
class EmbeddingLM(nn.Module):
    """Token embedding + LM head, optionally tied; weights N(0, init_std^2)."""

    def __init__(self, vocab_size, d_model, tie_weights=True, init_std=0.02, scale_embeddings=False):
        super().__init__()
        self.d_model = d_model
        self.scale_embeddings = scale_embeddings
        self.embed = nn.Embedding(vocab_size, d_model)
        self.lm_head = nn.Linear(d_model, vocab_size)
        nn.init.normal_(self.embed.weight, mean=0.0, std=init_std)
        if tie_weights:
            self.lm_head.weight = self.embed.weight
        else:
            nn.init.normal_(self.lm_head.weight, mean=0.0, std=init_std)

    def embed_tokens(self, ids):
        """ids (..., L) int64 -> (..., L, d_model)."""
        x = self.embed(ids)                                   # (..., L, d)
        return x * self.d_model ** 0.5 if self.scale_embeddings else x

    def forward(self, ids):
        """ids (..., L) -> logits (..., L, vocab_size)."""
        return self.lm_head(self.embed_tokens(ids))           # (..., L, V)
'''),
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
    ('bpe_tokenizer', 'first_occurrence_repeat_and_no_cache', r'''
class BPETokenizer:
    """Byte-level BPE tokenizer (CS336's Tokenizer): vocab {id: bytes}, merges [(bytes, bytes)], special tokens."""

    def __init__(self, vocab, merges, special_tokens=None):
        self.vocab = dict(vocab)
        self.special_tokens = list(special_tokens or [])
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.ids = {token: i for i, token in self.vocab.items()}
        next_id = max(self.vocab) + 1
        for s in self.special_tokens:
            if s.encode("utf-8") not in self.ids:
                self.vocab[next_id] = s.encode("utf-8")
                self.ids[s.encode("utf-8")] = next_id
                next_id += 1
        self.cache = {}

    def encode(self, text):
        """str -> list[int]."""
        ids = []
        specials = set(self.special_tokens)
        for piece in pretokenize(text, self.special_tokens):
            if piece in specials:
                ids.append(self.ids[piece.encode("utf-8")])
                continue
            self.cache = {}
            if piece not in self.cache:
                tokens = [bytes([b]) for b in piece.encode("utf-8")]
                while len(tokens) > 1:
                    rank, pair = min((self.ranks.get(p, len(self.ranks)), p) for p in zip(tokens, tokens[1:]))
                    if rank == len(self.ranks):
                        break
                    i = next(k for k in range(len(tokens) - 1) if (tokens[k], tokens[k + 1]) == pair)
                    tokens = tokens[:i] + [pair[0] + pair[1]] + tokens[i + 2:]
                self.cache[piece] = [self.ids[t] for t in tokens]
            ids.extend(self.cache[piece])
        return ids

    def encode_iterable(self, iterable):
        """Yield the ids of each chunk (e.g. each line of an open file) lazily."""
        for chunk in iterable:
            yield from self.encode(chunk)

    def decode(self, ids):
        """list[int] -> str; invalid UTF-8 becomes U+FFFD."""
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")
'''),
    ('bpe_tokenizer', 'buffered_stream', r'''
class BPETokenizer:
    """Byte-level BPE tokenizer (CS336's Tokenizer): vocab {id: bytes}, merges [(bytes, bytes)], special tokens."""

    def __init__(self, vocab, merges, special_tokens=None):
        self.vocab = dict(vocab)
        self.special_tokens = list(special_tokens or [])
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.ids = {token: i for i, token in self.vocab.items()}
        next_id = max(self.vocab) + 1
        for s in self.special_tokens:
            if s.encode("utf-8") not in self.ids:
                self.vocab[next_id] = s.encode("utf-8")
                self.ids[s.encode("utf-8")] = next_id
                next_id += 1
        self.cache = {}

    def encode(self, text):
        """str -> list[int]."""
        ids = []
        specials = set(self.special_tokens)
        for piece in pretokenize(text, self.special_tokens):
            if piece in specials:
                ids.append(self.ids[piece.encode("utf-8")])
                continue
            if piece not in self.cache:
                tokens = [bytes([b]) for b in piece.encode("utf-8")]
                while len(tokens) > 1:
                    rank, pair = min((self.ranks.get(p, len(self.ranks)), p) for p in zip(tokens, tokens[1:]))
                    if rank == len(self.ranks):
                        break
                    tokens = list(merge_pair(tokens, pair))
                self.cache[piece] = [self.ids[t] for t in tokens]
            ids.extend(self.cache[piece])
        return ids

    def encode_iterable(self, iterable):
        """Yield the ids of each chunk (e.g. each line of an open file) lazily."""
        buf = []
        for chunk in iterable:
            buf.append(chunk)
            if len(buf) == 64:
                yield from self.encode("".join(buf))
                buf = []
        if buf:
            yield from self.encode("".join(buf))

    def decode(self, ids):
        """list[int] -> str; invalid UTF-8 becomes U+FFFD."""
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")
'''),
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
