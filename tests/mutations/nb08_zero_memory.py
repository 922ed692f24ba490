"""08_zero_memory: plausible wrong implementations the tests must catch, and correct variants they must accept.

The ZeroAdamW variants are built from one compact, correct implementation (``_ZERO``) by replacing the
few lines where a real mistake happens, so each WRONG entry differs from a right answer by that mistake only.
"""

from mutations._patch import edit

ASSIGNMENT = "08_zero_memory"

# ---------------------------------------------------------------------------------------------- ZeroAdamW
_ZERO = '''
class ZeroAdamW:
    def __init__(self, params, cluster, stage=1, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        if stage not in (1, 2, 3):
            raise ValueError("stage must be 1, 2 or 3")
        self.cluster, self.n = cluster, cluster.world_size
        self.lr, self.betas, self.eps, self.wd = lr, betas, eps, weight_decay
        self.shapes = [p.shape for p in params]
        flat = torch.cat([p.detach().reshape(-1) for p in params])
        self.total = flat.numel()
        self.c = -(-self.total // self.n)
        flat = torch.cat([flat, flat.new_zeros(self.n * self.c - self.total)])
        self.full = [flat.clone() for _ in range(self.n)]
        self.m = [torch.zeros(self.c, dtype=flat.dtype) for _ in range(self.n)]
        self.v = [torch.zeros(self.c, dtype=flat.dtype) for _ in range(self.n)]
        self.t = 0

    def _chunk(self, x, j):
        return x[j * self.c:(j + 1) * self.c]

    def _reduce_scatter(self, bufs):
        n = self.n
        bufs = [b.clone() for b in bufs]
        for k in range(n - 1):
            inbox = self.cluster.exchange([(r, (r + 1) % n, self._chunk(bufs[r], (r - k - 1) % n)) for r in range(n)])
            for r in range(n):
                self._chunk(bufs[r], (r - k - 2) % n).add_(inbox[r][(r - 1) % n])
        return [self._chunk(bufs[r], r).clone() for r in range(n)]

    def _all_gather(self, shards):
        n = self.n
        full = [torch.cat([shards[r] if j == r else torch.zeros_like(shards[r]) for j in range(n)]) for r in range(n)]
        for k in range(n - 1):
            inbox = self.cluster.exchange([(r, (r + 1) % n, self._chunk(full[r], (r - k) % n)) for r in range(n)])
            for r in range(n):
                self._chunk(full[r], (r - 1 - k) % n).copy_(inbox[r][(r - 1) % n])
        return full

    def _adamw(self, r, p, g):
        b1, b2 = self.betas
        p = p * (1 - self.lr * self.wd)
        self.m[r].mul_(b1).add_(g, alpha=1 - b1)
        self.v[r].mul_(b2).addcmul_(g, g, value=1 - b2)
        denom = self.v[r].sqrt() / math.sqrt(1 - b2 ** self.t) + self.eps
        return p - self.lr / (1 - b1 ** self.t) * self.m[r] / denom

    def step(self, grads_per_rank):
        n = self.n
        flats = []
        for grads in grads_per_rank:
            f = torch.cat([g.detach().reshape(-1) for g in grads])
            flats.append(torch.cat([f, f.new_zeros(n * self.c - self.total)]))
        summed = self._reduce_scatter(flats)
        self.t += 1
        new = [self._adamw(r, self._chunk(self.full[r], r), summed[r] / n) for r in range(n)]
        self.full = self._all_gather(new)

    def params(self, rank):
        out, off = [], 0
        for s in self.shapes:
            k = math.prod(s)
            out.append(self.full[rank][off:off + k].reshape(s).clone())
            off += k
        return out

    def state_numel(self, rank):
        return self.m[rank].numel() + self.v[rank].numel()
'''


def _zero(*edits):
    """_ZERO with each (old, new) edit applied; every `old` occurs exactly once."""
    return edit(_ZERO, list(edits), where="08_zero_memory / _ZERO (the compact_ring_class variant)")


_STEP_BODY = '''        summed = self._reduce_scatter(flats)
        self.t += 1
        new = [self._adamw(r, self._chunk(self.full[r], r), summed[r] / n) for r in range(n)]
        self.full = self._all_gather(new)'''

