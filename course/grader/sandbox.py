"""Where a submission's code runs: a bubblewrap sandbox around course.grader.executor.

The trusted grader prepares the restored notebook (hidden tests included) and
hands its cells to ``python -m course.grader.executor`` over a unix socket. With
bubblewrap (``bwrap``, Debian's ``bubblewrap``) that process and its kernel run in
a file system built up from nothing (an allowlist, derived from the running
interpreter):

- read-only: the system's programs and libraries, a few files of ``/etc``, this
  Python (its prefixes, the venv, ``sys.path``) and the ``course`` package alone
  of the repository; nothing else: no course root, no home, no other checkout;
- writable, all size-limited tmpfs: the scratch folder (working directory and
  home), ``/tmp`` and ``/dev/shm``;
- uid 1000 in a user namespace of its own, no capabilities, ``no_new_privs``, its own
  PID, IPC, UTS, cgroup and network namespaces, a new session; when the executor
  ends, everything the submission started ends with it;
- an environment of a few allowed variables (no credentials);
- bwrap's stdin, stdout and stderr are /dev/null: the result comes back on the
  socket, read with a cap, while a watchdog adds up the memory and counts the
  processes of everything the submission runs (``watch``).

Without bwrap the executor runs as a plain child process ("preferred": flagged so;
"required": refused); docs/grading.md says what is and is not guaranteed.
"""
from __future__ import annotations

import functools
import json
import os
import select
import shutil
import signal
import socket
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

SANDBOX_UID = 1000  # the kernel's identity inside: not root, no capabilities, no_new_privs (bwrap's default)
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# the few files of /etc that Python, its libraries, matplotlib and fontconfig read; nothing else of /etc
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "fonts", "nsswitch.conf",
             "host.conf", "mime.types", "matplotlibrc", "alternatives", "os-release", "gai.conf")
READ_ONLY_EXTRA = ("/sys/devices/system/cpu",)  # torch's cpuinfo reads the processor list
DISK_LIMIT = 1 * 2**30  # the submission's scratch (working folder and home) is a tmpfs of this size
_BASE = ["--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--unshare-pid", "--unshare-ipc",
         "--unshare-uts", "--unshare-cgroup-try", "--hostname", "grader", "--die-with-parent", "--new-session",
         "--cap-drop", "ALL", "--proc", "/proc", "--dev", "/dev"]


def _system_binds() -> list[str]:
    """The system's programs and libraries, read-only (merged-/usr links kept as links)."""
    cmd: list[str] = []
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            cmd += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            cmd += ["--ro-bind", d, d]
    for name in ETC_FILES:
        path = f"/etc/{name}"
        if os.path.islink(path):
            cmd += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            cmd += ["--ro-bind", path, path]
    for path in READ_ONLY_EXTRA:
        if os.path.isdir(path):
            cmd += ["--ro-bind", path, path]
    return cmd


@functools.lru_cache(maxsize=1)
def bwrap_options() -> tuple[str, ...] | None:
    """bwrap and the namespace options this machine accepts, or None when there is no usable bwrap."""
    if os.environ.get("COURSE_NO_SANDBOX") or sys.platform != "linux":
        return None
    exe = shutil.which("bwrap")
    if not exe:
        return None
    true = shutil.which("true") or "/bin/true"
    for extra in (["--unshare-net"], []):
        try:
            ok = subprocess.run([exe, *_BASE, *extra, *_system_binds(), "--", true], stdin=subprocess.DEVNULL,
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


def environment_paths(hide: list[Path] = ()) -> list[Path]:
    """What the kernel needs of this Python: the interpreter's prefixes, the venv, sys.path, the course package.

    Derived from the running interpreter; never a folder holding a course root (only its ``course/``
    package), never one that holds or lies inside a hidden path, never a system folder (bound already).
    """
    course_root = ROOT.resolve()
    hidden = [Path(h).resolve() for h in hide] + [course_root]
    found = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.base_exec_prefix),
             Path(sys.executable).resolve().parent.parent]
    found += [Path(p) for p in sys.path if p and os.path.isabs(p)]
    out: list[Path] = [course_root / "course"]
    for p in found:
        try:
            p = p.resolve()
        except OSError:
            continue
        if not p.exists() or p == Path("/") or any(_inside(p, Path(d)) for d in SYSTEM_DIRS):
            continue
        if any(_inside(h, p) or (_inside(p, h) and not _inside(p, course_root / ".venv")) for h in hidden):
            continue  # a parent of a course root, or inside one (a venv inside the checkout is fine)
        out.append(p)
    kept: list[Path] = []
    for p in sorted(set(out), key=lambda q: len(q.parts)):
        if not any(_inside(p, k) for k in kept):
            kept.append(p)
    return kept


