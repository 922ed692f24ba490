"""Wrong and right implementations for 07_parallel_computing (see docs/authoring.md).

Most variants are the reference cell with a small edit (``patch``), so each shows exactly the mistake it makes;
whole cells are genuinely different implementations.
"""

from mutations._patch import patch

ASSIGNMENT = "07_parallel_computing"

# ----------------------------------------------------------------------------------------- Amdahl
AMDAHL_SWAPPED = patch(ASSIGNMENT, "amdahl_speedup",
    "return 1.0 / ((1.0 - p) + p / n)", "return 1.0 / (p + (1.0 - p) / n)")
AMDAHL_IS_GUSTAFSON = patch(ASSIGNMENT, "amdahl_speedup",
    "return 1.0 / ((1.0 - p) + p / n)", "return (1.0 - p) + p * n")
AMDAHL_NO_SERIAL = patch(ASSIGNMENT, "amdahl_speedup",
    "return 1.0 / ((1.0 - p) + p / n)", "return 1.0 / ((1.0 - p) / n + p / n)")
AMDAHL_TENSOR = patch(ASSIGNMENT, "amdahl_speedup",
    "float(parallel_fraction", "torch.tensor(float(parallel_fraction)")
AMDAHL_RIGHT_REARRANGED = '''
def amdahl_speedup(parallel_fraction, n):
    return n / (n * (1 - parallel_fraction) + parallel_fraction) * 1.0
'''

GUSTAFSON_IS_AMDAHL = patch(ASSIGNMENT, "gustafson_speedup",
    "return (1.0 - p) + p * n", "return 1.0 / ((1.0 - p) + p / n)")
GUSTAFSON_SWAPPED = patch(ASSIGNMENT, "gustafson_speedup", "return (1.0 - p) + p * n", "return (1.0 - p) * n + p")
GUSTAFSON_INT = patch(ASSIGNMENT, "gustafson_speedup", [
    ("    p = float(parallel_fraction)\n", "    p = parallel_fraction\n"),
    ("(1.0 - p)", "(1 - p)")])
GUSTAFSON_NO_SERIAL = patch(ASSIGNMENT, "gustafson_speedup", "return (1.0 - p) + p * n", "return p * n")
GUSTAFSON_RIGHT = '''
def gustafson_speedup(parallel_fraction, n):
    return float(n - (n - 1) * (1 - parallel_fraction))
'''

# ------------------------------------------------------------------------------- reduce-scatter
RS_LOCAL_SUM = '''
def ring_reduce_scatter(tensors, cluster):
    N = cluster.world_size
    total = torch.stack(tensors).sum(0)
    return [c.clone() for c in torch.tensor_split(total, N)]
'''
RS_OFF_BY_ONE_OWNER = patch(ASSIGNMENT, "ring_reduce_scatter", [
    ("chunks[r][(r - k - 1) % N])", "chunks[r][(r - k) % N])"),
    ("c = (r - k - 2) % N", "c = (r - k - 1) % N"),
    ("return [chunks[r][r] for r in range(N)]", "return [chunks[r][(r + 1) % N] for r in range(N)]")])
RS_TORCH_CHUNK = patch(ASSIGNMENT, "ring_reduce_scatter", "torch.tensor_split(t, N)", "torch.chunk(t, N)")
# views into the inputs
RS_IN_PLACE = patch(ASSIGNMENT, "ring_reduce_scatter", [
    ("[c.clone() for c in torch.tensor_split(t, N)]", "list(torch.tensor_split(t, N))"),
    ("            c = (r - k - 2) % N\n"
     "            chunks[r][c] = chunks[r][c] + inbox[r][(r - 1) % N]\n",
     "            chunks[r][(r - k - 2) % N] += inbox[r][(r - 1) % N]\n")])
RS_DIRECT = '''
def ring_reduce_scatter(tensors, cluster):
    N = cluster.world_size
    chunks = [torch.tensor_split(t, N) for t in tensors]
    msgs = [(r, c, chunks[r][c]) for r in range(N) for c in range(N) if c != r]
    inbox = cluster.exchange(msgs)
    return [chunks[r][r] + sum(inbox[r].values()) if N > 1 else chunks[r][r].clone() for r in range(N)]
'''
RS_PADDED = '''
def ring_reduce_scatter(tensors, cluster):
    N = cluster.world_size
    L = tensors[0].numel()
    pad = (-L) % N
    chunks = [[c.clone() for c in F.pad(t, (0, pad)).view(N, -1)] for t in tensors]
    for k in range(N - 1):
        inbox = cluster.exchange([(r, (r + 1) % N, chunks[r][(r - k - 1) % N]) for r in range(N)])
        for r in range(N):
            c = (r - k - 2) % N
            chunks[r][c] = chunks[r][c] + inbox[r][(r - 1) % N]
    sizes = [c.numel() for c in torch.tensor_split(tensors[0], N)]
    return [chunks[r][r][:sizes[r]] for r in range(N)]
'''
# the mirror ring: send to the left neighbour
RS_RIGHT_LEFTWARD = patch(ASSIGNMENT, "ring_reduce_scatter", [
    ("(r, (r + 1) % N, chunks[r][(r - k - 1) % N])", "(r, (r - 1) % N, chunks[r][(r + k + 1) % N])"),
    ("c = (r - k - 2) % N", "c = (r + k + 2) % N"),
    ("inbox[r][(r - 1) % N]", "inbox[r][(r + 1) % N]")])
RS_RIGHT_SEND_STEP_F64 = '''
def ring_reduce_scatter(tensors, cluster):
    N = cluster.world_size
    dtype = tensors[0].dtype
    acc = [[c.to(torch.float64) for c in torch.tensor_split(t, N)] for t in tensors]
    for k in range(N - 1):
        for r in range(N):
            cluster.send(r, (r + 1) % N, acc[r][(r - k - 1) % N].to(dtype))
        inbox = cluster.step()
        for r in range(N):
            c = (r - k - 2) % N
            acc[r][c] = acc[r][c] + inbox[r][(r - 1) % N].to(torch.float64)
    return [acc[r][r].to(dtype) for r in range(N)]
'''

# ----------------------------------------------------------------------------------- all-gather
AG_LOCAL = '''
def ring_all_gather(chunks, cluster):
    return [torch.cat(chunks) for _ in range(cluster.world_size)]
'''
AG_ARRIVAL_ORDER = '''
def ring_all_gather(chunks, cluster):
    N = cluster.world_size
    have = [[chunks[r].clone()] for r in range(N)]
    for k in range(N - 1):
        inbox = cluster.exchange([(r, (r + 1) % N, have[r][-1]) for r in range(N)])
        for r in range(N):
            have[r].append(inbox[r][(r - 1) % N])
    return [torch.cat(have[r]) for r in range(N)]
'''
AG_N_ROUNDS = patch(ASSIGNMENT, "ring_all_gather", "range(N - 1):", "range(N if N > 1 else 0):")
AG_ALL_TO_ALL = '''
def ring_all_gather(chunks, cluster):
    N = cluster.world_size
    inbox = cluster.exchange([(r, d, chunks[r]) for r in range(N) for d in range(N) if d != r])
    return [torch.cat([chunks[c] if c == r else inbox[r][c] for c in range(N)]) for r in range(N)]
'''
AG_RIGHT_LEFTWARD = patch(ASSIGNMENT, "ring_all_gather", [
    ("(r, (r + 1) % N, have[r][(r - k) % N])", "(r, (r - 1) % N, have[r][(r + k) % N])"),
    ("have[r][(r - k - 1) % N] = inbox[r][(r - 1) % N]", "have[r][(r + k + 1) % N] = inbox[r][(r + 1) % N]")])
