"""Warm kernels: a process that has imported torch (and the rest) once, and forks a kernel for each submission.

TRUSTED code, two kinds of zygote, one per grader process each (started on first use by ``address``):

- ``tests``: the trusted test kernel (two_kernels.py). It imported torch, matplotlib and course.testing; a
  request (the executor's) says which connection file, folder, environment and limits the kernel gets.
- ``student``: the student kernel, started **inside the sandbox of the executor that asks** (sandboxed
  runs only). It imported what a student kernel imports anyway (torch, numpy, matplotlib, IPython) and
  nothing of the course's tests. Its socket is bound into each sandbox (``SANDBOX_DIR``); for a connection it
  forks at once, without reading a byte, and the child joins the namespaces of the process at the other end
  of the socket (the kernel's ``SO_PEERPIDFD``: the peer itself, not a pid that may be reused), user, mount,
  PID, network, IPC, UTS and cgroup: the sandbox's file system, its processes, no network. There the
  kernel drops every capability (bounding, ambient, permitted, effective, inheritable; verified), sets
  no_new_privs, checks that it is not in the zygote's own user namespace, and only then reads the request.
  So the kernel sees exactly what a fresh kernel in that sandbox sees, and dies with it; the zygote never
  runs submission code and never reads what a sandbox sends. Only a process exactly one PID namespace below
  the zygote's is served (a sandbox's own processes; not those of a namespace a submission made inside its
  sandbox), one kernel per sandbox at a time (the executor's; a submission asking again is refused), and
  any failure leaves the executor to start a fresh kernel as before.

Importing torch, matplotlib and the rest costs ~2-2.5 s of CPU, which every kernel paid again; a fork of a
process that paid it once costs milliseconds, and starts from the same state as a fresh import (nothing but
imports ran here: no test, no submission, no kernel).

The wire: one connection per kernel. The executor sends a JSON request (``connection_file``, ``cwd``, ``env``,
``watch_pid``, ``memory_limit``) and closes its writing half; the kernel answers ``{"pid": ...}`` (its pid as
the executor sees it) and a line; when the kernel ends, the process that waited for it sends
``{"returncode": ...}``: an exit code, or minus the signal, as ``Popen.returncode`` says it. The kernel
watches ``watch_pid`` (the executor) and ends when it is gone.
"""
from __future__ import annotations

import atexit
import ctypes
import functools
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .executor import _alive, _reap  # standard library only: cheap in the grader and in the zygote

KINDS = ("tests", "student")
START_SECONDS = 120  # how long a request waits for a zygote's imports on a busy machine
IDLE_SECONDS = 900  # a zygote nobody asked for a kernel this long stops (the grader starts another on need)
MAX_REQUEST = 2**20
SANDBOX_DIR = "/run/zygote"  # where a sandbox sees the student zygote's folder (its socket alone)
SO_PEERPIDFD = 77  # Linux 6.5+: a pidfd of the process at the other end of a unix socket
NAMESPACES = {"user": 0x10000000, "mnt": 0x00020000, "pid": 0x20000000, "net": 0x40000000, "ipc": 0x08000000,
              "uts": 0x04000000, "cgroup": 0x02000000}
_lock = threading.Lock()
_states: dict = {}  # (kind, threads) -> {"proc", "path", "folder"}
_stop_registered = False


