"""06_efficient_inference: plausible wrong implementations the tests must catch, and correct variants they must accept."""

from mutations._patch import patch

ASSIGNMENT = "06_efficient_inference"

# ---------------------------------------------------------------- KVCache
_KV_WRONG = [
    ("shared_across_layers", """
class KVCache:
    def __init__(self, n_layers):
        self.k = self.v = None

    def update(self, layer, k_new, v_new):
        if self.k is None:
            self.k, self.v = k_new, v_new
        else:
            self.k = torch.cat([self.k, k_new], dim=-2)
            self.v = torch.cat([self.v, v_new], dim=-2)
        return self.k, self.v
"""),
    ("prepends_new_tokens", """
class KVCache:
    def __init__(self, n_layers):
        self.k = [None] * n_layers
        self.v = [None] * n_layers

    def update(self, layer, k_new, v_new):
        if self.k[layer] is None:
            self.k[layer], self.v[layer] = k_new, v_new
        else:
            self.k[layer] = torch.cat([k_new, self.k[layer]], dim=-2)
            self.v[layer] = torch.cat([v_new, self.v[layer]], dim=-2)
        return self.k[layer], self.v[layer]
"""),
    ("overwrites_instead_of_append", """
class KVCache:
    def __init__(self, n_layers):
        self.k = [None] * n_layers
        self.v = [None] * n_layers

    def update(self, layer, k_new, v_new):
        self.k[layer], self.v[layer] = k_new, v_new
        return self.k[layer], self.v[layer]
"""),
    ("class_level_storage", """
class KVCache:
    k = {}
    v = {}

    def __init__(self, n_layers):
        self.n_layers = n_layers

    def update(self, layer, k_new, v_new):
        if layer in self.k:
            self.k[layer] = torch.cat([self.k[layer], k_new], dim=-2)
            self.v[layer] = torch.cat([self.v[layer], v_new], dim=-2)
        else:
            self.k[layer], self.v[layer] = k_new, v_new
        return self.k[layer], self.v[layer]
"""),
    ("cat_on_last_dim", """
class KVCache:
    def __init__(self, n_layers):
        self.k = [None] * n_layers
        self.v = [None] * n_layers

    def update(self, layer, k_new, v_new):
        if self.k[layer] is None:
            self.k[layer], self.v[layer] = k_new, v_new
        else:
            self.k[layer] = torch.cat([self.k[layer], k_new], dim=-1)
            self.v[layer] = torch.cat([self.v[layer], v_new], dim=-1)
        return self.k[layer], self.v[layer]
"""),
    ("keys_returned_as_values", """
class KVCache:
    def __init__(self, n_layers):
        self.k = [None] * n_layers

    def update(self, layer, k_new, v_new):
        self.k[layer] = k_new if self.k[layer] is None else torch.cat([self.k[layer], k_new], dim=-2)
        return self.k[layer], self.k[layer]
"""),
    ("returns_cache_before_append", """
class KVCache:
    def __init__(self, n_layers):
        self.k = [None] * n_layers
        self.v = [None] * n_layers

    def update(self, layer, k_new, v_new):
        if self.k[layer] is None:
            self.k[layer], self.v[layer] = k_new, v_new
            return k_new, v_new
        old_k, old_v = self.k[layer], self.v[layer]
        self.k[layer] = torch.cat([old_k, k_new], dim=-2)
        self.v[layer] = torch.cat([old_v, v_new], dim=-2)
        return old_k, old_v
"""),
    ("float32_buffer", """
class KVCache:
    def __init__(self, n_layers):
        self.k = [None] * n_layers
        self.v = [None] * n_layers

    def update(self, layer, k_new, v_new):
        k_new, v_new = k_new.float(), v_new.float()
        if self.k[layer] is None:
            self.k[layer], self.v[layer] = k_new, v_new
        else:
            self.k[layer] = torch.cat([self.k[layer], k_new], dim=-2)
            self.v[layer] = torch.cat([self.v[layer], v_new], dim=-2)
        return self.k[layer], self.v[layer]
"""),
]

_KV_RIGHT = [
    ("list_of_chunks", """
class KVCache:
    def __init__(self, n_layers):
        self.chunks = [([], []) for _ in range(n_layers)]

    def update(self, layer, k_new, v_new):
        ks, vs = self.chunks[layer]
        ks.append(k_new)
        vs.append(v_new)
        return torch.cat(ks, dim=-2), torch.cat(vs, dim=-2)
"""),
    ("growing_preallocated_buffer", """
class KVCache:
    def __init__(self, n_layers):
        self.buf = {}
        self.length = {}

    def update(self, layer, k_new, v_new):
        n = k_new.shape[-2]
        if layer not in self.buf:
            cap = max(16, 2 * n)
            self.buf[layer] = (k_new.new_empty(*k_new.shape[:-2], cap, k_new.shape[-1]),
                               v_new.new_empty(*v_new.shape[:-2], cap, v_new.shape[-1]))
            self.length[layer] = 0
        kb, vb = self.buf[layer]
        L = self.length[layer]
        if L + n > kb.shape[-2]:
            cap = 2 * (L + n)
            k2 = kb.new_empty(*kb.shape[:-2], cap, kb.shape[-1])
            v2 = vb.new_empty(*vb.shape[:-2], cap, vb.shape[-1])
            k2[..., :L, :] = kb[..., :L, :]
            v2[..., :L, :] = vb[..., :L, :]
            kb, vb = self.buf[layer] = (k2, v2)
        kb[..., L:L + n, :] = k_new
        vb[..., L:L + n, :] = v_new
        self.length[layer] = L + n
        return kb[..., :L + n, :], vb[..., :L + n, :]
"""),
    ("dict_and_dim_2", """
class KVCache:
    def __init__(self, n_layers):
        self.store = {}

    def update(self, layer, k_new, v_new):
        if layer in self.store:
            k, v = self.store[layer]
            k_new, v_new = torch.cat((k, k_new), 2), torch.cat((v, v_new), 2)
        self.store[layer] = (k_new, v_new)
        return k_new, v_new
"""),
]