AG_RIGHT_SEND_STEP = '''
def ring_all_gather(chunks, cluster):
    N = cluster.world_size
    out = [[None] * N for _ in range(N)]
    for r in range(N):
        out[r][r] = chunks[r]
    for k in range(N - 1):
        for r in range(N):
            cluster.send(r, (r + 1) % N, out[r][(r - k) % N])
        inbox = cluster.step()
        for r in range(N):
            out[r][(r - k - 1) % N] = inbox[r][(r - 1) % N]
    return [torch.cat(row) for row in out]
'''

# ----------------------------------------------------------------------------------- all-reduce
AR_LOCAL_SUM = '''
def ring_all_reduce(tensors, cluster):
    total = torch.stack(tensors).sum(0)
    return [total.clone() for _ in range(cluster.world_size)]
'''
AR_WHOLE_TENSORS = '''
def ring_all_reduce(tensors, cluster):
    N = cluster.world_size
    acc = [t.clone() for t in tensors]
    moving = [t.clone() for t in tensors]
    for k in range(N - 1):                      # pass whole tensors around the ring
        inbox = cluster.exchange([(r, (r + 1) % N, moving[r]) for r in range(N)])
        moving = [inbox[r][(r - 1) % N] for r in range(N)]
        acc = [acc[r] + moving[r] for r in range(N)]
    return acc
'''
AR_NO_ALL_GATHER = '''
def ring_all_reduce(tensors, cluster):
    parts = ring_reduce_scatter(tensors, cluster)
    return [torch.cat(parts) for _ in range(cluster.world_size)]
'''
AR_PADDED = '''
def ring_all_reduce(tensors, cluster):
    N = cluster.world_size
    L = tensors[0].numel()
    padded = [F.pad(t, (0, (-L) % N)) for t in tensors]
    return [x[:L] for x in ring_all_gather(ring_reduce_scatter(padded, cluster), cluster)]
'''
AR_IN_PLACE = '''
def ring_all_reduce(tensors, cluster):
    N = cluster.world_size
    chunks = [list(torch.tensor_split(t, N)) for t in tensors]      # views: accumulates into the inputs
    for k in range(N - 1):
        inbox = cluster.exchange([(r, (r + 1) % N, chunks[r][(r - k - 1) % N]) for r in range(N)])
        for r in range(N):
            chunks[r][(r - k - 2) % N] += inbox[r][(r - 1) % N]
    for k in range(N - 1):
        inbox = cluster.exchange([(r, (r + 1) % N, chunks[r][(r - k) % N]) for r in range(N)])
        for r in range(N):
            chunks[r][(r - k - 1) % N] = inbox[r][(r - 1) % N]
    return [torch.cat(chunks[r]) for r in range(N)]
'''
AR_RIGHT_SELF_CONTAINED_LEFTWARD = '''
def ring_all_reduce(tensors, cluster):
    N = cluster.world_size
    chunks = [[c.clone() for c in torch.tensor_split(t, N)] for t in tensors]
    for k in range(N - 1):                      # reduce-scatter to the left
        inbox = cluster.exchange([(r, (r - 1) % N, chunks[r][(r + k + 1) % N]) for r in range(N)])
        for r in range(N):
            c = (r + k + 2) % N
            chunks[r][c] = chunks[r][c] + inbox[r][(r + 1) % N]
    for k in range(N - 1):                      # all-gather to the left
        inbox = cluster.exchange([(r, (r - 1) % N, chunks[r][(r + k) % N]) for r in range(N)])
        for r in range(N):
            chunks[r][(r + k + 1) % N] = inbox[r][(r + 1) % N]
    return [torch.cat(chunks[r]) for r in range(N)]
'''
AR_RIGHT_SHIFTED_OWNER = '''
def ring_all_reduce(tensors, cluster):
    # a self-contained ring in which rank r finishes the reduce-scatter owning chunk r + 1
    N = cluster.world_size
    chunks = [[c.clone() for c in torch.tensor_split(t, N)] for t in tensors]
    for k in range(N - 1):
        inbox = cluster.exchange([(r, (r + 1) % N, chunks[r][(r - k) % N]) for r in range(N)])
        for r in range(N):
            c = (r - k - 1) % N
            chunks[r][c] = chunks[r][c] + inbox[r][(r - 1) % N]
    for k in range(N - 1):
        inbox = cluster.exchange([(r, (r + 1) % N, chunks[r][(r + 1 - k) % N]) for r in range(N)])
        for r in range(N):
            chunks[r][(r - k) % N] = inbox[r][(r - 1) % N]
    return [torch.cat(chunks[r]) for r in range(N)]
'''

# -------------------------------------------------------------------------------------- naive
NAIVE_BROADCAST_ROUNDS = '''
def naive_all_reduce(tensors, cluster):
    N = cluster.world_size
    if N == 1:
        return [tensors[0].clone()]
    inbox = cluster.exchange([(r, 0, tensors[r]) for r in range(1, N)])
    total = tensors[0] + sum(inbox[0][r] for r in range(1, N))
    out = [total]
    for r in range(1, N):                       # one round per receiver
        out.append(cluster.exchange([(0, r, total)])[r][0])
    return out
'''
NAIVE_ALL_TO_ALL = '''
def naive_all_reduce(tensors, cluster):
    N = cluster.world_size
    inbox = cluster.exchange([(r, d, tensors[r]) for r in range(N) for d in range(N) if d != r])
    return [tensors[r] + sum(inbox[r].values()) if N > 1 else tensors[r].clone() for r in range(N)]
'''
NAIVE_IN_PLACE = patch(ASSIGNMENT, "naive_all_reduce", [
    ("total = tensors[0].clone()", "total = tensors[0]"),
    ("total = total + inbox[0][r]", "total += inbox[0][r]")])
NAIVE_NO_BROADCAST = '''
def naive_all_reduce(tensors, cluster):
    N = cluster.world_size
    if N == 1:
        return [tensors[0].clone()]
    inbox = cluster.exchange([(r, 0, tensors[r]) for r in range(1, N)])
    total = tensors[0] + sum(inbox[0][r] for r in range(1, N))
    cluster.exchange([(0, r, total) for r in range(1, N)])
    return [total] + [tensors[r].clone() for r in range(1, N)]
'''
NAIVE_RIGHT_SEND_STEP = '''
def naive_all_reduce(tensors, cluster):
    N = cluster.world_size
    total = tensors[0].clone()
    for r in range(1, N):
        cluster.send(r, 0, tensors[r])
    for src, t in cluster.step()[0].items():
        total = total + t
    for r in range(1, N):
        cluster.send(0, r, total)
    inbox = cluster.step()
    return [total] + [inbox[r][0] for r in range(1, N)]
'''