_ZERO_WRONG = [
    ("sum_not_mean", _zero(("summed[r] / n)", "summed[r])"))),
    ("adam_l2_not_decoupled", _zero(("        p = p * (1 - self.lr * self.wd)\n", "        g = g + self.wd * p\n"))),
    ("no_bias_correction", _zero(("denom = self.v[r].sqrt() / math.sqrt(1 - b2 ** self.t) + self.eps",
                                  "denom = self.v[r].sqrt() + self.eps"),
                                 ("return p - self.lr / (1 - b1 ** self.t) * self.m[r] / denom",
                                  "return p - self.lr * self.m[r] / denom"))),
    ("eps_inside_sqrt", _zero(("denom = self.v[r].sqrt() / math.sqrt(1 - b2 ** self.t) + self.eps",
                               "denom = (self.v[r] / (1 - b2 ** self.t) + self.eps).sqrt()"))),
    ("bias_correction_after_eps", _zero(("denom = self.v[r].sqrt() / math.sqrt(1 - b2 ** self.t) + self.eps",
                                         "denom = (self.v[r].sqrt() + self.eps) / math.sqrt(1 - b2 ** self.t)"))),
    ("weight_decay_after_update", _zero(("        p = p * (1 - self.lr * self.wd)\n", ""),
                                        ("return p - self.lr / (1 - b1 ** self.t) * self.m[r] / denom",
                                         "p = p - self.lr / (1 - b1 ** self.t) * self.m[r] / denom\n"
                                         "        return p - self.lr * self.wd * p"))),
    ("step_counter_frozen", _zero(("        self.t += 1\n", "        self.t = 1\n"))),
    # communication mistakes: results right, traffic wrong
    ("local_mean_no_communication", _zero((_STEP_BODY, '''        mean = torch.stack(flats).sum(0) / n
        self.t += 1
        new = [self._adamw(r, self._chunk(self.full[r], r), self._chunk(mean, r)) for r in range(n)]
        flat = torch.cat(new)
        self.full = [flat.clone() for _ in range(n)]'''))),
    ("all_reduce_grads_then_gather", _zero((_STEP_BODY, '''        summed = self._all_gather(self._reduce_scatter(flats))
        self.t += 1
        new = [self._adamw(r, self._chunk(self.full[r], r), self._chunk(summed[r], r) / n) for r in range(n)]
        self.full = self._all_gather(new)'''))),
    ("one_round_all_gather", _zero(('''        for k in range(n - 1):
            inbox = self.cluster.exchange([(r, (r + 1) % n, self._chunk(full[r], (r - k) % n)) for r in range(n)])
            for r in range(n):
                self._chunk(full[r], (r - 1 - k) % n).copy_(inbox[r][(r - 1) % n])''',
                                     '''        if n > 1:
            inbox = self.cluster.exchange([(r, q, shards[r]) for r in range(n) for q in range(n) if q != r])
            for r in range(n):
                for q, x in inbox[r].items():
                    self._chunk(full[r], q).copy_(x)'''))),
    ("unpadded_tensor_split_chunks", _zero(('''    def _chunk(self, x, j):
        return x[j * self.c:(j + 1) * self.c]''', '''    def _chunk(self, x, j):
        return torch.tensor_split(x[:self.total], self.n)[j]'''),
                                          ("self.m = [torch.zeros(self.c, dtype=flat.dtype) for _ in range(self.n)]",
                                           "self.m = [torch.zeros(len(torch.tensor_split(flat[:self.total], self.n)[r]), "
                                           "dtype=flat.dtype) for r in range(self.n)]"),
                                          ("self.v = [torch.zeros(self.c, dtype=flat.dtype) for _ in range(self.n)]",
                                           "self.v = [torch.zeros(len(torch.tensor_split(flat[:self.total], self.n)[r]), "
                                           "dtype=flat.dtype) for r in range(self.n)]"),
                                          ("return [self._chunk(bufs[r], r).clone() for r in range(n)]",
                                           "return [self._chunk(bufs[r], r).clone() for r in range(n)]  # unpadded"),
                                          ("full = [torch.cat([shards[r] if j == r else torch.zeros_like(shards[r]) "
                                           "for j in range(n)]) for r in range(n)]",
                                           "full = [torch.cat([shards[r] if j == r else torch.zeros_like(self._chunk("
                                           "self.full[0], j)) for j in range(n)] + [shards[r].new_zeros(n * self.c - "
                                           "self.total)]) for r in range(n)]"))),
    # state / API mistakes
    ("full_state_on_every_rank", _zero(("self.m = [torch.zeros(self.c, dtype=flat.dtype) for _ in range(self.n)]",
                                        "self.m = [torch.zeros(self.n * self.c, dtype=flat.dtype) for _ in range(self.n)]"),
                                       ("self.v = [torch.zeros(self.c, dtype=flat.dtype) for _ in range(self.n)]",
                                        "self.v = [torch.zeros(self.n * self.c, dtype=flat.dtype) for _ in range(self.n)]"),
                                       ("        p = p * (1 - self.lr * self.wd)\n",
                                        "        m_all, v_all = self.m[r], self.v[r]\n"
                                        "        self.m[r], self.v[r] = self._chunk(m_all, r), self._chunk(v_all, r)\n"
                                        "        p = p * (1 - self.lr * self.wd)\n"),
                                       ("        return p - self.lr / (1 - b1 ** self.t) * self.m[r] / denom",
                                        "        out = p - self.lr / (1 - b1 ** self.t) * self.m[r] / denom\n"
                                        "        self.m[r], self.v[r] = m_all, v_all\n"
                                        "        return out"))),
    ("state_counts_unpadded_elements", _zero(("        return self.m[rank].numel() + self.v[rank].numel()",
                                              "        mine = min(self.c, max(0, self.total - rank * self.c))\n"
                                              "        return 2 * mine"))),
    ("params_returns_own_shard", _zero(('''        out, off = [], 0
        for s in self.shapes:''', '''        return [self._chunk(self.full[rank], rank)[:self.total].clone()]
        out, off = [], 0
        for s in self.shapes:'''))),
    ("params_modified_in_place", _zero(("        self.full = [flat.clone() for _ in range(self.n)]",
                                        "        self.full = [flat.clone() for _ in range(self.n)]\n"
                                        "        self.params_in = params"),
                                       ("        self.full = self._all_gather(new)",
                                        "        self.full = self._all_gather(new)\n"
                                        "        with torch.no_grad():\n"
                                        "            for p, q in zip(self.params_in, self.params(0)):\n"
                                        "                p.copy_(q)"))),
]

