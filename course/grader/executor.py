"""Run a notebook's code cells in a fresh kernel: the untrusted half of grading.

``python -m course.grader.executor --channel DIR`` reads ``DIR/config.json``
(how to start the kernel: ``workdir``, ``home``, ``env``, ``memory_limit``,
``fonts``, ``sandboxed``; ``zygote``: where to ask course.grader.zygote for a warm
kernel), connects to the grader's unix socket ``DIR/channel`` before any submission code runs, points its own stdin, stdout and stderr at /dev/null,
starts the kernel, then reads the job (JSON, up to the grader's end of writing)
from the socket and writes one result (JSON) back. The grader may start it ahead
of the submission it will run, so that kernel start-up overlaps the previous
submission; one that gets no job in ``idle_timeout`` seconds stops. The grader
starts it inside the sandbox (see course/grader/sandbox.py), so everything a
submission's code can reach is this process, its kernel and the scratch folder.
The job never touches the disk: the cells, hidden tests included, arrive on the
socket, and this process makes itself non-dumpable first so that the kernel
cannot read its memory or open its descriptors through /proc.

Kept to the standard library plus jupyter_client (no nbformat, nbclient or
nbconvert: they take seconds to import), because one of these starts per
submission.

Job keys: ``cells`` (list of {"source", "store_history", "timeout"?}),
``cell_timeout``, ``interrupt_grace``, ``stream_limit`` (characters of stream
output kept per cell), ``output_budget`` (bytes of output kept in all), ``files``
(the assignment's data files, base64 by relative path, written into ``workdir``).

Result keys: ``cells`` (one {"ran", "execution_count", "outputs", "timed_out"}
per job cell; "ran" means the kernel replied: it finished, with or without an error), ``kernel_died`` ({"cell", "returncode"} or null), ``stuck``
(index of a cell that ignored the interrupt, or null), ``leftover`` (command
lines of processes still running when the notebook ended), ``truncated``,
``start_error``.
"""
from __future__ import annotations

import base64
import ctypes
import json
import os
import queue
import resource
import secrets
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
DATA_LIMIT = 5_000_000  # characters of one output's value (an image, an HTML table) kept


def _prctl(option: int, value: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the sandbox is absent there too
        pass


# ------------------------------------------------------------------ processes
def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read().decode(errors="replace")
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(name))
    return kids


def descendants(pid: int) -> list[int]:
    kids, out, todo = _children_map(), [], [pid]
    while todo:
        for child in kids.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode(errors="replace")
        return stat[stat.rindex(")") + 2:].split()[0] not in ("Z", "X")
    except (OSError, ValueError, IndexError):
        return False


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace").strip()[:120]
    except OSError:
        return "?"


def kill_tree(pid: int, include_self: bool = True, reap: bool = False) -> None:
    """SIGKILL pid's descendants (again, for ones forked meanwhile), then pid; ``reap`` waits for our own children."""
    for _ in range(3):
        found = descendants(pid)
        if not found:
            break
        for child in found:
            try:
                os.kill(child, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if reap:
            _reap()
        else:
            time.sleep(0.05)
    if include_self:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _reap() -> list[int]:
    """Wait for every child that has ended; their pids."""
    reaped = []
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid == 0:
            return reaped
        reaped.append(pid)


# ------------------------------------------------------------------ kernel
def _connection(runtime: str) -> dict:
    info = {"key": secrets.token_hex(16), "signature_scheme": "hmac-sha256", "kernel_name": "python3"}
    if os.name == "posix":  # unix sockets in a private folder: no ports to race for, no network needed
        info.update(transport="ipc", ip=os.path.join(runtime, "k"))
        for i, name in enumerate(("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"), 1):
            info[name] = i
    else:
        import socket

        info.update(transport="tcp", ip="127.0.0.1")
        for name in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                info[name] = s.getsockname()[1]
    return info


def start_kernel(job: dict, runtime: str):
    info = _connection(runtime)
    conn_file = os.path.join(runtime, "kernel.json")
    with open(conn_file, "w") as fh:
        json.dump(info, fh)
    env = dict(job.get("env") or os.environ)  # the grader's short list of variables: no credentials
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"  # plots become outputs
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", conn_file, "--HistoryManager.enabled=False",
           "--IPKernelApp.quiet=True"]

    def pre():  # the kernel dies with this process, whatever happens to it
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

    proc = None
    if job.get("zygote"):  # forked from a process that imported torch once (a student's: into this sandbox)
        from .zygote import fork_kernel

        try:
            proc = fork_kernel(job["zygote"], conn_file, job["workdir"], env, int(job.get("memory_limit") or 0))
        except (OSError, ValueError, KeyError, TypeError):
            proc = None  # no zygote: a fresh kernel
    if proc is None:
        proc = subprocess.Popen(cmd, cwd=job["workdir"], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                                preexec_fn=pre)
    from jupyter_client.blocking.client import BlockingKernelClient

    kc = BlockingKernelClient()
    kc.load_connection_info(info)
    kc.start_channels()
    return proc, kc