# ---------------------------------------------------------------- kv_cache_bytes
_BYTES_WRONG = [
    ("forgets_k_and_v", """
def kv_cache_bytes(n_layers, n_kv_heads, d_head, seq_len, batch, bytes_per_el=2):
    return n_layers * n_kv_heads * d_head * seq_len * batch * bytes_per_el
"""),
    ("float_result", """
def kv_cache_bytes(n_layers, n_kv_heads, d_head, seq_len, batch, bytes_per_el=2):
    return float(2 * n_layers * n_kv_heads * d_head * seq_len * batch * bytes_per_el)
"""),
    ("forgets_batch", """
def kv_cache_bytes(n_layers, n_kv_heads, d_head, seq_len, batch, bytes_per_el=2):
    return 2 * n_layers * n_kv_heads * d_head * seq_len * bytes_per_el
"""),
    ("fp32_default", """
def kv_cache_bytes(n_layers, n_kv_heads, d_head, seq_len, batch, bytes_per_el=4):
    return 2 * n_layers * n_kv_heads * d_head * seq_len * batch * bytes_per_el
"""),
    ("gib_not_bytes", """
def kv_cache_bytes(n_layers, n_kv_heads, d_head, seq_len, batch, bytes_per_el=2):
    return 2 * n_layers * n_kv_heads * d_head * seq_len * batch * bytes_per_el // 2 ** 30
"""),
    ("int_truncates_fractional_bytes", """
def kv_cache_bytes(n_layers, n_kv_heads, d_head, seq_len, batch, bytes_per_el=2):
    return 2 * n_layers * n_kv_heads * d_head * seq_len * batch * int(bytes_per_el)
"""),
]

_BYTES_RIGHT = [
    ("math_prod", """
def kv_cache_bytes(n_layers, n_kv_heads, d_head, seq_len, batch, bytes_per_el=2):
    return math.prod([2, n_layers, n_kv_heads, d_head, seq_len, batch, bytes_per_el])
"""),
    ("per_token_times_tokens", """
def kv_cache_bytes(n_layers, n_kv_heads, d_head, seq_len, batch, bytes_per_el=2):
    per_token = 2 * n_layers * n_kv_heads * d_head * bytes_per_el
    return per_token * (seq_len * batch)
"""),
]

# ---------------------------------------------------------------- RollingKVCache
_ROLL_WRONG = [
    ("keeps_whole_history", """
class RollingKVCache:
    def __init__(self, window):
        self.window = window
        self.k = self.v = None

    def update(self, k_new, v_new):
        self.k = k_new if self.k is None else torch.cat([self.k, k_new], -2)
        self.v = v_new if self.v is None else torch.cat([self.v, v_new], -2)
        return self.k[..., -self.window:, :], self.v[..., -self.window:, :]
"""),
    ("newest_first", """
class RollingKVCache:
    def __init__(self, window):
        self.window = window
        self.k = self.v = None

    def update(self, k_new, v_new):
        self.k = k_new if self.k is None else torch.cat([self.k, k_new], -2)
        self.v = v_new if self.v is None else torch.cat([self.v, v_new], -2)
        self.k, self.v = self.k[..., -self.window:, :], self.v[..., -self.window:, :]
        return self.k.flip(-2), self.v.flip(-2)
"""),
    ("ring_order_not_rotated", """
class RollingKVCache:
    def __init__(self, window):
        self.window = window
        self.k = self.v = None
        self.seen = 0

    def update(self, k_new, v_new):
        W = self.window
        if self.k is None:
            self.k = k_new.new_zeros(*k_new.shape[:-2], W, k_new.shape[-1])
            self.v = v_new.new_zeros(*v_new.shape[:-2], W, v_new.shape[-1])
        for i in range(k_new.shape[-2]):
            self.k[..., self.seen % W, :] = k_new[..., i, :]
            self.v[..., self.seen % W, :] = v_new[..., i, :]
            self.seen += 1
        n = min(W, self.seen)
        return self.k[..., :n, :], self.v[..., :n, :]
"""),
    ("window_minus_one", """
class RollingKVCache:
    def __init__(self, window):
        self.window = window
        self.k = self.v = None

    def update(self, k_new, v_new):
        keep = max(self.window - 1, 1)
        self.k = k_new if self.k is None else torch.cat([self.k, k_new], -2)
        self.v = v_new if self.v is None else torch.cat([self.v, v_new], -2)
        self.k, self.v = self.k[..., -keep:, :], self.v[..., -keep:, :]
        return self.k, self.v
"""),
    ("long_chunk_keeps_its_head", """
class RollingKVCache:
    def __init__(self, window):
        self.window = window
        self.k = self.v = None
        self.seen = 0

    def update(self, k_new, v_new):
        W = self.window
        if self.k is None:
            self.k = k_new.new_zeros(*k_new.shape[:-2], W, k_new.shape[-1])
            self.v = v_new.new_zeros(*v_new.shape[:-2], W, v_new.shape[-1])
        n = min(k_new.shape[-2], W)
        slots = torch.arange(self.seen, self.seen + n) % W
        self.k[..., slots, :] = k_new[..., :n, :]
        self.v[..., slots, :] = v_new[..., :n, :]
        self.seen += k_new.shape[-2]
        order = torch.arange(self.seen - min(W, self.seen), self.seen) % W
        return self.k[..., order, :], self.v[..., order, :]
"""),
    ("oldest_window", """
class RollingKVCache:
    def __init__(self, window):
        self.window = window
        self.k = self.v = None

    def update(self, k_new, v_new):
        self.k = k_new if self.k is None else torch.cat([self.k, k_new], -2)
        self.v = v_new if self.v is None else torch.cat([self.v, v_new], -2)
        self.k, self.v = self.k[..., :self.window, :], self.v[..., :self.window, :]
        return self.k, self.v
"""),
]