_ZERO_RIGHT = [
    ("compact_ring_class", _ZERO),
    ("counter_clockwise_ring", _zero(
        ("inbox = self.cluster.exchange([(r, (r + 1) % n, self._chunk(bufs[r], (r - k - 1) % n)) for r in range(n)])",
         "inbox = self.cluster.exchange([(r, (r - 1) % n, self._chunk(bufs[r], (r + k + 1) % n)) for r in range(n)])"),
        ("self._chunk(bufs[r], (r - k - 2) % n).add_(inbox[r][(r - 1) % n])",
         "self._chunk(bufs[r], (r + k + 2) % n).add_(inbox[r][(r + 1) % n])"),
        ("inbox = self.cluster.exchange([(r, (r + 1) % n, self._chunk(full[r], (r - k) % n)) for r in range(n)])",
         "inbox = self.cluster.exchange([(r, (r - 1) % n, self._chunk(full[r], (r + k) % n)) for r in range(n)])"),
        ("self._chunk(full[r], (r - 1 - k) % n).copy_(inbox[r][(r - 1) % n])",
         "self._chunk(full[r], (r + 1 + k) % n).copy_(inbox[r][(r + 1) % n])"))),
    ("torch_adamw_per_shard", '''
class ZeroAdamW:
    def __init__(self, params, cluster, stage=1, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        if stage not in (1, 2, 3):
            raise ValueError("stage must be 1, 2 or 3")
        self.cluster, self.stage = cluster, stage
        n = self.n = cluster.world_size
        self.shapes = [tuple(p.shape) for p in params]
        shards, self.pad = shard_flat(params, n)
        self.c = shards[0].numel()
        self.flat = [torch.cat(shards) for _ in range(n)]                 # every rank: the full padded params
        self.mine = [shards[r].clone().requires_grad_(True) for r in range(n)]
        self.opts = [torch.optim.AdamW([self.mine[r]], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
                     for r in range(n)]

    def step(self, grads_per_rank):
        n, c = self.n, self.c
        bufs = [torch.cat(shard_flat(grads, n)[0]) for grads in grads_per_rank]
        for k in range(n - 1):                                            # reduce-scatter
            msgs = [(r, (r + 1) % n, bufs[r][((r - k - 1) % n) * c:((r - k - 1) % n + 1) * c]) for r in range(n)]
            inbox = self.cluster.exchange(msgs)
            for r in range(n):
                j = (r - k - 2) % n
                bufs[r][j * c:(j + 1) * c] += inbox[r][(r - 1) % n]
        for r in range(n):                                                # torch's own AdamW on each shard
            self.mine[r].grad = bufs[r][r * c:(r + 1) * c] / n
            self.opts[r].step()
            self.flat[r][r * c:(r + 1) * c] = self.mine[r].detach()
        for k in range(n - 1):                                            # all-gather
            msgs = [(r, (r + 1) % n, self.flat[r][((r - k) % n) * c:((r - k) % n + 1) * c]) for r in range(n)]
            inbox = self.cluster.exchange(msgs)
            for r in range(n):
                j = (r - 1 - k) % n
                self.flat[r][j * c:(j + 1) * c] = inbox[r][(r - 1) % n]

    def params(self, rank):
        sizes = [math.prod(s) for s in self.shapes]
        pieces = torch.split(self.flat[rank][:sum(sizes)], sizes)
        return [piece.reshape(s).clone() for piece, s in zip(pieces, self.shapes)]

    def state_numel(self, rank):
        state = self.opts[rank].state[self.mine[rank]]
        return sum(state[key].numel() for key in ("exp_avg", "exp_avg_sq")) if state else 2 * self.c
'''),
]