# ------------------------------------------------------------------------------------------------ the grader's side
def address(kind: str = "tests", env: dict | None = None, threads: int | None = None) -> dict | None:
    """{"path": its socket, "pid": its process, "folder": the socket's folder} of this process's zygote of that
    kind (started now if there is none, or if it died), or None where it cannot be started. ``env``: the
    student zygote's environment (the sandbox's kernel environment: no credentials)."""
    global _stop_registered
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    with _lock:
        state = _states.get((kind, threads))
        if state is not None and state["proc"].poll() is None:
            return {"path": state["path"], "pid": state["proc"].pid, "folder": state["folder"]}
        folder = Path(tempfile.mkdtemp(prefix="zygote-"))
        os.chmod(folder, 0o700)  # the grader's own (a sandbox sees it, as the grader's user, at SANDBOX_DIR)
        path = str(folder / "socket")
        from ..notebooks import ROOT

        if kind == "tests":
            env = dict(os.environ)
        else:
            env = dict(env or {})
            env.update(_home_of_student_zygote())
        env.update(PYTHONPATH=str(ROOT), MPLBACKEND="module://matplotlib_inline.backend_inline")
        try:
            proc = subprocess.Popen([sys.executable, "-m", "course.grader.zygote", path, kind], env=env, cwd="/",
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError:
            return None
        _states[(kind, threads)] = {"proc": proc, "path": path, "folder": str(folder), "home": env.get("HOME")
                                    if kind == "student" else None}
        if not _stop_registered:
            atexit.register(stop)
            _stop_registered = True
        return {"path": path, "pid": proc.pid, "folder": str(folder)}


@functools.lru_cache(maxsize=1)
def student_kernels_supported() -> bool:
    """Whether this Linux names a unix socket's peer by pidfd (``SO_PEERPIDFD``, 6.5+), which the student
    zygote needs to join the asking sandbox (without it every student kernel starts fresh)."""
    if not sys.platform.startswith("linux"):
        return False
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.close(a.getsockopt(socket.SOL_SOCKET, SO_PEERPIDFD))
        return True
    except OSError:
        return False
    finally:
        a.close()
        b.close()


def _home_of_student_zygote() -> dict:
    """A private home for the student zygote with matplotlib's font list (building it costs a second)."""
    from .sandbox import _font_cache

    home = Path(tempfile.mkdtemp(prefix="zygote-home-"))
    (home / ".matplotlib").mkdir()
    for font_list in _font_cache():
        shutil.copy2(font_list, home / ".matplotlib" / font_list.name)
    return {"HOME": str(home), "MPLCONFIGDIR": str(home / ".matplotlib"), "IPYTHONDIR": str(home / ".ipython")}


def stop() -> None:
    """Stop this process's zygotes (the kernels they forked end with their executors)."""
    for state in list(_states.values()):
        proc = state["proc"]
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for folder in (state["folder"], state["home"]):
            if folder:
                shutil.rmtree(folder, ignore_errors=True)


def fork_kernel(zygote: dict, connection_file: str, cwd: str, env: dict, memory_limit: int,
                timeout: float | None = None) -> "ForkedKernel":
    """Ask the zygote for a kernel, from the executor. OSError when it cannot (then start a fresh kernel)."""
    deadline = time.monotonic() + (timeout if timeout is not None else START_SECONDS)
    while True:  # the zygote may still be importing: its socket appears when it is done
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(zygote["path"]))
            break
        except OSError as err:
            sock.close()
            gone = zygote.get("pid") is not None and not _alive(int(zygote["pid"]))  # seen from the grader's side
            if time.monotonic() > deadline or gone or not isinstance(err, FileNotFoundError):
                raise
            time.sleep(0.05)
    try:
        sock.settimeout(max(1.0, deadline - time.monotonic()))
        sock.sendall(json.dumps({"connection_file": connection_file, "cwd": cwd, "env": env,
                                 "watch_pid": os.getpid(), "memory_limit": memory_limit}).encode())
        sock.shutdown(socket.SHUT_WR)
        line = b""
        while not line.endswith(b"\n"):
            chunk = sock.recv(1)
            if not chunk:
                break
            line += chunk
        pid = json.loads(line or b"{}").get("pid")
    except (OSError, ValueError) as err:
        sock.close()
        raise OSError(f"the zygote did not start a kernel ({err})") from err
    if not isinstance(pid, int) or pid <= 0:
        sock.close()
        raise OSError("the zygote did not start a kernel")
    return ForkedKernel(pid, sock)


class ForkedKernel:
    """What the executor needs of a kernel's Popen, for a kernel that is the zygote's child, not ours: its
    status comes on the request's connection, from the process that waited for it."""

    def __init__(self, pid: int, sock: socket.socket | None = None):
        self.pid = pid
        self.returncode = None
        self._sock = sock
        self._buffer = b""

    def _read_status(self, wait: float) -> None:
        if self._sock is None:
            return
        try:
            while select.select([self._sock], [], [], wait)[0]:
                chunk = self._sock.recv(4096)
                if not chunk:
                    self._sock.close()
                    self._sock = None
                    break
                self._buffer += chunk
                wait = 0
        except (OSError, ValueError):
            self._sock = None
        for line in self._buffer.splitlines():
            try:
                code = json.loads(line).get("returncode")
            except (ValueError, AttributeError):
                continue
            if isinstance(code, int):
                self.returncode = code

    def poll(self):
        if self.returncode is None:
            self._read_status(0)
        if self.returncode is None and not _alive(self.pid):
            self._read_status(1.0)  # its waiter sends the status the moment it has reaped it
            if self.returncode is None:
                self.returncode = -signal.SIGKILL  # nobody could say: it was killed with its sandbox
        return self.returncode

    def wait(self, timeout: float | None = None):
        deadline = time.monotonic() + (timeout if timeout is not None else 10 ** 9)
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout)
            time.sleep(0.02)
        return self.returncode