_ROLL_RIGHT = [
    ("cat_then_slice", """
class RollingKVCache:
    def __init__(self, window):
        self.window = window
        self.k = self.v = None

    def update(self, k_new, v_new):
        self.k = k_new if self.k is None else torch.cat([self.k, k_new], -2)
        self.v = v_new if self.v is None else torch.cat([self.v, v_new], -2)
        self.k = self.k[..., -self.window:, :].clone()
        self.v = self.v[..., -self.window:, :].clone()
        return self.k, self.v
"""),
    ("deque_of_tokens", """
import collections


class RollingKVCache:
    def __init__(self, window):
        self.ks = collections.deque(maxlen=window)
        self.vs = collections.deque(maxlen=window)

    def update(self, k_new, v_new):
        for i in range(k_new.shape[-2]):
            self.ks.append(k_new[..., i:i + 1, :].clone())
            self.vs.append(v_new[..., i:i + 1, :].clone())
        return torch.cat(list(self.ks), -2), torch.cat(list(self.vs), -2)
"""),
    ("ring_with_roll", """
class RollingKVCache:
    def __init__(self, window):
        self.window = window
        self.k = self.v = None
        self.pos = 0

    def update(self, k_new, v_new):
        W = self.window
        if self.k is None:
            self.k = torch.zeros(*k_new.shape[:-2], W, k_new.shape[-1], dtype=k_new.dtype)
            self.v = torch.zeros(*v_new.shape[:-2], W, v_new.shape[-1], dtype=v_new.dtype)
        for i in range(k_new.shape[-2]):
            self.k[..., self.pos % W, :] = k_new[..., i, :]
            self.v[..., self.pos % W, :] = v_new[..., i, :]
            self.pos += 1
        if self.pos < W:
            return self.k[..., :self.pos, :].clone(), self.v[..., :self.pos, :].clone()
        shift = -(self.pos % W)
        return torch.roll(self.k, shift, dims=-2), torch.roll(self.v, shift, dims=-2)
"""),
]

# ---------------------------------------------------------------- PagedKVAllocator
def _paged(old, new):
    return patch(ASSIGNMENT, "paged_kv_allocator", old, new)


_PAGED_WRONG = [
    ("fork_copies_blocks", _paged("""        table = list(self.tables[seq_id])
        for b in table:
            self.ref_count[b] += 1
        self.tables[new_id] = table""", """        if len(self.tables[seq_id]) > len(self.free_blocks):
            raise RuntimeError("out of blocks")
        table = [self.free_blocks.pop() for _ in self.tables[seq_id]]
        for b in table:
            self.ref_count[b] = 1
        self.tables[new_id] = table""")),
    ("no_copy_on_write", _paged("""        if full_or_absent or self.ref_count[table[-1]] > 1:""", """        if full_or_absent:""")),
    ("free_ignores_sharing", _paged("""            self.ref_count[b] -= 1
            if self.ref_count[b] == 0:
                self.free_blocks.append(b)""", """            self.ref_count[b] = 0
            if b not in self.free_blocks:
                self.free_blocks.append(b)""")),
    ("allocate_partial_on_error", _paged("""        if need > len(self.free_blocks):
            raise RuntimeError(f"out of KV blocks: {seq_id!r} needs {need}, {len(self.free_blocks)} free")
        blocks = [self.free_blocks.pop() for _ in range(need)]""", """        blocks = []
        for _ in range(need):
            if not self.free_blocks:
                raise RuntimeError("out of blocks")
            blocks.append(self.free_blocks.pop())""")),
    ("floor_division", _paged("""        need = -(-n_tokens // self.block_size)""", """        need = n_tokens // self.block_size""")),
    ("index_error_when_empty", _paged("""        if full_or_absent or self.ref_count[table[-1]] > 1:
            if not self.free_blocks:
                raise RuntimeError(f"out of KV blocks: cannot append to {seq_id!r}")""",
                                      """        if full_or_absent or self.ref_count[table[-1]] > 1:""")),
    ("copy_on_write_leaks_old_block", _paged("""                self.ref_count[table[-1]] -= 1
                table[-1] = b""", """                table[-1] = b""")),
    ("new_block_one_token_early", _paged("""        full_or_absent = n % self.block_size == 0""",
                                         """        full_or_absent = not table or (n + 1) % self.block_size == 0""")),
    ("copies_shared_full_blocks_too", _paged("""        if full_or_absent or self.ref_count[table[-1]] > 1:
            if not self.free_blocks:
                raise RuntimeError(f"out of KV blocks: cannot append to {seq_id!r}")
            b = self.free_blocks.pop()
            self.ref_count[b] = 1
            if full_or_absent:
                table.append(b)
            else:                                    # copy-on-write: (a real engine copies the block's K/V here)
                self.ref_count[table[-1]] -= 1
                table[-1] = b""", """        if table and self.ref_count[table[-1]] > 1:
            if not self.free_blocks:
                raise RuntimeError("out of blocks")
            b = self.free_blocks.pop()
            self.ref_count[b] = 1
            self.ref_count[table[-1]] -= 1
            table[-1] = b
        if full_or_absent:
            if not self.free_blocks:
                raise RuntimeError("out of blocks")
            b = self.free_blocks.pop()
            self.ref_count[b] = 1
            table.append(b)""")),
]

