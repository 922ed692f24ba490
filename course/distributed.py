"""Run a function on N real processes with ``torch.distributed`` (gloo, this machine), collect the results.

A notebook defines a function and hands it to :func:`run_distributed`:

    import torch, torch.distributed as dist
    from course.distributed import run_distributed

    def total(rank, world_size):
        x = torch.tensor([float(rank + 1)])
        dist.all_reduce(x)            # the process group is ready: no init, no destroy
        return x

    run_distributed(total, world_size=2)   # -> [tensor([3.]), tensor([3.])]

How it works: N processes start; rank 0 opens a ``TCPStore`` on 127.0.0.1 at a port the OS picks (so
two runs never race for a port) and the others find it through a private temporary folder; each process
joins the gloo process group through that store, calls ``fn(rank, world_size, *args, **kwargs)``, and
writes the pickled result (or its traceback) to the folder. Processes are started with ``fork`` where the
OS has it, because a function defined in a notebook cannot be imported by a freshly spawned interpreter;
elsewhere the function's source is shipped and executed in the child (it must then import what it uses).
The parent runs no store and no thread of its own, so a fork never copies a lock held mid-operation.

Robustness: every rank runs one intra-op thread; the whole run has a deadline (``timeout``); as soon as a
rank fails, the others are stopped and :class:`DistributedError` says which rank failed and why, with
its traceback; a run past its deadline says where each stuck rank was (a ``faulthandler`` stack dump); a
rare stall while the group forms is retried once; the children are always killed and joined, and the
temporary folder removed, whatever happens. Each rank's stdout and stderr (Python and C++) go to files,
not to the notebook: a test cell that writes to stderr scores 0 in nbgrader. ``echo=True`` prints each
rank's stdout afterwards.

This module is course code: it holds no solution of any exercise.
"""
from __future__ import annotations

import datetime
import faulthandler
import inspect
import multiprocessing
import os
import pickle
import shutil
import signal
import socket
import sys
import tempfile
import textwrap
import time
import traceback
from typing import Any, Callable

from .testing import where_the_code_lives

__all__ = ["run_distributed", "DistributedError", "run_p2p_probe", "probe_input"]

_HOST = "127.0.0.1"


class DistributedError(RuntimeError):
    """A rank raised, died, or the run passed its deadline. ``rank`` is the rank at fault (None: all)."""

    def __init__(self, message: str, rank: int | None = None, remote_traceback: str = "") -> None:
        super().__init__(message + (f"\n\n--- rank {rank} traceback ---\n{remote_traceback}" if remote_traceback
                                    else ""))
        self.rank = rank
        self.remote_traceback = remote_traceback


def _loopback_interface() -> str | None:
    try:
        names = [name for _, name in socket.if_nameindex()]
    except (OSError, AttributeError):
        return None
    for name in ("lo", "lo0"):
        if name in names:
            return name
    return None


class _Shipped:
    """A function sent as source text, for start methods other than fork."""

    def __init__(self, fn: Callable) -> None:
        try:
            self.source = textwrap.dedent(inspect.getsource(fn))
        except (OSError, TypeError) as err:
            raise DistributedError(f"{getattr(fn, '__name__', fn)!r} cannot be shipped to a new process: its "
                                   f"source is not available ({err}).") from None
        self.name = fn.__name__

    def load(self) -> Callable:
        namespace: dict = {"__name__": "__course_distributed__"}
        exec("import math, time\nimport torch\nimport torch.distributed as dist\nimport torch.nn as nn\n"
             "import torch.nn.functional as F\n", namespace)
        exec(compile(self.source, f"<shipped {self.name}>", "exec"), namespace)
        return namespace[self.name]