WRONG = [
    # zero_model_state_bytes
    ("zero_model_state_bytes", "hard_coded_k12", """
def zero_model_state_bytes(n_params, dp_degree, stage, k=12) -> float:
    psi, n = float(n_params), dp_degree
    return [16 * psi, 4 * psi + 12 * psi / n, 2 * psi + 14 * psi / n, 16 * psi / n][stage]
"""),
    ("zero_model_state_bytes", "stage1_also_shards_grads", """
def zero_model_state_bytes(n_params, dp_degree, stage, k=12) -> float:
    psi, n = float(n_params), dp_degree
    return [(4 + k) * psi, 2 * psi + (2 + k) * psi / n, 2 * psi + (2 + k) * psi / n, (4 + k) * psi / n][stage]
"""),
    ("zero_model_state_bytes", "stage3_keeps_fp16_params", """
def zero_model_state_bytes(n_params, dp_degree, stage, k=12) -> float:
    psi, n = float(n_params), dp_degree
    return [(4 + k) * psi, 4 * psi + k * psi / n, 2 * psi + (2 + k) * psi / n, 2 * psi + (2 + k) * psi / n][stage]
"""),
    ("zero_model_state_bytes", "returns_gigabytes", """
def zero_model_state_bytes(n_params, dp_degree, stage, k=12) -> float:
    psi, n = float(n_params), dp_degree
    return [(4 + k) * psi, 4 * psi + k * psi / n, 2 * psi + (2 + k) * psi / n, (4 + k) * psi / n][stage] / 1e9
"""),
    ("zero_model_state_bytes", "gib_instead_of_bytes", """
def zero_model_state_bytes(n_params, dp_degree, stage, k=12) -> float:
    psi, n = float(n_params), dp_degree
    b = [(4 + k) * psi, 4 * psi + k * psi / n, 2 * psi + (2 + k) * psi / n, (4 + k) * psi / n][stage]
    return b / 2 ** 30 * 1e9
"""),
    ("zero_model_state_bytes", "fp32_params_counted", """
def zero_model_state_bytes(n_params, dp_degree, stage, k=12) -> float:
    psi, n = float(n_params), dp_degree
    return [(6 + k) * psi, 6 * psi + k * psi / n, 4 * psi + (2 + k) * psi / n, (6 + k) * psi / n][stage]
"""),
    ("zero_model_state_bytes", "int_for_int_inputs", """
def zero_model_state_bytes(n_params, dp_degree, stage, k=12) -> float:
    psi, n = n_params, dp_degree
    if stage == 0:
        return (4 + k) * psi
    return [None, 4 * psi + k * psi / n, 2 * psi + (2 + k) * psi / n, (4 + k) * psi / n][stage]
"""),
    # zero_comm_volume
    ("zero_comm_volume", "no_ring_factor", """
def zero_comm_volume(n_params, dp_degree, stage) -> float:
    return float((3 if stage == 3 else 2) * n_params)
"""),
    ("zero_comm_volume", "stage3_same_as_ddp", """
def zero_comm_volume(n_params, dp_degree, stage) -> float:
    return float(2 * (dp_degree - 1) / dp_degree * n_params)
"""),
    ("zero_comm_volume", "stage2_pays_extra", """
def zero_comm_volume(n_params, dp_degree, stage) -> float:
    return float((3 if stage >= 2 else 2) * (dp_degree - 1) / dp_degree * n_params)
"""),
    ("zero_comm_volume", "bytes_in_fp16", """
def zero_comm_volume(n_params, dp_degree, stage) -> float:
    return float(2 * (3 if stage == 3 else 2) * (dp_degree - 1) / dp_degree * n_params)
"""),
    ("zero_comm_volume", "sharded_stages_only_reduce_scatter", """
def zero_comm_volume(n_params, dp_degree, stage) -> float:
    collectives = {0: 2, 1: 1, 2: 1, 3: 2}[stage]
    return float(collectives * (dp_degree - 1) / dp_degree * n_params)
"""),
    ("zero_comm_volume", "int_division", """
def zero_comm_volume(n_params, dp_degree, stage) -> float:
    return (3 if stage == 3 else 2) * (dp_degree - 1) * n_params // dp_degree
"""),
    # max_params_that_fit
    ("max_params_that_fit", "round_to_nearest", """
def max_params_that_fit(gpu_bytes, dp_degree, stage, k=12) -> int:
    n = dp_degree
    per = [4 + k, 4 + k / n, 2 + (2 + k) / n, (4 + k) / n][stage]
    return round(gpu_bytes / per)
"""),
    ("max_params_that_fit", "ceil", """
def max_params_that_fit(gpu_bytes, dp_degree, stage, k=12) -> int:
    n = dp_degree
    per = [4 + k, 4 + k / n, 2 + (2 + k) / n, (4 + k) / n][stage]
    return math.ceil(gpu_bytes / per)
"""),
    ("max_params_that_fit", "returns_float", """
def max_params_that_fit(gpu_bytes, dp_degree, stage, k=12) -> int:
    n = dp_degree
    per = [4 + k, 4 + k / n, 2 + (2 + k) / n, (4 + k) / n][stage]
    return gpu_bytes // per
"""),
    ("max_params_that_fit", "ignores_k", """
def max_params_that_fit(gpu_bytes, dp_degree, stage, k=12) -> int:
    n = dp_degree
    per = [16, 4 + 12 / n, 2 + 14 / n, 16 / n][stage]
    return math.floor(gpu_bytes / per)
"""),
    ("max_params_that_fit", "stage2_same_as_stage1", """
def max_params_that_fit(gpu_bytes, dp_degree, stage, k=12) -> int:
    n = dp_degree
    per = [4 + k, 4 + k / n, 4 + k / n, (4 + k) / n][stage]
    return math.floor(gpu_bytes / per)
"""),
    # activation_bytes_per_layer
    ("activation_bytes_per_layer", "full_divided_by_t", """
def activation_bytes_per_layer(seq, batch, hidden, heads, tp=1, recompute="none"):
    s, b, h, a, t = seq, batch, hidden, heads, tp
    return {"none": s * b * h * (34 + 5 * a * s / h) / t, "selective": 34 * s * b * h / t,
            "full": 2 * s * b * h / t}[recompute]
"""),
    ("activation_bytes_per_layer", "selective_not_divided_by_t", """
def activation_bytes_per_layer(seq, batch, hidden, heads, tp=1, recompute="none"):
    s, b, h, a, t = seq, batch, hidden, heads, tp
    return {"none": s * b * h * (34 + 5 * a * s / h) / t, "selective": 34 * s * b * h,
            "full": 2 * s * b * h}[recompute]
"""),
    ("activation_bytes_per_layer", "tensor_parallel_without_sequence_parallel", """
def activation_bytes_per_layer(seq, batch, hidden, heads, tp=1, recompute="none"):
    s, b, h, a, t = seq, batch, hidden, heads, tp
    return {"none": s * b * h * (10 + 24 / t + 5 * a * s / (h * t)), "selective": s * b * h * (10 + 24 / t),
            "full": 2 * s * b * h}[recompute]
"""),
    ("activation_bytes_per_layer", "attention_term_linear_in_s", """
def activation_bytes_per_layer(seq, batch, hidden, heads, tp=1, recompute="none"):
    s, b, h, a, t = seq, batch, hidden, heads, tp
    return {"none": s * b * h * (34 + 5 * a / h) / t, "selective": 34 * s * b * h / t,
            "full": 2 * s * b * h}[recompute]
"""),
    ("activation_bytes_per_layer", "attention_term_not_split_by_t", """
def activation_bytes_per_layer(seq, batch, hidden, heads, tp=1, recompute="none"):
    s, b, h, a, t = seq, batch, hidden, heads, tp
    return {"none": s * b * h * (34 / t + 5 * a * s / h), "selective": 34 * s * b * h / t,
            "full": 2 * s * b * h}[recompute]
"""),
    ("activation_bytes_per_layer", "counts_elements_not_bytes", """
def activation_bytes_per_layer(seq, batch, hidden, heads, tp=1, recompute="none"):
    s, b, h, a, t = seq, batch, hidden, heads, tp
    return {"none": s * b * h * (17 + 2.5 * a * s / h) / t, "selective": 17 * s * b * h / t,
            "full": s * b * h}[recompute]
"""),
    # shard_flat
    ("shard_flat", "pad_at_front", """
def shard_flat(params, world_size):
    flat = torch.cat([p.reshape(-1) for p in params])
    pad = (-flat.numel()) % world_size
    flat = torch.cat([flat.new_zeros(pad), flat])
    return list(flat.view(world_size, -1).unbind(0)), pad
"""),
    ("shard_flat", "pad_n_minus_remainder", """
def shard_flat(params, world_size):
    flat = torch.cat([p.reshape(-1) for p in params])
    pad = world_size - flat.numel() % world_size
    flat = torch.cat([flat, flat.new_zeros(pad)])
    return list(flat.view(world_size, -1).unbind(0)), pad
"""),
    ("shard_flat", "tensor_split_without_padding", """
def shard_flat(params, world_size):
    flat = torch.cat([p.reshape(-1) for p in params])
    return list(torch.tensor_split(flat, world_size)), (-flat.numel()) % world_size
"""),
    ("shard_flat", "padding_in_float32", """
def shard_flat(params, world_size):
    flat = torch.cat([p.reshape(-1) for p in params])
    pad = (-flat.numel()) % world_size
    flat = torch.cat([flat, torch.zeros(pad)])
    return list(flat.view(world_size, -1).unbind(0)), pad
"""),
    ("shard_flat", "round_robin_elements", """
def shard_flat(params, world_size):
    flat = torch.cat([p.reshape(-1) for p in params])
    pad = (-flat.numel()) % world_size
    flat = torch.cat([flat, flat.new_zeros(pad)])
    return [flat[r::world_size].clone() for r in range(world_size)], pad
"""),
    ("shard_flat", "pad_as_tensor", """
def shard_flat(params, world_size):
    flat = torch.cat([p.reshape(-1) for p in params])
    pad = torch.tensor(-flat.numel()) % world_size
    flat = torch.cat([flat, flat.new_zeros(int(pad))])
    return list(flat.view(world_size, -1).unbind(0)), pad
"""),
] + [("zero_adam_w", name, code) for name, code in _ZERO_WRONG]

