"""Wrong and right implementations of 05_flash_attention_gpu's exercises (see docs/authoring.md).

Most variants are the reference cell with a small edit (``patch``), so each shows exactly the mistake it makes;
whole cells are genuinely different implementations.
"""

from mutations._patch import patch

ASSIGNMENT = "05_flash_attention_gpu"

# ----------------------------------------------------------------------------------------------- online_softmax

_OS_NO_RESCALE = patch(ASSIGNMENT, "online_softmax", "l = l * torch.exp(m - m_new) + ", "l = l + ")

_OS_RESCALE_WRONG_WAY = patch(ASSIGNMENT, "online_softmax",
    "l * torch.exp(m - m_new)", "l * torch.exp(m_new - m) * (m > -math.inf)")

_OS_TORCH_SOFTMAX = """\
def online_softmax(x, block_size):
    return torch.softmax(x, 0)
"""

_OS_TWO_PASS = """\
def online_softmax(x, block_size):
    m = x.max()
    l = torch.zeros((), dtype=x.dtype)
    for s in range(0, x.shape[0], block_size):
        l = l + torch.exp(x[s:s + block_size] - m).sum()
    return torch.exp(x - m) / l
"""

_OS_NAN_ON_MASKED_BLOCK = patch(ASSIGNMENT, "online_softmax",
    "        if m_new == -math.inf:                                      # everything so far is -inf: "
    "nothing to add\n"
    "            continue\n",
    "")

# only the full blocks
_OS_DROPS_LAST_BLOCK = patch(ASSIGNMENT, "online_softmax",
    "range(0, x.shape[0], block_size)", "range(0, x.shape[0] - block_size + 1, block_size)")

_OS_NO_SHIFT = """\
def online_softmax(x, block_size):
    l = torch.zeros((), dtype=x.dtype)
    for s in range(0, x.shape[0], block_size):
        l = l + torch.exp(x[s:s + block_size]).sum()
    return torch.exp(x) / l
"""

_OS_RIGHT_PYTHON_FLOATS = """\
def online_softmax(x, block_size):
    m, l = -math.inf, 0.0
    for block in torch.split(x, block_size):
        block_max = block.max().item()
        m_new = max(m, block_max)
        if m_new == -math.inf:
            continue
        l = l * math.exp(m - m_new) + torch.exp(block.double() - m_new).sum().item()
        m = m_new
    return (torch.exp(x.double() - m) / l).to(x.dtype)
"""

_OS_RIGHT_LOGADDEXP = """\
def online_softmax(x, block_size):
    lse = torch.tensor(-math.inf, dtype=x.dtype)        # running log-sum-exp = m + log(l)
    for s in range(0, x.shape[0], block_size):
        lse = torch.logaddexp(lse, torch.logsumexp(x[s:s + block_size], 0))
    return torch.exp(x - lse)
"""

# ---------------------------------------------------------------------------------- flash_attention_forward


_FA_FULL_SCORES = """\
def flash_attention_forward(q, k, v, block_q=64, block_k=64, causal=False):
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        allowed = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).tril()
        s = s.masked_fill(~allowed, -math.inf)
    return torch.softmax(s, -1) @ v, torch.logsumexp(s, -1)
"""

_FA_SDPA_PLUS_ROWWISE_LSE = """\
def flash_attention_forward(q, k, v, block_q=64, block_k=64, causal=False):
    out = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    lse = q.new_empty(q.shape[:-1])
    for i in range(q.shape[-2]):
        s = q[..., i:i + 1, :] @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])   # (..., 1, Lk)
        if causal:
            s[..., i + 1:] = -math.inf
        lse[..., i] = torch.logsumexp(s, -1)[..., 0]
    return out, lse
"""

_FA_FUSED_KERNEL = """\
def flash_attention_forward(q, k, v, block_q=64, block_k=64, causal=False):
    # torch's fused CPU flash kernel (it wants 4-D inputs and v's head dim = q's): a black box, not tiles
    D, Dv = q.shape[-1], v.shape[-1]
    shape = q.shape[:-2]
    q4, k4 = q.reshape(-1, 1, *q.shape[-2:]), k.reshape(-1, 1, *k.shape[-2:])
    v4 = F.pad(v, (0, max(D - Dv, 0))).reshape(-1, 1, k.shape[-2], max(D, Dv))
    if Dv > D:
        q4, k4 = F.pad(q4, (0, Dv - D)), F.pad(k4, (0, Dv - D))
    out, lse = torch.ops.aten._scaled_dot_product_flash_attention_for_cpu(q4, k4, v4, 0.0, causal,
                                                                          scale=1.0 / math.sqrt(D))[:2]
    return out[..., :Dv].reshape(*shape, q.shape[-2], Dv), lse.reshape(*shape, q.shape[-2])
"""