def _worker(fn, rank: int, world_size: int, folder: str, args: tuple, kwargs: dict, backend: str,
            timeout: float, threads: int) -> None:
    """The body of one rank (runs in the child process)."""
    # Own stdout/stderr: Python's and the C++ library's (gloo warns on fd 2).
    out = open(os.path.join(folder, f"rank{rank}.out"), "w", buffering=1)
    err = open(os.path.join(folder, f"rank{rank}.stderr"), "w", buffering=1)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    sys.stdout, sys.stderr = out, err
    if hasattr(signal, "SIGUSR1"):  # the parent asks a stuck rank where it is
        faulthandler.register(signal.SIGUSR1, file=err, all_threads=True)
    status, stamp, payload = "error", None, None
    try:
        import torch
        import torch.distributed as dist

        torch.set_num_threads(threads)
        if backend == "gloo" and "GLOO_SOCKET_IFNAME" not in os.environ:
            loopback = _loopback_interface()
            if loopback:  # stay on this machine whatever the hostname resolves to
                os.environ["GLOO_SOCKET_IFNAME"] = loopback
        if isinstance(fn, _Shipped):
            fn = fn.load()
        store = _rendezvous(dist, rank, world_size, folder, timeout)
        dist.init_process_group(backend, store=store, rank=rank, world_size=world_size,
                                timeout=datetime.timedelta(seconds=timeout))
        _touch(os.path.join(folder, f"rank{rank}.ready"))
        try:
            result = fn(rank, world_size, *args, **kwargs)
            dist.barrier()  # nobody tears down a connection a peer still reads from
            status, payload = "ok", result
        except BaseException as exc:  # stamp the error before our connections close
            stamp, payload = time.time(), _describe(exc)
        finally:
            try:
                dist.destroy_process_group()
            except Exception:
                pass
        if status == "ok":
            _leave(store, rank, world_size)
    except BaseException as exc:  # report everything, including SystemExit and KeyboardInterrupt
        stamp, payload = time.time(), _describe(exc)
    stamp = stamp or time.time()
    path = os.path.join(folder, f"rank{rank}.pkl")
    try:
        data = pickle.dumps((status, stamp, payload))
    except Exception as exc:
        status = "error"
        data = pickle.dumps(("error", time.time(), (f"the result of rank {rank} cannot be pickled "
                                                     f"({type(exc).__name__}: {exc})", "")))
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)  # the parent sees a complete file or none
    out.flush()
    err.flush()
    os._exit(0 if status == "ok" else 1)


def _touch(path: str, text: str = "") -> None:
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def _rendezvous(dist, rank: int, world_size: int, folder: str, timeout: float):
    """Rank 0 hosts the TCPStore on a port the OS picks and writes it to a file; the others read it.

    The parent never runs a store: a process forked while a store's server thread is busy may inherit
    a held lock and hang.
    """
    delta = datetime.timedelta(seconds=timeout)
    port_file = os.path.join(folder, "port")
    if rank == 0:
        store = dist.TCPStore(_HOST, 0, world_size, True, timeout=delta, wait_for_workers=False)
        _touch(port_file, str(store.port))
        return store
    deadline = time.monotonic() + timeout
    while not os.path.exists(port_file):
        if time.monotonic() > deadline:
            raise TimeoutError("rank 0 did not open the rendezvous store in time.")
        time.sleep(0.002)
    with open(port_file) as f:
        port = int(f.read())
    return dist.TCPStore(_HOST, port, world_size, False, timeout=delta)


def _leave(store, rank: int, world_size: int, wait: float = 5.0) -> None:
    """Rank 0 hosts the store: it stays until every rank has finished with it."""
    try:
        store.add("course_left", 1)
        if rank == 0:
            deadline = time.monotonic() + wait
            while store.add("course_left", 0) < world_size and time.monotonic() < deadline:
                time.sleep(0.002)
    except Exception:
        pass


def _describe(exc: BaseException) -> tuple:
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:500], traceback.format_exc()


def _secondary(summary: str) -> bool:
    """An error a rank gets because a peer died, not the cause."""
    text = summary.lower()
    return any(k in text for k in ("connection closed by peer", "connection reset", "broken pipe"))


def _read(path: str):
    with open(path, "rb") as f:
        return pickle.loads(f.read())


def _tail(path: str, limit: int = 2000) -> str:
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except OSError:
        return ""
    return text[-limit:]