def bwrap_command(scratch: Path, ipc: Path, hide: list[Path], workdir: Path, disk_limit: int = DISK_LIMIT,
                  memory_limit: int = DEFAULT_MEMORY) -> list[str]:
    """The sandbox, built up from nothing: system libraries, this Python, the course package (all read-only),
    a sized tmpfs as scratch (working folder and home), a sized /tmp and /dev/shm, the grader's channel."""
    opts = bwrap_options()
    assert opts is not None
    cmd = list(opts) + _system_binds()
    cmd += ["--size", str(max(disk_limit // 2, 2**20)), "--tmpfs", "/tmp",
            "--size", str(max(min(disk_limit, memory_limit) // 4, 2**20)), "--tmpfs", "/dev/shm"]
    for p in environment_paths(hide):  # after /tmp: a venv or a checkout under /tmp comes back on top of it
        cmd += ["--ro-bind", str(p), str(p)]
    cmd += ["--ro-bind", str(ipc / "passwd"), "/etc/passwd", "--ro-bind", str(ipc / "group"), "/etc/group"]
    cmd += ["--size", str(disk_limit), "--perms", "0700", "--tmpfs", str(scratch),
            "--ro-bind", str(ipc), CHANNEL_DIR, "--chdir", "/"]
    return cmd


CHANNEL_DIR = "/run/grader"  # inside the sandbox: the grader's socket, the start-up config, the font list


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


@dataclass
class Execution:
    result: dict | None  # the executor's result, None when it produced none
    status: str  # "ok" | "timeout" | "crashed"
    message: str = ""
    sandboxed: bool = False
    seconds: float = 0.0


MAX_RESULT_BYTES = 128 * 2**20  # the result is read up to this many bytes; past it the sandbox is killed
MAX_PROCESSES = 256  # processes of one submission at once (the watchdog kills its processes past it)
WATCH_SECONDS = 0.25  # how often the watchdog measures a submission's processes


@dataclass(frozen=True)
class Setup:
    """What a kernel needs before its submission is known: the same for every submission of a batch."""
    hide: tuple[str, ...] = ()
    memory_limit: int = DEFAULT_MEMORY
    threads: int | None = None
    sandbox: SandboxMode = "preferred"  # see SANDBOX_MODES
    parent: str | None = None  # where scratch folders go (default: the system's temporary folder)
    disk_limit: int = DISK_LIMIT
    # a kernel forked from a course.grader.zygote: "tests" for the trusted test kernel (sandbox "off" only),
    # "student" for a submission's kernel (into its sandbox; without one it starts fresh); "" starts fresh
    warm: str = ""


class Runner:
    """One executor process with its kernel started, in a scratch folder of its own, waiting for cells.

    The executor talks to the grader over a unix socket it connects to before any submission code runs
    (bwrap and its PID 1 hold nothing of the grader's: their stdin, stdout and stderr are /dev/null); the
    grader sends the cells there and reads the result with a cap, while a watchdog adds up the memory and
    counts the processes of everything the submission started.
    """

    def __init__(self, setup: Setup, workdir: Path | None = None):
        if setup.sandbox not in SANDBOX_MODES:
            raise ValueError(f"sandbox must be one of {', '.join(SANDBOX_MODES)}, not {setup.sandbox!r}")
        self.setup = setup
        self.sandboxed = setup.sandbox != "off" and sandbox_available()
        if setup.sandbox == "required" and not self.sandboxed:
            raise CourseError(REQUIRED_MESSAGE)
        self.scratch = Path(tempfile.mkdtemp(prefix="s", dir=setup.parent))
        self.ipc = Path(tempfile.mkdtemp(prefix="c", dir=setup.parent))  # never visible to the submission
        os.chmod(self.ipc, 0o755)
        work, home = self.scratch / "work", self.scratch / "home"
        self.work = Path(workdir) if workdir else work
        fonts = []
        for font_list in _font_cache():
            shutil.copy2(font_list, self.ipc / font_list.name)
            fonts.append(font_list.name)
        kernel = kernel_env(home, setup.threads)
        channel = CHANNEL_DIR if self.sandboxed else str(self.ipc)
        config = {"workdir": str(self.work), "home": str(home), "memory_limit": setup.memory_limit,
                  "idle_timeout": 900, "env": kernel, "fonts": [f"{channel}/{f}" for f in fonts]}
        config["sandboxed"] = self.sandboxed
        binds: list[str] = []
        if setup.warm:
            from . import zygote

            if setup.warm == "tests" and not self.sandboxed:
                config["zygote"] = zygote.address("tests")
            elif setup.warm == "student" and self.sandboxed and zygote.student_kernels_supported():
                found = zygote.address("student", kernel_env(Path("/nonexistent"), setup.threads), setup.threads)
                if found:  # still importing, maybe: its socket appears in the bound folder when it is ready
                    config["zygote"] = {"path": f"{zygote.SANDBOX_DIR}/socket"}
                    binds = ["--ro-bind", found["folder"], zygote.SANDBOX_DIR]
        (self.ipc / "config.json").write_text(json.dumps(config))
        (self.ipc / "passwd").write_text(f"grader:x:{SANDBOX_UID}:{SANDBOX_UID}:grader:{home}:/bin/sh\n")
        (self.ipc / "group").write_text(f"grader:x:{SANDBOX_UID}:\n")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(self.ipc / "channel"))
        os.chmod(self.ipc / "channel", 0o777)
        self.listener.listen(1)
        cmd = [sys.executable, "-m", "course.grader.executor", "--channel", channel]
        env = dict(kernel, PYTHONPATH=str(ROOT))  # finds course.grader.executor even without the editable install
        if self.sandboxed:
            cmd = bwrap_command(self.scratch, self.ipc, [Path(h) for h in setup.hide], self.work,
                                setup.disk_limit, setup.memory_limit) + binds + ["--", *cmd]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, cwd="/", env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        with _LIVE_LOCK:
            _LIVE.add(self.proc)
        self.killed_for = ""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def run(self, cells: list[dict], cell_timeout: int, timeout: float | None, files: dict | None = None) -> Execution:
        """Send the cells (dicts with "source", "store_history", "timeout"?) and wait for the result."""
        job = {"cells": cells, "cell_timeout": cell_timeout, "interrupt_grace": 10, "stream_limit": 20_000,
               "output_budget": 50_000_000, "files": files or {}}
        start = time.monotonic()
        deadline = start + (timeout if timeout else 10 ** 9)
        try:
            out = self._exchange(json.dumps(job).encode(), deadline)
        except TimeoutError:
            return Execution(None, "timeout", f"{timeout:g}s", self.sandboxed, time.monotonic() - start)
        except OSError as err:
            out, self.killed_for = None, self.killed_for or f"the executor's channel failed ({err})"
        finally:
            self.close(remove=False)
        seconds = time.monotonic() - start
        if out is not None and self.proc.returncode == 0 and out:
            try:  # the message says why the watchdog stopped the submission's processes, if it did
                return Execution(json.loads(out), "ok", self.killed_for, self.sandboxed, seconds)
            except (ValueError, RecursionError):
                pass
        how = self.killed_for or _signal_name(self.proc.returncode)
        return Execution(None, "crashed", how, self.sandboxed, seconds)

    def _exchange(self, job: bytes, deadline: float) -> bytes | None:
        """Accept the executor's connection, send the job, read the result (capped), watching the processes."""
        conn = None
        while conn is None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            if select.select([self.listener], [], [], min(left, 0.5))[0]:
                conn, _ = self.listener.accept()
            elif self.proc.poll() is not None:
                return None  # it died before connecting
        self.listener.close()
        with conn:
            conn.settimeout(max(1.0, deadline - time.monotonic()))
            conn.sendall(job)
            conn.shutdown(socket.SHUT_WR)
            conn.setblocking(False)
            data = bytearray()
            next_watch = 0.0
            while True:
                now = time.monotonic()
                if now >= deadline:
                    raise TimeoutError
                if now >= next_watch:
                    next_watch = now + WATCH_SECONDS
                    self.killed_for = self.killed_for or watch(self.proc.pid, self.setup.memory_limit,
                                                             ("/dev/shm", "/tmp", str(self.scratch)))
                if select.select([conn], [], [], min(WATCH_SECONDS, deadline - now))[0]:
                    try:
                        chunk = conn.recv(1 << 20)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        break
                    data += chunk
                    if len(data) > MAX_RESULT_BYTES:
                        self.killed_for = f"its result passed the grader's {MAX_RESULT_BYTES >> 20} MiB cap"
                        _kill(self.proc)
                        return None
        try:
            self.proc.wait(timeout=max(1.0, min(30.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            pass
        return bytes(data)

    def close(self, remove: bool = True) -> None:
        _kill(self.proc)
        with _LIVE_LOCK:
            _LIVE.discard(self.proc)
        try:
            self.listener.close()
        except OSError:
            pass
        if remove:
            shutil.rmtree(self.scratch, ignore_errors=True)
            shutil.rmtree(self.ipc, ignore_errors=True)


def _memory_of(pid: int) -> int:
    """A process's proportional share of memory (shared pages split between their users), in bytes."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _tmpfs_used(pid: int, paths: tuple[str, ...]) -> int:
    used = 0
    for path in paths:  # the sandbox's own /tmp and /dev/shm, seen through its root: memory too
        try:
            st = os.statvfs(f"/proc/{pid}/root{path}")
            used += (st.f_blocks - st.f_bfree) * st.f_frsize
        except OSError:
            pass
    return used


def watch(root_pid: int, memory_limit: int, tmpfs: tuple[str, ...] = ()) -> str:
    """The watchdog: when a submission's processes together pass the memory limit or MAX_PROCESSES, kill them
    (the executor then reports the kernel's death) and say why; "" when all is well."""
    from .executor import _children_map

    kids = _children_map()
    tree, todo = [], [root_pid]
    while todo:
        for child in kids.get(todo.pop(), []):
            tree.append(child)
            todo.append(child)
    bwrap = (bwrap_options() or ("bwrap",))[0]
    # the first process running the executor that is not bwrap itself (breadth first: the kernel's children,
    # whatever they call themselves, are deeper)
    executor = next((p for p in [root_pid] + tree if "course.grader.executor" in _cmdline(p)
                     and not _cmdline(p).startswith(bwrap)), None)
    if executor is None:
        return ""
    roots = [executor]
    if executor != root_pid:  # sandboxed: a kernel forked by the zygote is in the sandbox, not below the executor
        roots += [p for p in _same_pid_namespace(executor, kids) if p != executor and not _cmdline(p).startswith(bwrap)]
    below, todo = set(roots[1:]), list(roots)
    while todo:  # and everything they started, in nested PID namespaces too
        for child in kids.get(todo.pop(), []):
            if child not in below:
                below.add(child)
                todo.append(child)
    below = sorted(below)
    if not below:
        return ""
    memory = sum(_memory_of(p) for p in [executor] + below)
    if executor != root_pid:  # sandboxed: its scratch, /tmp and /dev/shm are memory too
        memory += _tmpfs_used(executor, tmpfs)
    if memory <= memory_limit and len(below) <= MAX_PROCESSES:
        return ""
    for p in below:
        try:
            os.kill(p, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if len(below) > MAX_PROCESSES:
        return f"it started more than {MAX_PROCESSES} processes"
    return f"its processes together used more than the {memory_limit / 2**30:g} GiB memory limit"


def _same_pid_namespace(pid: int, kids: dict) -> list[int]:
    """The processes in pid's PID namespace (from the grader's side: their pids here)."""
    try:
        ns = os.stat(f"/proc/{pid}/ns/pid").st_ino
    except OSError:
        return []
    found = []
    for p in {q for children in kids.values() for q in children}:
        try:
            if os.stat(f"/proc/{p}/ns/pid").st_ino == ns:
                found.append(p)
        except OSError:
            pass
    return found


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read(4096).replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


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


def cgroup_limits_available() -> bool:
    """Whether this process could put a submission in a cgroup v2 with memory and pids limits of its own.

    Not used yet beyond this test: where it holds, the limits are still the watchdog's (see limits_note).
    """
    try:
        controllers = Path("/sys/fs/cgroup/cgroup.controllers").read_text().split()
    except OSError:
        return False
    return {"memory", "pids"} <= set(controllers)


def limits_note() -> str:
    """One sentence on how a submission's memory and processes are limited on this machine."""
    return (f"the sandbox limits each submission's memory (all its processes together, its /tmp and /dev/shm "
            f"included) and its processes ({MAX_PROCESSES}) with a watchdog that measures them every "
            f"{WATCH_SECONDS:g}s, not with a cgroup" +
            ("" if cgroup_limits_available() else " (cgroup v2 memory and pids controllers are not available to "
             "this process)") + ".")
