"""Hostile and broken submissions, graded as one class: each is graded, says what happened in one
sentence, never scores full, and never stops the batch. The tests run in a kernel of their own
(two-kernel grading): tampering with anything in the submission's kernel changes nothing but the
submission's own answers, so a submission scores no more than its honest work. A correct submission
that prints warnings keeps every point.

One batch (module fixture) grades every case at once with two workers; each test reads its row.
"""
import os
import secrets
import subprocess

import pytest

from conftest import DEMO, build_demo_notebook
from course.grader.classroom import ClassGrader
from course.notebooks import grade_id, read_notebook, write_notebook

pytestmark = pytest.mark.timeout(1800)  # the batch below grades ~40 submissions, two kernels each, on two workers
TAG = f"1000.{secrets.randbelow(10**6)}"  # a child process's argument we can find in `ps` afterwards
WRONG_SQUARE = "\ndef square(x):\n    return 0\n"

CASES = {
    "good": None,
    "noisy": ("add", "import sys, warnings\ndef add(a, b):\n    warnings.warn('noisy')\n"
                     "    print('debug', file=sys.stderr)\n    return a + b"),
    "syntax": ("add", "def add(a, b)\n    return a + b"),
    "loop": ("square", "while True:\n    pass"),
    "exit": ("square", "import os\nos._exit(1)"),
    "segfault": ("square", "import ctypes\nctypes.string_at(0)"),
    "exit_in_test": ("square", "def square(x):\n    import os\n    os._exit(0)"),
    "hang_in_test": ("square", "def square(x):\n    while True:\n        pass"),
    "oom": ("square", "blocks = []\nwhile True:\n    blocks.append(bytearray(10**8))"),
    "stdin": ("square", "name = input('your name? ')\ndef square(x):\n    return x * x"),
    "child": ("square", f"import subprocess\nsubprocess.Popen(['sleep', '{TAG}'])" + WRONG_SQUARE),
    "huge": ("square", "print('x' * 10**8)" + WRONG_SQUARE),
    # tampering: each makes the wrong square() pass its test if it went unnoticed
    "t_allclose": ("square", "import torch\ntorch.allclose = lambda *a, **k: True" + WRONG_SQUARE),
    "t_torch_testing": ("square", "import torch.testing\ntorch.testing.assert_close = lambda *a, **k: None"
                        + WRONG_SQUARE),
    "t_numpy_testing": ("square", "import numpy.testing\nnumpy.testing.assert_allclose = lambda *a, **k: None"
                        + WRONG_SQUARE),
    "t_builtins": ("square", "import builtins\nbuiltins.abs = lambda x: 0" + WRONG_SQUARE),
    "t_course": ("square", "from course import testing\ntesting.assert_equal = lambda *a, **k: None" + WRONG_SQUARE),
    "t_tensor": ("square", "import torch\ntorch.Tensor.__eq__ = lambda self, other: True" + WRONG_SQUARE),
    "t_ipython": ("square", "from IPython.core.interactiveshell import ExecutionInfo, ExecutionResult\n"
                            "async def skip(raw_cell, *args, **kwargs):\n"
                            "    return ExecutionResult(ExecutionInfo(raw_cell, False, False, True, None))\n"
                            "get_ipython().run_cell_async = skip" + WRONG_SQUARE),
    # a patch that puts the original back once it has done its job, then a kernel killed before the end
    "t_self_restoring": ("square", "from course import testing\nreal = testing.assert_equal\n"
                                   "def once(*args, **kwargs):\n    testing.assert_equal = real\n"
                                   "testing.assert_equal = once" + WRONG_SQUARE),
    "t_then_exit": ("square", "import torch\ntorch.allclose = lambda *a, **k: True\n"
                              "def square(x):\n    import threading, os\n"
                              "    threading.Timer(0.2, os._exit, (0,)).start()\n    return 0"),
    # rebinding the tests' helper in the namespace does not work: the tests re-import it
    "rebind": ("square", "class Fake:\n    def __getattr__(self, name):\n        return lambda *a, **k: None\n"
                         "T = Fake()" + WRONG_SQUARE),
}
# Issue 20's attacks: each defeated the in-kernel guard of one-kernel grading. "No code at all" (both stubs
# raise) must score 0; the others come with a wrong square() and must score no more than add's 3 points.
NO_CODE = {
    "a_exception_group": "def _stub(*a):\n    raise ExceptionGroup('no', [ValueError('no')])\n",
    "a_usage_error": "from IPython.core.error import UsageError\ndef _stub(*a):\n    raise UsageError('no')\n",
    "a_render_traceback": "class Quiet(Exception):\n    def _render_traceback_(self):\n        raise RuntimeError\n"
                          "def _stub(*a):\n    raise Quiet()\n",
}
TAMPER = {
    "a_course_attribute": "import course\nclass Fake:\n    def __getattr__(self, name):\n"
                          "        return lambda *a, **k: None\ncourse.testing = Fake()\n",
    "a_testing_globals": "import course.testing as t\nt._fail = lambda *a, **k: None\n",
    "a_input_transformer": "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])\n",
    "a_ast_transformer": "import ast\nclass Blank(ast.NodeTransformer):\n    def visit_Module(self, node):\n"
                         "        node.body = []\n        return node\nget_ipython().ast_transformers.append(Blank())\n",
    "a_session_send": "k = get_ipython().kernel\nreal = k.session.send\n"
                      "def send(stream, msg, *a, **kw):\n"
                      "    kind = msg if isinstance(msg, str) else msg.get('header', {}).get('msg_type')\n"
                      "    return None if kind == 'error' else real(stream, msg, *a, **kw)\nk.session.send = send\n",
    "a_interactive_tb": "from IPython.core import ultratb\nclass Silent(ultratb.AutoFormattedTB):\n"
                        "    def structured_traceback(self, *a, **k):\n        return []\n"
                        "get_ipython().InteractiveTB = Silent()\n",
    "a_post_run_cell": "def clear(result):\n    result.error_in_exec = None\n"
                       "get_ipython().events.register('post_run_cell', clear)\n",
    "a_custom_exc": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n",
}
for _name, _code in NO_CODE.items():
    CASES[_name] = [("add", _code + "add = _stub\n"), ("square", "square = _stub\n")]
