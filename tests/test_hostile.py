"""Hostile and broken submissions, graded as one class: each is graded, says what happened in one
sentence, never scores full, and never stops the batch. Tampering with the test machinery is flagged
and scores 0. A correct submission that prints warnings keeps every point.

One batch (module fixture) grades every case at once with two workers; each test reads its row.
"""
import os
import secrets
import subprocess

import pytest

from conftest import DEMO, build_demo_notebook
from course.grader.classroom import ClassGrader
from course.notebooks import grade_id, read_notebook, write_notebook

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


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "course"
    build_demo_notebook().save(root / "source" / DEMO / f"{DEMO}.ipynb")
    from course.build import generate

    generate([DEMO], root, course=root)
    reference = read_notebook(root / "source" / DEMO / f"{DEMO}.ipynb")
    for student, change in CASES.items():
        nb = read_notebook(root / "source" / DEMO / f"{DEMO}.ipynb")
        if change:
            for cell in nb.cells:
                if grade_id(cell) == change[0]:
                    cell.source = change[1]
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
        if student not in ("good", "noisy", "rebind"):
            assert row.flags, f"{student}: a hostile submission needs a flag saying what happened"


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
    assert "the kernel died in `test_square_basics`" in row.flags and row.score == 3


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


@pytest.mark.parametrize("student,replaced", [
    ("t_allclose", "torch.allclose"), ("t_torch_testing", "torch.testing.assert_close"),
    ("t_numpy_testing", "numpy.testing.assert_allclose"), ("t_builtins", "builtins.abs"),
    ("t_course", "course.testing.assert_equal"), ("t_tensor", "torch.Tensor.__eq__"),
])
def test_monkeypatching_is_flagged_and_scores_zero(hostile_class, student, replaced):
    row = _row(hostile_class, student)
    assert row.status == "flagged" and row.score == 0, row
    assert f"tampering with the test machinery detected: replaced {replaced}" in row.flags


@pytest.mark.parametrize("student", ["t_self_restoring", "t_then_exit"])
def test_patches_that_hide_their_tracks_are_flagged(hostile_class, student):
    """Undone after use (caught by the check on each test cell's first line); followed by killing the
    kernel before the final check (caught by the check after each group of test cells)."""
    row = _row(hostile_class, student)
    assert row.status == "flagged" and row.score == 0 and "tampering with the test machinery" in row.flags, row


def test_patching_the_kernel_itself_is_flagged(hostile_class):
    row = _row(hostile_class, "t_ipython")
    assert row.status == "flagged" and row.score == 0 and "tampering with the test machinery" in row.flags


def test_rebinding_the_test_helpers_changes_nothing(hostile_class):
    row = _row(hostile_class, "rebind")
    assert row.status == "graded" and row.score == 3, "the tests must still use the real course.testing"


def test_gradebook_has_every_hostile_row(hostile_class):
    root, rows = hostile_class
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student, row in rows.items():
            assert gb.find_submission(DEMO, student).code_score == row.score
        assert len(gb.students) == len(CASES)