def _wait_ready(proc, kc, timeout: float) -> str | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return f"the kernel exited at start-up (exit code {proc.returncode})"
        msg_id = kc.kernel_info()
        try:
            while True:
                reply = kc.get_shell_msg(timeout=1.0)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
        except queue.Empty:
            continue
        # drain the start-up status messages
        while True:
            try:
                kc.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                return None
    return f"the kernel did not start within {timeout:.0f}s"


# ------------------------------------------------------------------ outputs
class Outputs:
    """Builds nbformat outputs from iopub messages, within size limits."""

    def __init__(self, stream_limit: int, budget: int):
        self.stream_limit = stream_limit
        self.budget = budget
        self.truncated = False

    def _charge(self, size: int) -> bool:
        if size > self.budget:
            self.truncated = True
            return False
        self.budget -= size
        return True

    def add(self, cell: dict, msg: dict) -> None:
        kind, content = msg["header"]["msg_type"], msg["content"]
        outs = cell["outputs"]
        if cell.pop("_clear_pending", False) and kind in ("stream", "display_data", "execute_result", "error"):
            outs.clear()
            cell["_stream_chars"] = 0
        if kind == "stream":
            name, text = content.get("name", "stdout"), str(content.get("text", ""))
            room = self.stream_limit - cell.get("_stream_chars", 0)
            if len(text) > room:
                if room > 0 or not cell.get("_stream_cut"):
                    text = text[:max(room, 0)] + "\n... [output truncated by the grader]\n"
                    cell["_stream_cut"] = True
                    self.truncated = True
                else:
                    return
            cell["_stream_chars"] = cell.get("_stream_chars", 0) + len(text)
            if not self._charge(len(text)):
                return
            if outs and outs[-1].get("output_type") == "stream" and outs[-1].get("name") == name:
                outs[-1]["text"] += text
            else:
                outs.append({"output_type": "stream", "name": name, "text": text})
        elif kind in ("display_data", "execute_result", "update_display_data"):
            data = self._data(content.get("data"))
            out = {"output_type": "display_data" if kind == "update_display_data" else kind, "data": data,
                   "metadata": content.get("metadata") if isinstance(content.get("metadata"), dict) else {}}
            if kind == "execute_result":
                out["execution_count"] = content.get("execution_count")
            if not self._charge(sum(len(json.dumps(v)) for v in data.values())):
                return
            display_id = (content.get("transient") or {}).get("display_id")
            if kind == "update_display_data":
                for old in cell.get("_displays", {}).get(display_id, []):
                    old["data"], old["metadata"] = out["data"], out["metadata"]
                return
            if display_id:
                cell.setdefault("_displays", {}).setdefault(display_id, []).append(out)
            outs.append(out)
        elif kind == "error":
            tb = [str(line)[:2000] for line in (content.get("traceback") or [])][:200]
            out = {"output_type": "error", "ename": str(content.get("ename", "Error"))[:200],
                   "evalue": str(content.get("evalue", ""))[:5000], "traceback": tb}
            self._charge(len(json.dumps(out)))  # errors are always kept: scoring reads them
            outs.append(out)
        elif kind == "clear_output":
            if content.get("wait"):
                cell["_clear_pending"] = True
            else:
                outs.clear()
                cell["_stream_chars"] = 0

    def _data(self, data) -> dict:
        out = {}
        for mime, value in (data or {}).items() if isinstance(data, dict) else []:
            if not isinstance(mime, str):
                continue
            if isinstance(value, list):
                value = "".join(str(v) for v in value)
            if isinstance(value, str):
                if len(value) > DATA_LIMIT:
                    self.truncated = True
                    if mime.startswith("text/plain"):
                        out[mime] = value[:20_000] + "\n... [output truncated by the grader]"
                    continue
                out[mime] = value
            elif mime.endswith("json") and isinstance(value, (dict, list)):
                if len(json.dumps(value)) <= DATA_LIMIT:
                    out[mime] = value
        return out


