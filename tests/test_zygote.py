"""Warm test kernels (course/grader/zygote.py): the trusted test kernel is forked from one process that imported
torch once; a student kernel never is; without a zygote the test kernel starts fresh, as before."""
import os

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
    nb.tests("test_add_basics", "print('tests parent', os.getppid())\nT.assert_equal(add(1, 2), 3, name='add')",
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


def _grade(root):
    path = root / "source" / DEMO / f"{DEMO}.ipynb"
    return grade_notebook(path, DEMO, GradeOptions(source_root=root, sandbox="off"))


def test_test_kernels_come_from_one_warm_process_and_student_kernels_never(demo_course):
    _parent_printing_notebook(demo_course / "source" / DEMO / f"{DEMO}.ipynb")
    parents = []
    for _ in range(2):
        report, executed = _grade(demo_course)
        assert report.score == 1, report.flags
        parents.append((_printed(executed, "tests parent"), _printed(executed, "student parent")))
    warm = zygote.address()["pid"]
    assert [tests for tests, _ in parents] == [warm, warm], (parents, warm)
    assert all(student != warm for _, student in parents), "a student kernel must start fresh under its executor"


def test_only_the_trusted_test_runner_asks_for_a_warm_kernel():
    def config(setup):
        runner = sandbox.Runner(setup)
        try:
            return (runner.ipc / "config.json").read_text()
        finally:
            runner.close()

    assert '"zygote"' in config(sandbox.Setup(sandbox="off", warm=True))
    assert '"zygote"' not in config(sandbox.Setup(sandbox="off"))
    if sandbox.sandbox_available():
        assert '"zygote"' not in config(sandbox.Setup(sandbox="preferred", warm=True))


def test_without_a_zygote_the_test_kernel_starts_fresh(demo_course, monkeypatch):
    monkeypatch.setattr(zygote, "address", lambda: {"path": "/nonexistent/zygote", "pid": 2 ** 22 + 1})
    report, _ = _grade(demo_course)
    assert report.score == report.auto_max_score == 4, report.flags


def test_a_warm_kernel_ends_with_the_executor_that_asked_for_it(tmp_path):
    import json
    import subprocess
    import sys
    import time

    address = zygote.address()
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
            pid = zygote.fork_kernel(address, str(conn), str(tmp_path), dict(os.environ), 0)
        finally:
            os.getpid = original
        kernel = zygote.ForkedKernel(pid)
        assert kernel.poll() is None
    finally:
        asker.kill()
        asker.wait()
    kernel.wait(timeout=10)
    assert kernel.poll() is not None
    deadline = time.monotonic() + 5
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:  # reaped by the zygote
        time.sleep(0.05)
