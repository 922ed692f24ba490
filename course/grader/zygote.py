"""Warm test kernels: a process that has imported torch, matplotlib and the course once, and forks a kernel
for each submission's tests.

TRUSTED: only the test kernel (two_kernels.py) comes from here, never a student kernel (those start fresh,
in their sandbox, as descendants of their executor, where the watchdog and the subreaper see them).
Importing torch, matplotlib and course.testing costs ~2.5 s of CPU, which every test kernel paid again;
a fork of a process that paid it once costs milliseconds, and starts from the same state as a fresh
import (nothing but imports ran here: no test, no submission, no kernel).

``python -m course.grader.zygote PATH`` imports, then listens on the unix socket PATH. A request (one JSON
object per connection: ``connection_file``, ``cwd``, ``env``, ``watch_pid``, ``memory_limit``) is
answered with ``{"pid": ...}`` of a child that is becoming the kernel: a session of its own, the request's
working folder and environment, stdin/stdout/stderr on /dev/null, and a thread that ends it when
``watch_pid`` (the executor that asked) is gone. The grader starts one zygote per process, on first use
(``address``), and it dies with the grader.
"""
from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .executor import _alive, _reap  # standard library only: cheap in the grader and in the zygote

START_SECONDS = 120  # how long a first request waits for the zygote's imports on a busy machine
IDLE_SECONDS = 900  # a zygote nobody asked for a kernel this long stops (the grader starts another on need)
_lock = threading.Lock()
_state: dict = {"proc": None, "path": None, "stop_at_exit": False}


# ------------------------------------------------------------------------------------------------ the grader's side
def address() -> dict | None:
    """{"path": its socket, "pid": its process} of this process's zygote (started now if there is none, or
    if it died), or None where it cannot be started."""
    with _lock:
        proc = _state["proc"]
        if proc is not None and proc.poll() is None:
            return {"path": _state["path"], "pid": proc.pid}
        folder = Path(tempfile.mkdtemp(prefix="zygote-"))
        os.chmod(folder, 0o700)  # the grader's own: no sandbox binds it, no other user reaches it
        path = str(folder / "socket")
        from ..notebooks import ROOT

        env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="module://matplotlib_inline.backend_inline")
        try:
            proc = subprocess.Popen([sys.executable, "-m", "course.grader.zygote", path], env=env, cwd="/",
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError:
            return None
        _state.update(proc=proc, path=path)
        if not _state["stop_at_exit"]:
            atexit.register(stop)
            _state["stop_at_exit"] = True
        return {"path": path, "pid": proc.pid}


def stop() -> None:
    """Stop this process's zygote (the kernels it forked end with their executors)."""
    proc = _state.get("proc")
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()


def fork_kernel(zygote: dict, connection_file: str, cwd: str, env: dict, memory_limit: int,
                timeout: float = START_SECONDS) -> int:
    """Ask the zygote (``address()``) for a kernel, from the executor: its pid. OSError when it cannot."""
    deadline = time.monotonic() + timeout
    while True:  # the zygote may still be importing
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(zygote["path"]))
            break
        except OSError:
            sock.close()
            if time.monotonic() > deadline or not _alive(int(zygote["pid"])):
                raise
            time.sleep(0.05)
    with sock:
        sock.settimeout(max(1.0, deadline - time.monotonic()))
        sock.sendall(json.dumps({"connection_file": connection_file, "cwd": cwd, "env": env,
                                 "watch_pid": os.getpid(), "memory_limit": memory_limit}).encode())
        sock.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
    pid = json.loads(reply or b"{}").get("pid")
    if not isinstance(pid, int) or pid <= 0:
        raise OSError("the zygote did not start a kernel")
    return pid


class ForkedKernel:
    """What the executor needs of a kernel's Popen, for a kernel that is the zygote's child, not ours."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode = None

    def poll(self):
        if self.returncode is None and not _alive(self.pid):
            self.returncode = -signal.SIGKILL  # the zygote reaped it; its real status is not ours to read
        return self.returncode

    def wait(self, timeout: float | None = None):
        deadline = time.monotonic() + (timeout if timeout is not None else 10 ** 9)
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout)
            time.sleep(0.02)
        return self.returncode


# ------------------------------------------------------------------------------------------------ the zygote
def _warm_up() -> None:
    """Everything a test kernel imports anyway; nothing that starts a thread or opens a socket."""
    import IPython  # noqa: F401
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import matplotlib.pyplot  # noqa: F401  (the backend itself loads in the kernel, where IPython runs)
    import numpy  # noqa: F401
    import torch  # noqa: F401

    import course.grader.test_side  # noqa: F401
    import course.testing  # noqa: F401


def _watch(pid: int) -> None:
    """End this kernel when the executor that asked for it is gone (a fresh kernel dies with its parent)."""
    while _alive(pid):
        time.sleep(0.5)
    os._exit(0)


def _become_kernel(request: dict) -> None:
    """In the forked child: the request's session, folder, environment and limits, then the kernel."""
    import resource

    os.setsid()
    os.chdir(request["cwd"])
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
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(argv=["-f", request["connection_file"], "--HistoryManager.enabled=False",
                                      "--IPKernelApp.quiet=True"])


def serve(path: str) -> None:
    parent = os.getppid()  # the grader: when it is gone, so is this (PDEATHSIG would follow the thread that
    _warm_up()             # started us, and the grader starts us from whichever thread needs us first)
    import gc

    gc.collect()
    gc.freeze()  # the children's collections then leave these pages shared
    signal.signal(signal.SIGCHLD, lambda *_: _reap())
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path + ".new")
    os.chmod(path + ".new", 0o600)
    os.rename(path + ".new", path)  # connectable only once the imports are done
    listener.listen(16)
    listener.settimeout(1.0)
    last = time.monotonic()
    while True:
        try:
            conn, _ = listener.accept()
        except (InterruptedError, socket.timeout):
            if os.getppid() != parent or time.monotonic() - last > IDLE_SECONDS:
                os.unlink(path)
                os._exit(0)
            continue
        last = time.monotonic()
        conn.settimeout(10)
        with conn:
            try:
                data = b""
                while chunk := conn.recv(1 << 16):
                    data += chunk
                request = json.loads(data)
                pid = os.fork()
            except (OSError, ValueError):
                continue
            if pid == 0:
                listener.close()
                conn.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                try:
                    _become_kernel(request)
                finally:
                    os._exit(0)
            try:
                conn.sendall(json.dumps({"pid": pid}).encode())
            except OSError:
                pass


if __name__ == "__main__":
    serve(sys.argv[1])