_FA_QUERY_STRIPES = """\
def flash_attention_forward(q, k, v, block_q=64, block_k=64, causal=False):
    D = q.shape[-1]
    out = q.new_empty(*q.shape[:-1], v.shape[-1])
    lse = q.new_empty(q.shape[:-1])
    for i0 in range(0, q.shape[-2], block_q):
        s = q[..., i0:i0 + block_q, :] @ k.transpose(-2, -1) / math.sqrt(D)          # (..., bq, Lk) stripe
        if causal:
            rows = torch.arange(i0, i0 + s.shape[-2])[:, None]
            s = s.masked_fill(torch.arange(k.shape[-2])[None, :] > rows, -math.inf)
        out[..., i0:i0 + block_q, :] = torch.softmax(s, -1) @ v
        lse[..., i0:i0 + block_q] = torch.logsumexp(s, -1)
    return out, lse
"""

_FA_KEY_STRIPES = """\
def flash_attention_forward(q, k, v, block_q=64, block_k=64, causal=False):
    Lq, D = q.shape[-2:]
    scale = 1.0 / math.sqrt(D)
    m = q.new_full(q.shape[:-1], -math.inf)
    l = q.new_zeros(q.shape[:-1])
    acc = q.new_zeros(*q.shape[:-1], v.shape[-1])
    for j0 in range(0, k.shape[-2], block_k):
        s = q @ k[..., j0:j0 + block_k, :].transpose(-2, -1) * scale                 # (..., Lq, bk) stripe
        if causal:
            s = s.masked_fill(torch.arange(j0, j0 + s.shape[-1])[None, :] > torch.arange(Lq)[:, None], -math.inf)
        m_new = torch.maximum(m, s.amax(-1))
        p = torch.exp(s - m_new[..., None])
        alpha = torch.exp(m - m_new)
        l = alpha * l + p.sum(-1)
        acc = alpha[..., None] * acc + p @ v[..., j0:j0 + block_k, :]
        m = m_new
    return acc / l[..., None], m + torch.log(l)
"""

_FA_RIGHT_FA1_ORDER = """\
def flash_attention_forward(q, k, v, block_q=64, block_k=64, causal=False):
    # FlashAttention-1 loop order: key/value blocks outside, query blocks inside, O, l, m kept "in HBM".
    *batch, Lq, D = q.shape
    Lk, Dv = k.shape[-2], v.shape[-1]
    o = q.new_zeros(*batch, Lq, Dv)
    l = q.new_zeros(*batch, Lq)
    m = q.new_full((*batch, Lq), -math.inf)
    for j0 in range(0, Lk, block_k):
        kj, vj = k[..., j0:j0 + block_k, :], v[..., j0:j0 + block_k, :]
        for i0 in range(0, Lq, block_q):
            s = torch.einsum("...qd,...kd->...qk", q[..., i0:i0 + block_q, :], kj) / math.sqrt(D)
            if causal:
                r = torch.arange(i0, i0 + s.shape[-2]).unsqueeze(-1)
                c = torch.arange(j0, j0 + s.shape[-1]).unsqueeze(0)
                s = torch.where(c <= r, s, torch.full_like(s, -1e30))
            m_old, l_old = m[..., i0:i0 + block_q], l[..., i0:i0 + block_q]
            m_tile = s.amax(-1)
            p = torch.exp(s - m_tile.unsqueeze(-1))
            l_tile = p.sum(-1)
            m_new = torch.maximum(m_old, m_tile)
            l_new = torch.exp(m_old - m_new) * l_old + torch.exp(m_tile - m_new) * l_tile
            o[..., i0:i0 + block_q, :] = ((l_old * torch.exp(m_old - m_new)).unsqueeze(-1) * o[..., i0:i0 + block_q, :]
                                          + torch.exp(m_tile - m_new).unsqueeze(-1) * (p @ vj)) / l_new.unsqueeze(-1)
            m[..., i0:i0 + block_q] = m_new
            l[..., i0:i0 + block_q] = l_new
    return o, m + torch.log(l)
"""

_FA_RIGHT_FLOAT64_SKIP_TILES = """\
def flash_attention_forward(q, k, v, block_q=64, block_k=64, causal=False):
    # float64 inside, causal tiles above the diagonal skipped, the scale folded into the exponent.
    *batch, Lq, D = q.shape
    Lk, Dv = k.shape[-2], v.shape[-1]
    scale = D ** -0.5
    outs, lses = [], []
    for i0 in range(0, Lq, block_q):
        qi = q[..., i0:i0 + block_q, :].double()
        bq = qi.shape[-2]
        m = torch.full((*batch, bq, 1), -math.inf, dtype=torch.float64)
        l = torch.zeros(*batch, bq, 1, dtype=torch.float64)
        acc = torch.zeros(*batch, bq, Dv, dtype=torch.float64)
        for j0 in range(0, Lk, block_k):
            if causal and j0 > i0 + bq - 1:
                break
            s = (qi @ k[..., j0:j0 + block_k, :].double().mT) * scale
            if causal:
                keep = torch.arange(j0, j0 + s.shape[-1]) <= torch.arange(i0, i0 + bq).unsqueeze(1)
                s = torch.where(keep, s, float("-inf"))
            m_new = torch.maximum(m, s.amax(-1, keepdim=True))
            p = (s - m_new).exp()
            corr = (m - m_new).exp()
            l = corr * l + p.sum(-1, keepdim=True)
            acc = corr * acc + p @ v[..., j0:j0 + block_k, :].double()
            m = m_new
        outs.append(acc / l)
        lses.append((m + l.log()).squeeze(-1))
    return torch.cat(outs, -2).to(q.dtype), torch.cat(lses, -1).to(q.dtype)
"""