_PAGED_RIGHT = [
    ("fifo_pool_and_counter", """
import collections


class PagedKVAllocator:
    def __init__(self, num_blocks, block_size):
        self.bs = block_size
        self.pool = collections.deque(range(num_blocks))
        self.refs = collections.Counter()
        self.seqs = {}

    def num_free_blocks(self):
        return len(self.pool)

    def _take(self, n):
        if n > len(self.pool):
            raise MemoryErrorLike(f"need {n} blocks, {len(self.pool)} free")
        out = [self.pool.popleft() for _ in range(n)]
        for b in out:
            self.refs[b] = 1
        return out

    def allocate(self, seq_id, n_tokens):
        self.seqs[seq_id] = [self._take(math.ceil(n_tokens / self.bs)), n_tokens]

    def append_token(self, seq_id):
        blocks, n = self.seqs[seq_id]
        if n % self.bs == 0:
            blocks += self._take(1)
        elif self.refs[blocks[-1]] > 1:
            new = self._take(1)[0]
            self.refs[blocks[-1]] -= 1
            blocks[-1] = new
        self.seqs[seq_id][1] = n + 1

    def fork(self, seq_id, new_id):
        blocks, n = self.seqs[seq_id]
        self.refs.update(blocks)
        self.seqs[new_id] = [list(blocks), n]

    def free(self, seq_id):
        for b in self.seqs.pop(seq_id)[0]:
            self.refs[b] -= 1
            if self.refs[b] == 0:
                del self.refs[b]
                self.pool.append(b)

    def block_table(self, seq_id):
        return list(self.seqs[seq_id][0])


class MemoryErrorLike(RuntimeError):
    pass
"""),
    ("opaque_ids_from_1000_in_a_set", patch(ASSIGNMENT, "paged_kv_allocator", [
        ("self.free_blocks = list(range(num_blocks - 1, -1, -1))",
         "self.free_blocks = list(range(1000 + num_blocks - 1, 999, -1))"),
        ("self.ref_count = [0] * num_blocks", "self.ref_count = {b: 0 for b in self.free_blocks}")])),
]

# ---------------------------------------------------------------- padding_waste
_PAD_WRONG = [
    ("divides_by_real_tokens", """
def padding_waste(lengths, batch_size, sort_by_length=False):
    lengths = sorted(lengths) if sort_by_length else list(lengths)
    pad = 0
    for s in range(0, len(lengths), batch_size):
        b = lengths[s:s + batch_size]
        pad += len(b) * max(b) - sum(b)
    return pad / sum(lengths)
"""),
    ("global_max", """
def padding_waste(lengths, batch_size, sort_by_length=False):
    m = max(lengths)
    return (len(lengths) * m - sum(lengths)) / (len(lengths) * m)
"""),
    ("last_batch_padded_to_full_size", """
def padding_waste(lengths, batch_size, sort_by_length=False):
    lengths = sorted(lengths) if sort_by_length else list(lengths)
    pad = slots = 0
    for s in range(0, len(lengths), batch_size):
        b = lengths[s:s + batch_size]
        slots += batch_size * max(b)
        pad += batch_size * max(b) - sum(b)
    return pad / slots
"""),
    ("sorts_in_place", """
def padding_waste(lengths, batch_size, sort_by_length=False):
    if sort_by_length:
        lengths.sort()
    pad = slots = 0
    for s in range(0, len(lengths), batch_size):
        b = lengths[s:s + batch_size]
        slots += len(b) * max(b)
        pad += len(b) * max(b) - sum(b)
    return pad / slots
"""),
    ("sorts_descending", """
def padding_waste(lengths, batch_size, sort_by_length=False):
    lengths = sorted(lengths, reverse=True) if sort_by_length else list(lengths)
    pad = slots = 0
    for s in range(0, len(lengths), batch_size):
        b = lengths[s:s + batch_size]
        slots += len(b) * max(b)
        pad += len(b) * max(b) - sum(b)
    return pad / slots
"""),
    ("returns_utilisation", """
def padding_waste(lengths, batch_size, sort_by_length=False):
    lengths = sorted(lengths) if sort_by_length else list(lengths)
    slots = sum(len(lengths[s:s + batch_size]) * max(lengths[s:s + batch_size])
                for s in range(0, len(lengths), batch_size))
    return sum(lengths) / slots
"""),
]

_PAD_RIGHT = [
    ("tensor_ops", """
def padding_waste(lengths, batch_size, sort_by_length=False):
    x = torch.tensor(list(lengths), dtype=torch.float64)
    if sort_by_length:
        x = x.sort().values
    n = len(x)
    pad_to = (n + batch_size - 1) // batch_size * batch_size
    padded = torch.cat([x, torch.zeros(pad_to - n, dtype=torch.float64)]).view(-1, batch_size)
    rows = torch.cat([torch.ones(n), torch.zeros(pad_to - n)]).view(-1, batch_size).sum(1).double()
    slots = (padded.amax(1) * rows).sum()
    return float((slots - x.sum()) / slots)
"""),
    ("fractions_exact", """
from fractions import Fraction


def padding_waste(lengths, batch_size, sort_by_length=False):
    seq = sorted(lengths) if sort_by_length else lengths
    groups = [seq[i:i + batch_size] for i in range(0, len(seq), batch_size)]
    slots = sum(len(g) * max(g) for g in groups)
    return float(Fraction(slots - sum(seq), slots))
"""),
]

# ---------------------------------------------------------------- static batching
_STATIC_WRONG = [
    ("batch_time_is_sum", """
def simulate_static_batching(output_lens, batch_size):
    finish, start = [], 0
    for first in range(0, len(output_lens), batch_size):
        batch = output_lens[first:first + batch_size]
        finish.extend(start + n for n in batch)
        start += sum(batch)
    return finish
"""),
    ("finish_relative_to_batch", """
def simulate_static_batching(output_lens, batch_size):
    return [int(n) for n in output_lens]
"""),
    ("everyone_finishes_at_batch_end", """
def simulate_static_batching(output_lens, batch_size):
    finish, start = [], 0
    for first in range(0, len(output_lens), batch_size):
        batch = output_lens[first:first + batch_size]
        start += max(batch)
        finish.extend(start for _ in batch)
    return finish
"""),
    ("zero_based_steps", """
def simulate_static_batching(output_lens, batch_size):
    finish, start = [], 0
    for first in range(0, len(output_lens), batch_size):
        batch = output_lens[first:first + batch_size]
        finish.extend(start + n - 1 for n in batch)
        start += max(batch)
    return finish
"""),
    ("sorts_requests_by_length", """
def simulate_static_batching(output_lens, batch_size):
    order = sorted(range(len(output_lens)), key=lambda i: output_lens[i])
    finish, start = [0] * len(output_lens), 0
    for first in range(0, len(order), batch_size):
        idx = order[first:first + batch_size]
        for i in idx:
            finish[i] = start + output_lens[i]
        start += max(output_lens[i] for i in idx)
    return finish
"""),
]

