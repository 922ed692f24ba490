"""A simulated cluster that carries, counts and times every message of a collective.

Collectives in the notebooks (ring all-reduce, ZeRO, ...) run on N "ranks" that
live in one Python process. Ranks talk only through a :class:`Cluster`: a
rank queues a message with :meth:`Cluster.send`, and :meth:`Cluster.step`
delivers every queued message at once as one synchronous round. A message
received in a round can only be forwarded in the next round, so the number of
rounds of an algorithm is its latency term, exactly as on a real network.

The cluster keeps the books the interview asks about:

- ``bytes_sent[r]`` / ``bytes_received[r]``: element_size * numel of every tensor rank r sent / received;
- ``num_rounds``: steps that delivered at least one message;
- ``time``: the alpha-beta model, summed over rounds of ``alpha + beta * m``, where ``m`` is the most
  bytes one rank sends or receives in that round (links are full duplex, ranks work in parallel);
- ``history``: per round, the list of ``(src, dst, nbytes)`` in the order they were sent.

    >>> import torch
    >>> c = Cluster(3)
    >>> inbox = c.exchange([(r, (r + 1) % 3, torch.ones(4)) for r in range(3)])   # a ring shift
    >>> inbox[1][0]
    tensor([1., 1., 1., 1.])
    >>> c.num_rounds, c.bytes_sent, c.history
    (1, [16, 16, 16], [[(0, 1, 16), (1, 2, 16), (2, 0, 16)]])

:func:`format_history` prints the rounds as text and :func:`draw_history` draws them as the
space-time diagram an interviewer asks for on the whiteboard (which rank sends what to whom in
each round). This module is course code: it holds no solution of any exercise.
"""
from __future__ import annotations

import math
import numbers
from typing import Callable, Iterable, Sequence

import torch

__all__ = ["Cluster", "TamperingCluster", "check_rank_locality", "format_history", "draw_history"]


def _check_rank(value, what: str, world_size: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what}={value!r} is a {type(value).__name__}, but a rank must be an int in "
                        f"0..{world_size - 1}.")
    value = int(value)
    if not 0 <= value < world_size:
        raise ValueError(f"{what}={value} is not a rank of this cluster: ranks are 0..{world_size - 1} "
                         f"(world_size={world_size}).")
    return value


def _check_number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what}={value!r} must be a non-negative number, not a {type(value).__name__}.")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{what}={value!r} must be a finite number >= 0.")
    return value


