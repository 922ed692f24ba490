"""Where a submission's code runs: a bubblewrap sandbox around course.grader.executor.

The trusted grader prepares the restored notebook (hidden tests included) and
hands its cells to ``python -m course.grader.executor`` on a pipe. With bubblewrap
(``bwrap``, Debian's ``bubblewrap``) that process and its kernel run with:

- the course root hidden (an empty read-only tmpfs over it) but for the Python
  environment and the ``course`` package, bound back read-only; so no
  ``source/`` (solutions, hidden tests), no gradebook, no other submission;
- every other path read-only, a private ``/tmp``, ``/dev`` and ``/proc``;
- one folder writable: the submission's own scratch folder (its working directory);
- their own PID, IPC, UTS and network namespaces (the kernel talks to the
  executor over unix sockets), no capabilities, a new session; when the
  executor ends, everything the submission started ends with it;
- an environment of a few allowed variables (no credentials).

Without bwrap (a laptop, macOS) the executor runs as a plain child process;
the grader says so in the submission's flags.
"""
from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Literal
from pathlib import Path

from ..notebooks import ROOT, CourseError

ENV_ALLOWED = ("PATH", "LANG", "LANGUAGE", "TZ", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
               "NUMEXPR_NUM_THREADS", "PYTHONHASHSEED", "CUDA_VISIBLE_DEVICES")
DEFAULT_MEMORY = 4 * 2**30
SandboxMode = Literal["required", "preferred", "off"]
# "required": in bubblewrap or not at all; "preferred": in bubblewrap when this machine can, else flagged;
# "off": a plain child process (a learner's own notebook on their own machine)
SANDBOX_MODES = ("required", "preferred", "off")
REQUIRED_MESSAGE = ("the sandbox is required but bubblewrap (bwrap) is missing or cannot run here; install it "
                    "(Debian/Ubuntu: apt-get install bubblewrap).")
NO_SANDBOX_FLAG = ("graded without the sandbox (bubblewrap is missing or cannot run here), so this submission's "
                   "code could read the course's files")

_BASE = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/dev/shm",
         "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--new-session",
         "--cap-drop", "ALL"]