@where_the_code_lives
def run_distributed(fn: Callable, world_size: int = 2, args: tuple = (), kwargs: dict | None = None, *,
                    backend: str = "gloo", timeout: float = 60.0, threads_per_rank: int = 1,
                    start_method: str | None = None, echo: bool = False) -> list:
    """Run ``fn(rank, world_size, *args, **kwargs)`` on ``world_size`` processes; return the N results.

    Args:
        fn: a function of ``(rank, world_size, ...)``; the default process group (gloo) is already
            initialised in each process and is destroyed afterwards. Its return value must be picklable
            (tensors, numbers, lists, dicts, ...).
        world_size: number of processes N (>= 1).
        args, kwargs: extra arguments, the same for every rank (they are copied into each process).
        backend: ``"gloo"`` (CPU). The group's collective timeout is ``timeout`` too.
        timeout: seconds for the whole run; past it every rank is killed and DistributedError is raised.
        threads_per_rank: torch intra-op threads per process (1: N processes share the cores fairly).
        start_method: ``"fork"`` (default where available) or ``"spawn"``/``"forkserver"`` (then ``fn`` is
            shipped as source text and must import what it uses).
        echo: print what each rank printed, prefixed by ``[rank r]``, after the run.

    Returns:
        A list of N results, entry r = what rank r returned.

    Raises:
        DistributedError: a rank raised (message: the rank and its exception, with its traceback), died
            without a result, or the run passed ``timeout``.
    """
    if isinstance(world_size, bool) or not isinstance(world_size, int) or world_size < 1:
        raise ValueError(f"world_size={world_size!r} must be an int >= 1.")
    if not callable(fn):
        raise TypeError(f"fn={fn!r} is not callable: pass the function itself, not its result.")
    if timeout <= 0:
        raise ValueError(f"timeout={timeout!r} must be a positive number of seconds.")
    kwargs = dict(kwargs or {})
    import torch.distributed as dist

    if not dist.is_available():
        raise DistributedError("torch.distributed is not available in this build of torch.")
    methods = multiprocessing.get_all_start_methods()
    method = start_method or ("fork" if "fork" in methods else "spawn")
    if method not in methods:
        raise ValueError(f"start_method={method!r} is not available here (available: {', '.join(methods)}).")
    target = fn if method == "fork" else _Shipped(fn)
    ctx = multiprocessing.get_context(method)
    deadline = time.monotonic() + timeout
    attempts = _SETUP_ATTEMPTS if method == "fork" else 1  # a spawned interpreter may take long to import torch
    for attempt in range(attempts):
        try:
            return _launch(ctx, target, world_size, tuple(args), kwargs, backend, timeout, deadline,
                           int(threads_per_rank), echo, last_attempt=attempt == attempts - 1)
        except _SetupStalled:
            continue  # a rare stall while the group forms (not the function's fault): start afresh
    raise AssertionError("unreachable")


_SETUP_ATTEMPTS = 2
_SETUP_PATIENCE = 20.0  # seconds for N forked processes to form the group before a fresh start


class _SetupStalled(Exception):
    pass


def _where(stderr: str) -> str:
    """The innermost frames of a faulthandler dump, as 'file:line in function' (most recent first)."""
    frames = [line.strip() for line in stderr.splitlines() if line.strip().startswith("File ")]
    return "; ".join(frames[:3])