for _name, _code in TAMPER.items():
    CASES[_name] = ("square", _code + WRONG_SQUARE)
# answers the test kernel with garbage: each call it serves fails
CASES["a_garbage"] = ("square", "import course.grader.bridge as b\n"
                                "b.encode = lambda *a, **k: {'$': 'pickle', 'v': 'gASV'}\n" + WRONG_SQUARE)
TAMPER["a_garbage"] = CASES["a_garbage"][1]
# sees every cell its kernel runs: the test cells (hidden lines included) must never be among them
CASES["a_pre_run_cell"] = ("add", "import base64\ndef show(info):\n"
                                  "    print('CELL', base64.b64encode(info.raw_cell.encode()).decode())\n"
                                  "get_ipython().events.register('pre_run_cell', show)\n"
                                  "def add(a, b):\n    return a + b\n")


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "course"
    build_demo_notebook().save(root / "source" / DEMO / f"{DEMO}.ipynb")
    from course.build import generate

    generate([DEMO], root, course=root)
    reference = read_notebook(root / "source" / DEMO / f"{DEMO}.ipynb")
    for student, change in CASES.items():
        nb = read_notebook(root / "source" / DEMO / f"{DEMO}.ipynb")
        for gid, code in (change if isinstance(change, list) else [change] if change else []):
            for cell in nb.cells:
                if grade_id(cell) == gid:
                    cell.source = code
        write_notebook(nb, root / "submitted" / student / DEMO / f"{DEMO}.ipynb")
    assert reference.cells
    grader = ClassGrader(DEMO, root, workers=2, timeout=300, cell_timeout=20, memory_limit=3 * 2**30)
    rows = {r.student_id: r for r in grader.run()}
    return root, rows


def _row(hostile_class, student):
    root, rows = hostile_class
    row = rows[student]
    assert row.score < 4, f"{student} must never score full (4 autograded points): {row}"
    return row


def test_the_batch_goes_on_and_the_good_and_noisy_keep_every_point(hostile_class):
    root, rows = hostile_class
    assert sorted(rows) == sorted(CASES)
    for student in ("good", "noisy"):
        assert (rows[student].score, rows[student].status) == (4, "graded"), rows[student]
    for student, row in rows.items():
        assert "\n" not in row.flags
        if student not in ("good", "noisy", "rebind") and not student.startswith(("t_", "a_")):
            assert row.flags, f"{student}: a broken submission needs a flag saying what happened"


def test_syntax_error(hostile_class):
    row = _row(hostile_class, "syntax")
    assert row.status == "graded" and row.score == 1 and "`add` has a syntax error" in row.flags


def test_infinite_loop(hostile_class):
    row = _row(hostile_class, "loop")
    assert row.score == 3 and "`square` ran past the 20s time limit and was interrupted" in row.flags


def test_os_exit(hostile_class):
    row = _row(hostile_class, "exit")
    assert "the kernel died in `square`" in row.flags and "os._exit" in row.flags and row.score == 3