# -------------------------------------------------------------------------- recursive doubling
# partner r + 2^k instead of r XOR 2^k
# partner r + 2^k instead of r XOR 2^k
RD_SHIFT_PARTNER = patch(ASSIGNMENT, "recursive_doubling_all_reduce", [
    ("(r, r ^ step, partial[r])", "(r, (r + step) % N, partial[r])"),
    ("inbox[r][r ^ step]", "inbox[r][(r - step) % N]")])
RD_SENDS_INPUT = patch(ASSIGNMENT, "recursive_doubling_all_reduce",
    "(r, r ^ step, partial[r])", "(r, r ^ step, tensors[r])")
RD_NO_ACCUMULATE = patch(ASSIGNMENT, "recursive_doubling_all_reduce",
    "partial = [partial[r] + inbox", "partial = [tensors[r] + inbox")
RD_IN_PLACE = patch(ASSIGNMENT, "recursive_doubling_all_reduce", [
    ("[t.clone() for t in tensors]", "list(tensors)"),
    ("        partial = [partial[r] + inbox[r][r ^ step] for r in range(N)]\n",
     "        for r in range(N):\n"
     "            partial[r] += inbox[r][r ^ step]\n")])
RD_RIGHT_LOG2 = '''
def recursive_doubling_all_reduce(tensors, cluster):
    N = cluster.world_size
    rounds = math.log2(N)
    if rounds != int(rounds):
        raise ValueError(f"world size {N} is not a power of two")
    partial = [t.clone() for t in tensors]
    for k in range(int(rounds)):
        for r in range(N):
            cluster.send(r, r ^ (1 << k), partial[r])
        inbox = cluster.step()
        partial = [partial[r] + inbox[r][r ^ (1 << k)] for r in range(N)]
    return partial
'''

# ------------------------------------------------------------------------------ allreduce_time
ART_RING_NO_DIV = patch(ASSIGNMENT, "allreduce_time",
    "2 * (n - 1) / n * nbytes * beta", "2 * (n - 1) * nbytes * beta")
ART_NATURAL_LOG = patch(ASSIGNMENT, "allreduce_time", "math.log2(n)", "math.log(n)")
ART_NAIVE_ONE_ALPHA = patch(ASSIGNMENT, "allreduce_time", "return float(2 * alpha +", "return float(alpha +")
ART_NO_VALUE_ERROR = patch(ASSIGNMENT, "allreduce_time",
    '    if algorithm not in ("ring", "recursive_doubling", "naive"):\n'
    '        raise ValueError(f"unknown all-reduce algorithm {algorithm!r}")\n',
    "")
ART_NAIVE_N1 = patch(ASSIGNMENT, "allreduce_time",
    "    if n == 1:\n"
    "        return 0.0\n",
    "")
ART_RIGHT_TABLE = '''
def allreduce_time(nbytes, world_size, alpha, beta, algorithm="ring"):
    n = world_size
    table = {
        "ring": lambda: (2 * (n - 1), 2 * (n - 1) / n * nbytes),
        "recursive_doubling": lambda: (n.bit_length() - 1, (n.bit_length() - 1) * nbytes),
        "naive": lambda: (2, 2 * (n - 1) * nbytes),
    }
    if algorithm not in table:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    if n <= 1:
        return 0.0
    rounds, busiest_bytes = table[algorithm]()
    return rounds * alpha + busiest_bytes * beta
'''

BUSBW_HALF = patch(ASSIGNMENT, "bus_bandwidth", "2 * (n - 1) / n", "(n - 1) / n")
BUSBW_NO_N = patch(ASSIGNMENT, "bus_bandwidth", "2 * (n - 1) / n", "2 * (n - 1)")
BUSBW_INVERTED = patch(ASSIGNMENT, "bus_bandwidth",
    "return float(alg_bandwidth * 2 * (n - 1) / n)",
    "return float(alg_bandwidth * n / (2 * (n - 1))) if n > 1 else 0.0")
BUSBW_FLOOR = patch(ASSIGNMENT, "bus_bandwidth",
    "return float(alg_bandwidth * 2 * (n - 1) / n)", "return alg_bandwidth * 2 * (n - 1) // n")
BUSBW_RIGHT = '''
def bus_bandwidth(alg_bandwidth, world_size):
    return alg_bandwidth * (2.0 - 2.0 / world_size)
'''

# ------------------------------------------------------------------------------ real processes
DIST_USES_ALL_REDUCE = '''
def dist_ring_all_reduce(tensor):
    out = tensor.clone()
    dist.all_reduce(out)
    return out
'''
# no clone: accumulates into the caller's tensor
DIST_IN_PLACE = patch(ASSIGNMENT, "dist_ring_all_reduce", ".clone()", "")
DIST_WHOLE_TENSORS = '''
def dist_ring_all_reduce(tensor):
    rank, N = dist.get_rank(), dist.get_world_size()
    acc = tensor.clone()
    moving = tensor.clone()
    for k in range(N - 1):                        # pass whole tensors around the ring
        buf = torch.empty_like(moving)
        req = dist.isend(moving, (rank + 1) % N)
        dist.recv(buf, (rank - 1) % N)
        req.wait()
        moving = buf
        acc += buf
    return acc
'''
DIST_TORCH_CHUNK = patch(ASSIGNMENT, "dist_ring_all_reduce", "tensor_split", "chunk")
DIST_GATHER_NOT_STORED = patch(ASSIGNMENT, "dist_ring_all_reduce", [
    ("        out_c, in_c = chunks[(rank - k) % N], chunks[(rank - k - 1) % N]\n",
     "        out_c, in_c = chunks[(rank - k) % N], chunks[(rank - k - 1) % N]\n"
     "        buf = torch.empty_like(in_c)              # received, but never written into acc\n"),
    ("in_c,", "buf,")])
DIST_RIGHT_IRECV_LEFTWARD = '''
def dist_ring_all_reduce(tensor):
    rank, N = dist.get_rank(), dist.get_world_size()
    parts = [c.clone() for c in torch.tensor_split(tensor, N)]
    right, left = (rank + 1) % N, (rank - 1) % N
    for k in range(N - 1):                        # reduce-scatter to the left; rank r ends owning chunk r
        send_i, recv_i = (rank + k + 1) % N, (rank + k + 2) % N
        buf = torch.empty_like(parts[recv_i])
        req = dist.irecv(buf, right)
        dist.send(parts[send_i], left)
        req.wait()
        parts[recv_i] = parts[recv_i] + buf
    for k in range(N - 1):                        # all-gather to the left
        send_i, recv_i = (rank + k) % N, (rank + k + 1) % N
        buf = torch.empty_like(parts[recv_i])
        req = dist.irecv(buf, right)
        dist.send(parts[send_i], left)
        req.wait()
        parts[recv_i] = buf
    return torch.cat(parts)
'''