RIGHT = [
    ("zero_model_state_bytes", "table_of_multipliers", """
def zero_model_state_bytes(n_params, dp_degree, stage, k=12) -> float:
    params, grads, optim = 2.0, 2.0, float(k)
    split = {0: (False, False, False), 1: (False, False, True), 2: (False, True, True), 3: (True, True, True)}[stage]
    return sum(b / dp_degree if s else b for b, s in zip((params, grads, optim), split)) * n_params
"""),
    ("zero_model_state_bytes", "fractions", """
def zero_model_state_bytes(n_params, dp_degree, stage, k=12) -> float:
    psi, n, k = Fraction(n_params), Fraction(dp_degree), Fraction(k)
    return float([(4 + k) * psi, 4 * psi + k * psi / n, 2 * psi + (2 + k) * psi / n, (4 + k) * psi / n][stage])
"""),
    ("zero_comm_volume", "one_minus_one_over_n", """
def zero_comm_volume(n_params, dp_degree, stage) -> float:
    per_collective = n_params * (1 - 1 / dp_degree)      # one ring reduce-scatter or all-gather
    return float(per_collective * (3 if stage == 3 else 2))
"""),
    ("max_params_that_fit", "float_floor_division", """
def max_params_that_fit(gpu_bytes, dp_degree, stage, k=12) -> int:
    n = dp_degree
    per = [4 + k, 4 + k / n, 2 + (2 + k) / n, (4 + k) / n][stage]
    return int(gpu_bytes // per)
"""),
    ("max_params_that_fit", "via_model_state_bytes_per_param", """
def max_params_that_fit(gpu_bytes, dp_degree, stage, k=12) -> int:
    per = zero_model_state_bytes(1, dp_degree, stage, k)
    return int(math.floor(gpu_bytes / per))
"""),
    ("activation_bytes_per_layer", "separate_terms", """
def activation_bytes_per_layer(seq, batch, hidden, heads, tp=1, recompute="none"):
    if recompute not in ("none", "selective", "full"):
        raise ValueError(recompute)
    if recompute == "full":
        return 2 * seq * batch * hidden
    linear = 34 * seq * batch * hidden            # 11 attention + 19 MLP + 4 LayerNorm, times sbh
    quadratic = 5 * heads * seq * seq * batch     # softmax, its dropout mask and output
    return (linear + (quadratic if recompute == "none" else 0)) / tp
"""),
    ("shard_flat", "pad_and_chunk", """
def shard_flat(params, world_size):
    flat = torch.cat([p.flatten() for p in params])
    pad = -flat.numel() % world_size
    return list(F.pad(flat, (0, pad)).chunk(world_size)), pad
"""),
    ("shard_flat", "ceil_slices", """
def shard_flat(params, world_size):
    total = sum(p.numel() for p in params)
    c = math.ceil(total / world_size)
    flat = torch.zeros(c * world_size, dtype=params[0].dtype)
    flat[:total] = torch.cat([p.reshape(-1) for p in params])
    return [flat[r * c:(r + 1) * c] for r in range(world_size)], c * world_size - total
"""),
] + [("zero_adam_w", name, code) for name, code in _ZERO_RIGHT]