# ------------------------------------------------------------------------------------------------ tiled_matmul


_TM_RIGHT_EINSUM_PADDED = """\
def tiled_matmul(a, b, tile):
    m, k = a.shape
    n = b.shape[1]
    pad = lambda x, t: -(-x // t) * t
    ap = a.new_zeros(pad(m, tile), pad(k, tile))
    ap[:m, :k] = a
    bp = b.new_zeros(pad(k, tile), pad(n, tile))
    bp[:k, :n] = b
    c = a.new_zeros(pad(m, tile), pad(n, tile))
    for i in range(0, m, tile):
        for j in range(0, n, tile):
            for p in range(0, k, tile):
                c[i:i + tile, j:j + tile] += torch.einsum("ik,kj->ij", ap[i:i + tile, p:p + tile], bp[p:p + tile, j:j + tile])
    return c[:m, :n]
"""

_TM_RIGHT_FLOAT64_OUTER_K = """\
def tiled_matmul(a, b, tile):
    # k-blocks outermost (each A and B tile loaded once per pass), float64 accumulator
    m, k = a.shape
    n = b.shape[1]
    c = torch.zeros(m, n, dtype=torch.float64)
    for p in range(0, k, tile):
        for i in range(0, m, tile):
            for j in range(0, n, tile):
                c[i:i + tile, j:j + tile] += a[i:i + tile, p:p + tile].double() @ b[p:p + tile, j:j + tile].double()
    return c.to(a.dtype)
"""

# ------------------------------------------------------------------------------------------------ bitonic_sort


_BS_IN_PLACE = patch(ASSIGNMENT, "bitonic_sort", [
    ("    y = x.clone()\n", "    y = x\n"),
    ("            y = torch.where(", "            y[:] = torch.where(")])

_BS_PER_ELEMENT_LOOP = """\
def bitonic_sort(x):
    y = x.clone()
    n = y.shape[0]
    size = 2
    while size <= n:
        dist = size // 2
        while dist >= 1:
            for i in range(n):
                p = i ^ dist
                if p > i:
                    up = (i & size) == 0
                    if (y[i] > y[p]) == up:
                        y[i], y[p] = y[p].clone(), y[i].clone()
            dist //= 2
        size *= 2
    return y
"""

_BS_RIGHT_RESHAPE = """\
def bitonic_sort(x):
    # each stage reshapes into (blocks, 2, dist) and compares the two halves of every block at once
    n = x.shape[0]
    y = x.clone()
    size = 2
    while size <= n:
        dist = size // 2
        while dist >= 1:
            pairs = y.reshape(-1, 2, dist)                                  # block b starts at b * 2 * dist
            lo, hi = pairs[:, 0], pairs[:, 1]
            asc = ((torch.arange(pairs.shape[0]) * 2 * dist // size) % 2 == 0)[:, None]
            small, large = torch.minimum(lo, hi), torch.maximum(lo, hi)
            y = torch.stack([torch.where(asc, small, large), torch.where(asc, large, small)], 1).reshape(n)
            dist //= 2
        size *= 2
    return y
"""

