"""Warm kernels (course/grader/zygote.py): the trusted test kernel is forked from one process that imported torch
once, a student kernel from another one and only into its own sandbox (never from the test zygote, never
outside a sandbox); without a zygote a kernel starts fresh, as before."""
import json
import os
import socket
import subprocess
import sys
import time

import pytest

from conftest import DEMO
from course.authoring import NotebookBuilder
from course.grader import sandbox, zygote
from course.grader.notebook import GradeOptions, grade_notebook


def _parent_printing_notebook(path):
    """A notebook whose solution cell and test cell each print the parent of the kernel they run in."""
    nb = NotebookBuilder()
    nb.setup("import os\nfrom course import testing as T")
    nb.solution("add", "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION\n"
                       "print('student parent', os.getppid())")
    nb.tests("test_add_basics", "ppid = os.getppid()\n"
                                "print('tests parent', open(f'/proc/{ppid}/stat').read().rsplit(')', 1)[1].split()[1])\n"
                                "T.assert_equal(add(1, 2), 3, name='add')",
             points=1)
    nb.save(path)
    return path


def _printed(executed, prefix):
    for cell in executed.cells:
        for out in cell.get("outputs", []):
            for line in str(out.get("text", "")).splitlines():
                if line.startswith(prefix):
                    return int(line.split()[-1])
    raise AssertionError(f"no line starting {prefix!r}")


def _grade(root, sandbox_mode="off"):
    path = root / "source" / DEMO / f"{DEMO}.ipynb"
    return grade_notebook(path, DEMO, GradeOptions(source_root=root, sandbox=sandbox_mode))


def test_test_kernels_come_from_one_warm_process_and_student_kernels_never(demo_course):
    _parent_printing_notebook(demo_course / "source" / DEMO / f"{DEMO}.ipynb")
    parents = []
    for _ in range(2):
        report, executed = _grade(demo_course)
        assert report.score == 1, report.flags
        parents.append((_printed(executed, "tests parent"), _printed(executed, "student parent")))
    warm = zygote.address("tests")["pid"]  # the test kernel's parent waits for it; its parent is the zygote
    assert [tests for tests, _ in parents] == [warm, warm], (parents, warm)
    assert all(student != warm for _, student in parents), "without a sandbox a student kernel starts fresh"


def _config(setup):
    runner = sandbox.Runner(setup)
    try:
        return json.loads((runner.ipc / "config.json").read_text())
    finally:
        runner.close()


def test_the_test_zygote_serves_only_unsandboxed_test_runners_and_the_student_one_only_sandboxes():
    assert _config(sandbox.Setup(sandbox="off", warm="tests"))["zygote"]["pid"] == zygote.address("tests")["pid"]
    assert "zygote" not in _config(sandbox.Setup(sandbox="off"))
    assert "zygote" not in _config(sandbox.Setup(sandbox="off", warm="student"))  # no sandbox: a fresh kernel
    if sandbox.sandbox_available():
        assert "zygote" not in _config(sandbox.Setup(sandbox="preferred", warm="tests"))
    if sandbox.sandbox_available() and zygote.student_kernels_supported():
        _student_zygote_ready()
        assert _config(sandbox.Setup(sandbox="required", warm="student"))["zygote"] == {
            "path": f"{zygote.SANDBOX_DIR}/socket"}


def _student_zygote_ready(threads=None):
    found = zygote.address("student", sandbox.kernel_env(sandbox.Path("/nonexistent"), threads), threads)
    deadline = time.monotonic() + 120
    while not os.path.exists(found["path"]) and time.monotonic() < deadline:  # its socket appears when ready
        time.sleep(0.1)
    assert os.path.exists(found["path"])
    return found


def test_without_a_zygote_the_test_kernel_starts_fresh(demo_course, monkeypatch):
    monkeypatch.setattr(zygote, "address", lambda *a, **k: {"path": "/nonexistent/zygote", "pid": 2 ** 22 + 1})
    report, _ = _grade(demo_course)
    assert report.score == report.auto_max_score == 4, report.flags