# ------------------------------------------------------------------------------------------------ the zygote
def _warm_up(kind: str) -> None:
    """Everything that kind of kernel imports anyway; nothing that starts a thread or opens a socket."""
    import IPython  # noqa: F401
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import matplotlib.pyplot  # noqa: F401  (the backend itself loads in the kernel, where IPython runs)
    import numpy  # noqa: F401
    import torch  # noqa: F401

    if kind == "tests":
        import course.grader.test_side  # noqa: F401
        import course.testing  # noqa: F401
    else:
        import importlib  # noqa: F401  (the child runs nothing it has not imported before it drops its rights)
        import resource  # noqa: F401


def _watch(pid: int) -> None:
    """End this kernel when the executor that asked for it is gone (a fresh kernel dies with its parent)."""
    while _alive(pid):
        time.sleep(0.5)
    os._exit(0)


def _read_request(conn: socket.socket) -> dict:
    conn.settimeout(10)
    data = b""
    while chunk := conn.recv(1 << 16):
        data += chunk
        if len(data) > MAX_REQUEST:
            raise ValueError("request too large")
    return json.loads(data)


def _become_kernel(request: dict) -> None:
    """In the forked child: the request's session, folder, environment and limits, then the kernel."""
    import resource

    os.setsid()
    os.chdir(request["cwd"])
    if sys.path and sys.path[0] == "/":
        sys.path[0] = os.getcwd()  # where `python -m ipykernel_launcher` started in that folder looks first
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in request["env"].items()})
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    limit = int(request.get("memory_limit") or 0)
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import torch

    threads = os.environ.get("OMP_NUM_THREADS")
    if threads and threads.isdigit():
        torch.set_num_threads(int(threads))
    threading.Thread(target=_watch, args=(int(request["watch_pid"]),), daemon=True).start()
    import ipykernel
    from ipykernel.kernelapp import IPKernelApp

    argv = ["-f", request["connection_file"], "--HistoryManager.enabled=False", "--IPKernelApp.quiet=True"]
    launcher = os.path.join(os.path.dirname(os.path.dirname(ipykernel.__file__)), "ipykernel_launcher.py")
    sys.argv = [launcher, *argv]  # as `python -m ipykernel_launcher` has it
    IPKernelApp.launch_instance(argv=argv)


def _tell(conn: socket.socket, message: dict) -> None:
    try:
        conn.sendall(json.dumps(message).encode() + b"\n")
    except OSError:
        pass


def _wait_and_report(child: int, conn: socket.socket) -> None:
    """The kernel's waiter: its status, as Popen would say it, to the executor; then end."""
    try:
        _, status = os.waitpid(child, 0)
        _tell(conn, {"returncode": os.waitstatus_to_exitcode(status)})
    finally:
        os._exit(0)


def _test_kernel(conn: socket.socket) -> None:
    """The forked child of a test zygote: read the (trusted) request, fork the kernel, wait for it."""
    request = _read_request(conn)
    kernel = os.fork()
    if kernel == 0:
        try:
            _tell(conn, {"pid": os.getpid()})
            conn.close()
            _become_kernel(request)
        finally:
            os._exit(1)
    _wait_and_report(kernel, conn)


# ------------------------------------------------------------------------------------------------ into a sandbox
_libc = ctypes.CDLL(None, use_errno=True)
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 38, 47, 4
CAP_VERSION_3 = 0x20080522
CAP_FIELDS = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")


def _last_cap() -> int:
    try:
        return int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    except (OSError, ValueError):
        return 63


def _drop_privileges(last_cap: int) -> None:
    """No capability of any kind, no_new_privs; verified from /proc, else the process ends here."""
    for cap in range(last_cap + 1):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = struct.pack("Ii", CAP_VERSION_3, 0)
    data = ctypes.create_string_buffer(24)  # two empty {effective, permitted, inheritable}
    if _libc.capset(ctypes.c_char_p(header), data) != 0:
        os._exit(70)
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        os._exit(71)
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    if any(int(status.get(f, "1").strip(), 16) for f in CAP_FIELDS) or status.get("NoNewPrivs", "").strip() != "1":
        os._exit(72)