# ------------------------------------------------------------------ run
def boot(config: dict):
    """Start the kernel and wait until it answers: (process, client, error or None)."""
    runtime = tempfile.mkdtemp(prefix="kr-")
    proc, kc = start_kernel(config, runtime)
    try:
        error = _wait_ready(proc, kc, float(config.get("startup_timeout", 120)))
    except Exception as err:  # noqa: BLE001 - reported in the result, like any start-up failure
        error = f"{err.__class__.__name__}: {err}"
    return proc, kc, error


def run(job: dict, proc, kc, start_error: str | None, sandboxed: bool = False) -> dict:
    """Run the job's cells in the started kernel, then stop it and everything it started."""
    cells = [{"ran": False, "execution_count": None, "outputs": [], "timed_out": False} for _ in job["cells"]]
    result = {"cells": cells, "kernel_died": None, "stuck": None, "leftover": [], "truncated": False,
              "start_error": start_error}
    try:
        if start_error:
            return result
        outputs = Outputs(int(job.get("stream_limit", 20_000)), int(job.get("output_budget", 50_000_000)))
        by_msg: dict[str, int] = {}
        for index, spec in enumerate(job["cells"]):
            state = _execute(kc, proc, index, spec, cells, by_msg, outputs, job)
            if state == "died":
                result["kernel_died"] = {"cell": index, "returncode": proc.returncode}
                break
            if state == "stuck":
                result["stuck"] = index
                break
        result["truncated"] = outputs.truncated
        # the kernel's children, and orphans re-parented to us (we are their subreaper)
        result["leftover"] = [_cmdline(p) for p in _others(proc, sandboxed) if _alive(p)]
    finally:
        stop(proc, kc, sandboxed)
    for cell in cells:
        for key in [k for k in cell if k.startswith("_")]:
            del cell[key]
    return result


def _others(proc, sandboxed: bool) -> list[int]:
    """The processes besides the executor and its kernel: the kernel's children, orphans re-parented to us (we
    are their subreaper) and, in a sandbox, every other process there (orphans of a forked kernel go to the
    sandbox's PID 1; this PID namespace holds nothing but the sandbox's processes, nested namespaces' too)."""
    if sandboxed:  # every process /proc shows here is the submission's: a superset of the descendants
        found = {int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) > 1}
    else:
        found = set(descendants(os.getpid())) | set(descendants(proc.pid))
    return sorted(found - {os.getpid(), proc.pid})