# ------------------------------------------------------------------------------- data parallel
DP_NO_AVERAGE = patch(ASSIGNMENT, "data_parallel_gradients", "flat = summed[r] / N", "flat = summed[r]")
DP_NO_ALL_REDUCE = patch(ASSIGNMENT, "data_parallel_gradients",
    "summed = ring_all_reduce(local, cluster)", "summed = local")
DP_DIVIDE_BY_BATCH = patch(ASSIGNMENT, "data_parallel_gradients",
    "flat = summed[r] / N", "flat = summed[r] / x.shape[0]")
DP_PER_PARAMETER = '''
def data_parallel_gradients(model, loss_fn, x, y, cluster):
    N = cluster.world_size
    params = list(model.parameters())
    local = [torch.autograd.grad(loss_fn(model(xr), yr), params)
             for xr, yr in zip(torch.tensor_split(x, N), torch.tensor_split(y, N))]
    out = [[] for _ in range(N)]
    for i, p in enumerate(params):              # one all-reduce per parameter: many small messages
        summed = ring_all_reduce([local[r][i].reshape(-1) for r in range(N)], cluster)
        for r in range(N):
            out[r].append((summed[r] / N).view_as(p))
    return out
'''
DP_RIGHT_BACKWARD = '''
def data_parallel_gradients(model, loss_fn, x, y, cluster):
    N = cluster.world_size
    params = list(model.parameters())
    local = []
    for xr, yr in zip(torch.tensor_split(x, N), torch.tensor_split(y, N)):
        model.zero_grad(set_to_none=True)
        loss_fn(model(xr), yr).backward()
        local.append(torch.cat([p.grad.reshape(-1) for p in params]))
    model.zero_grad(set_to_none=True)
    averaged = [s / N for s in ring_all_reduce(local, cluster)]
    out = []
    for flat in averaged:
        grads, offset = [], 0
        for p in params:
            grads.append(flat[offset:offset + p.numel()].reshape(p.shape))
            offset += p.numel()
        out.append(grads)
    return out
'''

# ------------------------------------------------------------------------------ tensor parallel
COL_SPLIT_INPUT = '''
def column_parallel_linear(x, weight, bias, world_size):
    w_parts = torch.tensor_split(weight, world_size, dim=1)
    x_parts = torch.tensor_split(x, world_size, dim=-1)
    out = [F.linear(xp, w) for xp, w in zip(x_parts, w_parts)]
    if bias is not None:
        out[0] = out[0] + bias
    return out
'''
COL_TORCH_CHUNK = patch(ASSIGNMENT, "column_parallel_linear", [
    (" torch.tensor_split(weight, world_size", " torch.chunk(weight, world_size"),
    ("tensor_split(bias, world_size) if bias is not None else [None] * world_size",
     "chunk(bias, world_size) if bias is not None else [None] * len(w_parts)")])
COL_FULL_BIAS = '''
def column_parallel_linear(x, weight, bias, world_size):
    return [F.linear(x, w, bias) for w in torch.tensor_split(weight, world_size, dim=0)]
'''
COL_BIAS_REQUIRED = patch(ASSIGNMENT, "column_parallel_linear", [
    (" if bias is not None else [None] * world_size", ""),
    ("F.linear(x, w, b)", "x @ w.T + b")])
COL_RIGHT_MANUAL = '''
def column_parallel_linear(x, weight, bias, world_size):
    out_f, n = weight.shape[0], world_size
    base, extra = divmod(out_f, n)
    outs, start = [], 0
    for r in range(n):
        stop = start + base + (1 if r < extra else 0)
        y = x @ weight[start:stop].T
        if bias is not None:
            y = y + bias[start:stop]
        outs.append(y)
        start = stop
    return outs
'''

ROW_BIAS_BEFORE = '''
def row_parallel_linear(x_parts, weight, bias, cluster):
    w_parts = torch.tensor_split(weight, cluster.world_size, dim=1)
    partial = [F.linear(xp, w, bias) for xp, w in zip(x_parts, w_parts)]     # bias on every rank
    shape = partial[0].shape
    return [s.reshape(shape) for s in ring_all_reduce([p.reshape(-1) for p in partial], cluster)]
'''
ROW_NO_REDUCE = '''
def row_parallel_linear(x_parts, weight, bias, cluster):
    w_parts = torch.tensor_split(weight, cluster.world_size, dim=1)
    return [F.linear(xp, w) + (bias if bias is not None else 0) for xp, w in zip(x_parts, w_parts)]
'''
ROW_AVERAGE = '''
def row_parallel_linear(x_parts, weight, bias, cluster):
    N = cluster.world_size
    w_parts = torch.tensor_split(weight, N, dim=1)
    partial = [F.linear(xp, w) for xp, w in zip(x_parts, w_parts)]
    shape = partial[0].shape
    out = [s.reshape(shape) / N for s in ring_all_reduce([p.reshape(-1) for p in partial], cluster)]
    return [o + bias for o in out] if bias is not None else out
'''
ROW_PER_ROW_REDUCE = '''
def row_parallel_linear(x_parts, weight, bias, cluster):
    N = cluster.world_size
    w_parts = torch.tensor_split(weight, N, dim=1)
    partial = [F.linear(xp, w) for xp, w in zip(x_parts, w_parts)]          # (..., out)
    rows = [p.reshape(-1, p.shape[-1]) for p in partial]
    summed_rows = [ring_all_reduce([rows[r][i] for r in range(N)], cluster) for i in range(rows[0].shape[0])]
    out = [torch.stack([summed_rows[i][r] for i in range(len(summed_rows))]).reshape(partial[0].shape)
           for r in range(N)]
    return [o + bias for o in out] if bias is not None else out
'''
ROW_RIGHT_SPLIT_DIM1 = '''
def row_parallel_linear(x_parts, weight, bias, cluster):
    w_parts = torch.tensor_split(weight, cluster.world_size, dim=1)
    partial = [torch.matmul(xp, w.T) for xp, w in zip(x_parts, w_parts)]
    flat = ring_all_reduce([p.flatten() for p in partial], cluster)
    out = [f.view(partial[0].shape) for f in flat]
    if bias is not None:
        out = [torch.add(o, bias) for o in out]
    return out
'''

# ------------------------------------------------------------------------------------- pipeline
BUBBLE_OVER_M = '''
def pipeline_bubble_fraction(n_stages, n_micro, schedule="gpipe"):
    if schedule not in ("gpipe", "1f1b"):
        raise ValueError(schedule)
    return (n_stages - 1) / n_micro
'''
BUBBLE_PLUS_P = '''
def pipeline_bubble_fraction(n_stages, n_micro, schedule="gpipe"):
    if schedule not in ("gpipe", "1f1b"):
        raise ValueError(schedule)
    return (n_stages - 1) / (n_micro + n_stages)
'''
BUBBLE_1F1B_HALF = '''
def pipeline_bubble_fraction(n_stages, n_micro, schedule="gpipe"):
    if schedule not in ("gpipe", "1f1b"):
        raise ValueError(schedule)
    f = (n_stages - 1) / (n_micro + n_stages - 1)
    return f / 2 if schedule == "1f1b" else f
'''
BUBBLE_NO_VALUE_ERROR = '''
def pipeline_bubble_fraction(n_stages, n_micro, schedule="gpipe"):
    return (n_stages - 1) / (n_micro + n_stages - 1)
'''
BUBBLE_INT_DIVISION = '''
def pipeline_bubble_fraction(n_stages, n_micro, schedule="gpipe"):
    if schedule not in ("gpipe", "1f1b"):
        raise ValueError(schedule)
    return float((n_stages - 1) // (n_micro + n_stages - 1))
'''
BUBBLE_RIGHT = '''
def pipeline_bubble_fraction(n_stages, n_micro, schedule="gpipe"):
    if schedule.lower() not in {"gpipe", "1f1b"} or schedule != schedule.lower():
        raise ValueError(f"unknown schedule {schedule!r}")
    return 1.0 - n_micro / (n_micro + n_stages - 1)
'''

SCHED_BACKWARD_NO_DEPENDENCY = '''
def pipeline_schedule(n_stages, n_micro, schedule="gpipe"):
    p, m = n_stages, n_micro
    if schedule not in ("gpipe", "1f1b"):
        raise ValueError(schedule)
    steps = 2 * (m + p - 1)
    grid = [[None] * steps for _ in range(p)]
    for s in range(p):
        for j in range(m):
            grid[s][s + j] = f"F{j}"
            grid[s][m + p - 1 + j] = f"B{j}"            # every stage starts backward at once
    return grid
'''
SCHED_1F1B_IS_GPIPE = patch(ASSIGNMENT, "pipeline_schedule", [
    ('    if schedule == "gpipe":\n',
     '    if schedule not in ("gpipe", "1f1b"):\n        raise ValueError(schedule)\n    if True:  # GPipe for both\n')])
SCHED_ONE_BASED = patch(ASSIGNMENT, "pipeline_schedule", 'f"{kind}{j}"', 'f"{kind}{j + 1}"')
SCHED_NO_VALUE_ERROR = patch(ASSIGNMENT, "pipeline_schedule", [  # any other name runs GPipe
    ('    if schedule == "gpipe":\n'
     '        order = [[("F", j) for j in range(m)] + [("B", j) for j in range(m)] for _ in range(p)]\n'
     '    elif schedule == "1f1b":\n', '    if schedule == "1f1b":\n'),
    ('    else:\n        raise ValueError(f"unknown pipeline schedule {schedule!r}")\n',
     '    else:\n        order = [[("F", j) for j in range(m)] + [("B", j) for j in range(m)] for _ in range(p)]\n')])
SCHED_SAME_STEP = patch(ASSIGNMENT, "pipeline_schedule", [  # a stage sees what another did in this very step
    ("done.get(dep, steps) < t", "done.get(dep, steps) <= t"), ("        done.update(finished)\n", ""),
    ("                finished[(kind, j, s)] = t\n", "                done[(kind, j, s)] = t\n")])
# GPipe with backwards in reverse micro-batch order
SCHED_RIGHT_REVERSE_BACKWARD = patch(ASSIGNMENT, "pipeline_schedule",
    '[("B", j) for j in range(m)] for _ in range(p)]', '[("B", j) for j in reversed(range(m))] for _ in range(p)]')
SCHED_RIGHT_CLOSED_FORM = '''
def pipeline_schedule(n_stages, n_micro, schedule="gpipe"):
    p, m = n_stages, n_micro
    steps = 2 * (m + p - 1)
    grid = [[None] * steps for _ in range(p)]
    if schedule == "gpipe":
        for s in range(p):
            for j in range(m):
                grid[s][s + j] = f"F{j}"
                grid[s][m + p - 1 + (p - 1 - s) + j] = f"B{j}"
        return grid
    if schedule != "1f1b":
        raise ValueError(schedule)
    # 1F1B: stage s does p - s - 1 warm-up forwards, then alternates; simulate the dependencies
    pending = {}
    for s in range(p):
        warm = min(p - s - 1, m)
        ops = [("F", j) for j in range(warm)]
        for j in range(m - warm):
            ops += [("F", warm + j), ("B", j)]
        pending[s] = ops + [("B", j) for j in range(m - warm, m)]
    f_time = {s: {} for s in range(p)}
    b_time = {s: {} for s in range(p)}
    for t in range(steps):
        new_f, new_b = [], []
        for s in range(p):
            if not pending[s]:
                continue
            kind, j = pending[s][0]
            if kind == "F":
                ready = s == 0 or f_time[s - 1].get(j, steps) < t
            elif s == p - 1:
                ready = f_time[s].get(j, steps) < t
            else:
                ready = b_time[s + 1].get(j, steps) < t
            if ready:
                pending[s].pop(0)
                grid[s][t] = f"{kind}{j}"
                (new_f if kind == "F" else new_b).append((s, j))
        for s, j in new_f:
            f_time[s][j] = t
        for s, j in new_b:
            b_time[s][j] = t
    return grid
'''