def _launch(ctx, target, world_size, args, kwargs, backend, timeout, deadline, threads, echo, last_attempt):
    folder = tempfile.mkdtemp(prefix="course_dist_")
    procs: list = []
    try:
        for rank in range(world_size):
            p = ctx.Process(target=_worker, name=f"course-rank-{rank}", daemon=True,
                            args=(target, rank, world_size, folder, args, kwargs, backend, float(timeout), threads))
            p.start()
            procs.append(p)
        setup_deadline = time.monotonic() + _SETUP_PATIENCE
        results: dict = {}
        failures: dict = {}  # rank -> (time, (summary, traceback))
        grace = None
        while True:
            failed = []
            for rank, p in enumerate(procs):
                if rank in results or rank in failures:
                    continue
                path = os.path.join(folder, f"rank{rank}.pkl")
                if os.path.exists(path):
                    status, stamp, payload = _read(path)
                    if status == "ok":
                        results[rank] = payload
                    else:
                        failed.append((stamp, rank, payload))
                elif p.exitcode is not None:
                    # exited without a result file: killed, segfault, os._exit in fn, ...
                    p.join(0.2)
                    if not os.path.exists(path):
                        code = p.exitcode
                        why = f"signal {-code}" if code < 0 else f"exit code {code}"
                        stderr = _tail(os.path.join(folder, f"rank{rank}.stderr"))
                        failed.append((time.time(), rank, (f"the process died ({why}) without returning a "
                                                           f"result", stderr)))
            failures.update({r: (stamp, summary) for stamp, r, summary in failed})
            if failures:
                # a peer's failure makes other ranks fail soon after: wait a moment, then blame the cause
                grace = grace or time.monotonic() + 0.5
                if time.monotonic() > grace or len(failures) + len(results) == world_size:
                    rank = min(failures, key=lambda r: (_secondary(failures[r][1][0]), failures[r][0]))
                    summary, tb = failures[rank][1]
                    others = sorted(r for r in failures if r != rank)
                    also = (f" (rank{'s' if len(others) > 1 else ''} {', '.join(map(str, others))} failed too)"
                            if others else "")
                    raise DistributedError(f"rank {rank} of {world_size} failed: {summary.rstrip('.')}{also}.",
                                           rank, tb)
                time.sleep(0.005)
                continue
            if len(results) == world_size:
                break
            now = time.monotonic()
            if (not last_attempt and now > setup_deadline and now < deadline
                    and not all(os.path.exists(os.path.join(folder, f"rank{r}.ready")) for r in range(world_size))):
                raise _SetupStalled()
            if now > deadline:
                waiting = [r for r in range(world_size) if r not in results]
                where = {}
                for r in waiting:  # ask each stuck rank for its stack (faulthandler), then report
                    if procs[r].is_alive() and hasattr(signal, "SIGUSR1"):
                        try:
                            os.kill(procs[r].pid, signal.SIGUSR1)
                        except OSError:
                            pass
                time.sleep(0.3)
                for r in waiting:
                    where[r] = _tail(os.path.join(folder, f"rank{r}.stderr"), 4000)
                first = waiting[0]
                at = _where(where[first])
                raise DistributedError(
                    f"ranks {waiting} of {world_size} did not finish within {timeout:g} s (a recv without a "
                    f"matching send, or a collective some rank skipped?)" + (f"; rank {first} was at {at}" if at
                                                                             else "") + ".",
                    first, where[first])
            time.sleep(0.005)
        if echo:
            for rank in range(world_size):
                text = _tail(os.path.join(folder, f"rank{rank}.out"), 100_000)
                for line in text.splitlines():
                    print(f"[rank {rank}] {line}")
        return [results[r] for r in range(world_size)]
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
        for p in procs:
            p.join(5)
            try:
                p.close()
            except ValueError:
                pass
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------------------------------------ 07_parallel_computing
# The real-process probe of 07's dist_ring_all_reduce. It runs where the learner's function lives (in two-kernel
# grading: the learner's kernel, which starts the processes) and returns plain data; the tests compute their
# oracle themselves from probe_input.
P2P_COLLECTIVES = (
    "all_reduce", "all_gather", "all_gather_into_tensor", "reduce_scatter", "reduce_scatter_tensor", "broadcast",
    "reduce", "gather", "scatter", "all_to_all", "all_to_all_single", "all_gather_object", "broadcast_object_list",
    "gather_object", "scatter_object_list", "send_object_list", "recv_object_list", "all_reduce_coalesced",
    "all_gather_coalesced", "_all_gather_base", "_reduce_scatter_base")
P2P_GROUP_COLLECTIVES = (
    "allreduce", "allreduce_coalesced", "allgather", "_allgather_base", "allgather_coalesced",
    "allgather_into_tensor_coalesced", "all_gather_single", "alltoall", "alltoall_base", "all_to_all_single",
    "broadcast", "gather", "reduce", "reduce_scatter", "_reduce_scatter_base", "reduce_scatter_single",
    "reduce_scatter_tensor_coalesced", "scatter")


def probe_input(length: int, rank: int, dtype=None):
    """The seeded 1-D input :func:`run_p2p_probe` gives rank ``rank`` for a tensor of ``length`` (float32 default)."""
    import torch

    from .testing import seeded

    return torch.randn(length, dtype=dtype or torch.float32, generator=seeded(1000 * length + rank))