def stop(proc, kc, sandboxed: bool = False) -> None:
    try:
        kc.stop_channels()
    except Exception:  # noqa: BLE001 - closing sockets of a dead kernel can fail many ways
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the kernel's process group (all there is without /proc)
    except (ProcessLookupError, PermissionError):
        pass
    kill_tree(proc.pid, reap=True)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    kill_tree(os.getpid(), include_self=False, reap=True)  # orphans re-parented to us (we are their subreaper)
    for pid in _others(proc, sandboxed) if sandboxed else ():
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _execute(kc, proc, index, spec, cells, by_msg, outputs, job) -> str:
    """Run one cell: "ok", "died" (the kernel exited) or "stuck" (it ignored the interrupt)."""
    import zmq

    cell = cells[index]
    msg_id = kc.execute(spec["source"], store_history=bool(spec.get("store_history", True)), allow_stdin=False,
                        stop_on_error=False)
    by_msg[msg_id] = index
    timeout = float(spec.get("timeout") or job.get("cell_timeout", 60))
    deadline = time.monotonic() + timeout
    interrupted = False
    idle = replied = False
    iopub, shell = kc.iopub_channel.socket, kc.shell_channel.socket
    poller = zmq.Poller()
    poller.register(iopub, zmq.POLLIN)
    poller.register(shell, zmq.POLLIN)
    while not (idle and replied):
        now = time.monotonic()
        if now >= deadline:
            if interrupted:
                return "stuck"
            cell["timed_out"] = True
            interrupted = True
            try:
                os.killpg(proc.pid, signal.SIGINT)
            except (ProcessLookupError, PermissionError):
                pass
            deadline = now + float(job.get("interrupt_grace", 10))
            continue
        if proc.poll() is not None:  # the cell never completed: it did not run, whatever it printed
            _drain(kc, by_msg, cells, outputs)
            return "died"
        events = dict(poller.poll(int(min(500, max(1, (deadline - now) * 1000)))))
        if iopub in events:
            while True:
                try:
                    msg = kc.get_iopub_msg(timeout=0)
                except queue.Empty:
                    break
                parent = msg.get("parent_header", {}).get("msg_id")
                if parent == msg_id and msg["header"]["msg_type"] == "status":
                    idle = idle or msg["content"].get("execution_state") == "idle"
                elif parent in by_msg:
                    outputs.add(cells[by_msg[parent]], msg)
        if shell in events:
            while True:
                try:
                    reply = kc.get_shell_msg(timeout=0)
                except queue.Empty:
                    break
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    replied = True
                    cell["ran"] = True
                    cell["status"] = str(reply["content"].get("status", ""))[:20]
                    count = reply["content"].get("execution_count")
                    cell["execution_count"] = count if spec.get("store_history", True) else None
    return "ok"


def _drain(kc, by_msg, cells, outputs) -> None:
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            return
        parent = msg.get("parent_header", {}).get("msg_id")
        if parent in by_msg and msg["header"]["msg_type"] != "status":
            outputs.add(cells[by_msg[parent]], msg)


def prepare(config: dict, files: dict | None = None) -> None:
    """The working folder and home (a tmpfs in the sandbox), matplotlib's font list, the assignment's files."""
    work, home = config["workdir"], config.get("home")
    os.makedirs(work, exist_ok=True)
    if home and files is None:
        os.makedirs(os.path.join(home, ".matplotlib"), exist_ok=True)
        for font_list in config.get("fonts", []):
            try:
                with open(font_list, "rb") as src, open(os.path.join(home, ".matplotlib",
                                                                     os.path.basename(font_list)), "wb") as dst:
                    dst.write(src.read())
            except OSError:
                pass  # a missing font cache only costs time
    for rel, data in (files or {}).items():
        parts = rel.replace("\\", "/").split("/")
        if rel.startswith("/") or ".." in parts:
            continue
        target = os.path.join(work, *parts)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as fh:
            fh.write(base64.b64decode(data))


def main(argv: list[str] | None = None) -> int:
    _prctl(PR_SET_DUMPABLE, 0)  # the kernel runs as the same user: keep it out of our memory
    _prctl(PR_SET_CHILD_SUBREAPER, 1)  # whatever the kernel forks and abandons is re-parented here
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    argv = sys.argv[1:] if argv is None else argv
    channel = argv[argv.index("--channel") + 1]  # the grader's folder: config.json and its socket
    with open(os.path.join(channel, "config.json")) as fh:
        config = json.load(fh)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(os.path.join(channel, "channel"))  # before any submission code runs: the grader takes the first
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)  # nothing reaches the grader but the result, on the socket
    limit = int(config.get("memory_limit") or 0)
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    prepare(config)
    proc, kc, error = boot(config)
    # then the cells, maybe much later (a kernel started ahead of its submission): give up when none come
    ready, _, _ = select.select([sock], [], [], float(config.get("idle_timeout", 600)))
    chunks = []
    while ready:
        chunk = sock.recv(1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    text = b"".join(chunks)
    if not text.strip():
        stop(proc, kc)
        return 0
    job = json.loads(text)
    del text, chunks
    try:
        prepare(config, job.get("files"))
    except (OSError, ValueError) as err:
        error = error or f"the assignment's files could not be written ({err})"
    result = run(job, proc, kc, error, bool(config.get("sandboxed")))
    sock.sendall(json.dumps(result).encode())
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