WRONG = [
    ("amdahl_speedup", "fractions_swapped", AMDAHL_SWAPPED),
    ("amdahl_speedup", "gustafson_formula", AMDAHL_IS_GUSTAFSON),
    ("amdahl_speedup", "serial_part_divided_by_n", AMDAHL_NO_SERIAL),
    ("amdahl_speedup", "returns_tensor", AMDAHL_TENSOR),
    ("gustafson_speedup", "amdahl_formula", GUSTAFSON_IS_AMDAHL),
    ("gustafson_speedup", "fractions_swapped", GUSTAFSON_SWAPPED),
    ("gustafson_speedup", "int_for_int_inputs", GUSTAFSON_INT),
    ("gustafson_speedup", "no_serial_part", GUSTAFSON_NO_SERIAL),
    ("ring_reduce_scatter", "local_sum_no_communication", RS_LOCAL_SUM),
    ("ring_reduce_scatter", "rank_ends_with_next_chunk", RS_OFF_BY_ONE_OWNER),
    ("ring_reduce_scatter", "torch_chunk", RS_TORCH_CHUNK),
    ("ring_reduce_scatter", "accumulates_into_inputs", RS_IN_PLACE),
    ("ring_reduce_scatter", "direct_one_round", RS_DIRECT),
    ("ring_reduce_scatter", "padded_chunks", RS_PADDED),
    ("ring_all_gather", "local_concat", AG_LOCAL),
    ("ring_all_gather", "arrival_order", AG_ARRIVAL_ORDER),
    ("ring_all_gather", "n_rounds", AG_N_ROUNDS),
    ("ring_all_gather", "all_to_all_one_round", AG_ALL_TO_ALL),
    ("ring_all_reduce", "local_sum_no_communication", AR_LOCAL_SUM),
    ("ring_all_reduce", "whole_tensors_around_ring", AR_WHOLE_TENSORS),
    ("ring_all_reduce", "no_all_gather_phase", AR_NO_ALL_GATHER),
    ("ring_all_reduce", "padded_to_multiple_of_n", AR_PADDED),
    ("ring_all_reduce", "accumulates_into_inputs", AR_IN_PLACE),
    ("naive_all_reduce", "broadcast_one_round_per_rank", NAIVE_BROADCAST_ROUNDS),
    ("naive_all_reduce", "all_to_all", NAIVE_ALL_TO_ALL),
    ("naive_all_reduce", "accumulates_into_rank0_input", NAIVE_IN_PLACE),
    ("naive_all_reduce", "others_keep_their_input", NAIVE_NO_BROADCAST),
    ("recursive_doubling_all_reduce", "partner_r_plus_2k", RD_SHIFT_PARTNER),
    ("recursive_doubling_all_reduce", "sends_input_not_partial", RD_SENDS_INPUT),
    ("recursive_doubling_all_reduce", "forgets_partial_sum", RD_NO_ACCUMULATE),
    ("recursive_doubling_all_reduce", "accumulates_into_inputs", RD_IN_PLACE),
    ("allreduce_time", "ring_without_over_n", ART_RING_NO_DIV),
    ("allreduce_time", "natural_log", ART_NATURAL_LOG),
    ("allreduce_time", "naive_one_alpha", ART_NAIVE_ONE_ALPHA),
    ("allreduce_time", "unknown_name_is_naive", ART_NO_VALUE_ERROR),
    ("allreduce_time", "naive_n1_not_zero", ART_NAIVE_N1),
    ("bus_bandwidth", "n_minus_1_over_n", BUSBW_HALF),
    ("bus_bandwidth", "no_division_by_n", BUSBW_NO_N),
    ("bus_bandwidth", "inverted", BUSBW_INVERTED),
    ("bus_bandwidth", "floor_division", BUSBW_FLOOR),
    ("dist_ring_all_reduce", "calls_dist_all_reduce", DIST_USES_ALL_REDUCE),
    ("dist_ring_all_reduce", "modifies_input", DIST_IN_PLACE),
    ("dist_ring_all_reduce", "whole_tensors_around_ring", DIST_WHOLE_TENSORS),
    ("dist_ring_all_reduce", "torch_chunk", DIST_TORCH_CHUNK),
    ("dist_ring_all_reduce", "all_gather_not_stored", DIST_GATHER_NOT_STORED),
    ("data_parallel_gradients", "sum_not_average", DP_NO_AVERAGE),
    ("data_parallel_gradients", "no_all_reduce", DP_NO_ALL_REDUCE),
    ("data_parallel_gradients", "divide_by_batch", DP_DIVIDE_BY_BATCH),
    ("data_parallel_gradients", "one_all_reduce_per_parameter", DP_PER_PARAMETER),
    ("column_parallel_linear", "splits_input_features", COL_SPLIT_INPUT),
    ("column_parallel_linear", "torch_chunk", COL_TORCH_CHUNK),
    ("column_parallel_linear", "full_bias_on_each_rank", COL_FULL_BIAS),
    ("column_parallel_linear", "bias_none_fails", COL_BIAS_REQUIRED),
    ("row_parallel_linear", "bias_before_all_reduce", ROW_BIAS_BEFORE),
    ("row_parallel_linear", "no_all_reduce", ROW_NO_REDUCE),
    ("row_parallel_linear", "average_not_sum", ROW_AVERAGE),
    ("row_parallel_linear", "one_all_reduce_per_row", ROW_PER_ROW_REDUCE),
    ("pipeline_bubble_fraction", "over_m", BUBBLE_OVER_M),
    ("pipeline_bubble_fraction", "over_m_plus_p", BUBBLE_PLUS_P),
    ("pipeline_bubble_fraction", "1f1b_halves_bubble", BUBBLE_1F1B_HALF),
    ("pipeline_bubble_fraction", "integer_division", BUBBLE_INT_DIVISION),
    ("pipeline_schedule", "backward_ignores_next_stage", SCHED_BACKWARD_NO_DEPENDENCY),
    ("pipeline_schedule", "1f1b_same_as_gpipe", SCHED_1F1B_IS_GPIPE),
    ("pipeline_schedule", "one_based_micro_batches", SCHED_ONE_BASED),
    ("pipeline_schedule", "dependency_in_same_step", SCHED_SAME_STEP),
]

RIGHT = [
    ("amdahl_speedup", "rearranged", AMDAHL_RIGHT_REARRANGED),
    ("gustafson_speedup", "rearranged", GUSTAFSON_RIGHT),
    ("ring_reduce_scatter", "leftward_ring", RS_RIGHT_LEFTWARD),
    ("ring_reduce_scatter", "send_step_float64_accumulator", RS_RIGHT_SEND_STEP_F64),
    ("ring_all_gather", "leftward_ring", AG_RIGHT_LEFTWARD),
    ("ring_all_gather", "send_then_step", AG_RIGHT_SEND_STEP),
    ("ring_all_reduce", "self_contained_leftward", AR_RIGHT_SELF_CONTAINED_LEFTWARD),
    ("ring_all_reduce", "rank_owns_next_chunk", AR_RIGHT_SHIFTED_OWNER),
    ("naive_all_reduce", "send_then_step", NAIVE_RIGHT_SEND_STEP),
    ("recursive_doubling_all_reduce", "log2_and_send_step", RD_RIGHT_LOG2),
    ("allreduce_time", "rounds_and_busiest_bytes_table", ART_RIGHT_TABLE),
    ("bus_bandwidth", "two_minus_two_over_n", BUSBW_RIGHT),
    ("dist_ring_all_reduce", "irecv_then_send_leftward", DIST_RIGHT_IRECV_LEFTWARD),
    ("data_parallel_gradients", "backward_and_manual_unflatten", DP_RIGHT_BACKWARD),
    ("column_parallel_linear", "manual_slices_matmul", COL_RIGHT_MANUAL),
    ("row_parallel_linear", "tensor_split_dim1_matmul", ROW_RIGHT_SPLIT_DIM1),
    ("pipeline_bubble_fraction", "one_minus_busy_fraction", BUBBLE_RIGHT),
    ("pipeline_schedule", "gpipe_reverse_backward_order", SCHED_RIGHT_REVERSE_BACKWARD),
    ("pipeline_schedule", "gpipe_closed_form", SCHED_RIGHT_CLOSED_FORM),
    # The SYLLABUS names only "gpipe" and "1f1b": what other names do is left open.
    ("pipeline_bubble_fraction", "ignores_unknown_schedule_names", BUBBLE_NO_VALUE_ERROR),
    ("pipeline_schedule", "unknown_names_run_gpipe", SCHED_NO_VALUE_ERROR),
]