def _p2p_probe_rank(rank: int, world_size: int, fn: Callable, lengths, dtype) -> list:
    """One rank of :func:`run_p2p_probe`: collectives forbidden, point-to-point sends counted and kept."""
    import torch
    import torch.distributed as dist
    import torch.distributed.distributed_c10d as c10d
    from torch._C._distributed_c10d import ProcessGroup

    names = P2P_COLLECTIVES + ("send", "isend")
    saved = {n: getattr(dist, n) for n in names if hasattr(dist, n)}
    saved_c10d = {n: getattr(c10d, n) for n in names if hasattr(c10d, n)}
    saved_pg = {n: ProcessGroup.__dict__[n] for n in P2P_GROUP_COLLECTIVES if n in ProcessGroup.__dict__}
    count: dict = {"sent": 0, "peers": set(), "depth": 0, "payloads": []}

    def forbidden(name):
        def call(*args, **kwargs):
            raise RuntimeError(f"{name} is a collective; use dist.send/recv/isend/irecv only.")
        return call

    def counting(real):
        def call(tensor, *args, **kwargs):
            if count["depth"] == 0:  # dist.send may call isend itself: count once
                peer = args[0] if args else kwargs.get("dst", kwargs.get("group_dst"))
                count["sent"] += tensor.numel()
                count["peers"].add(peer)
                count["payloads"].append((peer, tensor.detach().clone()))
            count["depth"] += 1
            try:
                return real(tensor, *args, **kwargs)
            finally:
                count["depth"] -= 1
        return call

    out = []
    for length in lengths:
        x = probe_input(length, rank, dtype)
        before = x.clone()
        expected = x.clone()
        dist.all_reduce(expected)  # torch's all-reduce, for the learner's own use (the tests recompute it)
        count.update(sent=0, peers=set(), payloads=[])
        for n in P2P_COLLECTIVES:
            for module, keep in ((dist, saved), (c10d, saved_c10d)):
                if n in keep:
                    setattr(module, n, forbidden(f"dist.{n}"))
        for n in saved_pg:
            setattr(ProcessGroup, n, forbidden(f"ProcessGroup.{n}"))
        dist.send, dist.isend = counting(saved["send"]), counting(saved["isend"])
        c10d.send, c10d.isend = dist.send, dist.isend  # so dist.P2POp(dist.isend, ...) batches are accepted too
        try:
            got = fn(x)
        finally:
            for n, f in saved.items():
                setattr(dist, n, f)
            for n, f in saved_c10d.items():
                setattr(c10d, n, f)
            for n, f in saved_pg.items():
                setattr(ProcessGroup, n, f)
        dist.barrier()
        result = got.detach().clone() if isinstance(got, torch.Tensor) else got
        out.append({"result": result, "expected": expected, "unmodified": bool(torch.equal(x, before)),
                    "sent": int(count["sent"]), "peers": sorted(int(p) for p in count["peers"] if isinstance(p, int)),
                    "payloads": [(int(p) if isinstance(p, int) else -1, t) for p, t in count["payloads"]]})
    return out


@where_the_code_lives
def run_p2p_probe(fn: Callable, world_size: int, lengths, dtype=None, timeout: float = 20.0) -> list:
    """Run ``fn(tensor)`` on ``world_size`` gloo processes, once per length in ``lengths``, watching what it sends.

    Each rank's input is :func:`probe_input` ``(length, rank, dtype)``. Inside ``fn`` every collective raises
    (called from ``torch.distributed``, ``torch.distributed.distributed_c10d`` or the process group), and every
    ``dist.send``/``dist.isend`` is counted. Returns, per rank, a list (one entry per length) of dicts: "result"
    (what fn returned), "expected" (torch's ``dist.all_reduce`` of the same inputs), "unmodified" (whether fn left
    its input as it was), "sent" (elements sent), "peers" (the ranks sent to, sorted) and "payloads" (a list of
    ``(peer, tensor)``, every message in order). Plain data only: in two-kernel grading the processes start in
    the learner's kernel, where ``fn`` lives.
    """
    return run_distributed(_p2p_probe_rank, world_size=world_size, args=(fn, list(lengths), dtype), timeout=timeout)