WRONG = [
    # online_softmax
    ("online_softmax", "sum_not_rescaled", _OS_NO_RESCALE),
    ("online_softmax", "rescaled_the_wrong_way", _OS_RESCALE_WRONG_WAY),
    ("online_softmax", "calls_torch_softmax", _OS_TORCH_SOFTMAX),
    ("online_softmax", "two_pass_global_max", _OS_TWO_PASS),
    ("online_softmax", "nan_when_a_block_is_all_masked", _OS_NAN_ON_MASKED_BLOCK),
    ("online_softmax", "drops_the_last_short_block", _OS_DROPS_LAST_BLOCK),
    ("online_softmax", "no_max_shift", _OS_NO_SHIFT),
    ("online_softmax", "float32_result_for_float64",
     patch(ASSIGNMENT, "online_softmax",
         "    m = torch.tensor(-math.inf",
         "    x = x.float()\n"
         "    m = torch.tensor(-math.inf")),
    # flash_attention_forward
    ("flash_attention_forward", "full_score_matrix", _FA_FULL_SCORES),
    ("flash_attention_forward", "sdpa_and_rowwise_lse", _FA_SDPA_PLUS_ROWWISE_LSE),
    ("flash_attention_forward", "fused_cpu_kernel", _FA_FUSED_KERNEL),
    ("flash_attention_forward", "query_block_against_all_keys", _FA_QUERY_STRIPES),
    ("flash_attention_forward", "key_block_against_all_queries", _FA_KEY_STRIPES),
    ("flash_attention_forward", "accumulator_not_rescaled",
     patch(ASSIGNMENT, "flash_attention_forward", "acc = alpha[..., None] * acc + p @ v", "acc = acc + p @ v")),
    ("flash_attention_forward", "sum_not_rescaled", patch(
        ASSIGNMENT, "flash_attention_forward", "l = alpha * l + p.sum(-1)", "l = l + p.sum(-1)")),
    ("flash_attention_forward", "scale_by_value_dim", patch(
        ASSIGNMENT, "flash_attention_forward", "scale = 1.0 / math.sqrt(D)", "scale = 1.0 / math.sqrt(Dv)")),
    ("flash_attention_forward", "no_scale", patch(
        ASSIGNMENT, "flash_attention_forward", "scale = 1.0 / math.sqrt(D)", "scale = 1.0")),
    ("flash_attention_forward", "causal_bottom_right", patch(ASSIGNMENT, "flash_attention_forward", [
        ("stop = min(Lk, i0 + bq) if causal else Lk", "stop = Lk"),
        ("s.masked_fill(cols > rows,", "s.masked_fill(cols > rows + (Lk - Lq),")])),
    ("flash_attention_forward", "causal_strict_diagonal", patch(
        ASSIGNMENT, "flash_attention_forward", "s.masked_fill(cols > rows,", "s.masked_fill(cols >= rows,")),
    ("flash_attention_forward", "causal_tile_local_indices",
     patch(ASSIGNMENT, "flash_attention_forward", [
        ("torch.arange(i0, i0 + bq, device=q.device)", "torch.arange(bq, device=q.device)"),
        ("torch.arange(j0, j0 + s.shape[-1], device=q.device)", "torch.arange(s.shape[-1], device=q.device)")])),
    ("flash_attention_forward", "lse_without_max", patch(
        ASSIGNMENT, "flash_attention_forward",
        "lse[..., i0:i0 + bq] = m + torch.log(l)", "lse[..., i0:i0 + bq] = torch.log(l)")),
    ("flash_attention_forward", "lse_of_unscaled_scores", patch(
        ASSIGNMENT, "flash_attention_forward", "lse[..., i0:i0 + bq] = m + torch.log(l)",
        "lse[..., i0:i0 + bq] = (m + torch.log(l)) * math.sqrt(D)")),
    ("flash_attention_forward", "drops_short_last_key_block", patch(
        ASSIGNMENT, "flash_attention_forward", "range(0, stop, block_k)", "range(0, Lk - block_k + 1, block_k)")),
    ("flash_attention_forward", "drops_short_last_query_block",
     patch(ASSIGNMENT, "flash_attention_forward", [
        ("range(0, Lq, block_q)", "range(0, Lq - block_q + 1, block_q)"),
        ("out = q.new_empty(*batch, Lq, Dv)", "out = q.new_zeros(*batch, Lq, Dv)")])),
    ("flash_attention_forward", "float32_output_always", patch(
        ASSIGNMENT, "flash_attention_forward",
        "out = q.new_empty(*batch, Lq, Dv)", "out = torch.empty(*batch, Lq, Dv)")),
    # attention_hbm_bytes
    ("attention_hbm_bytes", "floor_block_c", patch(
        ASSIGNMENT, "attention_hbm_bytes", "block_c = -(-m // (4 * d))", "block_c = m // (4 * d)")),
    ("attention_hbm_bytes", "floor_t_c", patch(
        ASSIGNMENT, "attention_hbm_bytes", "t_c = -(-n // block_c)", "t_c = n // block_c")),
    ("attention_hbm_bytes", "sram_in_bytes_not_elements", patch(
        ASSIGNMENT, "attention_hbm_bytes", "m = int(sram_bytes) // int(bytes_per_el)", "m = int(sram_bytes)")),
    ("attention_hbm_bytes", "standard_without_p_round_trip", patch(
        ASSIGNMENT, "attention_hbm_bytes", "(4 * n * d + 4 * n * n)", "(4 * n * d + 2 * n * n)")),
    ("attention_hbm_bytes", "kv_read_every_step", patch(
        ASSIGNMENT, "attention_hbm_bytes",
        "flash = (2 * n * d + t_c * (3 * n * d + 4 * n))", "flash = (t_c * (5 * n * d + 4 * n))")),
    ("attention_hbm_bytes", "float_results", patch(ASSIGNMENT, "attention_hbm_bytes", [
        ("block_c = -(-m // (4 * d))", "block_c = math.ceil(m / (4 * d))"),
        ("t_c = -(-n // block_c)", "t_c = math.ceil(n / block_c)"),
        ("standard = (4 * n * d + 4 * n * n) * int(bytes_per_el)",
         "standard = (4 * n * d + 4 * n * n) * int(bytes_per_el) * 1.0")])),
    ("attention_hbm_bytes", "bytes_per_el_ignored", patch(
        ASSIGNMENT, "attention_hbm_bytes", "int(bytes_per_el)", "2", count=3)),
    # tiled_matmul
    ("tiled_matmul", "plain_matmul", """\
def tiled_matmul(a, b, tile):
    return a @ b
"""),
    ("tiled_matmul", "drops_partial_tiles", patch(ASSIGNMENT, "tiled_matmul", [
        ("range(0, m, tile)", "range(0, m - tile + 1, tile)"), ("range(0, n, tile)", "range(0, n - tile + 1, tile)"),
        ("range(0, k, tile)", "range(0, k - tile + 1, tile)")])),
    ("tiled_matmul", "overwrites_instead_of_accumulating",
     patch(ASSIGNMENT, "tiled_matmul", "acc += a[", "acc = a[")),
    ("tiled_matmul", "wrong_b_tile_index", patch(ASSIGNMENT, "tiled_matmul", 
        "@ b[p:p + tile, j:j + tile]", "@ b[p:p + tile, i:i + tile][:, :acc.shape[1]]")),
    ("tiled_matmul", "row_stripes_untiled_k", patch(ASSIGNMENT, "tiled_matmul", [
        ("range(0, k, tile)", "[0]"),
        ("acc += a[i:i + tile, p:p + tile] @ b[p:p + tile, j:j + tile]",
         "acc += a[i:i + tile, :] @ b[:, j:j + tile]")])),
    ("tiled_matmul", "float32_result_always", patch(ASSIGNMENT, "tiled_matmul", [
        ("c = a.new_zeros(m, n)", "c = torch.zeros(m, n)"), ("acc = a.new_zeros(", "acc = torch.zeros("),
        ("acc += a[i:i + tile, p:p + tile] @ b[p:p + tile, j:j + tile]",
         "acc += (a[i:i + tile, p:p + tile] @ b[p:p + tile, j:j + tile]).float()")])),
    ("tiled_matmul", "broadcast_multiply_over_all_k", """\
def tiled_matmul(a, b, tile):
    m, k = a.shape
    n = b.shape[1]
    c = a.new_zeros(m, n)
    for i in range(0, m, tile):
        for j in range(0, n, tile):
            c[i:i + tile, j:j + tile] = (a[i:i + tile, :, None] * b[None, :, j:j + tile]).sum(1)
    return c
"""),
    # matmul_arithmetic_intensity
    ("matmul_arithmetic_intensity", "multiply_add_as_one_flop",
     patch(ASSIGNMENT, "matmul_arithmetic_intensity", "float(2 * m * n * k", "float(m * n * k")),
    ("matmul_arithmetic_intensity", "c_not_counted",
     patch(ASSIGNMENT, "matmul_arithmetic_intensity", "(m * k + k * n + m * n)", "(m * k + k * n)")),
    ("matmul_arithmetic_intensity", "c_read_and_written",
     patch(ASSIGNMENT, "matmul_arithmetic_intensity", "(m * k + k * n + m * n)", "(m * k + k * n + 2 * m * n)")),
    ("matmul_arithmetic_intensity", "bytes_per_el_ignored",
     patch(ASSIGNMENT, "matmul_arithmetic_intensity",
         "((m * k + k * n + m * n) * bytes_per_el)", "(m * k + k * n + m * n)")),
    ("matmul_arithmetic_intensity", "integer_division",
     patch(ASSIGNMENT, "matmul_arithmetic_intensity",
         "return float(2 * m * n * k / ((m * k + k * n + m * n) * bytes_per_el))",
         "return 2 * m * n * k // ((m * k + k * n + m * n) * bytes_per_el)")),
    # roofline
    ("roofline", "min_instead_of_max", patch(ASSIGNMENT, "roofline",
        "float(max(compute_s, memory_s))", "float(min(compute_s, memory_s))")),
    ("roofline", "labels_swapped", patch(ASSIGNMENT, "roofline",
        '("compute" if compute_s >= memory_s else "memory")', '("memory" if compute_s >= memory_s else "compute")')),
    ("roofline", "no_overlap_sum", patch(ASSIGNMENT, "roofline",
        "float(max(compute_s, memory_s))", "float(compute_s + memory_s)")),
    ("roofline", "compares_flops_with_bytes", patch(ASSIGNMENT, "roofline",
        '"compute" if compute_s >= memory_s', '"compute" if flops >= bytes_moved')),
    ("roofline", "milliseconds", patch(ASSIGNMENT, "roofline",
        "float(max(compute_s, memory_s))", "float(max(compute_s, memory_s)) * 1e3")),
    # bank_conflicts
    # every thread counted: no broadcast of a shared word
    ("bank_conflicts", "threads_not_words", patch(ASSIGNMENT, "bank_conflicts",
        "words = {a // bank_bytes for a in torch.as_tensor(addresses).tolist()}",
        "words = [a // bank_bytes for a in torch.as_tensor(addresses).tolist()]")),
    ("bank_conflicts", "distinct_addresses_not_words", patch(ASSIGNMENT, "bank_conflicts", [
        ("words = {a // bank_bytes for a in", "words = {a for a in"),
        ("per_bank[w % n_banks] = per_bank.get(w % n_banks, 0) + 1",
         "bank = (w // bank_bytes) % n_banks\n"
         "        per_bank[bank] = per_bank.get(bank, 0) + 1")])),
    ("bank_conflicts", "bank_from_byte_address", """\
def bank_conflicts(addresses, n_banks=32, bank_bytes=4):
    per_bank = {}
    for a in set(torch.as_tensor(addresses).tolist()):
        per_bank.setdefault(a % n_banks, set()).add(a // bank_bytes)
    return max(len(s) for s in per_bank.values())
"""),
    ("bank_conflicts", "returns_extra_passes", patch(ASSIGNMENT, "bank_conflicts",
        "return max(per_bank.values())", "return max(per_bank.values()) - 1")),
    ("bank_conflicts", "returns_a_tensor", """\
def bank_conflicts(addresses, n_banks=32, bank_bytes=4):
    words = torch.unique(torch.as_tensor(addresses) // bank_bytes)
    return torch.bincount(words % n_banks).max()
"""),
    # coalesced_transactions
    ("coalesced_transactions", "distinct_addresses", patch(ASSIGNMENT, "coalesced_transactions",
        "a // segment_bytes for a", "a for a")),
    ("coalesced_transactions", "span_of_the_warp", """\
def coalesced_transactions(addresses, segment_bytes=128):
    a = torch.as_tensor(addresses)
    return int((a.max() - a.min()) // segment_bytes) + 1
"""),
    ("coalesced_transactions", "bytes_over_segment", """\
def coalesced_transactions(addresses, segment_bytes=128):
    return -(-4 * len(torch.as_tensor(addresses)) // segment_bytes)
"""),
    ("coalesced_transactions", "returns_a_tensor", """\
def coalesced_transactions(addresses, segment_bytes=128):
    return torch.unique(torch.as_tensor(addresses) // segment_bytes).numel() * torch.tensor(1)
"""),
    ("coalesced_transactions", "segments_of_32_bytes", patch(ASSIGNMENT, "coalesced_transactions",
        "a // segment_bytes", "a // 32")),
    # bitonic_sort
    ("bitonic_sort", "torch_sort", """\
def bitonic_sort(x):
    return torch.sort(x).values
"""),
    ("bitonic_sort", "python_sorted", """\
def bitonic_sort(x):
    return torch.tensor(sorted(x.tolist()), dtype=x.dtype)
"""),
    ("bitonic_sort", "python_sorted_on_tensor", """\
def bitonic_sort(x):
    return torch.stack(sorted(x)) if len(x) else x.clone()
"""),
    ("bitonic_sort", "topk", """\
def bitonic_sort(x):
    return x.topk(x.numel(), largest=False).values
"""),
    ("bitonic_sort", "all_runs_ascending", patch(
        ASSIGNMENT, "bitonic_sort",
        "ascending = (idx & size) == 0", "ascending = torch.ones_like(idx, dtype=torch.bool)")),
    ("bitonic_sort", "direction_from_distance", patch(
        ASSIGNMENT, "bitonic_sort", "(idx & size) == 0", "(idx & dist) == 0")),
    ("bitonic_sort", "skips_the_distance_1_stage", patch(
        ASSIGNMENT, "bitonic_sort", "while dist >= 1:", "while dist > 1:")),
    ("bitonic_sort", "skips_the_final_merge", patch(ASSIGNMENT, "bitonic_sort", "while size <= n:", "while size < n:")),
    ("bitonic_sort", "descending", patch(
        ASSIGNMENT, "bitonic_sort",
        "keep_min = (idx < partner) == ascending", "keep_min = (idx < partner) != ascending")),
    ("bitonic_sort", "sorts_x_in_place", _BS_IN_PLACE),
    ("bitonic_sort", "loop_over_elements", _BS_PER_ELEMENT_LOOP),
]