# ---------------------------------------------------------------- more variants (probe of false rejects / accepts)
WRONG = WRONG + [
    ('ring_all_gather', 'own_chunk_not_first_sent', patch(ASSIGNMENT, "ring_all_gather",
        "torch.cat([have[r][c] for c in range(N)])", "torch.cat([have[r][(r + c) % N] for c in range(N)])")),
    ('ring_reduce_scatter', 'sends_whole_tensor_each_round', '''
def ring_reduce_scatter(tensors, cluster):
    N = cluster.world_size
    acc = [t.clone() for t in tensors]
    for k in range(N - 1):
        inbox = cluster.exchange([(r, (r + 1) % N, tensors[(r - k) % N]) for r in range(N)])
        for r in range(N):
            acc[r] = acc[r] + inbox[r][(r - 1) % N]
    return [torch.tensor_split(acc[r], N)[r] for r in range(N)]
'''),
    ('recursive_doubling_all_reduce', 'no_value_error_for_non_power_of_two', '''
def recursive_doubling_all_reduce(tensors, cluster):
    N = cluster.world_size
    partial = [t.clone() for t in tensors]
    step = 1
    while step < N:
        inbox = cluster.exchange([(r, r ^ step, partial[r]) for r in range(N) if (r ^ step) < N])
        partial = [partial[r] + inbox[r][r ^ step] if (r ^ step) < N else partial[r] for r in range(N)]
        step *= 2
    return partial
'''),
    ('allreduce_time', 'recursive_doubling_ceil_log', patch(ASSIGNMENT, "allreduce_time",
        "math.log2(n) * (alpha + nbytes * beta)", "math.log2(n) * alpha + nbytes * beta")),
    ('pipeline_schedule', '1f1b_one_extra_warmup_forward', patch(ASSIGNMENT, "pipeline_schedule",
        "(p - s - 1, m)", "(p - s, m)")),
]
RIGHT = RIGHT + [
    ('dist_ring_all_reduce', 'batch_isend_irecv', '''
def dist_ring_all_reduce(tensor):
    rank, N = dist.get_rank(), dist.get_world_size()
    acc = tensor.clone()
    if N == 1:
        return acc
    chunks = list(torch.tensor_split(acc, N))
    right, left = (rank + 1) % N, (rank - 1) % N
    for k in range(N - 1):
        send_c = chunks[(rank - k - 1) % N]
        buf = torch.empty_like(chunks[(rank - k - 2) % N])
        reqs = dist.batch_isend_irecv([dist.P2POp(dist.isend, send_c, right), dist.P2POp(dist.irecv, buf, left)])
        for r in reqs:
            r.wait()
        chunks[(rank - k - 2) % N] += buf
    for k in range(N - 1):
        send_c = chunks[(rank - k) % N]
        recv_c = chunks[(rank - k - 1) % N]
        reqs = dist.batch_isend_irecv([dist.P2POp(dist.isend, send_c, right), dist.P2POp(dist.irecv, recv_c, left)])
        for r in reqs:
            r.wait()
    return acc
'''),
    ('dist_ring_all_reduce', 'even_odd_blocking_send_recv', '''
def dist_ring_all_reduce(tensor):
    rank, N = dist.get_rank(), dist.get_world_size()
    acc = tensor.clone().double()
    if N == 1:
        return acc.to(tensor.dtype)
    chunks = torch.tensor_split(acc, N)
    right, left = (rank + 1) % N, (rank - 1) % N
    def swap(out_c, in_buf):
        if rank % 2 == 0:
            dist.send(out_c.to(tensor.dtype).contiguous(), right)
            dist.recv(in_buf, left)
        else:
            dist.recv(in_buf, left)
            dist.send(out_c.to(tensor.dtype).contiguous(), right)
    for k in range(N - 1):
        in_c = chunks[(rank - k - 2) % N]
        buf = torch.empty(in_c.shape, dtype=tensor.dtype)
        swap(chunks[(rank - k - 1) % N], buf)
        in_c += buf
    for k in range(N - 1):
        in_c = chunks[(rank - k - 1) % N]
        buf = torch.empty(in_c.shape, dtype=tensor.dtype)
        swap(chunks[(rank - k) % N], buf)
        in_c.copy_(buf)
    return acc.to(tensor.dtype)
'''),
    ('pipeline_bubble_fraction', 'ignores_schedule_name', '''
def pipeline_bubble_fraction(n_stages, n_micro, schedule="gpipe"):
    return (n_stages - 1) / (n_micro + n_stages - 1)
'''),
    ('ring_all_reduce', 'one_loop_2n_minus_2_rounds_float64', '''
def ring_all_reduce(tensors, cluster):
    N = cluster.world_size
    dtype = tensors[0].dtype
    chunks = [list(c.double().clone() for c in torch.tensor_split(t, N)) for t in tensors]
    for k in range(2 * (N - 1)):
        msgs = []
        for r in range(N):
            j = (r - k) % N
            msgs.append((r, (r + 1) % N, chunks[r][j].to(dtype)))
        inbox = cluster.exchange(msgs)
        for r in range(N):
            j = (r - 1 - k) % N
            got = inbox[r][(r - 1) % N].double()
            chunks[r][j] = chunks[r][j] + got if k < N - 1 else got
    return [torch.cat(chunks[r]).to(dtype) for r in range(N)]
'''),
    ('ring_reduce_scatter', 'send_queue_step_leftward_loop', '''
def ring_reduce_scatter(tensors, cluster):
    N = cluster.world_size
    parts = [[c.clone() for c in torch.tensor_split(t, N)] for t in tensors]
    for k in range(N - 1):
        for r in range(N):
            cluster.send(r, (r - 1) % N, parts[r][(r + k + 1) % N])
        inbox = cluster.step()
        for r in range(N):
            j = (r + k + 2) % N
            parts[r][j] = parts[r][j] + inbox[r][(r + 1) % N]
    return [parts[r][r] for r in range(N)]
'''),
    ('recursive_doubling_all_reduce', 'xor_loop_over_bits', '''
def recursive_doubling_all_reduce(tensors, cluster):
    N = cluster.world_size
    if N < 1 or (N & (N - 1)) != 0:
        raise ValueError('power of two')
    cur = [t.clone() for t in tensors]
    for k in range(int(math.log2(N))):
        for r in range(N):
            cluster.send(r, r ^ (1 << k), cur[r])
        inbox = cluster.step()
        cur = [cur[r] + inbox[r][r ^ (1 << k)] for r in range(N)]
    return cur
'''),
    ('naive_all_reduce', 'sum_in_float64_no_n1_special_case', '''
def naive_all_reduce(tensors, cluster):
    N = cluster.world_size
    inbox = cluster.exchange([(r, 0, tensors[r]) for r in range(1, N)]) if N > 1 else [{}]
    total = tensors[0].double().clone()
    for r in range(1, N):
        total += inbox[0][r].double()
    total = total.to(tensors[0].dtype)
    if N == 1:
        return [total]
    inbox = cluster.exchange([(0, r, total) for r in range(1, N)])
    return [total.clone()] + [inbox[r][0] for r in range(1, N)]
'''),
]