def test_a_warm_kernel_ends_with_the_executor_that_asked_for_it(tmp_path):
    address = zygote.address("tests")
    conn = tmp_path / "kernel.json"
    conn.write_text(json.dumps({"transport": "ipc", "ip": str(tmp_path / "k"), "shell_port": 1, "iopub_port": 2,
                                "stdin_port": 3, "control_port": 4, "hb_port": 5, "key": "x",
                                "signature_scheme": "hmac-sha256", "kernel_name": "python3"}))
    asker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        monkey_pid = asker.pid
        original = os.getpid
        os.getpid = lambda: monkey_pid  # fork_kernel sends its caller's pid to watch: here, the sleeper's
        try:
            kernel = zygote.fork_kernel(address, str(conn), str(tmp_path), dict(os.environ), 0)
        finally:
            os.getpid = original
        pid = kernel.pid
        assert kernel.poll() is None
    finally:
        asker.kill()
        asker.wait()
    kernel.wait(timeout=10)
    assert kernel.poll() is not None
    deadline = time.monotonic() + 5
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:  # reaped by the zygote
        time.sleep(0.05)


# ------------------------------------------------------------------------------------------------ student kernels
needs_sandbox = pytest.mark.skipif(not (sandbox.sandbox_available() and zygote.student_kernels_supported()),
                                   reason="bubblewrap is not installed, or this Linux has no SO_PEERPIDFD (6.5+)")

PROBE = r'''
import os, socket, sys
from course.notebooks import ROOT
status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines() if ":" in l)
print("parent", os.getppid())
print("caps", sorted({status[f].strip() for f in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")}))
print("nonewprivs", status["NoNewPrivs"].strip(), "uid", os.getuid())
print("course root visible", os.path.exists(ROOT / "source"))
print("path first", sys.path[0] == os.getcwd())
asked = socket.socket(socket.AF_UNIX)
try:
    asked.connect("/run/zygote/socket")
    asked.sendall(b'{"connection_file": "x", "cwd": "/tmp", "env": {}, "watch_pid": 1, "memory_limit": 0}')
    asked.shutdown(socket.SHUT_WR)
    print("second kernel", asked.recv(100))
except OSError as err:
    print("second kernel refused", type(err).__name__)
'''


def _probe_notebook(path, extra=""):
    nb = NotebookBuilder()
    nb.setup("from course import testing as T")
    nb.solution("add", PROBE + extra + "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n"
                "    ### END SOLUTION\n")
    nb.tests("test_add_basics", "T.assert_equal(add(1, 2), 3, name='add')", points=1)
    nb.save(path)


def _lines(executed):
    return [line for cell in executed.cells for out in cell.get("outputs", [])
            for line in str(out.get("text", "")).splitlines()]


@needs_sandbox
def test_a_student_kernel_is_forked_into_its_own_sandbox_unprivileged(demo_course):
    _probe_notebook(demo_course / "source" / DEMO / f"{DEMO}.ipynb")
    _student_zygote_ready()
    report, executed = _grade(demo_course, "required")
    assert report.score == 1, report.flags
    seen = _lines(executed)
    assert "parent 0" in seen, seen  # its parent is outside the sandbox's PID namespace: forked, not started
    assert "caps ['0000000000000000']" in seen and "nonewprivs 1 uid 1000" in seen, seen
    assert "course root visible False" in seen and "path first True" in seen, seen
    assert any(line == "second kernel b''" or line.startswith("second kernel refused") for line in seen), seen


@needs_sandbox
def test_a_forked_kernel_that_exits_reports_its_own_exit_code(demo_course):
    _probe_notebook(demo_course / "source" / DEMO / f"{DEMO}.ipynb", "os._exit(3)\n")
    _student_zygote_ready()
    report, _ = _grade(demo_course, "required")
    assert report.score == 0 and any("exited with code 3" in f for f in report.flags), report.flags


@needs_sandbox
def test_the_student_zygote_starts_no_kernel_outside_a_sandbox(tmp_path):
    found = _student_zygote_ready()
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(found["path"])
        sock.settimeout(10)
        try:
            sock.sendall(json.dumps({"connection_file": str(tmp_path / "k.json"), "cwd": str(tmp_path), "env": {},
                                     "watch_pid": os.getpid(), "memory_limit": 0}).encode())
            sock.shutdown(socket.SHUT_WR)
            answer = sock.recv(100)
        except OSError:  # closed before the request was sent
            answer = b""
    assert answer == b""  # closed unanswered: the asker is in the zygote's own namespaces