RIGHT = [
    ("online_softmax", "python_float_stats_float64", _OS_RIGHT_PYTHON_FLOATS),
    ("online_softmax", "running_logsumexp", _OS_RIGHT_LOGADDEXP),
    ("flash_attention_forward", "fa1_loop_order_einsum_big_negative_mask", _FA_RIGHT_FA1_ORDER),
    ("flash_attention_forward", "float64_inside_skips_future_tiles", _FA_RIGHT_FLOAT64_SKIP_TILES),
    ("attention_hbm_bytes", "math_ceil_with_int", patch(ASSIGNMENT, "attention_hbm_bytes", [
        ("block_c = -(-m // (4 * d))", "block_c = math.ceil(m / (4 * d))"),
        ("t_c = -(-n // block_c)", "t_c = math.ceil(n / block_c)")])),
    ("tiled_matmul", "padded_einsum", _TM_RIGHT_EINSUM_PADDED),
    ("tiled_matmul", "k_outer_float64", _TM_RIGHT_FLOAT64_OUTER_K),
    ("matmul_arithmetic_intensity", "flops_over_bytes",
     """\
def matmul_arithmetic_intensity(m, n, k, bytes_per_el):
    flops = 2.0 * m * n * k
    nbytes = bytes_per_el * (m * k + k * n + m * n)
    return flops / nbytes
"""),
    ("roofline", "intensity_vs_ridge", """\
def roofline(flops, bytes_moved, peak_flops, mem_bandwidth):
    seconds = max(flops / peak_flops, bytes_moved / mem_bandwidth)
    return float(seconds), "compute" if flops / bytes_moved >= peak_flops / mem_bandwidth else "memory"
"""),
    ("bank_conflicts", "vectorised_unique_bincount", """\
def bank_conflicts(addresses, n_banks=32, bank_bytes=4):
    words = torch.unique(torch.as_tensor(addresses) // bank_bytes)
    return int(torch.bincount(words % n_banks).max())
"""),
    ("coalesced_transactions", "torch_unique", """\
def coalesced_transactions(addresses, segment_bytes=128):
    return int(torch.unique(torch.as_tensor(addresses) // segment_bytes).numel())
"""),
    ("bitonic_sort", "reshape_halves", _BS_RIGHT_RESHAPE),
]