# Issue 13: right numbers, right rounds, right bytes, the wrong way: every rank's result or messages use data that
# no message brought it (all ranks live in one process). The tampering cluster's replay catches each of these.
WRONG = WRONG + [
    ("ring_reduce_scatter", "central_sum_zeros_travel", """
def ring_reduce_scatter(tensors, cluster):
    N = cluster.world_size
    total = torch.tensor_split(torch.stack(tensors).sum(0), N)          # every rank's input, read centrally
    for k in range(N - 1):
        cluster.exchange([(r, (r + 1) % N, torch.zeros_like(total[(r - k - 1) % N])) for r in range(N)])
    return [t.clone() for t in total]
"""),
    ("ring_reduce_scatter", "central_partial_sums_travel", """
def ring_reduce_scatter(tensors, cluster):
    N = cluster.world_size
    parts = [torch.tensor_split(t, N) for t in tensors]
    out = [parts[r][r].clone() for r in range(N)]
    for k in range(N - 1):
        # each message carries the partial sum a ring would carry, but computed from every rank's input here
        msgs = []
        for r in range(N):
            c = (r - k - 1) % N
            msgs.append((r, (r + 1) % N, sum(parts[(c + 1 + i) % N][c] for i in range(k + 1))))
        inbox = cluster.exchange(msgs)
        if k == N - 2:
            out = [inbox[r][(r - 1) % N] + parts[r][r] for r in range(N)]
    return out
"""),
    ("ring_all_gather", "central_concat_zeros_travel", """
def ring_all_gather(chunks, cluster):
    N = cluster.world_size
    for k in range(N - 1):
        cluster.exchange([(r, (r + 1) % N, torch.zeros_like(chunks[(r - k) % N])) for r in range(N)])
    return [torch.cat(chunks) for _ in range(N)]
"""),
    ("ring_all_reduce", "central_sum_zeros_travel", """
def ring_all_reduce(tensors, cluster):
    N = cluster.world_size
    total = torch.stack(tensors).sum(0)
    parts = torch.tensor_split(total, N)
    for k in range(N - 1):
        cluster.exchange([(r, (r + 1) % N, torch.zeros_like(parts[(r - k - 1) % N])) for r in range(N)])
    for k in range(N - 1):
        cluster.exchange([(r, (r + 1) % N, torch.zeros_like(parts[(r - k) % N])) for r in range(N)])
    return [total.clone() for _ in range(N)]
"""),
    ("naive_all_reduce", "central_sum_placeholders", """
def naive_all_reduce(tensors, cluster):
    N = cluster.world_size
    total = torch.stack(tensors).sum(0)
    if N > 1:
        cluster.exchange([(r, 0, torch.zeros_like(tensors[r])) for r in range(1, N)])
        cluster.exchange([(0, r, torch.zeros_like(total)) for r in range(1, N)])
    return [total.clone() for _ in range(N)]
"""),
    ("recursive_doubling_all_reduce", "central_sum_placeholders", """
def recursive_doubling_all_reduce(tensors, cluster):
    N = cluster.world_size
    if N & (N - 1):
        raise ValueError("power of two")
    step = 1
    while step < N:
        cluster.exchange([(r, r ^ step, torch.zeros_like(tensors[r])) for r in range(N)])
        step *= 2
    total = torch.stack(tensors).sum(0)
    return [total.clone() for _ in range(N)]
"""),
    ("data_parallel_gradients", "full_batch_gradient_zeros_travel", """
def data_parallel_gradients(model, loss_fn, x, y, cluster):
    N = cluster.world_size
    params = list(model.parameters())
    shards = list(zip(torch.tensor_split(x, N), torch.tensor_split(y, N)))
    grads = [torch.autograd.grad(loss_fn(model(xr), yr), params) for xr, yr in shards]
    mean = [sum(g[i] for g in grads) / N for i in range(len(params))]      # averaged centrally
    flat = torch.cat([m.reshape(-1) for m in mean])
    ring_all_reduce([torch.zeros_like(flat) for _ in range(N)], cluster)  # traffic for show
    return [[m.clone() for m in mean] for _ in range(N)]
"""),
    ("row_parallel_linear", "central_linear_zeros_travel", """
def row_parallel_linear(x_parts, weight, bias, cluster):
    N = cluster.world_size
    full = F.linear(torch.cat(x_parts, -1), weight)                         # every rank's slice, read centrally
    ring_all_reduce([torch.zeros_like(full).reshape(-1) for _ in range(N)], cluster)
    out = full if bias is None else full + bias
    return [out.clone() for _ in range(N)]
"""),
]

# Issue 13: the real-process probe forbids collectives whichever way they are reached, and reads the payloads.
_PLACEHOLDER_RING = """
def _placeholder_ring(tensor):
    # right-sized zeros around the ring: the element counts and peers of a real ring, none of its data
    rank, N = dist.get_rank(), dist.get_world_size()
    chunks = torch.tensor_split(tensor, N)
    for k in range(2 * (N - 1)):
        c = chunks[(rank - k - 1) % N] if k < N - 1 else chunks[(rank - k) % N]
        buf = torch.empty_like(chunks[(rank - k - 2) % N] if k < N - 1 else chunks[(rank - k - 1) % N])
        req = dist.isend(torch.zeros_like(c), (rank + 1) % N)
        dist.recv(buf, (rank - 1) % N)
        req.wait()
"""

WRONG = WRONG + [
    ("dist_ring_all_reduce", "c10d_module_all_reduce_placeholder_traffic", _PLACEHOLDER_RING + """
def dist_ring_all_reduce(tensor):
    import torch.distributed.distributed_c10d as c10d
    out = tensor.clone()
    if dist.get_world_size() > 1:
        c10d.all_reduce(out)                                  # the collective, reached through another module
        _placeholder_ring(tensor)
    return out
"""),
    ("dist_ring_all_reduce", "process_group_method_placeholder_traffic", _PLACEHOLDER_RING + """
def dist_ring_all_reduce(tensor):
    import torch.distributed.distributed_c10d as c10d
    out = tensor.clone()
    if dist.get_world_size() > 1:
        c10d._get_default_group().allreduce([out]).wait()   # the process group's own method
        _placeholder_ring(tensor)
    return out
"""),
    ("dist_ring_all_reduce", "object_collective_placeholder_traffic", _PLACEHOLDER_RING + """
def dist_ring_all_reduce(tensor):
    import torch.distributed.distributed_c10d as c10d
    N = dist.get_world_size()
    if N == 1:
        return tensor.clone()
    gathered = [None] * N
    c10d.all_gather_object(gathered, tensor)                  # an object collective, pickled
    _placeholder_ring(tensor)
    return torch.stack(gathered).sum(0)
"""),
    ("dist_ring_all_reduce", "store_side_channel_placeholder_traffic", _PLACEHOLDER_RING + """
def dist_ring_all_reduce(tensor):
    import io
    import torch.distributed.distributed_c10d as c10d
    rank, N = dist.get_rank(), dist.get_world_size()
    if N == 1:
        return tensor.clone()
    store = c10d._get_default_store()
    key = f"cheat-{tensor.numel()}-{tensor.dtype}"
    buf = io.BytesIO()
    torch.save(tensor, buf)
    store.set(f"{key}-{rank}", buf.getvalue())                # the data travels through the rendezvous store
    total = sum(torch.load(io.BytesIO(store.get(f"{key}-{r}"))) for r in range(N))
    _placeholder_ring(tensor)
    return total
"""),
]