def test_a_test_that_kills_the_kernel_is_not_passed(hostile_class):
    row = _row(hostile_class, "exit_in_test")
    assert "the kernel died in the tests of `test_square_basics`" in row.flags and row.score == 3


def test_a_call_that_never_returns_fails_that_test_only(hostile_class):
    row = _row(hostile_class, "hang_in_test")
    assert row.score == 3 and "ran past the time limits while serving the tests of `test_square_basics`" in row.flags


def test_segfault(hostile_class):
    row = _row(hostile_class, "segfault")
    assert "the kernel died in `square` (a segmentation fault)" in row.flags and row.score == 3


def test_out_of_memory(hostile_class):
    row = _row(hostile_class, "oom")
    assert "`square` ran out of memory (the limit is 3 GiB)" in row.flags or \
        ("kernel died in `square`" in row.flags and "memory" in row.flags), row.flags
    assert row.score == 3


def test_input_is_answered_with_an_error(hostile_class):
    row = _row(hostile_class, "stdin")
    assert "`square` waits for input()" in row.flags and row.score == 3


def test_child_processes_are_killed(hostile_class):
    row = _row(hostile_class, "child")
    assert f"left 1 process running (sleep {TAG})" in row.flags
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert f"sleep {TAG}" not in ps, "a process the submission started outlived its grading"


def test_huge_output_is_cut(hostile_class):
    root, _ = hostile_class
    row = _row(hostile_class, "huge")
    assert "some outputs were too large and were cut" in row.flags and row.score == 3
    assert (root / "feedback" / "huge" / DEMO / f"{DEMO}.html").stat().st_size < 2_000_000
    assert (root / "autograded" / "huge" / DEMO / f"{DEMO}.ipynb").stat().st_size < 2_000_000


@pytest.mark.parametrize("student", [c for c in CASES if c.startswith("t_")] + ["rebind"])
def test_tampering_with_the_kernel_earns_nothing(hostile_class, student):
    """Patching torch, numpy, builtins, course.testing or IPython in the submission's kernel only changes what
    the submission's own code computes: the wrong square() still fails, add() still passes (3 points)."""
    row = _row(hostile_class, student)
    assert row.score <= 3, row


@pytest.mark.parametrize("student", sorted(NO_CODE))
def test_a_submission_that_wrote_no_code_scores_zero(hostile_class, student):
    row = _row(hostile_class, student)
    assert row.score == 0, row


@pytest.mark.parametrize("student", sorted(TAMPER))
def test_forging_the_verdict_scores_no_more_than_honest_work(hostile_class, student):
    row = _row(hostile_class, student)
    assert row.score <= 3 and row.status == "graded", row


def test_the_test_cells_never_reach_the_submissions_kernel(hostile_class):
    """A pre_run_cell hook printed every cell its kernel ran: no test cell, visible or hidden, is among them."""
    import base64

    root, rows = hostile_class
    assert rows["a_pre_run_cell"].score == 4
    notebook = read_notebook(root / "autograded" / "a_pre_run_cell" / DEMO / f"{DEMO}.ipynb")
    printed = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    shown = [base64.b64decode(line.split()[1]).decode() for line in printed.splitlines() if line.startswith("CELL ")]
    assert shown, "the hook printed nothing: the test cannot see what the kernel ran"
    for cell in shown:
        assert "T.assert_equal" not in cell and "SECRET-HIDDEN-LINE" not in cell, cell
    for page in (root / "feedback").rglob("*.html"):
        assert "SECRET-HIDDEN-LINE" not in page.read_text(), page


def test_gradebook_has_every_hostile_row(hostile_class):
    root, rows = hostile_class
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student, row in rows.items():
            assert gb.find_submission(DEMO, student).code_score == row.score
        assert len(gb.students) == len(CASES)


@pytest.mark.parametrize("student", ["a_exception_group", "a_usage_error", "a_session_send", "a_custom_exc",
                                     "a_course_attribute", "a_post_run_cell"])
def test_course_check_is_not_fooled_either(hostile_class, student, tmp_path):
    """`course check` (no sandbox, the learner's own folder) grades with the same two kernels."""
    from course.grader.notebook import GradeOptions, grade_notebook

    root, rows = hostile_class
    path = tmp_path / f"{DEMO}.ipynb"
    path.write_bytes((root / "submitted" / student / DEMO / f"{DEMO}.ipynb").read_bytes())
    report, _ = grade_notebook(path, DEMO, GradeOptions(source_root=root, workdir=tmp_path, sandbox="off"))
    assert report.score == (0 if student in NO_CODE else 3), report