_STATIC_RIGHT = [
    ("numpy_cumsum", """
import numpy as np


def simulate_static_batching(output_lens, batch_size):
    lens = np.asarray(output_lens, dtype=np.int64)
    if lens.size == 0:
        return []
    batch_ids = np.arange(lens.size) // batch_size
    maxes = np.array([lens[batch_ids == b].max() for b in range(batch_ids[-1] + 1)])
    starts = np.concatenate([[0], np.cumsum(maxes)[:-1]])
    return [int(x) for x in starts[batch_ids] + lens]
"""),
]

# ---------------------------------------------------------------- continuous batching
_CONT_WRONG = [
    ("refills_only_when_batch_empty", """
def simulate_continuous_batching(output_lens, max_batch):
    finish, start = [], 0
    for first in range(0, len(output_lens), max_batch):
        batch = output_lens[first:first + max_batch]
        finish.extend(start + n for n in batch)
        start += max(batch)
    return finish
"""),
    ("one_idle_step_before_refill", """
def simulate_continuous_batching(output_lens, max_batch):
    finish = [0] * len(output_lens)
    free_at = [0] * max_batch
    for i, n in enumerate(output_lens):
        s = min(range(max_batch), key=lambda j: free_at[j])
        start = free_at[s] + (1 if free_at[s] > 0 else 0)
        finish[i] = start + n
        free_at[s] = finish[i]
    return finish
"""),
    ("lifo_queue", """
def simulate_continuous_batching(output_lens, max_batch):
    finish = [0] * len(output_lens)
    remaining, queue, step = {}, list(range(len(output_lens))), 0
    first = True
    while queue or remaining:
        step += 1
        while queue and len(remaining) < max_batch:
            i = queue.pop(0) if first else queue.pop()
            remaining[i] = output_lens[i]
        first = False
        for i in list(remaining):
            remaining[i] -= 1
            if remaining[i] == 0:
                finish[i] = step
                del remaining[i]
    return finish
"""),
    ("shortest_job_first", """
def simulate_continuous_batching(output_lens, max_batch):
    finish = [0] * len(output_lens)
    remaining, step = {}, 0
    queue = sorted(range(len(output_lens)), key=lambda i: output_lens[i])
    while queue or remaining:
        step += 1
        while queue and len(remaining) < max_batch:
            i = queue.pop(0)
            remaining[i] = output_lens[i]
        for i in list(remaining):
            remaining[i] -= 1
            if remaining[i] == 0:
                finish[i] = step
                del remaining[i]
    return finish
"""),
    ("admits_one_too_many", """
def simulate_continuous_batching(output_lens, max_batch):
    finish = [0] * len(output_lens)
    remaining, queue, step = {}, list(range(len(output_lens))), 0
    while queue or remaining:
        step += 1
        while queue and len(remaining) <= max_batch:
            i = queue.pop(0)
            remaining[i] = output_lens[i]
        for i in list(remaining):
            remaining[i] -= 1
            if remaining[i] == 0:
                finish[i] = step
                del remaining[i]
    return finish
"""),
    ("finish_one_step_late", """
def simulate_continuous_batching(output_lens, max_batch):
    finish = [0] * len(output_lens)
    remaining, queue, step = {}, list(range(len(output_lens))), 0
    while queue or remaining:
        step += 1
        while queue and len(remaining) < max_batch:
            i = queue.pop(0)
            remaining[i] = output_lens[i] + 1
        for i in list(remaining):
            remaining[i] -= 1
            if remaining[i] == 0:
                finish[i] = step
                del remaining[i]
    return finish
"""),
]

_CONT_RIGHT = [
    ("heap_of_slot_free_times", """
import heapq


def simulate_continuous_batching(output_lens, max_batch):
    slots = [0] * min(max_batch, max(len(output_lens), 1))
    out = []
    for n in output_lens:
        t = heapq.heappop(slots)
        out.append(t + n)
        heapq.heappush(slots, t + n)
    return out
"""),
    ("slot_array_step_loop", """
def simulate_continuous_batching(output_lens, max_batch):
    slots = [None] * max_batch           # (request, tokens left)
    nxt, done, step = 0, 0, 0
    finish = [0] * len(output_lens)
    while done < len(output_lens):
        step += 1
        for s in range(max_batch):
            if slots[s] is None and nxt < len(output_lens):
                slots[s] = [nxt, output_lens[nxt]]
                nxt += 1
        for s in range(max_batch):
            if slots[s] is not None:
                slots[s][1] -= 1
                if slots[s][1] == 0:
                    finish[slots[s][0]] = step
                    slots[s] = None
                    done += 1
    return finish
"""),
]

# ---------------------------------------------------------------- top_k_filter
_TOPK_WRONG = [
    ("keeps_k_minus_1", """
def top_k_filter(logits, k):
    if k >= logits.shape[-1]:
        return logits.clone()
    kth = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits <= kth, float("-inf"))
"""),
    ("zero_instead_of_minus_inf", """
def top_k_filter(logits, k):
    if k >= logits.shape[-1]:
        return logits.clone()
    kth = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth, 0.0)
"""),
    ("modifies_input", """
def top_k_filter(logits, k):
    if k >= logits.shape[-1]:
        return logits
    kth = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill_(logits < kth, float("-inf"))
"""),
    ("no_k_ge_vocab_case", """
def top_k_filter(logits, k):
    kth = logits.topk(k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth, float("-inf"))
"""),
    ("keeps_smallest", """
def top_k_filter(logits, k):
    if k >= logits.shape[-1]:
        return logits.clone()
    idx = logits.topk(k, dim=-1, largest=False).indices
    keep = torch.zeros_like(logits, dtype=torch.bool).scatter(-1, idx, True)
    return logits.masked_fill(~keep, float("-inf"))
"""),
    ("returns_sorted_values", """
def top_k_filter(logits, k):
    k = min(k, logits.shape[-1])
    vals = logits.topk(k, dim=-1).values
    return torch.cat([vals, torch.full_like(logits[..., k:], float("-inf"))], dim=-1)
"""),
]