# ---------------------------------------------------------------- more variants (probe of false rejects / accepts)
WRONG = WRONG + [
    ('zero_model_state_bytes', 'stage2_keeps_grads_whole', '''
def zero_model_state_bytes(n_params, dp_degree, stage, k=12):
    psi, n = float(n_params), dp_degree
    return {0: (4 + k) * psi, 1: 4 * psi + k * psi / n, 2: 4 * psi + k * psi / n + 0.0, 3: (4 + k) * psi / n}[stage]
'''),
    ('zero_comm_volume', 'stage3_two_allgathers_no_ring_factor_on_extra', '''
def zero_comm_volume(n_params, dp_degree, stage):
    n = dp_degree
    base = 2 * (n - 1) / n * n_params
    return float(base + (n_params / n if stage == 3 else 0.0))
'''),
    ('activation_bytes_per_layer', 'selective_keeps_half_attention', '''
def activation_bytes_per_layer(seq, batch, hidden, heads, tp=1, recompute="none"):
    s, b, h, a, t = seq, batch, hidden, heads, tp
    if recompute == "full":
        return float(2 * s * b * h)
    if recompute == "selective":
        return float(s * b * h * (34 + 2.5 * a * s / h) / t)
    return float(s * b * h * (34 + 5 * a * s / h) / t)
'''),
    ('zero_adam_w', 'divides_by_n_twice', '''
class ZeroAdamW:
    def __init__(self, params, cluster, stage=1, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        self.cl, self.lr, self.b1, self.b2, self.eps, self.wd = cluster, lr, betas[0], betas[1], eps, weight_decay
        self.n = n = cluster.world_size
        self.shapes = [tuple(p.shape) for p in params]
        flat = torch.cat([p.detach().reshape(-1) for p in params])
        self.total = flat.numel()
        self.c = c = -(-self.total // n)
        flat = torch.cat([flat, flat.new_zeros(n * c - self.total)])
        self.shard = [flat[r * c:(r + 1) * c].double() for r in range(n)]          # fp64 master shards
        self.full = [flat.clone() for _ in range(n)]
        self.m = [torch.zeros(c, dtype=flat.dtype) for _ in range(n)]
        self.v = [torch.zeros(c, dtype=flat.dtype) for _ in range(n)]
        self.t = 0
        self.dtype = flat.dtype

    def step(self, grads_per_rank):
        n, c = self.n, self.c
        bufs = []
        for grads in grads_per_rank:
            f = torch.cat([g.reshape(-1) for g in grads]) / n                       # pre-divide: sum of g/N = mean
            bufs.append(list(torch.cat([f, f.new_zeros(n * c - self.total)]).split(c)))
        for k in range(n - 1):                                                      # leftward ring
            for r in range(n):
                self.cl.send(r, (r - 1) % n, bufs[r][(r + k + 1) % n])
            inbox = self.cl.step()
            for r in range(n):
                j = (r + k + 2) % n
                bufs[r][j] = bufs[r][j] + inbox[r][(r + 1) % n]
        self.t += 1
        new = []
        for r in range(n):
            g = bufs[r][r] / n
            p = self.shard[r].to(self.dtype)
            m = self.m[r] = self.b1 * self.m[r] + (1 - self.b1) * g
            v = self.v[r] = self.b2 * self.v[r] + (1 - self.b2) * g * g
            mhat = m / (1 - self.b1 ** self.t)
            vhat = v / (1 - self.b2 ** self.t)
            p = p * (1 - self.lr * self.wd) - self.lr * mhat / (vhat.sqrt() + self.eps)
            self.shard[r] = p.double()
            new.append(p)
        have = [{r: new[r]} for r in range(n)]
        for k in range(n - 1):
            for r in range(n):
                self.cl.send(r, (r - 1) % n, have[r][(r + k) % n])
            inbox = self.cl.step()
            for r in range(n):
                have[r][(r + k + 1) % n] = inbox[r][(r + 1) % n]
        self.full = [torch.cat([have[r][j] for j in range(n)]) for r in range(n)]

    def params(self, rank):
        out, off = [], 0
        for s in self.shapes:
            k = math.prod(s)
            out.append(self.full[rank][off:off + k].reshape(s).clone())
            off += k
        return out

    def state_numel(self, rank):
        return self.m[rank].numel() + self.v[rank].numel()
'''),
    ('shard_flat', 'pad_in_the_middle_per_param', '''
def shard_flat(params, world_size):
    total = sum(p.numel() for p in params)
    pad = (-total) % world_size
    parts = [p.reshape(-1) for p in params]
    parts.insert(1 if len(parts) > 1 else 0, parts[0].new_zeros(pad))
    flat = torch.cat(parts)
    c = flat.numel() // world_size
    return [flat[r * c:(r + 1) * c].clone() for r in range(world_size)], pad
'''),
]
RIGHT = RIGHT + [
    ('zero_adam_w', 'predivided_grads_leftward_mhat_vhat', '''
class ZeroAdamW:
    def __init__(self, params, cluster, stage=1, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        self.cl, self.lr, self.b1, self.b2, self.eps, self.wd = cluster, lr, betas[0], betas[1], eps, weight_decay
        self.n = n = cluster.world_size
        self.shapes = [tuple(p.shape) for p in params]
        flat = torch.cat([p.detach().reshape(-1) for p in params])
        self.total = flat.numel()
        self.c = c = -(-self.total // n)
        flat = torch.cat([flat, flat.new_zeros(n * c - self.total)])
        self.shard = [flat[r * c:(r + 1) * c].double() for r in range(n)]          # fp64 master shards
        self.full = [flat.clone() for _ in range(n)]
        self.m = [torch.zeros(c, dtype=flat.dtype) for _ in range(n)]
        self.v = [torch.zeros(c, dtype=flat.dtype) for _ in range(n)]
        self.t = 0
        self.dtype = flat.dtype

    def step(self, grads_per_rank):
        n, c = self.n, self.c
        bufs = []
        for grads in grads_per_rank:
            f = torch.cat([g.reshape(-1) for g in grads]) / n                       # pre-divide: sum of g/N = mean
            bufs.append(list(torch.cat([f, f.new_zeros(n * c - self.total)]).split(c)))
        for k in range(n - 1):                                                      # leftward ring
            for r in range(n):
                self.cl.send(r, (r - 1) % n, bufs[r][(r + k + 1) % n])
            inbox = self.cl.step()
            for r in range(n):
                j = (r + k + 2) % n
                bufs[r][j] = bufs[r][j] + inbox[r][(r + 1) % n]
        self.t += 1
        new = []
        for r in range(n):
            g = bufs[r][r]
            p = self.shard[r].to(self.dtype)
            m = self.m[r] = self.b1 * self.m[r] + (1 - self.b1) * g
            v = self.v[r] = self.b2 * self.v[r] + (1 - self.b2) * g * g
            mhat = m / (1 - self.b1 ** self.t)
            vhat = v / (1 - self.b2 ** self.t)
            p = p * (1 - self.lr * self.wd) - self.lr * mhat / (vhat.sqrt() + self.eps)
            self.shard[r] = p.double()
            new.append(p)
        have = [{r: new[r]} for r in range(n)]
        for k in range(n - 1):
            for r in range(n):
                self.cl.send(r, (r - 1) % n, have[r][(r + k) % n])
            inbox = self.cl.step()
            for r in range(n):
                have[r][(r + k + 1) % n] = inbox[r][(r + 1) % n]
        self.full = [torch.cat([have[r][j] for j in range(n)]) for r in range(n)]

    def params(self, rank):
        out, off = [], 0
        for s in self.shapes:
            k = math.prod(s)
            out.append(self.full[rank][off:off + k].reshape(s).clone())
            off += k
        return out

    def state_numel(self, rank):
        return self.m[rank].numel() + self.v[rank].numel()
'''),
    ('shard_flat', 'pad_function_and_split', '''
def shard_flat(params, world_size):
    flat = torch.cat([p.reshape(-1) for p in params]).clone()
    pad = int((-flat.numel()) % world_size)
    flat = F.pad(flat, (0, pad))
    return list(flat.chunk(world_size)) if flat.numel() else [flat] * world_size, pad
'''),
    ('zero_model_state_bytes', 'bytes_per_param_dict', '''
def zero_model_state_bytes(n_params, dp_degree, stage, k=12):
    N = dp_degree
    per = {0: 2 + 2 + k, 1: 4 + k / N, 2: 2 + (2 + k) / N, 3: (4 + k) / N}[stage]
    return float(per * n_params)
'''),
    ('activation_bytes_per_layer', 'expanded_quadratic_term', '''
def activation_bytes_per_layer(seq, batch, hidden, heads, tp=1, recompute="none"):
    s, b, h, a, t = seq, batch, hidden, heads, tp
    if recompute == "full":
        return 2 * s * b * h
    linear = 34 * s * b * h / t
    if recompute == "selective":
        return linear
    return linear + 5 * a * s * s * b / t
'''),
]