# ---------------------------------------------------------------- more variants (probe of false rejects / accepts)
WRONG = WRONG + [
    ('flash_attention_forward', 'lse_from_last_tile_only', patch(ASSIGNMENT, "flash_attention_forward", [
        ("            m = m_new\n",
         "            m = m_new\n"
         "            last = torch.logsumexp(s, -1)\n"),
        ("lse[..., i0:i0 + bq] = m + torch.log(l)", "lse[..., i0:i0 + bq] = last")])),
    ('bitonic_sort', 'single_merge_pass', '''
def bitonic_sort(x):
    n = x.shape[0]
    idx = torch.arange(n)
    y = x.clone()
    dist = n // 2
    while dist >= 1:
        partner = idx ^ dist
        keep_min = idx < partner
        other = y[partner]
        y = torch.where(keep_min, torch.minimum(y, other), torch.maximum(y, other))
        dist //= 2
    return y
'''),
]
RIGHT = RIGHT + [
    ('flash_attention_forward', 'per_batch_loop_float64_tril_offset', '''
def flash_attention_forward(q, k, v, block_q=64, block_k=64, causal=False):
    *batch, Lq, D = q.shape
    Lk, Dv = k.shape[-2], v.shape[-1]
    qf = q.reshape(-1, Lq, D).double()
    kf = k.reshape(-1, Lk, D).double()
    vf = v.reshape(-1, Lk, Dv).double()
    outs, lses = [], []
    for b in range(qf.shape[0]):
        o_rows, l_rows = [], []
        for i0 in range(0, Lq, block_q):
            qi = qf[b, i0:i0 + block_q]
            bq = qi.shape[0]
            m = torch.full((bq,), -math.inf, dtype=torch.float64)
            l = torch.zeros(bq, dtype=torch.float64)
            acc = torch.zeros(bq, Dv, dtype=torch.float64)
            for j0 in range(0, Lk, block_k):
                kj, vj = kf[b, j0:j0 + block_k], vf[b, j0:j0 + block_k]
                s = (qi @ kj.T) / math.sqrt(D)
                if causal:
                    allowed = torch.ones(bq, kj.shape[0], dtype=torch.bool).tril(diagonal=i0 - j0)
                    s = s.masked_fill(~allowed, -math.inf)
                m_new = torch.maximum(m, s.max(-1).values)
                safe = torch.where(m_new == -math.inf, torch.zeros_like(m_new), m_new)
                p = torch.exp(s - safe[:, None])
                alpha = torch.exp(m - safe)
                l = alpha * l + p.sum(-1)
                acc = alpha[:, None] * acc + p @ vj
                m = m_new
            o_rows.append(acc / l[:, None])
            l_rows.append(m + torch.log(l))
        outs.append(torch.cat(o_rows))
        lses.append(torch.cat(l_rows))
    out = torch.stack(outs).reshape(*batch, Lq, Dv).to(q.dtype)
    lse = torch.stack(lses).reshape(*batch, Lq).to(q.dtype)
    return out, lse
'''),
    ('online_softmax', 'split_blocks_tensor_stats', '''
def online_softmax(x, block_size):
    m = None
    l = None
    for blk in torch.split(x, block_size):
        bm = blk.max()
        if m is None:
            m, l = bm, torch.exp(blk - bm).sum() if bm > -math.inf else torch.zeros((), dtype=x.dtype)
            continue
        m_new = torch.maximum(m, bm)
        if m_new == -math.inf:
            continue
        l = l * torch.exp(m - m_new) + torch.exp(blk - m_new).sum()
        m = m_new
    return torch.exp(x - m) / l
'''),
    ('bitonic_sort', 'flip_partner_first_stage', '''
def bitonic_sort(x):
    n = x.shape[0]
    idx = torch.arange(n)
    y = x.clone()
    size = 2
    while size <= n:
        partner = idx ^ (size - 1)
        lo = idx < partner
        other = y[partner]
        y = torch.where(lo, torch.minimum(y, other), torch.maximum(y, other))
        dist = size // 4
        while dist >= 1:
            partner = idx ^ dist
            lo = idx < partner
            other = y[partner]
            y = torch.where(lo, torch.minimum(y, other), torch.maximum(y, other))
            dist //= 2
        size *= 2
    return y
'''),
    ('attention_hbm_bytes', 'fraction_ceil', '''
def attention_hbm_bytes(seq_len, d_head, sram_bytes, bytes_per_el=2):
    from fractions import Fraction
    N, d = seq_len, d_head
    M = sram_bytes // bytes_per_el
    Bc = math.ceil(Fraction(M, 4 * d))
    Tc = math.ceil(Fraction(N, Bc))
    return int((4 * N * d + 4 * N * N) * bytes_per_el), int((2 * N * d + Tc * (3 * N * d + 4 * N)) * bytes_per_el)
'''),
]