_TOPK_RIGHT = [
    ("sort_threshold", """
def top_k_filter(logits, k):
    k = min(k, logits.shape[-1])
    kth = logits.sort(dim=-1, descending=True).values[..., k - 1:k]
    return torch.where(logits >= kth, logits, torch.full_like(logits, float("-inf")))
"""),
    ("scatter_onto_minus_inf", """
def top_k_filter(logits, k):
    top = logits.topk(min(k, logits.shape[-1]), dim=-1)
    return torch.full_like(logits, float("-inf")).scatter(-1, top.indices, top.values)
"""),
]

# ---------------------------------------------------------------- top_p_filter
_TOPP_WRONG = [
    ("drops_crossing_token", """
def top_p_filter(logits, p):
    sorted_logits, order = logits.sort(dim=-1, descending=True)
    cum = torch.softmax(sorted_logits, -1).cumsum(-1)
    remove_sorted = cum > p
    remove = remove_sorted.scatter(-1, order, remove_sorted)
    return logits.masked_fill(remove, float("-inf"))
"""),
    ("cumsum_of_raw_logits", """
def top_p_filter(logits, p):
    sorted_logits, order = logits.sort(dim=-1, descending=True)
    cum = sorted_logits.cumsum(-1)
    remove_sorted = (cum - sorted_logits) >= p
    remove_sorted[..., 0] = False
    remove = remove_sorted.scatter(-1, order, remove_sorted)
    return logits.masked_fill(remove, float("-inf"))
"""),
    ("unnormalised_exp", """
def top_p_filter(logits, p):
    sorted_logits, order = logits.sort(dim=-1, descending=True)
    e = sorted_logits.exp()
    remove_sorted = (e.cumsum(-1) - e) >= p
    remove_sorted[..., 0] = False
    remove = remove_sorted.scatter(-1, order, remove_sorted)
    return logits.masked_fill(remove, float("-inf"))
"""),
    ("not_scattered_back", """
def top_p_filter(logits, p):
    sorted_logits, order = logits.sort(dim=-1, descending=True)
    probs = torch.softmax(sorted_logits, -1)
    remove_sorted = (probs.cumsum(-1) - probs) >= p
    remove_sorted[..., 0] = False
    return logits.masked_fill(remove_sorted, float("-inf"))
"""),
    ("keeps_the_least_probable", """
def top_p_filter(logits, p):
    sorted_logits, order = logits.sort(dim=-1)
    probs = torch.softmax(sorted_logits, -1)
    remove_sorted = (probs.cumsum(-1) - probs) >= p
    remove_sorted[..., 0] = False
    remove = remove_sorted.scatter(-1, order, remove_sorted)
    return logits.masked_fill(remove, float("-inf"))
"""),
    ("modifies_input", """
def top_p_filter(logits, p):
    sorted_logits, order = logits.sort(dim=-1, descending=True)
    probs = torch.softmax(sorted_logits, -1)
    remove_sorted = (probs.cumsum(-1) - probs) >= p
    remove_sorted[..., 0] = False
    remove = remove_sorted.scatter(-1, order, remove_sorted)
    return logits.masked_fill_(remove, float("-inf"))
"""),
]

_TOPP_RIGHT = [
    ("hf_ascending_sort", """
def top_p_filter(logits, p):
    sorted_logits, order = torch.sort(logits, descending=False)
    cum = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    remove_sorted = cum <= (1 - p)
    remove_sorted[..., -1:] = False
    remove = remove_sorted.scatter(-1, order, remove_sorted)
    return logits.masked_fill(remove, float("-inf"))
"""),
    ("row_loop_float64", """
def top_p_filter(logits, p):
    flat = logits.reshape(-1, logits.shape[-1])
    out = torch.full_like(flat, float("-inf"))
    for r in range(flat.shape[0]):
        probs = torch.softmax(flat[r].double(), -1)
        mass = 0.0
        for i in torch.argsort(probs, descending=True).tolist():
            out[r, i] = flat[r, i]
            mass += probs[i].item()
            if mass >= p:
                break
    return out.reshape(logits.shape)
"""),
]

# ---------------------------------------------------------------- sample
def _sample(old, new):
    return patch(ASSIGNMENT, "sample", old, new)


_SAMPLE_WRONG = [
    ("multiplies_by_temperature", _sample("z = logits / temperature", "z = logits * temperature")),
    ("top_p_before_top_k", _sample("""    if top_k is not None:
        z = top_k_filter(z, top_k)
    if top_p is not None:
        z = top_p_filter(z, top_p)""", """    if top_p is not None:
        z = top_p_filter(z, top_p)
    if top_k is not None:
        z = top_k_filter(z, top_k)""")),
    ("ignores_generator", _sample("torch.multinomial(probs, 1, generator=generator)", "torch.multinomial(probs, 1)")),
    ("keeps_trailing_dim", _sample(".reshape(logits.shape[:-1])", ".reshape(*logits.shape[:-1], 1)")),
    ("top_p_ignored_with_top_k", _sample("""    if top_p is not None:
        z = top_p_filter(z, top_p)""", """    elif top_p is not None:
        z = top_p_filter(z, top_p)""")),
    ("no_greedy_case", _sample("""    if temperature == 0:
        return logits.argmax(dim=-1)
""", "")),
    ("temperature_after_filters", _sample("""    z = logits / temperature
    if top_k is not None:
        z = top_k_filter(z, top_k)
    if top_p is not None:
        z = top_p_filter(z, top_p)""", """    z = logits
    if top_k is not None:
        z = top_k_filter(z, top_k)
    if top_p is not None:
        z = top_p_filter(z, top_p)
    z = z / temperature""")),
    ("no_flatten_for_batch_dims", _sample("""\
    probs = torch.softmax(z, dim=-1).reshape(-1, logits.shape[-1])         # (N, V)
    draws = torch.multinomial(probs, 1, generator=generator)               # (N, 1)
    return draws.reshape(logits.shape[:-1])""",
                                          """    probs = torch.softmax(z, dim=-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)""")),
]