@functools.lru_cache(maxsize=1)
def bwrap_options() -> tuple[str, ...] | None:
    """The namespace options this machine's bwrap accepts, or None when there is no usable bwrap."""
    if os.environ.get("COURSE_NO_SANDBOX") or sys.platform != "linux":
        return None
    exe = shutil.which("bwrap")
    if not exe:
        return None
    for extra in (["--unshare-net"], []):
        try:
            ok = subprocess.run([exe, *_BASE, *extra, "--", "true"], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        if ok:
            return (exe, *_BASE, *extra)
    return None


def sandbox_available() -> bool:
    return bwrap_options() is not None


def _inside(path: Path, base: Path) -> bool:
    return path == base or base in path.parents


def bwrap_command(scratch: Path, hide: list[Path], workdir: Path) -> list[str]:
    """bwrap arguments hiding ``hide`` (but the Python environment and the course package) around the executor."""
    opts = bwrap_options()
    assert opts is not None
    cmd = list(opts)
    keep = [ROOT / "course", Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
            Path(sys.executable).resolve().parent]
    for k in keep:  # /tmp is a fresh tmpfs: what the kernel needs from there (a course cloned into /tmp) comes back
        if _inside(k, Path("/tmp")) and k != Path("/tmp") and k.exists():
            cmd += ["--ro-bind", str(k), str(k)]
    hidden = []
    for h in sorted({p.resolve() for p in hide}, key=lambda p: len(p.parts)):
        if _inside(h, Path("/tmp")) or any(_inside(h, other) for other in hidden) or h == Path("/"):
            continue  # /tmp is a private tmpfs already
        hidden.append(h)
    for h in hidden:
        cmd += ["--tmpfs", str(h)]
        for k in keep:
            if _inside(k, h) and k != h and k.exists():
                cmd += ["--ro-bind", str(k), str(k)]
        cmd += ["--remount-ro", str(h)]
    cmd += ["--bind", str(scratch), str(scratch), "--chdir", str(workdir)]
    return cmd


def kernel_env(home: Path, threads: int | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k in ENV_ALLOWED or k.startswith("LC_")}
    if threads:
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            env[name] = str(threads)
    env.setdefault("PATH", os.defpath)
    bindir = str(Path(sys.executable).parent)
    if bindir not in env["PATH"].split(os.pathsep):
        env["PATH"] = bindir + os.pathsep + env["PATH"]
    env.update(HOME=str(home), IPYTHONDIR=str(home / ".ipython"), MPLCONFIGDIR=str(home / ".matplotlib"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_CONFIG_HOME=str(home / ".config"),
               JUPYTER_RUNTIME_DIR=str(home / ".jupyter-runtime"), JUPYTER_PLATFORM_DIRS="1",
               PYTHONDONTWRITEBYTECODE="1", PYTHONNOUSERSITE="1", TMPDIR="/tmp",
               MALLOC_ARENA_MAX="4")  # glibc's 64 MiB arena per thread would eat the address-space limit
    return env


@functools.lru_cache(maxsize=1)
def _font_cache() -> list[Path]:
    """matplotlib's font list, copied into each sandbox (building it costs a second per kernel).

    Found where matplotlib keeps it on Linux without importing matplotlib; built once here if missing.
    """
    home = Path.home()
    for folder in (os.environ.get("MPLCONFIGDIR"), os.environ.get("XDG_CACHE_HOME") and
                   Path(os.environ["XDG_CACHE_HOME"]) / "matplotlib", home / ".cache" / "matplotlib",
                   home / ".matplotlib"):
        found = sorted(Path(folder).glob("fontlist-*.json")) if folder else []
        if found:
            return found  # one per matplotlib version that ran here: each kernel finds its own
    try:
        import matplotlib
        from matplotlib import font_manager  # noqa: F401  (builds the cache when missing)

        return sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    except Exception:  # noqa: BLE001 - a missing cache only costs time
        return []


def prepare_scratch(scratch: Path) -> tuple[Path, Path]:
    """scratch/work (the kernel's working directory) and scratch/home."""
    work, home = scratch / "work", scratch / "home"
    work.mkdir(parents=True, exist_ok=True)
    (home / ".matplotlib").mkdir(parents=True, exist_ok=True)
    for font_list in _font_cache():
        shutil.copy2(font_list, home / ".matplotlib" / font_list.name)
    return work, home


@dataclass
class Execution:
    result: dict | None  # the executor's result, None when it produced none
    status: str  # "ok" | "timeout" | "crashed"
    message: str = ""
    sandboxed: bool = False
    seconds: float = 0.0


MAX_RESULT_BYTES = 200_000_000


@dataclass(frozen=True)
class Setup:
    """What a kernel needs before its submission is known: the same for every submission of a batch."""
    hide: tuple[str, ...] = ()
    memory_limit: int = DEFAULT_MEMORY
    threads: int | None = None
    sandbox: SandboxMode = "preferred"  # see SANDBOX_MODES
    parent: str | None = None  # where scratch folders go (default: the system's temporary folder)


class Runner:
    """One executor process with its kernel started, in a scratch folder of its own, waiting for cells."""

    def __init__(self, setup: Setup, workdir: Path | None = None):
        if setup.sandbox not in SANDBOX_MODES:
            raise ValueError(f"sandbox must be one of {', '.join(SANDBOX_MODES)}, not {setup.sandbox!r}")
        self.setup = setup
        self.sandboxed = setup.sandbox != "off" and sandbox_available()
        if setup.sandbox == "required" and not self.sandboxed:
            raise CourseError(REQUIRED_MESSAGE)
        self.scratch = Path(tempfile.mkdtemp(prefix="s", dir=setup.parent))
        work, home = prepare_scratch(self.scratch)
        self.work = Path(workdir) if workdir else work
        kernel = kernel_env(home, setup.threads)
        config = {"workdir": str(self.work), "memory_limit": setup.memory_limit, "idle_timeout": 900, "env": kernel}
        cmd = [sys.executable, "-m", "course.grader.executor"]
        env = dict(kernel, PYTHONPATH=str(ROOT))  # finds course.grader.executor even without the editable install
        if self.sandboxed:
            cmd = bwrap_command(self.scratch, [Path(h) for h in setup.hide], self.work) + ["--", *cmd]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, cwd=self.work, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True)
        with _LIVE_LOCK:
            _LIVE.add(self.proc)
        try:
            self.proc.stdin.write((json.dumps(config) + "\n").encode())
            self.proc.stdin.flush()
        except OSError:
            pass  # it died at once: run() reports it

    def alive(self) -> bool:
        return self.proc.poll() is None

    def run(self, cells: list[dict], cell_timeout: int, timeout: float | None) -> Execution:
        """Send the cells (dicts with "source", "store_history", "timeout"?) and wait for the result."""
        job = {"cells": cells, "cell_timeout": cell_timeout, "interrupt_grace": 10, "stream_limit": 20_000,
               "output_budget": 50_000_000}
        start = time.monotonic()
        try:
            out, err = self.proc.communicate(json.dumps(job).encode(), timeout=timeout)
        except subprocess.TimeoutExpired:
            return Execution(None, "timeout", f"{timeout:g}s", self.sandboxed, time.monotonic() - start)
        finally:
            self.close(remove=False)
        seconds = time.monotonic() - start
        if self.proc.returncode == 0 and out and len(out) <= MAX_RESULT_BYTES:
            try:
                return Execution(json.loads(out), "ok", "", self.sandboxed, seconds)
            except (ValueError, RecursionError):
                pass
        last = (err or b"").decode(errors="replace").strip().splitlines()
        how = _signal_name(self.proc.returncode)
        return Execution(None, "crashed", (last[-1][:200] if last else how), self.sandboxed, seconds)

    def close(self, remove: bool = True) -> None:
        _kill(self.proc)
        with _LIVE_LOCK:
            _LIVE.discard(self.proc)
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                if pipe:
                    pipe.close()
            except OSError:
                pass
        if remove:
            shutil.rmtree(self.scratch, ignore_errors=True)


_SPARES: dict = {}  # (thread, Setup) -> Runner started ahead of its submission
_SPARES_LOCK = threading.Lock()


def runner_for(setup: Setup, workdir: Path | None = None) -> Runner:
    """A started kernel for the next submission: this thread's spare when there is one, else a new one."""
    if workdir is None:
        with _SPARES_LOCK:
            spare = _SPARES.pop((threading.get_ident(), setup), None)
        if spare is not None:
            if spare.alive():
                return spare
            spare.close()
    return Runner(setup, workdir)


def prestart(setup: Setup) -> None:
    """Start this thread's next kernel now, while the current submission runs: start-up overlaps it."""
    key = (threading.get_ident(), setup)
    with _SPARES_LOCK:
        if key in _SPARES:
            return
    spare = Runner(setup)
    with _SPARES_LOCK:
        old, _SPARES[key] = _SPARES.get(key), spare
    if old is not None:
        old.close()


def release_spares(parent: str | None = None) -> None:
    """Stop the kernels started ahead that no submission used (all, or those of one batch)."""
    with _SPARES_LOCK:
        keys = [k for k in _SPARES if parent is None or k[1].parent == parent]
        spares = [_SPARES.pop(k) for k in keys]
    for spare in spares:
        spare.close()


_LIVE: set = set()
_LIVE_LOCK = threading.Lock()


def kill_all() -> None:
    """Stop every submission running now (Ctrl-C on `course grade`): their graders return at once."""
    with _LIVE_LOCK:
        procs = list(_LIVE)
    for proc in procs:
        _kill(proc)


def _signal_name(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            pass
    return f"exit code {code}"


def _kill(proc: subprocess.Popen) -> None:
    """The executor, its kernel and anything they started (the sandbox ends them all; unsandboxed, walk the tree)."""
    if proc.poll() is None:  # still ours: its pid cannot have been reused
        from .executor import kill_tree

        kill_tree(proc.pid, include_self=True)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