# Issue 13: "one pass" and "no second sweep" are checked by counting what runs; a sort that fits the op budget at
# N = 512 but is not a bitonic network (a rank sort, an odd-even transposition sort) fails at N = 4096.
WRONG = WRONG + [
    ('online_softmax', 'two_pass_blockwise_max_then_sums', '''
def online_softmax(x, block_size):
    m = torch.tensor(-math.inf, dtype=x.dtype)
    for s in range(0, x.shape[0], block_size):             # pass 1: the global max, block by block
        m = torch.maximum(m, x[s:s + block_size].max())
    l = torch.zeros((), dtype=x.dtype)
    if m > -math.inf:
        for s in range(0, x.shape[0], block_size):         # pass 2: the sum, block by block
            l = l + torch.exp(x[s:s + block_size] - m).sum()
    return torch.exp(x - m) / l
'''),
    ('flash_attention_forward', 'two_sweeps_over_key_tiles', '''
def flash_attention_forward(q, k, v, block_q=64, block_k=64, causal=False):
    *batch, Lq, D = q.shape
    Lk, Dv = k.shape[-2], v.shape[-1]
    scale = 1.0 / math.sqrt(D)
    out = q.new_empty(*batch, Lq, Dv)
    lse = q.new_empty(*batch, Lq)
    for i0 in range(0, Lq, block_q):
        qi = q[..., i0:i0 + block_q, :] * scale
        bq = qi.shape[-2]
        stop = min(Lk, i0 + bq) if causal else Lk

        def tile(j0):
            s = qi @ k[..., j0:j0 + block_k, :].transpose(-2, -1)
            if causal:
                rows = torch.arange(i0, i0 + bq)[:, None]
                cols = torch.arange(j0, j0 + s.shape[-1])[None, :]
                s = s.masked_fill(cols > rows, -math.inf)
            return s

        m = q.new_full((*batch, bq), -math.inf)
        for j0 in range(0, stop, block_k):                  # sweep 1: the row max
            m = torch.maximum(m, tile(j0).amax(-1))
        l = q.new_zeros((*batch, bq))
        acc = q.new_zeros((*batch, bq, Dv))
        for j0 in range(0, stop, block_k):                  # sweep 2: the sums and the output
            p = torch.exp(tile(j0) - m[..., None])
            l = l + p.sum(-1)
            acc = acc + p @ v[..., j0:j0 + block_k, :]
        out[..., i0:i0 + bq, :] = acc / l[..., None]
        lse[..., i0:i0 + bq] = m + torch.log(l)
    return out, lse
'''),
    ('bitonic_sort', 'rank_sort_all_pairs', '''
def bitonic_sort(x):
    n = x.shape[0]
    idx = torch.arange(n)
    less = (x[None, :] < x[:, None]) | ((x[None, :] == x[:, None]) & (idx[None, :] < idx[:, None]))   # (N, N)
    rank = less.sum(1)                                       # how many elements go before each one
    out = torch.empty_like(x)
    out[rank] = x
    return out
'''),
    ('bitonic_sort', 'odd_even_transposition_fits_budget_at_512', '''
def bitonic_sort(x):
    n = x.shape[0]
    idx = torch.arange(n)
    partners, keep_mins = [], []
    for lo in (0, 1):                                        # pairs (lo, lo+1), (lo+2, lo+3), ...
        partner = torch.where((idx - lo) % 2 == 0, idx + 1, idx - 1)
        partner = torch.where((partner < 0) | (partner >= n), idx, partner)
        partners.append(partner)
        keep_mins.append(idx <= partner)
    y = x.clone()
    for step in range(n):                                    # N stages of 4 operations each
        other = y[partners[step % 2]]
        y = torch.where(keep_mins[step % 2], torch.minimum(y, other), torch.maximum(y, other))
    return y
'''),
]