_SAMPLE_RIGHT = [
    ("gumbel_max", """
def sample(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    if temperature == 0:
        return logits.argmax(dim=-1)
    z = logits.double() / temperature
    if top_k is not None:
        z = top_k_filter(z, top_k)
    if top_p is not None:
        z = top_p_filter(z, top_p)
    u = torch.rand(z.shape, generator=generator, dtype=torch.float64).clamp_min(1e-300)
    return (z - torch.log(-torch.log(u))).argmax(dim=-1)
"""),
    ("inverse_cdf", """
def sample(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    if temperature == 0:
        return logits.argmax(-1)
    z = logits / temperature
    if top_k is not None:
        z = top_k_filter(z, top_k)
    if top_p is not None:
        z = top_p_filter(z, top_p)
    cdf = torch.softmax(z.double(), -1).cumsum(-1)
    u = torch.rand(*z.shape[:-1], 1, generator=generator, dtype=torch.float64) * cdf[..., -1:]
    idx = torch.searchsorted(cdf, u, right=True).squeeze(-1)
    return idx.clamp_max(z.shape[-1] - 1)
"""),
]


def _tag(cell, variants):
    return [(cell, name, code) for name, code in variants]


WRONG = (_tag("kv_cache", _KV_WRONG) + _tag("kv_cache_bytes", _BYTES_WRONG) + _tag("rolling_kv_cache", _ROLL_WRONG)
         + _tag("paged_kv_allocator", _PAGED_WRONG) + _tag("padding_waste", _PAD_WRONG)
         + _tag("simulate_static_batching", _STATIC_WRONG) + _tag("simulate_continuous_batching", _CONT_WRONG)
         + _tag("top_k_filter", _TOPK_WRONG) + _tag("top_p_filter", _TOPP_WRONG) + _tag("sample", _SAMPLE_WRONG))

RIGHT = (_tag("kv_cache", _KV_RIGHT) + _tag("kv_cache_bytes", _BYTES_RIGHT) + _tag("rolling_kv_cache", _ROLL_RIGHT)
         + _tag("paged_kv_allocator", _PAGED_RIGHT) + _tag("padding_waste", _PAD_RIGHT)
         + _tag("simulate_static_batching", _STATIC_RIGHT) + _tag("simulate_continuous_batching", _CONT_RIGHT)
         + _tag("top_k_filter", _TOPK_RIGHT) + _tag("top_p_filter", _TOPP_RIGHT) + _tag("sample", _SAMPLE_RIGHT))