@needs_sandbox
def test_the_watchdog_counts_a_forked_kernel_with_its_sandbox():
    _student_zygote_ready()
    runner = sandbox.Runner(sandbox.Setup(sandbox="required", warm="student"))
    try:
        assert "zygote" in json.loads((runner.ipc / "config.json").read_text())
        deadline = time.monotonic() + 60
        kernel = None
        while kernel is None and time.monotonic() < deadline:  # the executor asks for its kernel at start
            kernel = next((p for p in sandbox._same_pid_namespace(_executor(runner), _kids())
                           if "course.grader.zygote" in sandbox._cmdline(p)), None)  # forked: the zygote's name
            time.sleep(0.1)
        assert kernel is not None
        assert "memory limit" in sandbox.watch(runner.proc.pid, 2**20)
        time.sleep(0.5)
        assert not os.path.exists(f"/proc/{kernel}") or "Z" in open(f"/proc/{kernel}/stat").read().split(")")[1][:3]
    finally:
        runner.close()


def _kids():
    from course.grader.executor import _children_map

    return _children_map()


def _executor(runner):
    from course.grader.executor import descendants

    return next((p for p in descendants(runner.proc.pid) if "course.grader.executor" in sandbox._cmdline(p)
                 and not sandbox._cmdline(p).startswith((sandbox.bwrap_options() or ("bwrap",))[0])), -1)


NESTED = r'''
import ctypes, os, subprocess, sys
CHILD = """
import ctypes, os, socket, time
if ctypes.CDLL(None, use_errno=True).unshare(0x10000000 | 0x20000000) != 0:  # a user and a PID namespace
    raise SystemExit("unshare refused")
pid = os.fork()
if pid == 0:
%s
    os._exit(0)
os.waitpid(pid, 0)
"""
def in_nested_namespaces(body, wait=True):
    code = CHILD % "\n".join("    " + line for line in body.splitlines())
    if not wait:
        return subprocess.Popen([sys.executable, "-c", code])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    print("nested:", (done.stdout + done.stderr).strip()[-300:])
'''

ASK_AGAIN = r'''
s = socket.socket(socket.AF_UNIX)
try:
    s.connect("/run/zygote/socket")
    s.sendall(b'{"connection_file": "x", "cwd": "/tmp", "env": {}, "watch_pid": 1, "memory_limit": 0}')
    s.shutdown(socket.SHUT_WR)
    print("answer", s.recv(100), flush=True)
except OSError as err:
    print("refused", type(err).__name__, flush=True)
'''

HOG = r'''
blob = bytearray(1 << 30)
for i in range(0, len(blob), 4096):
    blob[i] = 1
time.sleep(120)
'''


@needs_sandbox
def test_a_namespace_made_inside_the_sandbox_gets_no_kernel(demo_course):
    _probe_notebook(demo_course / "source" / DEMO / f"{DEMO}.ipynb",
                    NESTED + f"in_nested_namespaces({ASK_AGAIN!r})\n")
    _student_zygote_ready()
    report, executed = _grade(demo_course, "required")
    assert report.score == 1, report.flags
    nested = [line for line in _lines(executed) if line.startswith("nested:")]
    if nested and "unshare refused" in nested[0]:
        pytest.skip("this sandbox allows no user namespace inside it: no such request can be made")
    assert nested and ("answer b''" in nested[0] or "refused" in nested[0]), nested


@needs_sandbox
def test_the_watchdog_counts_what_a_forked_kernel_starts_in_nested_namespaces(demo_course):
    hogs = ("import time\nprobe = in_nested_namespaces('pass', wait=False)\n"
            "print('nested namespaces', 'refused' if probe.wait() else 'allowed')\n"
            "kids = [in_nested_namespaces(HOG, wait=False) for _ in range(3)]\ntime.sleep(30)\n")
    _probe_notebook(demo_course / "source" / DEMO / f"{DEMO}.ipynb", NESTED + f"HOG = {HOG!r}\n" + hogs)
    _student_zygote_ready()
    path = demo_course / "source" / DEMO / f"{DEMO}.ipynb"
    report, executed = grade_notebook(path, DEMO, GradeOptions(source_root=demo_course, sandbox="required",
                                                               memory_limit=int(2.5 * 2**30)))
    if "nested namespaces refused" in _lines(executed):
        pytest.skip("this sandbox allows no user namespace inside it: nothing to count there")
    assert report.score == 0, report.flags
    assert any("more than the 2.5 GiB memory limit" in f for f in report.flags), report.flags