# Issue 13: right numbers and right traffic, the wrong way. The state is measured (tensors the object holds), not
# taken from state_numel; a rank's parameters may use only its own gradients and the chunks delivered to it.
WRONG += [
    ("zero_adam_w", "full_torch_adamw_on_mean_grad_placeholder_traffic", '''
class ZeroAdamW:
    def __init__(self, params, cluster, stage=1, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        if stage not in (1, 2, 3):
            raise ValueError("stage must be 1, 2 or 3")
        self.cluster, self.n = cluster, cluster.world_size
        self.ref = [p.detach().clone().requires_grad_(True) for p in params]
        self.opt = torch.optim.AdamW(self.ref, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        self.c = -(-sum(p.numel() for p in params) // self.n)
        self.dtype = params[0].dtype

    def step(self, grads_per_rank):
        n = self.n
        for i, p in enumerate(self.ref):                              # the mean over ranks, read centrally
            p.grad = torch.stack([g[i] for g in grads_per_rank]).mean(0)
        self.opt.step()
        for _ in range(2):                                            # placeholder traffic: right rounds and bytes
            for k in range(n - 1):
                self.cluster.exchange([(r, (r + 1) % n, torch.zeros(self.c, dtype=self.dtype)) for r in range(n)])

    def params(self, rank):
        return [p.detach().clone() for p in self.ref]

    def state_numel(self, rank):
        return 2 * self.c                                             # self-reported
'''),
    ("zero_adam_w", "ddp_full_adamw_state_on_every_rank", _zero(
        # reduce-scatter, then all-gather the mean GRADIENT chunks (same rounds and bytes), and every rank runs
        # AdamW on its full parameters: N full copies of the state, while state_numel still reports 2c
        ("        self.m = [torch.zeros(self.c, dtype=flat.dtype) for _ in range(self.n)]\n"
         "        self.v = [torch.zeros(self.c, dtype=flat.dtype) for _ in range(self.n)]\n",
         "        self.m = [torch.zeros(self.n * self.c, dtype=flat.dtype) for _ in range(self.n)]\n"
         "        self.v = [torch.zeros(self.n * self.c, dtype=flat.dtype) for _ in range(self.n)]\n"),
        ("        new = [self._adamw(r, self._chunk(self.full[r], r), summed[r] / n) for r in range(n)]\n"
         "        self.full = self._all_gather(new)",
         "        mean = self._all_gather([s / n for s in summed])\n"
         "        self.full = [self._adamw(r, self.full[r], mean[r]) for r in range(n)]"),
        ("        return self.m[rank].numel() + self.v[rank].numel()", "        return 2 * self.c"))),
]

RIGHT += [
    ("zero_adam_w", "extra_scalars_and_grad_buffers", _zero(
        ("        self.t = 0\n",
         "        self.t = 0\n"
         "        self.steps = [torch.zeros((), dtype=torch.int64) for _ in range(self.n)]   # per-rank counters\n"
         "        self.lrs = [torch.tensor(lr, dtype=flat.dtype) for _ in range(self.n)]\n"
         "        self.grad_bufs = [torch.zeros_like(flat) for _ in range(self.n)]          # kept between steps\n"),
        ("        summed = self._reduce_scatter(flats)\n",
         "        for r in range(n):\n"
         "            self.grad_bufs[r].copy_(flats[r])\n"
         "            self.steps[r] += 1\n"
         "        summed = self._reduce_scatter(self.grad_bufs)\n"))),
]