# ---------------------------------------------------------------- more variants (probe of false rejects / accepts)
WRONG = WRONG + [
    ('rolling_kv_cache', 'returns_unfilled_slots', '''
class RollingKVCache:
    def __init__(self, window):
        self.window = window
        self.k = self.v = None
        self.seen = 0

    def update(self, k_new, v_new):
        W, L = self.window, k_new.shape[-2]
        if self.k is None:
            self.k = k_new.new_zeros(*k_new.shape[:-2], W, k_new.shape[-1])
            self.v = v_new.new_zeros(*v_new.shape[:-2], W, v_new.shape[-1])
        for i in range(L):
            self.k[..., self.seen % W, :] = k_new[..., i, :]
            self.v[..., self.seen % W, :] = v_new[..., i, :]
            self.seen += 1
        order = torch.arange(self.seen, self.seen + W) % W
        return self.k[..., order, :], self.v[..., order, :]
'''),
    ('paged_kv_allocator', 'append_counts_token_before_error', patch(ASSIGNMENT, "paged_kv_allocator", [
        ("        table, n = self.tables[seq_id], self.n_tokens[seq_id]\n",
         "        table, n = self.tables[seq_id], self.n_tokens[seq_id]\n"
         "        self.n_tokens[seq_id] = n + 1\n"),
        ("                table[-1] = b\n"
         "        self.n_tokens[seq_id] = n + 1\n",
         "                table[-1] = b\n")])),
    ('padding_waste', 'pads_to_mean', patch(ASSIGNMENT, "padding_waste",
        "len(batch) * max(batch) - sum(batch)", "sum(max(batch) - x for x in batch[1:])")),
    ('top_k_filter', 'flattens_batch_dims', '''
def top_k_filter(logits, k):
    if k >= logits.shape[-1]:
        return logits.clone()
    flat = logits.reshape(-1)
    idx = flat.topk(k * (flat.numel() // logits.shape[-1])).indices
    keep = torch.zeros_like(flat, dtype=torch.bool)
    keep[idx] = True
    return flat.masked_fill(~keep, float('-inf')).reshape(logits.shape)
'''),
]
RIGHT = RIGHT + [
    ('rolling_kv_cache', 'deque_of_token_views', '''
import collections


class RollingKVCache:
    def __init__(self, window):
        self.ks = collections.deque(maxlen=window)
        self.vs = collections.deque(maxlen=window)

    def update(self, k_new, v_new):
        for i in range(k_new.shape[-2]):
            self.ks.append(k_new[..., i:i + 1, :])
            self.vs.append(v_new[..., i:i + 1, :])
        return torch.cat(list(self.ks), -2), torch.cat(list(self.vs), -2)
'''),
    ('kv_cache', 'preallocated_doubling_buffer_views', '''
class KVCache:
    def __init__(self, n_layers):
        self.buf = [None] * n_layers
        self.len = [0] * n_layers

    def update(self, layer, k_new, v_new):
        L = k_new.shape[-2]
        n = self.len[layer]
        if self.buf[layer] is None or n + L > self.buf[layer][0].shape[-2]:
            cap = max(2 * (n + L), 16)
            kb = k_new.new_zeros(*k_new.shape[:-2], cap, k_new.shape[-1])
            vb = v_new.new_zeros(*v_new.shape[:-2], cap, v_new.shape[-1])
            if self.buf[layer] is not None:
                kb[..., :n, :] = self.buf[layer][0][..., :n, :]
                vb[..., :n, :] = self.buf[layer][1][..., :n, :]
            self.buf[layer] = (kb, vb)
        kb, vb = self.buf[layer]
        kb[..., n:n + L, :] = k_new
        vb[..., n:n + L, :] = v_new
        self.len[layer] = n + L
        return kb[..., :n + L, :], vb[..., :n + L, :]
'''),
    ('top_p_filter', 'loop_rows_python_floats', '''
def top_p_filter(logits, p):
    V = logits.shape[-1]
    flat = logits.reshape(-1, V)
    out = torch.full_like(flat, float('-inf'))
    for r in range(flat.shape[0]):
        probs = torch.softmax(flat[r].double(), -1)
        order = sorted(range(V), key=lambda i: -probs[i].item())
        mass = 0.0
        for i in order:
            out[r, i] = flat[r, i]
            mass += probs[i].item()
            if mass >= p:
                break
    return out.reshape(logits.shape)
'''),
    ('top_k_filter', 'kthvalue_threshold', '''
def top_k_filter(logits, k):
    V = logits.shape[-1]
    if k >= V:
        return logits.clone()
    kth = torch.kthvalue(logits, V - k + 1, dim=-1, keepdim=True).values
    return torch.where(logits >= kth, logits, torch.full_like(logits, float('-inf')))
'''),
    ('sample', 'log_softmax_multinomial_2d', '''
def sample(logits, temperature=1.0, top_k=None, top_p=None, generator=None):
    if temperature == 0:
        return torch.argmax(logits, -1)
    z = logits.double() / temperature
    if top_k is not None:
        z = top_k_filter(z, top_k)
    if top_p is not None:
        z = top_p_filter(z, top_p)
    V = logits.shape[-1]
    probs = torch.exp(torch.log_softmax(z, -1)).reshape(-1, V)
    idx = torch.multinomial(probs, num_samples=1, replacement=True, generator=generator)
    return idx.squeeze(-1).reshape(logits.shape[:-1])
'''),
    ('paged_kv_allocator', 'free_set_and_dict_refcounts', '''
class PagedKVAllocator:
    def __init__(self, num_blocks, block_size):
        self.bs = block_size
        self.pool = set(range(num_blocks))
        self.refs = {}
        self.tables = {}
        self.lens = {}

    def num_free_blocks(self):
        return len(self.pool)

    def _take(self):
        b = min(self.pool)
        self.pool.remove(b)
        self.refs[b] = 1
        return b

    def allocate(self, seq_id, n_tokens):
        need = math.ceil(n_tokens / self.bs)
        if need > len(self.pool):
            raise MemoryError("out of blocks") if False else RuntimeError("out of blocks")
        self.tables[seq_id] = [self._take() for _ in range(need)]
        self.lens[seq_id] = n_tokens

    def _drop(self, b):
        self.refs[b] -= 1
        if self.refs[b] == 0:
            del self.refs[b]
            self.pool.add(b)

    def append_token(self, seq_id):
        t, n = self.tables[seq_id], self.lens[seq_id]
        if n % self.bs == 0:
            if not self.pool:
                raise RuntimeError("full")
            t.append(self._take())
        elif self.refs[t[-1]] > 1:
            if not self.pool:
                raise RuntimeError("full")
            old = t[-1]
            t[-1] = self._take()
            self._drop(old)
        self.lens[seq_id] = n + 1

    def fork(self, seq_id, new_id):
        self.tables[new_id] = list(self.tables[seq_id])
        self.lens[new_id] = self.lens[seq_id]
        for b in self.tables[new_id]:
            self.refs[b] += 1

    def free(self, seq_id):
        for b in self.tables.pop(seq_id):
            self._drop(b)
        self.lens.pop(seq_id)

    def block_table(self, seq_id):
        return list(self.tables[seq_id])
'''),
    ('padding_waste', 'numpy_reshape', '''
def padding_waste(lengths, batch_size, sort_by_length=False):
    import numpy as np
    x = np.array(lengths, dtype=np.int64)
    if sort_by_length:
        x = np.sort(x)
    pad = slots = 0
    for i in range(0, len(x), batch_size):
        b = x[i:i + batch_size]
        slots += int(b.max()) * len(b)
        pad += int(b.max()) * len(b) - int(b.sum())
    return float(pad / slots)
'''),
]

# Issue 13: the rolling cache's semantics for multi-token chunks are pinned: the last `window` tokens, not what every
# query of the chunk would need (window + L_new - 1 tokens).
WRONG = WRONG + [
    ('rolling_kv_cache', 'keeps_what_the_whole_chunk_needs', '''
class RollingKVCache:
    def __init__(self, window):
        self.window = window
        self.k = self.v = None

    def update(self, k_new, v_new):
        self.k = k_new if self.k is None else torch.cat([self.k, k_new], -2)
        self.v = v_new if self.v is None else torch.cat([self.v, v_new], -2)
        keep = self.window + k_new.shape[-2] - 1                # every query of the chunk sees its full window
        k, v = self.k[..., -keep:, :], self.v[..., -keep:, :]
        self.k, self.v = self.k[..., -self.window:, :], self.v[..., -self.window:, :]
        return k, v
'''),
]