def _student_kernel(conn: socket.socket, pidfd: int, own_userns: int, last_cap: int) -> None:
    """The forked child of a student zygote: join the asker's sandbox, fork the kernel there, wait for it."""
    if _libc.setns(pidfd, sum(NAMESPACES.values())) != 0:
        os._exit(73)  # setns fails as a whole: nothing joined
    os.close(pidfd)
    kernel = os.fork()  # the PID namespace applies to children: the kernel is one of the sandbox's processes
    if kernel == 0:
        try:
            _drop_privileges(last_cap)
            if os.stat("/proc/self/ns/user").st_ino == own_userns:
                os._exit(74)  # not in a sandbox of its own: never a kernel outside one
            os.closerange(3, conn.fileno())
            os.closerange(conn.fileno() + 1, 1 << 16)
            request = _read_request(conn)
            _tell(conn, {"pid": os.getpid()})
            conn.close()
            import importlib

            sys.path_importer_cache.clear()  # folders listed outside the sandbox are listed again in it
            importlib.invalidate_caches()
            import matplotlib

            for cached in (matplotlib.get_configdir, matplotlib.get_cachedir):
                getattr(cached, "cache_clear", lambda: None)()  # the zygote's folders: absent here
            _become_kernel(request)
        finally:
            os._exit(1)
    _wait_and_report(kernel, conn)


def _peer(conn: socket.socket) -> tuple[int, int] | None:
    """(pidfd of the process at the other end, the inode of its PID namespace), or None unless that process
    is exactly one PID namespace below this one (a sandbox's own processes are; a namespace a submission
    makes inside its sandbox is deeper, the grader's own processes are not below at all)."""
    try:
        pidfd = conn.getsockopt(socket.SOL_SOCKET, SO_PEERPIDFD)
    except OSError:
        return None
    try:
        pid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]
        status = Path(f"/proc/{pid}/status").read_text()
        levels = next(line for line in status.splitlines() if line.startswith("NSpid:")).split()[1:]
        if len(levels) == 2:
            return pidfd, os.stat(f"/proc/{pid}/ns/pid").st_ino
    except (OSError, struct.error, StopIteration):
        pass
    os.close(pidfd)
    return None


def serve(path: str, kind: str) -> None:
    parent = os.getppid()  # the grader: when it is gone, so is this (PDEATHSIG would follow the thread that
    _warm_up(kind)         # started us, and the grader starts us from whichever thread needs us first)
    if sys.path and sys.path[0] in ("", "/"):
        sys.path[0] = "/"  # `python -m` put the working folder, "/", first; a kernel replaces it with its own
    import gc

    gc.collect()
    gc.freeze()  # the children's collections then leave these pages shared
    own_userns, last_cap = os.stat("/proc/self/ns/user").st_ino, _last_cap()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path + ".new")
    os.chmod(path + ".new", 0o600)  # the grader's user (in a sandbox: the uid it maps to)
    os.rename(path + ".new", path)  # connectable only once the imports are done
    listener.listen(16)
    listener.settimeout(0.5)
    last = time.monotonic()
    live: dict[int, int] = {}  # waiter pid -> the PID namespace (the sandbox) it serves (student kind)
    while True:
        for pid in _reap():
            live.pop(pid, None)
        try:
            conn, _ = listener.accept()
        except (InterruptedError, socket.timeout):
            if os.getppid() != parent or time.monotonic() - last > IDLE_SECONDS:
                os.unlink(path)
                os._exit(0)
            continue
        last = time.monotonic()
        peer = None
        if kind == "student":
            peer = _peer(conn)
            if peer is None or peer[1] in live.values():
                conn.close()  # not from a sandbox, or its sandbox has its kernel already
                if peer is not None:
                    os.close(peer[0])
                continue
        try:
            pid = os.fork()
        except OSError:
            conn.close()
            continue
        if pid == 0:
            try:
                listener.close()
                if kind == "tests":
                    _test_kernel(conn)
                else:
                    _student_kernel(conn, peer[0], own_userns, last_cap)
            finally:
                os._exit(1)
        conn.close()
        if peer is not None:
            os.close(peer[0])
            live[pid] = peer[1]


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "tests")