class Cluster:
    """N simulated ranks connected all-to-all, with the alpha-beta cost model.

    Args:
        world_size: number of ranks N (an int >= 1).
        alpha: latency, seconds per round (default 1e-5 = 10 us).
        beta: inverse bandwidth, seconds per byte (default 1e-9 = 1 GB/s).
    """

    def __init__(self, world_size: int, alpha: float = 1e-5, beta: float = 1e-9) -> None:
        if isinstance(world_size, bool) or not isinstance(world_size, numbers.Integral):
            raise TypeError(f"world_size={world_size!r} must be an int >= 1, not a {type(world_size).__name__}.")
        if world_size < 1:
            raise ValueError(f"world_size={world_size} must be at least 1.")
        self.world_size = int(world_size)
        self.alpha = _check_number(alpha, "alpha")
        self.beta = _check_number(beta, "beta")
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Zero every counter, forget the history and drop messages not yet delivered."""
        self.bytes_sent = [0] * self.world_size
        self.bytes_received = [0] * self.world_size
        self.num_rounds = 0
        self.time = 0.0
        self.history = []
        self._queue = []  # (src, dst, tensor copy), in send order

    def __repr__(self) -> str:
        return (f"Cluster(world_size={self.world_size}, alpha={self.alpha:g}, beta={self.beta:g}; "
                f"rounds={self.num_rounds}, bytes_sent={self.bytes_sent}, time={self.time:.3g} s)")

    @property
    def pending(self) -> list:
        """The queued, not yet delivered messages as ``(src, dst, nbytes)``."""
        return [(s, d, _nbytes(t)) for s, d, t in self._queue]

    # ------------------------------------------------------------ messaging
    def _validate(self, src, dst, tensor, queued: Iterable[tuple[int, int]]) -> tuple[int, int]:
        src = _check_rank(src, "src", self.world_size)
        dst = _check_rank(dst, "dst", self.world_size)
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"the message {src}->{dst} is a {type(tensor).__name__}, but only torch.Tensor "
                            f"messages can be sent.")
        if src == dst:
            raise ValueError(f"rank {src} sends a message to itself: a rank already holds its own data, "
                             f"so src and dst must differ.")
        if (src, dst) in queued:
            raise ValueError(f"rank {src} already sends a message to rank {dst} in this round: send one "
                             f"tensor per (src, dst) pair per round (concatenate, or use another round).")
        return src, dst

    def send(self, src: int, dst: int, tensor: torch.Tensor) -> None:
        """Queue a copy of ``tensor`` from rank ``src`` to rank ``dst``; :meth:`step` delivers it.

        The copy is taken now: changing ``tensor`` afterwards does not change the message.
        """
        src, dst = self._validate(src, dst, tensor, {(s, d) for s, d, _ in self._queue})
        self._queue.append((src, dst, tensor.detach().clone()))

    def step(self) -> list:
        """Deliver every queued message as one synchronous round.

        Returns ``inbox``: a list of N dicts, ``inbox[dst][src]`` = the tensor ``src`` sent to ``dst``.
        A step with nothing queued delivers nothing and is not counted as a round.
        """
        inbox = [dict() for _ in range(self.world_size)]
        queue, self._queue = self._queue, []
        if not queue:
            return inbox
        sent = [0] * self.world_size
        received = [0] * self.world_size
        record = []
        for src, dst, tensor in queue:
            nbytes = _nbytes(tensor)
            sent[src] += nbytes
            received[dst] += nbytes
            inbox[dst][src] = tensor
            record.append((src, dst, nbytes))
        for r in range(self.world_size):
            self.bytes_sent[r] += sent[r]
            self.bytes_received[r] += received[r]
        self.num_rounds += 1
        self.time += self.alpha + self.beta * max(max(sent), max(received))
        self.history.append(record)
        return inbox

    def exchange(self, msgs: Iterable[tuple[int, int, torch.Tensor]]) -> list:
        """Send each ``(src, dst, tensor)`` of ``msgs``, then :meth:`step`; returns the inbox.

        All messages are checked before any is queued, so a bad one leaves the cluster unchanged.
        """
        msgs = list(msgs)
        queued = {(s, d) for s, d, _ in self._queue}
        for i, msg in enumerate(msgs):
            if not isinstance(msg, (tuple, list)) or len(msg) != 3:
                raise TypeError(f"message {i} of exchange() is {msg!r}, but each message must be a "
                                f"(src, dst, tensor) triple.")
            src, dst = self._validate(msg[0], msg[1], msg[2], queued)
            queued.add((src, dst))
        for src, dst, tensor in msgs:
            self._queue.append((int(src), int(dst), tensor.detach().clone()))
        return self.step()


class TamperingCluster(Cluster):
    """A :class:`Cluster` for tests: it records every delivered payload and can replay another run's.

    All ranks of a simulated collective live in one Python process, so an implementation could read every
    rank's input directly (sum centrally, send placeholders around the ring) and still show the right rounds,
    bytes and answers. This cluster checks provenance instead: a rank's messages and result may depend only on
    its own inputs and the tensors delivered to it.

    - ``TamperingCluster(N)`` behaves like ``Cluster(N)`` and keeps ``deliveries``: per round, a dict
      ``(src, dst) -> copy of the tensor delivered``.
    - ``TamperingCluster(N, replay=earlier.deliveries, rank=r)`` alters what rank ``r`` receives: every message
      to ``r`` is replaced by the payload ``r`` received in the same round from the same sender in the earlier
      run. Every message ``r`` sends is compared with what ``r`` sent then; a difference, or a message pattern
      that differs from the earlier run's, is appended to ``violations``.

    Run a collective once on inputs X, then again on inputs in which rank r's share is the same and every other
    rank's differs, replaying the first run's deliveries to r: an honest rank r sees exactly what it saw before
    and must send and return exactly what it did; a rank that peeked at the other ranks' inputs does not.
    Any message order passes. :func:`check_rank_locality` does both runs. Test-side code: never give one to
    the code under test as anything but an ordinary cluster.
    """

    def __init__(self, world_size: int, alpha: float = 1e-5, beta: float = 1e-9, replay: list | None = None,
                 rank: int | None = None, rtol: float = 1e-6, atol: float = 1e-9) -> None:
        super().__init__(world_size, alpha, beta)
        if (replay is None) != (rank is None):
            raise ValueError("give both replay and rank, or neither.")
        self.replay = replay
        self.rank = None if rank is None else _check_rank(rank, "rank", self.world_size)
        self.rtol, self.atol = float(rtol), float(atol)

    def reset(self) -> None:
        super().reset()
        self.deliveries = []
        self.violations = []

    def _differs(self, a: torch.Tensor, b: torch.Tensor) -> bool:
        if a.shape != b.shape or a.dtype != b.dtype:
            return True
        if a.numel() == 0:
            return False
        a64, b64 = a.detach().to(torch.float64), b.detach().to(torch.float64)
        return bool(((a64 - b64).abs() > self.atol + self.rtol * b64.abs()).any())

    def step(self) -> list:
        if self._queue and self.replay is not None:
            t, r = self.num_rounds, self.rank
            earlier = self.replay[t] if t < len(self.replay) else {}
            now = {(s, d) for s, d, _ in self._queue}
            for s, d in sorted(set(k for k in earlier if r in k) ^ set(k for k in now if r in k)):
                self.violations.append(f"round {t}: the message {s}->{d} is in only one of the two runs: the message "
                                       f"pattern of rank {r} changed when only the other ranks' inputs did.")
            queue = []
            for s, d, tensor in self._queue:
                old = earlier.get((s, d))
                if d == r and old is not None:
                    tensor = old.clone()                               # what rank r received in the earlier run
                elif s == r and old is not None and self._differs(tensor, old):
                    self.violations.append(f"round {t}: rank {r} sent rank {d} a different tensor although its own "
                                           f"inputs and everything delivered to it were the same: it used data of "
                                           f"other ranks that no message brought it.")
                queue.append((s, d, tensor))
            self._queue = queue
        record = {(s, d): tensor.clone() for s, d, tensor in self._queue}
        inbox = super().step()
        if record:
            self.deliveries.append(record)
        return inbox


def _flat_result(result) -> torch.Tensor:
    if isinstance(result, torch.Tensor):
        return result.detach().reshape(-1).to(torch.float64)
    if isinstance(result, (list, tuple)):
        parts = [_flat_result(x) for x in result]
        return torch.cat(parts) if parts else torch.zeros(0, dtype=torch.float64)
    return torch.tensor([float(result)], dtype=torch.float64)


def check_rank_locality(run: Callable, inputs, vary: Callable, world_size: int, ranks: Iterable[int] | None = None,
                        rtol: float = 1e-6, atol: float = 1e-9, **cluster_kwargs) -> list:
    """Check that each rank's messages and result depend only on its own inputs and what was delivered to it.

    Args:
        run: ``run(inputs, cluster) -> results``, the collective under test; ``results[r]`` is rank r's result
            (a tensor, a number, or a list/tuple of them).
        inputs: the first run's inputs (any object ``run`` and ``vary`` understand).
        vary: ``vary(inputs, r) -> inputs2`` with rank r's share unchanged and the other ranks' shares changed.
        ranks: the ranks to check (default: all).

    Runs once on ``inputs`` with a recording :class:`TamperingCluster`, then, for each rank r, on
    ``vary(inputs, r)`` replaying the first run's deliveries to r (N + 1 runs for N ranks). Returns a list of
    problems (empty when every checked rank is local): rank r sent something else, its message pattern changed,
    or its result changed.
    """
    problems = []
    first = TamperingCluster(world_size, **cluster_kwargs)
    results = run(inputs, first)
    for r in (range(world_size) if ranks is None else ranks):
        base = _flat_result(results[r])
        second = TamperingCluster(world_size, replay=first.deliveries, rank=r, rtol=rtol, atol=atol, **cluster_kwargs)
        again = _flat_result(run(vary(inputs, r), second)[r])
        problems.extend(second.violations[:3])
        if again.shape != base.shape or bool(((again - base).abs() > atol + rtol * base.abs()).any()):
            problems.append(f"rank {r}'s result changed when only the other ranks' inputs changed, although rank {r} "
                            f"was delivered exactly the same tensors: it used data no message brought it.")
        if problems:
            break
    return problems


def _nbytes(tensor: torch.Tensor) -> int:
    return int(tensor.element_size() * tensor.numel())


def _rounds(history_or_cluster) -> list:
    if isinstance(history_or_cluster, Cluster):
        return history_or_cluster.history
    return list(history_or_cluster)


def _fmt_bytes(n: int) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} B"


def format_history(history_or_cluster) -> str:
    """The rounds as text, one line per round: ``round 0: 0->1 16 B, 1->2 16 B, ...``."""
    lines = []
    for t, record in enumerate(_rounds(history_or_cluster)):
        msgs = ", ".join(f"{s}->{d} {_fmt_bytes(n)}" for s, d, n in record)
        lines.append(f"round {t}: {msgs}")
    return "\n".join(lines) if lines else "(no rounds)"


def draw_history(history_or_cluster, world_size: int | None = None, ax=None,
                 label: Callable[[int, int, int, int], str] | None = None, title: str | None = None):
    """Draw a collective as a space-time diagram: which rank sends what to whom in each round.

    Ranks are horizontal lanes (rank 0 on top); round ``t`` spans ``t`` to ``t + 1`` on the x-axis; every
    message ``(src, dst, nbytes)`` is an arrow from ``src``'s lane to ``dst``'s lane across its round.

    Args:
        history_or_cluster: a :class:`Cluster` or its ``history`` (a list of rounds of ``(src, dst, nbytes)``).
        world_size: number of lanes; defaults to the cluster's, or the largest rank seen + 1.
        ax: a matplotlib Axes to draw on (a new figure when None).
        label: ``label(round, src, dst, nbytes) -> str`` written on each arrow, e.g. the chunk it carries
            (default: its size in bytes); return ``""`` for no label.
        title: the axes title (default: rounds and total bytes).

    Returns the Axes.
    """
    import matplotlib.pyplot as plt

    rounds = _rounds(history_or_cluster)
    if world_size is None:
        if isinstance(history_or_cluster, Cluster):
            world_size = history_or_cluster.world_size
        else:
            world_size = 1 + max((max(s, d) for record in rounds for s, d, _ in record), default=0)
    n_rounds = len(rounds)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 + 1.6 * max(n_rounds, 1), 0.8 + 0.6 * world_size))
    label = label or (lambda t, s, d, n: _fmt_bytes(n))
    for r in range(world_size):
        ax.axhline(r, color="0.85", lw=1, zorder=0)
    for t in range(n_rounds + 1):
        ax.axvline(t, color="0.9", lw=0.8, ls=":", zorder=0)
    colors = plt.get_cmap("tab10")
    for t, record in enumerate(rounds):
        for s, d, n in record:
            # straight arrows: two messages of a round share both ends only if they are the same
            # (src, dst) pair, which the cluster forbids; labels sit a third of the way along
            ax.annotate("", xy=(t + 0.9, d), xytext=(t + 0.1, s),
                        arrowprops=dict(arrowstyle="-|>", color=colors(s % 10), lw=1.4, shrinkA=2, shrinkB=2))
            text = label(t, s, d, n)
            if text:
                u = 0.35
                ax.text(t + 0.1 + 0.8 * u, s + (d - s) * u, text, fontsize=8, ha="center", va="center",
                        color=colors(s % 10), bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none",
                                                       alpha=0.85))
    ax.set_xlim(-0.05, max(n_rounds, 1) + 0.05)
    ax.set_ylim(world_size - 0.5, -0.5)
    ax.set_yticks(range(world_size))
    ax.set_yticklabels([f"rank {r}" for r in range(world_size)])
    ax.set_xticks([t + 0.5 for t in range(n_rounds)])
    ax.set_xticklabels([f"round {t}" for t in range(n_rounds)])
    if title is None:
        total = sum(n for record in rounds for _, _, n in record)
        title = f"{n_rounds} rounds, {_fmt_bytes(total)} sent in total"
    ax.set_title(title)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax
